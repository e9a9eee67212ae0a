package io.semistream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.kafka.HangingTransactions.Coordinator;
import io.semistream.kafka.HangingTransactions.Key;
import io.semistream.kafka.HangingTransactions.Open;
import io.semistream.kafka.HangingTransactions.Sighting;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HangingTransactionsTest {
  private static final TopicPartition TP = new TopicPartition("learner-images-changelog", 0);
  private static final Open OPEN = new Open(TP, 4, 15, 747, 0);
  private static final long SECOND = 1_000_000_000L;
  private static final long MIN_AGE = 120 * SECOND;

  @Test
  void shouldCountATransactionAsHangingOnlyWhenItsCoordinatorHasMovedOnOrForgotten() {
    assertTrue(HangingTransactions.unknownToCoordinator(OPEN, Optional.empty()), "the coordinator forgot it");
    assertTrue(HangingTransactions.unknownToCoordinator(OPEN,
        Optional.of(new Coordinator("t", TransactionState.COMPLETE_COMMIT, 16))), "the coordinator moved on");
    assertTrue(HangingTransactions.unknownToCoordinator(OPEN,
        Optional.of(new Coordinator("t", TransactionState.ONGOING, 16))), "a later transaction runs, newer epoch");
  }

  @Test
  void shouldLeaveTransactionsTheirCoordinatorRunsOrIsEnding() {
    for (TransactionState running : new TransactionState[] {TransactionState.ONGOING,
        TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT}) {
      assertFalse(HangingTransactions.unknownToCoordinator(OPEN, Optional.of(new Coordinator("t", running, 15))),
          "its coordinator still runs it: " + running);
    }
    for (TransactionState ending : new TransactionState[] {TransactionState.PREPARE_COMMIT,
        TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE}) {
      assertFalse(HangingTransactions.unknownToCoordinator(OPEN, Optional.of(new Coordinator("t", ending, 16))),
          "its coordinator is ending it under the next epoch (transaction version 2): " + ending);
    }
  }

  @Test
  void shouldKeepTheFirstSightingOfAnUnchangedTransactionAndRestartTheClockWhenItChanges() {
    Map<Key, Sighting> first = HangingTransactions.update(Map.of(), List.of(OPEN), 0);
    Map<Key, Sighting> unchanged = HangingTransactions.update(first, List.of(OPEN), 130 * SECOND);
    assertEquals(0, unchanged.get(OPEN.key()).firstSeenNanos());
    assertTrue(HangingTransactions.oldEnough(unchanged.get(OPEN.key()), 130 * SECOND, MIN_AGE));

    Open next = new Open(TP, 4, 16, 800, 0);
    Map<Key, Sighting> moved = HangingTransactions.update(unchanged, List.of(next), 131 * SECOND);
    assertEquals(131 * SECOND, moved.get(next.key()).firstSeenNanos(), "a new transaction of the producer");
    assertFalse(HangingTransactions.oldEnough(moved.get(next.key()), 140 * SECOND, MIN_AGE));
    assertTrue(HangingTransactions.update(moved, List.of(), 150 * SECOND).isEmpty(), "closed: forgotten");
  }

  @Test
  void shouldNeverCallALiveTransactionHangingBeforeTheMinimumAgeHowEverOftenItIsSeen() {
    Map<Key, Sighting> seen = Map.of();
    for (long t = 0; t < MIN_AGE; t += 3 * SECOND) {
      seen = HangingTransactions.update(seen, List.of(OPEN), t);
      assertFalse(HangingTransactions.oldEnough(seen.get(OPEN.key()), t, MIN_AGE), "at " + t / SECOND + " s");
    }
  }

  @Test
  void shouldWatchEveryProducerWithAnOpenTransactionOnAPartitionApart() {
    // A live transaction of another producer on the same partition must not hide a hanging one, nor restart its
    // clock: the old rule kept one transaction per partition.
    Open live = new Open(TP, 9, 2, 900, 0);
    Map<Key, Sighting> seen = HangingTransactions.update(Map.of(), List.of(OPEN, live), 0);
    Open liveNext = new Open(TP, 9, 3, 950, 0);
    seen = HangingTransactions.update(seen, List.of(liveNext, OPEN), 130 * SECOND);
    assertEquals(2, seen.size());
    assertTrue(HangingTransactions.oldEnough(seen.get(OPEN.key()), 130 * SECOND, MIN_AGE));
    assertFalse(HangingTransactions.oldEnough(seen.get(liveNext.key()), 130 * SECOND, MIN_AGE));
  }
}
