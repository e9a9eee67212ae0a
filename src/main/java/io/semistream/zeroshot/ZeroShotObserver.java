package io.semistream.zeroshot;

import io.semistream.records.RejectReason;

/** What the zero-shot service reports (bound to metrics by the layer above). */
public interface ZeroShotObserver {
  ZeroShotObserver NONE = new ZeroShotObserver() {
  };

  /** A record went to the dead letters. */
  default void rejected(RejectReason reason) {
  }

  /** A record on {@code prototypes} the service could not use was skipped (the learner's own topic). */
  default void prototypeSkipped() {
  }

  /** An entry of state store {@code store} could not be decoded (junk written to its changelog) and was ignored. */
  default void storeEntryUnreadable(String store) {
  }

  /** After every change: classes with a semantic vector, seen classes anchoring the map, synthesized classes. */
  default void classes(int withSemantics, int seen, int synthesized) {
  }
}
