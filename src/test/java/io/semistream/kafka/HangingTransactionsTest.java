package io.semistream.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.kafka.HangingTransactions.Coordinator;
import io.semistream.kafka.HangingTransactions.Open;
import java.util.Optional;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HangingTransactionsTest {
  private static final TopicPartition TP = new TopicPartition("learner-images-changelog", 0);
  private static final Open OPEN = new Open(TP, 4, 15, 747, 0);

  @Test
  void shouldAbortOnlyWhatWasOpenUnchangedOnTwoChecksAndIsNotRunningAtItsCoordinator() {
    assertTrue(HangingTransactions.hanging(OPEN, OPEN, Optional.empty()), "the coordinator forgot it");
    assertTrue(HangingTransactions.hanging(OPEN, OPEN,
        Optional.of(new Coordinator(TransactionState.COMPLETE_COMMIT, 16))), "the coordinator moved on");
    assertTrue(HangingTransactions.hanging(OPEN, OPEN,
        Optional.of(new Coordinator(TransactionState.ONGOING, 16))), "a later transaction runs under a newer epoch");
  }

  @Test
  void shouldNeverTouchALiveTransaction() {
    assertFalse(HangingTransactions.hanging(null, OPEN, Optional.empty()), "seen once only");
    assertFalse(HangingTransactions.hanging(new Open(TP, 4, 15, 700, 0), OPEN, Optional.empty()),
        "a new transaction started since the last check");
    assertFalse(HangingTransactions.hanging(new Open(TP, 4, 14, 747, 0), OPEN, Optional.empty()));
    for (TransactionState running : new TransactionState[] {TransactionState.ONGOING,
        TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT}) {
      assertFalse(HangingTransactions.hanging(OPEN, OPEN, Optional.of(new Coordinator(running, 15))),
          "its coordinator still runs it: " + running);
    }
    for (TransactionState ending : new TransactionState[] {TransactionState.PREPARE_COMMIT,
        TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE}) {
      assertFalse(HangingTransactions.hanging(OPEN, OPEN, Optional.of(new Coordinator(ending, 16))),
          "its coordinator is ending it under the next epoch (transaction version 2): " + ending);
    }
  }
}
