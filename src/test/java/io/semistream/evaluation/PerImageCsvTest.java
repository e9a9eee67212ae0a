package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.data.Dataset;
import io.semistream.data.DatasetName;
import io.semistream.records.Prediction;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.ReplayPlan;
import io.semistream.replay.Replayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-image CSV: one row per sent image, in sending order, and empty cells where nothing arrived. */
class PerImageCsvTest {
  @TempDir
  Path dir;

  @Test
  void shouldWriteOneRowPerSentImageInSendingOrderWithEmptyCellsForWhatNeverArrived() throws Exception {
    // Three 1x1 images of classes a, b, c; class c (index 2) is held out.
    Dataset d = new Dataset(DatasetName.MNIST, 1, new byte[3], new byte[] {0, 1, 2}, List.of("a", "b", "c"));
    ReplayOptions o = ReplayOptions.defaults(DatasetName.MNIST).withHoldout(Set.of(2), Set.of());
    ReplayPlan plan = new ReplayPlan(new int[] {2, 0, 1}, new boolean[] {false, true, false});
    String second = Replayer.imageId(o, 0);
    String third = Replayer.imageId(o, 1);
    Map<String, Prediction> latest = Map.of(
        second, new Prediction("a", 1.0, 1.0, Prediction.Status.LABELLED, 3, "m", 2, 0, null),
        third, new Prediction("a", 0.75, 0.5, Prediction.Status.PSEUDO, 4, "m", 2, 0, 1.5));
    Map<String, float[]> embeddings = Map.of(second, new float[] {0.5f, -1f}, third, new float[] {2f, 0f});
    Map<String, Integer> versions = Map.of(second, 2, third, 2);
    Path file = dir.resolve("per-image.csv");

    PerImageCsv.write(file, d, o, plan, latest, embeddings, versions);

    assertEquals(List.of(
        "position,index,class,labelled,heldOut,predicted,status,confidence,margin,anomalyScore,embeddingVersion,"
            + "embedding",
        "0,2,2,0,1,,,,,,,",
        "1,0,0,1,0,0,LABELLED,1.0,1.0,,2,0.5 -1.0",
        "2,1,1,0,0,0,PSEUDO,0.75,0.5,1.5,2,2.0 0.0"), Files.readAllLines(file));
  }
}
