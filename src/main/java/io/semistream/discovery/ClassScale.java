package io.semistream.discovery;

/**
 * One labelled class's spread relative to its prototype's length (its root-mean-square distance to the prototype,
 * divided by the prototype's norm: the cosine view of how wide a class is), in encoder version {@code modelVersion}.
 */
record ClassScale(int modelVersion, double ratio) {
}
