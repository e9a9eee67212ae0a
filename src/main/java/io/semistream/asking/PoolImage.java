package io.semistream.asking;

/** A recent unlabelled image the service may ask about: its embedding's direction and encoder version. */
record PoolImage(String imageId, double[] unit, String modelId, int modelVersion) {
}
