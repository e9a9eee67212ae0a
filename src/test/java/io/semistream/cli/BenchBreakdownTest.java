package io.semistream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.embedding.EmbeddingStats.Stage;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchBreakdownTest {
  @Test
  void shouldSplitTheSteadyStateWallTimePerImageIntoStagesAndTheUnattributedRest() {
    // 1,000 images in 0.25 s of one worker: 250 µs each, of which the stages account for 230.
    Map<Stage, Long> nanos = Map.of(Stage.POLL, 5_000_000L, Stage.DECODE, 10_000_000L, Stage.FORWARD, 200_000_000L,
        Stage.SERIALIZE, 1_000_000L, Stage.COMMIT, 14_000_000L);
    assertEquals("time per image (µs): poll 5, decode 10, forward 200, serialize 1, commit 14, other 20 (of 250 in 1 "
        + "worker(s), steady state)", BenchCommand.breakdown(nanos, 1_000, 1, 250_000_000L));
  }

  @Test
  void shouldCountEveryWorkersTimeAndNeverReportNegativeRest() {
    Map<Stage, Long> nanos = Map.of(Stage.FORWARD, 600_000_000L);
    assertEquals("time per image (µs): poll 0, decode 0, forward 600, serialize 0, commit 0, other 0 (of 500 in 2 "
        + "worker(s), steady state)", BenchCommand.breakdown(nanos, 1_000, 2, 250_000_000L));
  }
}
