package io.semistream.asking;

/** What the active-learning service reports (bound to metrics by the layer above). */
public interface AskingObserver {
  AskingObserver NONE = new AskingObserver() {
  };

  /** A record written straight to one of the service's internal topics went to the dead letters. */
  default void rejected(io.semistream.records.RejectReason reason) {
  }

  /**
   * A record the service cannot use was skipped: on {@code embeddings}, {@code prototypes} or {@code labels}
   * (the learner dead-letters what is wrong there, so this service does not do it twice).
   */
  default void skipped(String input) {
  }

  /** An entry of state store {@code store} could not be decoded (junk written to its changelog) and was ignored. */
  default void storeEntryUnreadable(String store) {
  }

  /** A request was published, for {@code reason}. */
  default void requested(io.semistream.records.LabelRequest.Reason reason) {
  }

  /** A label answered an open request {@code millis} after it was published. */
  default void answered(long millis) {
  }

  /** An open request expired unanswered and was withdrawn. */
  default void expired() {
  }

  /** After every round: requests open now, the pool's size, and requests published in all. */
  default void round(int open, int pool, long published) {
  }
}
