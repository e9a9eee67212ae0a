package io.semistream.records;

/** An image flagged as anomalous (topics/schemas/anomaly.schema.json). */
public record Anomaly(
    double score, double threshold, double reconstructionError, double prototypeDistance, String nearestClass,
    long eventTime) {
}
