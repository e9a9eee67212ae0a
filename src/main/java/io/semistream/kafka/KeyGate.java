package io.semistream.kafka;

import io.semistream.records.DeadLetters;
import io.semistream.records.RejectReason;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The first step after an input topic for records whose key is unusable (missing, empty, not UTF-8): they become
 * dead letters here, with the topic, partition and offset the user wrote them to, because the re-keying or
 * repartitioning that follows would drop a key-less record without a trace.
 */
public final class KeyGate implements Processor<byte[], byte[], byte[], byte[]> {
  private final String stage;
  private final String what;
  private final Consumer<RejectReason> onReject;
  private ProcessorContext<byte[], byte[]> context;

  /**
   * @param what what the key names, for the error ("image id", "class name")
   * @param onReject told every reason given (a metric)
   */
  public KeyGate(String stage, String what, Consumer<RejectReason> onReject) {
    this.stage = stage;
    this.what = what;
    this.onReject = onReject;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    boolean missing = record.key() == null || record.key().length == 0;
    RejectReason reason = missing ? RejectReason.MISSING_KEY : RejectReason.INVALID_KEY;
    String error = missing ? "record has no " + what + " (key)" : "key is not valid UTF-8 (" + record.key().length
        + " bytes): a " + what + " must be text, and lenient decoding would merge distinct keys";
    onReject.accept(reason);
    context.forward(record.withHeaders(DeadLetters.headers(record.headers(), Origins.of(context.recordMetadata()),
        reason, error, stage, System.currentTimeMillis())).withTimestamp(Math.max(0, record.timestamp())));
  }
}
