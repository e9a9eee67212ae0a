package io.semistream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class OrphanedEmbeddingsTest {
  private final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();

  private void embedding(String image, int version) {
    byte[] value = EmbeddingSerde.encode(new EmbeddingRecord(new float[] {1, 2}, 0.1f, "m", version, 5));
    log.add(new ConsumerRecord<>("embeddings", 2, 500 + log.size(), image.getBytes(StandardCharsets.UTF_8), value));
  }

  private List<String> restored(Set<Long> committed) {
    return OrphanedEmbeddings.toRestore(log, committed).stream()
        .map(r -> new String(r.key(), StandardCharsets.UTF_8) + "@" + r.offset()).toList();
  }

  @Test
  void shouldRestoreWhatTheAbortedTransactionHeldAndNoLaterCommitReplaced() {
    embedding("a", 1);   // 500: committed before the hanging transaction
    embedding("b", 1);   // 501: the hanging transaction, aborted by the watchdog
    embedding("c", 1);   // 502: the hanging transaction
    embedding("d", 1);   // 503: committed by another producer meanwhile
    assertEquals(List.of("b@501", "c@502"), restored(Set.of(500L, 503L)));
  }

  @Test
  void shouldLeaveAnAbortedEmbeddingWhoseRedoCommittedLaterAtTheSameOrANewerVersion() {
    embedding("b", 1);   // 500: aborted by its own worker, which redid it
    embedding("c", 1);   // 501: aborted, redone after a promotion
    embedding("b", 1);   // 502: the redo, committed
    embedding("c", 2);   // 503: the redo at v2, committed
    assertEquals(List.of(), restored(Set.of(502L, 503L)));
  }

  @Test
  void shouldRestoreOnlyTheLastOfSeveralAbortedAttemptsAndNeverAnOlderVersionsCommitForANewerOrphan() {
    embedding("b", 1);   // 500: aborted by its worker
    embedding("c", 2);   // 501: committed at v2
    embedding("b", 1);   // 502: the redo, in the hanging transaction
    embedding("c", 3);   // 503: v3, in the hanging transaction: the committed v2 before it does not replace it
    embedding("e", 2);   // 504: in the hanging transaction
    embedding("e", 1);   // 505: an older version committed after it does not replace it
    assertEquals(List.of("b@502", "c@503", "e@504"), restored(Set.of(501L, 505L)));
  }

  @Test
  void shouldNeverRestoreWhatIsNoEmbedding() {
    log.add(new ConsumerRecord<>("embeddings", 2, 500, "x".getBytes(StandardCharsets.UTF_8),
        "junk".getBytes(StandardCharsets.UTF_8)));
    log.add(new ConsumerRecord<>("embeddings", 2, 501, null, new byte[0]));
    assertEquals(List.of(), restored(Set.of()));
  }
}
