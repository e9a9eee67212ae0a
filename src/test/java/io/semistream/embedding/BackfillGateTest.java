package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.kafka.ConsumerGroupLag;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackfillGateTest {
  @Test
  void shouldLetBackfillThroughOnlyWhileTheLearnerIsAtMostMaxLagBehind() {
    BackfillGate gate = new BackfillGate(1_000);
    gate.observed(1_000);
    assertTrue(gate.open());
    gate.observed(1_001);
    assertFalse(gate.open(), "fresh images would queue behind re-embedded ones");
    gate.observed(12);
    assertTrue(gate.open());
  }

  @Test
  void shouldStayOpenWhileTheLagIsUnknown() {
    BackfillGate gate = new BackfillGate(10);
    assertTrue(gate.open(), "nothing read yet");
    gate.observed(50_000);
    gate.observed(ConsumerGroupLag.UNKNOWN);
    assertTrue(gate.open(), "the broker did not answer: a backfill is never stopped by the measurement");
  }

  @Test
  void shouldNotWatchAnythingWhenUnpacedOrNoLearnerIsNamed() {
    assertSame(BackfillGate.OPEN, BackfillGate.watching(null, List.of("learner"), 0));
    assertSame(BackfillGate.OPEN, BackfillGate.watching(null, List.of(), 1_000));
    assertTrue(new BackfillGate(0).open());
    assertThrows(IllegalArgumentException.class, () -> new BackfillGate(-1));
  }
}
