package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.semistream.config.SemistreamConfig;
import io.semistream.config.TrainerSettings;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.replay.ReplayOptions;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recipe measurement on the real engine: checkpoints at the start and every so many steps, scores in range. */
class TrainingRecipeTest {
  @TempDir
  Path scratch;

  @Test
  void shouldMeasureTheStartingEncoderAndEachCheckpointOnTheEvalsLabels() throws Exception {
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    ReplayOptions replay = ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(2_000).withLabelFraction(0.05)
        .withHoldout(Set.of(9), Set.of());
    TrainerSettings settings = SemistreamConfig.fromMap(Map.of("trainer.labelled.batch", "16",
        "trainer.unlabelled.batch", "16")).trainer();
    List<TrainingRecipe.Checkpoint> seen = new ArrayList<>();

    List<TrainingRecipe.Checkpoint> result = TrainingRecipe.run(TestModels.tinyVersionDir(), Device.cpu(), fashion,
        replay, settings, 10, 4, 300, scratch, seen::add);

    assertEquals(result, seen, "each checkpoint is reported as it is measured");
    assertEquals(List.of(0L, 4L, 8L, 10L), result.stream().map(TrainingRecipe.Checkpoint::steps).toList());
    assertEquals(0, result.get(0).imagePasses(), "the starting encoder is measured before any step");
    assertEquals(10 * (16 + 2 * 16), result.get(3).imagePasses());
    for (TrainingRecipe.Checkpoint c : result) {
      assertTrue(c.unlabelledAccuracy() > 0.2 && c.unlabelledAccuracy() <= 1, "better than chance: " + c);
      assertTrue(c.heldOutAccuracy() >= 0 && c.heldOutAccuracy() <= 1, c.toString());
      assertTrue(c.novelClassAuroc() >= 0 && c.novelClassAuroc() <= 1, "class 9 is in the sample: " + c);
    }
  }
}
