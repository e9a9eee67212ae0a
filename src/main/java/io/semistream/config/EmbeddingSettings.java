package io.semistream.config;

/** The embedding service's batching, threading and input limits. */
public record EmbeddingSettings(
    int batchSize, long maxWaitMs, int threads, int intraOpThreads, DeviceChoice device,
    int maxImageBytes, int maxImageSide, String groupId, String transactionalIdPrefix) {

  public EmbeddingSettings {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (maxWaitMs < 0) {
      throw new IllegalArgumentException("maxWaitMs must be >= 0, got " + maxWaitMs);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
    if (maxImageBytes < 1 || maxImageSide < 1) {
      throw new IllegalArgumentException("image limits must be positive");
    }
    if (device == null || groupId == null || groupId.isBlank()
        || transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
      throw new IllegalArgumentException("device, groupId and transactionalIdPrefix are required");
    }
  }

  /** Intra-op threads actually used: explicit, or the cores shared fairly among the workers. */
  public int effectiveIntraOpThreads() {
    if (intraOpThreads > 0) {
      return intraOpThreads;
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / threads);
  }

  public EmbeddingSettings withBatch(int newBatchSize, long newMaxWaitMs) {
    return new EmbeddingSettings(newBatchSize, newMaxWaitMs, threads, intraOpThreads, device, maxImageBytes,
        maxImageSide, groupId, transactionalIdPrefix);
  }

  public EmbeddingSettings withIds(String newGroupId, String newTransactionalIdPrefix) {
    return new EmbeddingSettings(batchSize, maxWaitMs, threads, intraOpThreads, device, maxImageBytes,
        maxImageSide, newGroupId, newTransactionalIdPrefix);
  }
}
