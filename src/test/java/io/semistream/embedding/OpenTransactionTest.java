package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OpenTransactionTest {
  private static ConsumerRecord<byte[], byte[]> at(int partition, long offset) {
    return new ConsumerRecord<>("images", partition, offset, new byte[0], new byte[0]);
  }

  @Test
  void shouldCommitOnePastTheLastRecordAndRewindToTheFirstOfEveryPartitionOverAllItsBatches() {
    OpenTransaction t = new OpenTransaction();
    assertFalse(t.isOpen());
    t.begin(1_000);
    t.add(List.of(at(0, 10), at(1, 5), at(0, 11)));
    t.add(List.of(at(1, 6), at(0, 12), at(2, 40)));
    assertTrue(t.isOpen());
    assertEquals(2, t.batches());
    assertEquals(1_000, t.deadline());
    TopicPartition p0 = new TopicPartition("images", 0);
    TopicPartition p1 = new TopicPartition("images", 1);
    TopicPartition p2 = new TopicPartition("images", 2);
    assertEquals(Map.of(p0, new OffsetAndMetadata(13), p1, new OffsetAndMetadata(7), p2, new OffsetAndMetadata(41)),
        t.offsets());
    assertEquals(Map.of(p0, 10L, p1, 5L, p2, 40L), t.firstOffsets());
  }

  @Test
  void shouldRunTheBatchesCountersOnlyWhenItCommits() {
    List<String> counted = new ArrayList<>();
    OpenTransaction t = new OpenTransaction();
    t.begin(1_000);
    t.add(List.of(at(0, 1)));
    t.onCommit(() -> counted.add("aborted batch"));
    t.clear();   // an abort
    assertEquals(List.of(), counted);
    assertFalse(t.isOpen());
    assertEquals(Long.MAX_VALUE, t.deadline());

    t.begin(2_000);
    t.add(List.of(at(0, 1)));
    t.onCommit(() -> counted.add("first"));
    t.add(List.of(at(0, 2)));
    t.onCommit(() -> counted.add("second"));
    t.committed();
    assertEquals(List.of("first", "second"), counted);
    assertFalse(t.isOpen());
    assertEquals(0, t.batches());
    assertEquals(Map.of(), t.offsets());
  }
}
