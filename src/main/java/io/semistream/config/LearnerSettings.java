package io.semistream.config;

import java.nio.file.Path;

/**
 * The learner: Kafka Streams application, classification, the self-training rule that guards against
 * confirmation bias, backlog and label-wait retention, anomaly thresholds, and the query API.
 */
public record LearnerSettings(
    String applicationId, Path stateDir, int streamThreads, String metric, double temperature,
    double pseudoWeight, double pseudoMinConfidence, double pseudoMinMargin, double pseudoMaxRatio,
    int pseudoMinLabels, long relabelIntervalMs, double relabelMinDrift, long backlogRetentionMs, long labelWaitMs,
    int embeddingDimension, int maxLabelBytes, double anomalyQuantile, int anomalyWindow, int anomalyWarmup,
    double anomalyReconWeight, long prototypeRefreshMs, int httpPort, int metricsMaxClasses, String httpHost) {

  public LearnerSettings {
    if (applicationId == null || applicationId.isBlank() || stateDir == null) {
      throw new IllegalArgumentException("application id and state dir are required");
    }
    if (streamThreads < 1 || !(temperature > 0) || pseudoWeight < 0 || pseudoMaxRatio < 0 || pseudoMinLabels < 1) {
      throw new IllegalArgumentException("invalid learner threads, temperature or pseudo-label settings");
    }
    if (!(pseudoMinConfidence >= 0 && pseudoMinConfidence <= 1) || !(pseudoMinMargin >= 0 && pseudoMinMargin <= 1)) {
      throw new IllegalArgumentException("pseudo-label confidence and margin must be in [0, 1]");
    }
    if (relabelIntervalMs < 1 || relabelMinDrift < 0 || backlogRetentionMs < 1 || labelWaitMs < 1) {
      throw new IllegalArgumentException("relabel interval and retentions must be positive");
    }
    if (embeddingDimension < 1 || maxLabelBytes < 16) {
      throw new IllegalArgumentException("embedding dimension and label size limit must be positive");
    }
    if (!(anomalyQuantile > 0 && anomalyQuantile < 1) || anomalyWindow < 10 || anomalyWarmup < 1
        || anomalyWarmup > anomalyWindow || anomalyReconWeight < 0) {
      throw new IllegalArgumentException("anomaly quantile must be in (0, 1), window >= 10, warm-up <= window");
    }
    if (prototypeRefreshMs < 0 || httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException("prototype refresh must be >= 0 and http port in -1..65535");
    }
    if (httpHost == null || httpHost.isBlank()) {
      throw new IllegalArgumentException("http host must not be empty");
    }
    if (metricsMaxClasses < 1) {
      throw new IllegalArgumentException("metrics max classes must be >= 1");
    }
    if (!metric.equals("cosine") && !metric.equals("euclidean")) {
      throw new IllegalArgumentException("metric must be cosine or euclidean");
    }
  }

  public LearnerSettings withApplication(String id, Path dir) {
    return new LearnerSettings(id, dir, streamThreads, metric, temperature, pseudoWeight, pseudoMinConfidence,
        pseudoMinMargin, pseudoMaxRatio, pseudoMinLabels, relabelIntervalMs, relabelMinDrift, backlogRetentionMs,
        labelWaitMs, embeddingDimension, maxLabelBytes, anomalyQuantile, anomalyWindow, anomalyWarmup,
        anomalyReconWeight, prototypeRefreshMs, httpPort, metricsMaxClasses, httpHost);
  }

  public LearnerSettings withPseudoWeight(double weight) {
    return new LearnerSettings(applicationId, stateDir, streamThreads, metric, temperature, weight,
        pseudoMinConfidence, pseudoMinMargin, pseudoMaxRatio, pseudoMinLabels, relabelIntervalMs, relabelMinDrift,
        backlogRetentionMs, labelWaitMs, embeddingDimension, maxLabelBytes, anomalyQuantile, anomalyWindow,
        anomalyWarmup, anomalyReconWeight, prototypeRefreshMs, httpPort, metricsMaxClasses, httpHost);
  }

  public LearnerSettings withHttpPort(int port) {
    return new LearnerSettings(applicationId, stateDir, streamThreads, metric, temperature, pseudoWeight,
        pseudoMinConfidence, pseudoMinMargin, pseudoMaxRatio, pseudoMinLabels, relabelIntervalMs, relabelMinDrift,
        backlogRetentionMs, labelWaitMs, embeddingDimension, maxLabelBytes, anomalyQuantile, anomalyWindow,
        anomalyWarmup, anomalyReconWeight, prototypeRefreshMs, port, metricsMaxClasses, httpHost);
  }
}
