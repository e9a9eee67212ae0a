package io.semistream.discovery;

/**
 * The discovery task's counters: anomalies clustered in the current encoder version's space ({@code tick}), the
 * next ids, and that version (0: none yet).
 */
record DiscoveryState(long tick, long nextMicroCluster, long nextCandidate, String modelId, int modelVersion) {
  static final DiscoveryState EMPTY = new DiscoveryState(0, 1, 1, null, 0);

  DiscoveryState afterAnomaly(boolean startedMicroCluster) {
    return new DiscoveryState(tick + 1, nextMicroCluster + (startedMicroCluster ? 1 : 0), nextCandidate, modelId,
        modelVersion);
  }

  DiscoveryState withCandidateIdsUsedUpTo(long next) {
    return new DiscoveryState(tick, nextMicroCluster, next, modelId, modelVersion);
  }

  /** A fresh clustering in another encoder's space; candidate ids keep counting (they are never reused). */
  DiscoveryState forVersion(String newModelId, int newVersion) {
    return new DiscoveryState(0, nextMicroCluster, nextCandidate, newModelId, newVersion);
  }
}
