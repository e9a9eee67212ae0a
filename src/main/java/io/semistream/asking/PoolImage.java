package io.semistream.asking;

/**
 * A recent unlabelled image the service may ask about: its embedding's direction and encoder version, and how
 * typical it is (mean cosine similarity to its nearest neighbours in the pool when it arrived).
 */
record PoolImage(String imageId, double[] unit, String modelId, int modelVersion, double density) {
}
