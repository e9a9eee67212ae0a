package io.semistream.embedding;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What a worker's open transaction covers: its batches' consumed offsets (committed with it) and the first offset
 * of each partition in it (where an abort rewinds to). No Kafka I/O.
 */
final class OpenTransaction {
  private final Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
  private final Map<TopicPartition, Long> first = new HashMap<>();
  private final List<Runnable> onCommit = new ArrayList<>();
  private boolean open;
  private int batches;
  private long deadline = Long.MAX_VALUE;

  void begin(long deadlineNanos) {
    open = true;
    deadline = deadlineNanos;
  }

  void add(List<ConsumerRecord<byte[], byte[]>> batch) {
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      next.merge(tp, new OffsetAndMetadata(r.offset() + 1), (a, b) -> a.offset() >= b.offset() ? a : b);
      first.merge(tp, r.offset(), Math::min);
    }
    batches++;
  }

  /** Runs when this transaction commits (not when it aborts): the batch's counters. */
  void onCommit(Runnable action) {
    onCommit.add(action);
  }

  /** It committed: its actions run, and it is closed. */
  void committed() {
    List<Runnable> actions = List.copyOf(onCommit);
    clear();
    actions.forEach(Runnable::run);
  }

  boolean isOpen() {
    return open;
  }

  /** Whether it holds live records (their offsets go to the live consumer group). */
  boolean hasLive() {
    return !next.isEmpty();
  }

  int batches() {
    return batches;
  }

  /** When it must commit at the latest (System.nanoTime); far in the future when none is open. */
  long deadline() {
    return deadline;
  }

  /** The offsets to commit with it: one past the last record of each partition. */
  Map<TopicPartition, OffsetAndMetadata> offsets() {
    return Map.copyOf(next);
  }

  Map<TopicPartition, Long> firstOffsets() {
    return Map.copyOf(first);
  }

  void clear() {
    next.clear();
    first.clear();
    onCommit.clear();
    open = false;
    batches = 0;
    deadline = Long.MAX_VALUE;
  }
}
