package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import io.semistream.records.PrototypeDelta;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The true labels' means in the novelty view's space, kept beside the prototype sums. */
class NoveltyMeansTest {
  private static PrototypeDelta label(int sign, float[] v, int noveltyVersion, float[] novelty) {
    return new PrototypeDelta("a", false, sign, v, "m", 2, 0, noveltyVersion, novelty);
  }

  @Test
  void shouldKeepTheExactMeanOfTheTrueLabelsNoveltyViewsAndLeaveNoResidueWhenTheyGo() {
    PrototypeSums sums = PrototypeSums.empty("a", 2)
        .apply(label(1, new float[] {1, 1}, 1, new float[] {0.1f, 3}))
        .apply(label(1, new float[] {2, 2}, 1, new float[] {0.3f, 5}))
        // Pseudo-labels never carry a view: the reference is what people named.
        .apply(new PrototypeDelta("a", true, 0.2, new float[] {9, 9}, "m", 2, 0));
    Prototype p = sums.toPrototype(0, 1.0);
    assertEquals(1, p.noveltyVersion());
    assertArrayEquals(new double[] {0.2, 4}, p.noveltyVector(), 1e-7);
    assertArrayEquals(new double[] {0.01, 1}, p.noveltyVariance(), 1e-7, "population variance per dimension");
    assertEquals(2, p.noveltyCount());
    // A view of another version (the setting changed mid-stream) neither adds nor removes.
    PrototypeSums other = sums.apply(label(1, new float[] {3, 3}, 7, new float[] {100, 100}));
    assertArrayEquals(new double[] {0.2, 4}, other.toPrototype(0, 1.0).noveltyVector(), 1e-7);
    assertEquals(3, other.labelledCount());
    assertEquals(2, other.noveltyCount());

    PrototypeSums back = sums.apply(label(-1, new float[] {2, 2}, 1, new float[] {0.3f, 5}))
        .apply(label(-1, new float[] {1, 1}, 1, new float[] {0.1f, 3}));
    assertEquals(0, back.noveltyCount());
    assertEquals(0, back.noveltyVersion());
    assertArrayEquals(new long[2], back.noveltySum(), "an exact removal leaves nothing");
    assertArrayEquals(new long[2], back.noveltySquares(), "nor in the squares");
    // Without any label with a view, the prototype has no novelty mean.
    assertNull(PrototypeSums.empty("a", 2).apply(label(1, new float[] {1, 1}, 0, null)).toPrototype(0, 1)
        .noveltyVector());
  }

  @Test
  void shouldPublishNoVarianceFromSumsStoredBeforeTheSquaresExistedUntilTheirMembersLeft() {
    String stored = "{\"className\":\"a\",\"labelledSum\":[1,2],\"labelledCount\":1,\"labelledSquares\":5,"
        + "\"pseudoSum\":[0,0],\"pseudoWeightUnits\":0,\"pseudoSquares\":0,\"version\":3,\"modelId\":\"m\","
        + "\"modelVersion\":2,\"noveltySum\":[0,0],\"noveltyCount\":1,\"noveltyVersion\":1}";
    PrototypeSums old = new JsonSerde<>(PrototypeSums.class).decode(stored.getBytes(StandardCharsets.UTF_8));
    PrototypeSums grown = old.apply(label(1, new float[] {3, 3}, 1, new float[] {1, 1}));
    assertEquals(2, grown.noveltyCount());
    assertNull(grown.toPrototype(0, 1).noveltyVariance(), "a variance from a partial sum of squares would be wrong");
    PrototypeSums emptied = grown.apply(label(-1, new float[] {3, 3}, 1, new float[] {1, 1}))
        .apply(label(-1, new float[] {0, 0}, 1, new float[] {0, 0}));
    assertEquals(0, emptied.noveltyCount());
    Prototype fresh = emptied.apply(label(1, new float[] {3, 3}, 1, new float[] {1, 2})).toPrototype(0, 1);
    assertArrayEquals(new double[] {0, 0}, fresh.noveltyVariance(), 1e-9, "known again once the last member left");
  }

  @Test
  void shouldReadRecordsAndStoreValuesWrittenBeforeTheNoveltyViewExisted() {
    String prototype = "{\"class\":\"a\",\"vector\":[1,2],\"count\":1,\"spread\":0,\"version\":1,\"updateTime\":0,"
        + "\"modelId\":\"m\",\"modelVersion\":1,\"labelledCount\":1,\"pseudoWeight\":0,\"labelledVector\":[1,2]}";
    Prototype p = new JsonSerde<>(Prototype.class).decode(prototype.getBytes(StandardCharsets.UTF_8));
    assertEquals(0, p.noveltyVersion());
    assertNull(p.noveltyVector());
    String sums = "{\"className\":\"a\",\"labelledSum\":[1,2],\"labelledCount\":1,\"labelledSquares\":5,"
        + "\"pseudoSum\":[0,0],\"pseudoWeightUnits\":0,\"pseudoSquares\":0,\"version\":3,\"modelId\":\"m\","
        + "\"modelVersion\":1}";
    PrototypeSums s = new JsonSerde<>(PrototypeSums.class).decode(sums.getBytes(StandardCharsets.UTF_8));
    assertEquals(0, s.noveltyCount());
    assertArrayEquals(new long[2], s.noveltySum());
    assertArrayEquals(new long[2], s.noveltySquares());
    String image = "{\"embedding\":[1,2],\"reconstructionError\":0.1,\"modelId\":\"m\",\"modelVersion\":1,"
        + "\"eventTime\":5,\"firstSeen\":5}";
    ImageState state = new JsonSerde<>(ImageState.class).decode(image.getBytes(StandardCharsets.UTF_8));
    assertNull(state.novelty());
    assertEquals(0, state.noveltyVersion());
  }
}
