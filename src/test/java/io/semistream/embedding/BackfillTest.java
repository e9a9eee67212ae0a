package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BackfillTest {
  private static final TopicPartition P0 = new TopicPartition("images", 0);
  private static final TopicPartition P1 = new TopicPartition("images", 1);

  private static ConsumerRecord<byte[], byte[]> at(TopicPartition tp, long offset) {
    return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, new byte[0], new byte[0]);
  }

  private static OffsetAndMetadata committed(int version, long next, long stop) {
    return new Backfill.Range(version, next, stop).toOffset();
  }

  @Test
  void shouldReadBackWhatItCommitsAndIgnoreOffsetsThatAreNotOurs() {
    Backfill.Range range = new Backfill.Range(3, 120, 500);
    assertEquals(range, Backfill.Range.parse(range.toOffset()));
    assertNull(Backfill.Range.parse(null));
    assertNull(Backfill.Range.parse(new OffsetAndMetadata(7)));
    assertNull(Backfill.Range.parse(new OffsetAndMetadata(7, "something else")));
    assertNull(Backfill.Range.parse(new OffsetAndMetadata(7, "semistream-backfill v=x stop=9")));
    assertThrows(IllegalArgumentException.class, () -> new Backfill.Range(0, 1, 2));
  }

  @Test
  void shouldRecordTheServingVersionOnAFirstStartAndReembedNothing() {
    Backfill b = new Backfill();
    b.assigned(P0, null, 1, 0, 800);
    assertFalse(b.active());
    assertEquals(0, b.remaining());
    assertEquals(Map.of(P0, committed(1, 800, 800)), b.offsetsToCommit(), "written with the next transaction");
    b.committed();
    assertEquals(Map.of(), b.offsetsToCommit(), "once");
  }

  @Test
  void shouldReembedFromTheStartUpToTheLivePositionWhenAVersionIsPromoted() {
    Backfill b = new Backfill();
    b.assigned(P0, committed(1, 800, 800), 1, 0, 800);
    b.assigned(P1, committed(1, 300, 300), 1, 0, 300);
    b.plan(2, Map.of(P0, 50L, P1, 0L), Map.of(P0, 900L, P1, 310L));
    assertTrue(b.active());
    assertEquals(850 + 310, b.remaining());
    assertEquals(Map.of(P0, 50L, P1, 0L), b.committedPositions());
    assertFalse(b.wants(at(P0, 49)), "no longer retained");
    assertTrue(b.wants(at(P0, 50)));
    assertTrue(b.wants(at(P0, 899)));
    assertFalse(b.wants(at(P0, 900)), "the live consumer's, from the stop offset on");
    assertEquals(Map.of(P0, committed(2, 50, 900), P1, committed(2, 0, 310)), b.offsetsToCommit(),
        "the plan goes with the next transaction, so that a crash after it resumes it");
  }

  @Test
  void shouldCommitProgressWithTheTransactionAndRewindToTheLastCommitWhenItAborts() {
    Backfill b = new Backfill();
    b.assigned(P0, committed(1, 100, 100), 1, 0, 100);
    b.plan(2, Map.of(P0, 0L), Map.of(P0, 100L));
    b.committed();
    b.add(List.of(at(P0, 0), at(P0, 1), at(P0, 2)));
    assertEquals(97, b.remaining(), "the open transaction counts as done");
    assertEquals(Map.of(P0, committed(2, 3, 100)), b.offsetsToCommit());
    b.aborted();
    assertEquals(Map.of(P0, 0L), b.committedPositions(), "its records come again");
    assertEquals(Map.of(), b.offsetsToCommit(), "nothing new to write");
    b.add(List.of(at(P0, 0), at(P0, 1)));
    b.committed();
    assertEquals(Map.of(P0, 2L), b.committedPositions());
    assertTrue(b.wants(at(P0, 2)));
    assertFalse(b.wants(at(P0, 1)), "committed already");
  }

  @Test
  void shouldLeaveAPartitionWhenItsBackfillIsCommittedToTheStop() {
    Backfill b = new Backfill();
    b.assigned(P0, committed(1, 10, 10), 1, 0, 10);
    b.plan(2, Map.of(P0, 0L), Map.of(P0, 10L));
    b.add(List.of(at(P0, 8), at(P0, 9)));
    assertFalse(b.active(), "everything is in the open transaction");
    assertEquals(Map.of(P0, 0L), b.committedPositions(), "but not committed yet");
    b.committed();
    assertEquals(Map.of(), b.committedPositions());
    assertEquals(0, b.remaining());
  }

  @Test
  void shouldResumeACommittedBackfillAfterARestartAndPlanAgainWhenTheServingVersionIsNewer() {
    Backfill resumed = new Backfill();
    resumed.assigned(P0, committed(2, 40, 900), 2, 0, 900);
    assertEquals(Map.of(P0, 40L), resumed.committedPositions(), "continues exactly where it stopped");
    assertEquals(Map.of(), resumed.offsetsToCommit(), "nothing to rewrite");

    // A crash between a promotion and the first commit after it: the partition still records v1.
    Backfill replanned = new Backfill();
    replanned.assigned(P0, committed(1, 900, 900), 2, 30, 900);
    assertEquals(Map.of(P0, 30L), replanned.committedPositions());
    assertEquals(Map.of(P0, committed(2, 30, 900)), replanned.offsetsToCommit());

    // A promotion during a backfill starts over with the newer version.
    resumed.plan(3, Map.of(P0, 0L), Map.of(P0, 950L));
    assertEquals(Map.of(P0, committed(3, 0, 950)), resumed.offsetsToCommit());
  }

  @Test
  void shouldLeaveARangeOfANewerVersionUntouchedWhileAnOlderOneServes() {
    Backfill b = new Backfill();
    b.assigned(P0, committed(3, 40, 900), 2, 0, 900);
    assertFalse(b.active());
    assertEquals(Map.of(), b.committedPositions(), "nothing for the backfill consumer to read");
    assertEquals(0, b.remaining());
    assertFalse(b.wants(at(P0, 41)), "not re-embedded with v2 as if it were v3's");
    assertEquals(Map.of(), b.offsetsToCommit(), "its record stays as it is");
    b.plan(3, Map.of(P0, 0L), Map.of(P0, 950L));
    assertEquals(Map.of(P0, 0L), b.committedPositions(), "when v3 serves here, from the start");
  }

  @Test
  void shouldForgetRevokedPartitionsSoThatTheirNextOwnerResumesThem() {
    Backfill b = new Backfill();
    b.assigned(P0, committed(2, 5, 50), 2, 0, 50);
    b.assigned(P1, committed(2, 7, 70), 2, 0, 70);
    b.add(List.of(at(P1, 7)));
    b.revoked(List.of(P1));
    assertEquals(Map.of(P0, 5L), b.committedPositions(), "only the partition still owned is read");
    assertFalse(b.wants(at(P1, 8)));
    assertEquals(Map.of(), b.offsetsToCommit());
    assertEquals(45, b.remaining());
  }
}
