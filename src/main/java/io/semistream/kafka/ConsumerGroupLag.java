package io.semistream.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far some consumer groups are behind, read from the broker: for every partition a group has committed an offset
 * on, the records between that offset and the partition's end, summed over the groups. Read through the broker, not
 * from the groups' clients, so it works wherever they run (another process, another machine). A partition a group
 * never committed on is not counted (a group that has not started says nothing yet). Under exactly-once the end
 * includes transaction markers, one per transaction per partition, so a caught-up group reads a few records behind.
 */
public final class ConsumerGroupLag implements AutoCloseable {
  /** What {@link #records()} answers when the broker did not answer in time. */
  public static final long UNKNOWN = -1;

  private final Admin admin;
  private final List<String> groups;
  private final Duration timeout;

  public ConsumerGroupLag(KafkaClients clients, List<String> groups, Duration timeout) {
    if (groups.isEmpty() || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("consumer group lag needs groups and a positive timeout");
    }
    this.admin = clients.admin();
    this.groups = List.copyOf(groups);
    this.timeout = timeout;
  }

  /** The groups' summed lag in records, or {@link #UNKNOWN} when the broker did not answer within the timeout. */
  public long records() {
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      for (String group : groups) {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata().get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
        committed.put(group, offsets);
        offsets.forEach((tp, offset) -> {
          if (offset != null) {
            ends.put(tp, OffsetSpec.latest());
          }
        });
      }
      if (ends.isEmpty()) {
        return 0;
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(ends).all()
          .get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
      long lag = 0;
      for (Map<TopicPartition, OffsetAndMetadata> offsets : committed.values()) {
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
          ListOffsetsResult.ListOffsetsResultInfo info = end.get(e.getKey());
          if (e.getValue() != null && info != null) {
            lag += Math.max(0, info.offset() - e.getValue().offset());
          }
        }
      }
      return lag;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNKNOWN;
    } catch (ExecutionException | TimeoutException e) {
      return UNKNOWN;
    }
  }

  private static long remainingNanos(long deadline) {
    return Math.max(1, deadline - System.nanoTime());
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
