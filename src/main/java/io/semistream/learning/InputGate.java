package io.semistream.learning;

import io.semistream.kafka.Origins;

import io.semistream.records.ImageIds;
import io.semistream.records.DeadLetters;
import io.semistream.records.RejectReason;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The first step after an input topic, for records whose key is no image id (missing, empty, not UTF-8):
 * they become dead letters here, with the topic, partition and offset the user wrote them to, because the
 * re-keying that follows would drop a key-less record without a trace.
 */
final class InputGate implements Processor<byte[], byte[], byte[], byte[]> {
  private final LearnerObserver observer;
  private ProcessorContext<byte[], byte[]> context;

  InputGate(LearnerObserver observer) {
    this.observer = observer;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    String problem = ImageIds.problem(record.key());
    RejectReason reason = ImageIds.rejectReason(record.key());
    observer.deadLettered(reason);
    DeadLetters.Origin origin = Origins.of(context.recordMetadata());
    context.forward(record.withHeaders(DeadLetters.headers(record.headers(), origin, reason, problem,
        ImageLearner.STAGE, System.currentTimeMillis())).withTimestamp(Math.max(0, record.timestamp())));
  }
}
