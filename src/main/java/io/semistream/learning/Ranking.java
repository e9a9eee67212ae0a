package io.semistream.learning;

/**
 * The classification of one embedding against the current prototypes.
 *
 * @param normalizedDistance distance to the nearest prototype divided by that prototype's spread (scale-free)
 */
public record Ranking(
    String best, double bestDistance, String runnerUp, double runnerUpDistance, double confidence, double margin,
    double normalizedDistance) {
}
