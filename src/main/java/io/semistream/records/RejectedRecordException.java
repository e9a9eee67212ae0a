package io.semistream.records;

/** A record that cannot be processed; it goes to the dead-letter topic with this reason. */
public final class RejectedRecordException extends Exception {
  private final RejectReason reason;

  public RejectedRecordException(RejectReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public RejectReason reason() {
    return reason;
  }
}
