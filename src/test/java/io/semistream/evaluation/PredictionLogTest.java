package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.semistream.records.EmbeddingRecord;
import org.junit.jupiter.api.Test;

/** The baselines' "starting encoder" vectors never mix encoder versions. */
class PredictionLogTest {
  @Test
  void shouldTakeTheStartingEncodersVectorFromTheNoveltyViewWhenALaterVersionEmbeddedTheImage() {
    float[] v1 = {1, 2};
    float[] v3 = {7, 8};
    assertArrayEquals(v1, PredictionLog.startingVector(new EmbeddingRecord(v1, 0.1f, "m", 1, 5), 1),
        "embedded while the starting version served: its own vector");
    assertArrayEquals(v1, PredictionLog.startingVector(new EmbeddingRecord(v3, 0.1f, "m", 3, 5, 1, v1), 1),
        "embedded after a promotion: the starting version's view it carries");
    assertNull(PredictionLog.startingVector(new EmbeddingRecord(v3, 0.1f, "m", 3, 5), 1),
        "no novelty view: no vector of the starting version, rather than one of another space");
    assertNull(PredictionLog.startingVector(new EmbeddingRecord(v3, 0.1f, "m", 3, 5, 2, v1), 1),
        "a view of another version is not the starting encoder's either");
  }
}
