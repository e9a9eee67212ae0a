package io.semistream.discovery;

import io.semistream.records.RejectReason;

/** What the discovery service reports (bound to metrics by the layer above). */
public interface DiscoveryObserver {
  DiscoveryObserver NONE = new DiscoveryObserver() {
  };

  /** A record went to the dead letters. */
  default void rejected(RejectReason reason) {
  }

  /**
   * A record the service cannot use was skipped: on {@code prototypes} or {@code labels} (the learner dead-letters
   * what is wrong there), an anomaly without an embedding or of a replaced encoder version.
   */
  default void skipped(String input) {
  }

  /** An entry of state store {@code store} could not be decoded (junk written to its changelog) and was ignored. */
  default void storeEntryUnreadable(String store) {
  }

  /** One anomaly joined the clustering, which now holds {@code microClusters}. */
  default void clustered(int microClusters) {
  }

  /** A cluster became a class candidate. */
  default void candidateEmerged() {
  }

  /** A candidate was withdrawn (it faded, or its encoder version was replaced). */
  default void candidateWithdrawn() {
  }

  /** A label on an exemplar named a candidate. */
  default void candidateAdopted() {
  }

  /** After every change: candidates published, of which adopted. */
  default void candidates(int published, int adopted) {
  }
}
