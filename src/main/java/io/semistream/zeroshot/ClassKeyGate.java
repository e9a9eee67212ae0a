package io.semistream.zeroshot;

import io.semistream.kafka.Origins;
import io.semistream.records.DeadLetters;
import io.semistream.records.RejectReason;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** A semantic vector whose key is no class name (missing, empty, not UTF-8) becomes a dead letter. */
final class ClassKeyGate implements Processor<byte[], byte[], byte[], byte[]> {
  private final ZeroShotObserver observer;
  private ProcessorContext<byte[], byte[]> context;

  ClassKeyGate(ZeroShotObserver observer) {
    this.observer = observer;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    boolean missing = record.key() == null || record.key().length == 0;
    RejectReason reason = missing ? RejectReason.MISSING_KEY : RejectReason.INVALID_KEY;
    String error = missing ? "semantic vector without a class name (key)"
        : "key is not valid UTF-8: class names must be text";
    observer.rejected(reason);
    context.forward(record.withHeaders(DeadLetters.headers(record.headers(), Origins.of(context.recordMetadata()),
        reason, error, ZeroShotProcessor.STAGE, System.currentTimeMillis())).withTimestamp(
        Math.max(0, record.timestamp())));
  }
}
