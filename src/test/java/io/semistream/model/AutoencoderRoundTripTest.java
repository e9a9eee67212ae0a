package io.semistream.model;

import io.semistream.training.AutoencoderTrainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.testing.ProjectPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderRoundTripTest {
  private static Dataset fashion;

  @BeforeAll
  static void startEngine() throws Exception {
    DjlEngine.start(2);
    fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
  }

  private static List<float[]> images(int from, int count) {
    List<float[]> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(fashion.imageAsFloats(i * 7 % fashion.size()));
    }
    return out;
  }

  @Test
  void shouldEmbedTheSameImageToTheSameVectorAfterSaveAndLoad(@TempDir Path models) throws Exception {
    ModelStore store = new ModelStore(models);
    List<float[]> train = images(0, 2_048);
    List<Float> losses = new ArrayList<>();
    Path v1 = new AutoencoderTrainer(Device.cpu()).train(train,
        new AutoencoderTrainer.Options("conv-ae-64", 2, 128, 1e-3f, 7, "test"), store,
        (epoch, batch, batches, loss) -> losses.add(loss));
    assertEquals(models.resolve("v1"), v1);
    assertEquals(v1, store.latest().orElseThrow());
    assertTrue(losses.get(losses.size() - 1) < losses.get(0) * 0.8f,
        "training must lower the reconstruction loss: " + losses.get(0) + " -> " + losses.get(losses.size() - 1));

    float[][] batch = images(3_000, 5).toArray(new float[0][]);
    List<ImageEmbedding> first;
    try (EmbeddingModel model = EmbeddingModel.load(v1, Device.cpu());
         Predictor<float[][], List<ImageEmbedding>> predictor = model.newPredictor()) {
      assertEquals(1, model.descriptor().version());
      first = predictor.predict(batch);
    }
    try (EmbeddingModel again = EmbeddingModel.load(v1, Device.cpu());
         Predictor<float[][], List<ImageEmbedding>> predictor = again.newPredictor()) {
      List<ImageEmbedding> second = predictor.predict(batch);
      // Batch of one must agree with the batched forward pass as well.
      List<ImageEmbedding> single = predictor.predict(new float[][] {batch[2]});
      for (int i = 0; i < batch.length; i++) {
        assertEquals(64, first.get(i).vector().length);
        assertArrayEquals(first.get(i).vector(), second.get(i).vector(), 1e-5f);
        assertEquals(first.get(i).reconstructionError(), second.get(i).reconstructionError(), 1e-5f);
        assertTrue(first.get(i).reconstructionError() > 0 && Float.isFinite(first.get(i).reconstructionError()));
      }
      assertArrayEquals(first.get(2).vector(), single.get(0).vector(), 1e-4f);

      // What the web view draws: the decoder of an image's embedding is its reconstruction, and the
      // reconstruction is the one the served reconstruction error was measured on.
      float[][] embeddings = first.stream().map(ImageEmbedding::vector).toArray(float[][]::new);
      float[][] decoded = again.decode(embeddings);
      float[][] reconstructed = again.reconstruct(batch);
      for (int i = 0; i < batch.length; i++) {
        assertEquals(28 * 28, decoded[i].length);
        assertArrayEquals(reconstructed[i], decoded[i], 1e-4f);
        double bce = 0;
        for (int j = 0; j < batch[i].length; j++) {
          float x = batch[i][j];
          float p = reconstructed[i][j];
          assertTrue(p >= 0 && p <= 1, "a pixel in [0, 1]: " + p);
          bce -= x * Math.log(Math.max(p, 1e-7)) + (1 - x) * Math.log(Math.max(1 - p, 1e-7));
        }
        assertEquals(first.get(i).reconstructionError(), bce / batch[i].length, 1e-3);
      }
      assertEquals(0, again.decode(new float[0][]).length);
    }
  }
}
