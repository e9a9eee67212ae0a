package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ImageEmbedding;
import io.semistream.model.ModelDescriptor;
import io.semistream.model.ModelStore;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The online trainer on the real engine (CPU), starting from a small real model. */
class OnlineTrainerTest {
  private static final OnlineTrainer.Options OPTIONS = options(OnlineTrainer.Head.LINEAR);

  private static OnlineTrainer.Options options(OnlineTrainer.Head head) {
    return new OnlineTrainer.Options(16, 32, 32, 0.03f, 0, 0.95, 1.0, 1.0, 32, head, 10f, 7);
  }

  @TempDir
  Path dir;

  private static float[][] embed(Path version, float[][] images) throws Exception {
    try (EmbeddingModel m = EmbeddingModel.load(version, Device.cpu());
         Predictor<float[][], List<ImageEmbedding>> p = m.newPredictor()) {
      return p.predict(images).stream().map(ImageEmbedding::vector).toArray(float[][]::new);
    }
  }

  @ParameterizedTest
  @EnumSource(OnlineTrainer.Head.class)
  void shouldStartFromTheServedWeightsFitATinyLabelledSetAndSaveALoadableVersion(OnlineTrainer.Head head)
      throws Exception {
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    LabelledReservoir labelled = new LabelledReservoir(100, 1);
    RecentImages recent = new RecentImages(512);
    Map<String, Integer> classIndex = new HashMap<>();
    // A shuffled sample: the data set is sorted by class, and its first 40 images are all T-shirts.
    int[] order = fashion.shuffledIndices(1);
    for (int k = 0; k < 600; k++) {
      if (k < 40) {
        String c = "c" + fashion.label(order[k]);
        labelled.add("img-" + order[k], c, fashion.imageAsFloats(order[k]));
        classIndex.putIfAbsent(c, classIndex.size());
      }
      recent.add(fashion.imageAsFloats(order[k]));
    }
    assertTrue(classIndex.size() >= 8, "the labelled set spans the classes: " + classIndex.keySet());
    float[][] probe = {fashion.imageAsFloats(order[1000]), fashion.imageAsFloats(order[1001])};

    try (OnlineTrainer trainer = OnlineTrainer.startFrom(store.versionDir(1), Device.cpu(), options(head))) {
      Path unchanged = trainer.saveCandidate(store, 40, Double.NaN, "test");
      float[][] served = embed(store.versionDir(1), probe);
      float[][] start = embed(unchanged, probe);
      for (int i = 0; i < probe.length; i++) {
        assertArrayEquals(served[i], start[i], 1e-5f, "training starts from the serving version's weights");
      }

      OnlineTrainer.Step first = trainer.step(labelled, recent, classIndex);
      assertNotNull(first);
      float firstSupervised = first.supervised();
      OnlineTrainer.Step last = first;
      for (int s = 1; s < 80; s++) {
        last = trainer.step(labelled, recent, classIndex);
        for (float v : new float[] {last.loss(), last.supervised(), last.consistency(), last.reconstruction()}) {
          assertTrue(Float.isFinite(v), "finite losses at step " + s + ": " + last);
        }
      }
      assertEquals(80, trainer.steps());
      assertEquals(32 + 2 * 32, last.imagePasses());
      assertTrue(!last.skipped());
      assertTrue(last.supervised() < 0.5f * firstSupervised,
          "the tiny labelled set is being fit: " + firstSupervised + " -> " + last.supervised());

      float[][] fitted = new float[40][];
      int right = 0;
      for (int k = 0; k < 40; k++) {
        fitted[k] = fashion.imageAsFloats(order[k]);
      }
      int[] heads = trainer.headPredictions(fitted);
      for (int k = 0; k < 40; k++) {
        right += heads[k] == classIndex.get("c" + fashion.label(order[k])) ? 1 : 0;
      }
      assertTrue(right >= 30, "the head classifies most of what it was fit on: " + right + " of 40");

      Path candidate = trainer.saveCandidate(store, 40, 0.5, "test");
      ModelDescriptor d = ModelStore.readDescriptor(candidate);
      assertEquals(3, d.version());
      assertEquals(1, d.parent());
      assertEquals(40, d.labelsSeen());
      float[][] moved = embed(candidate, probe);
      assertEquals(64, moved[0].length);
      assertTrue(!java.util.Arrays.equals(moved[0], served[0]), "the encoder itself was trained");
    }
  }

  /** Two classes of all-NaN images: augmentations clamp to [0, 1] but pass NaN through, so the loss is NaN. */
  private static LabelledReservoir nanImages() {
    float[] poisoned = new float[28 * 28];
    java.util.Arrays.fill(poisoned, Float.NaN);
    LabelledReservoir labelled = new LabelledReservoir(10, 1);
    labelled.add("nan-1", "a", poisoned);
    labelled.add("nan-2", "b", poisoned);
    return labelled;
  }

  @Test
  void shouldSkipAStepWhoseLossIsNotFiniteAndKeepTheWeights() throws Exception {
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    LabelledReservoir labelled = nanImages();
    float[][] probe = {new float[28 * 28]};
    try (OnlineTrainer trainer = OnlineTrainer.startFrom(store.versionDir(1), Device.cpu(),
        options(OnlineTrainer.Head.COSINE))) {
      OnlineTrainer.Step step = trainer.step(labelled, new RecentImages(10), Map.of("a", 0, "b", 1));
      assertTrue(step.skipped(), "a NaN loss is not learned from: " + step);
      float[][] after = embed(trainer.saveCandidate(store, 2, Double.NaN, "test"), probe);
      assertArrayEquals(embed(store.versionDir(1), probe)[0], after[0], 0f, "the weights are unchanged");
    }
  }

  @Test
  void shouldCallATrainerPoisonedAfterTenSkippedStepsInARowAndLetANewOneCountOn() throws Exception {
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    LabelledReservoir bad = nanImages();
    LabelledReservoir good = new LabelledReservoir(10, 1);
    good.add("img-1", "a", fashion.imageAsFloats(1));
    good.add("img-2", "b", fashion.imageAsFloats(2));
    Map<String, Integer> classIndex = Map.of("a", 0, "b", 1);
    long steps;
    try (OnlineTrainer trainer = OnlineTrainer.startFrom(store.versionDir(1), Device.cpu(), OPTIONS)) {
      trainer.step(good, new RecentImages(10), classIndex);
      for (int i = 0; i < OnlineTrainer.POISONED_AFTER_SKIPPED - 1; i++) {
        trainer.step(bad, new RecentImages(10), classIndex);
      }
      assertTrue(!trainer.poisoned(), "nine skipped steps are not yet a poisoned trainer");
      trainer.step(good, new RecentImages(10), classIndex);
      trainer.step(bad, new RecentImages(10), classIndex);
      assertTrue(!trainer.poisoned(), "a good step in between resets the count");
      for (int i = 0; i < OnlineTrainer.POISONED_AFTER_SKIPPED - 1; i++) {
        trainer.step(bad, new RecentImages(10), classIndex);
      }
      assertTrue(trainer.poisoned());
      steps = trainer.steps();
    }
    try (OnlineTrainer next = OnlineTrainer.startFrom(store.versionDir(1), Device.cpu(), OPTIONS, steps)) {
      OnlineTrainer.Step step = next.step(good, new RecentImages(10), classIndex);
      assertTrue(!step.skipped() && !next.poisoned());
      assertEquals(steps + 1, next.steps(), "the step count goes on, so budgets and candidate cadence hold");
    }
  }

  @Test
  void shouldDecodeOnlyAsManyWeakViewsAsConfigured() throws Exception {
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    LabelledReservoir labelled = new LabelledReservoir(10, 1);
    RecentImages recent = new RecentImages(64);
    for (int i = 0; i < 64; i++) {
      labelled.add("img-" + i, "c" + fashion.label(i), fashion.imageAsFloats(i));
      recent.add(fashion.imageAsFloats(i));
    }
    Map<String, Integer> classIndex = new HashMap<>();
    labelled.classes().forEach(c -> classIndex.put(c, classIndex.size()));
    for (int decoded : new int[] {0, 8}) {
      var options = new OnlineTrainer.Options(16, 16, 32, 1e-3f, 0, 0.95, 1.0, 1.0, decoded,
          OnlineTrainer.Head.LINEAR, 10f, 7);
      try (OnlineTrainer trainer = OnlineTrainer.startFrom(store.versionDir(1), Device.cpu(), options)) {
        OnlineTrainer.Step step = trainer.step(labelled, recent, classIndex);
        assertEquals(16 + 2 * 32, step.imagePasses());
        assertTrue(decoded == 0 ? step.reconstruction() == 0 : step.reconstruction() > 0, decoded + ": " + step);
      }
    }
  }

  @Test
  void shouldPseudoLabelTheImagesWhoseMostProbableClassReachesTheThreshold() {
    float[] probs = {
        0.96f, 0.04f, 0f,
        0.5f, 0.5f, 0f,
        0.05f, 0f, 0.95f,
        0.2f, 0.8f, 0f};
    OnlineTrainer.PseudoLabels p = OnlineTrainer.confident(probs, 3, 0.95);
    assertArrayEquals(new int[] {0, 2}, p.rows(), "the threshold itself counts; a tie at 0.5 does not reach it");
    assertArrayEquals(new int[] {0, 2}, p.classes());
    assertEquals(0, OnlineTrainer.confident(probs, 3, 0.99).rows().length);
  }

  /**
   * The step passes only the labelled views, the decoded weak views and the confident images' strong views; the
   * recipe as written passes every view and masks the unconfident ones out of the consistency loss. Same loss,
   * same gradients, or the shortcut changed what is learned.
   */
  @Test
  void shouldTakeTheGradientsOfOnePassOverEveryViewWithTheUnconfidentImagesMaskedOut() throws Exception {
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    int nl = 8;
    int nu = 12;
    int nr = 3;
    java.util.Random random = new java.util.Random(3);
    float[][] labelled = new float[nl][];
    int[] labels = new int[nl];
    int[] order = fashion.shuffledIndices(2);
    for (int i = 0; i < nl; i++) {
      labelled[i] = Augmentations.weak(fashion.imageAsFloats(order[i]), random);
      labels[i] = fashion.label(order[i]);
    }
    float[][] weak = new float[nu][];
    float[][] strong = new float[nu][];
    for (int i = 0; i < nu; i++) {
      weak[i] = Augmentations.weak(fashion.imageAsFloats(order[100 + i]), random);
      strong[i] = Augmentations.strong(fashion.imageAsFloats(order[100 + i]), random);
    }
    OnlineTrainer.Views views = new OnlineTrainer.Views(labelled, labels, weak, strong);
    OnlineTrainer.PseudoLabels chosen = new OnlineTrainer.PseudoLabels(new int[] {1, 4, 5, 9}, new int[] {3, 0, 7, 3});
    // Consistency weighted so that after the first step's ramp (1/200) it counts as much as the other terms.
    var options = new OnlineTrainer.Options(16, nl, nu, 1e-3f, 0, 0.95, OnlineTrainer.CONSISTENCY_RAMP_STEPS, 1.0, nr,
        OnlineTrainer.Head.LINEAR, 10f, 7);
    try (OnlineTrainer trainer = OnlineTrainer.startFrom(store.versionDir(1), Device.cpu(), options);
         ai.djl.ndarray.NDManager m = trainer.djlTrainer().getManager().newSubManager()) {
      float shortcutLoss;
      float[] shortcut;
      try (ai.djl.training.GradientCollector c = trainer.djlTrainer().newGradientCollector()) {
        c.zeroGradients();
        ai.djl.ndarray.NDArray total = trainer.losses(m, views, chosen).total();
        c.backward(total);
        shortcutLoss = total.getFloat();
        shortcut = gradients(trainer.net());
      }
      float fullLoss;
      float[] full;
      try (ai.djl.training.GradientCollector c = trainer.djlTrainer().newGradientCollector()) {
        c.zeroGradients();
        float[][] all = new float[nl + 2 * nu][];
        System.arraycopy(labelled, 0, all, 0, nl);
        System.arraycopy(weak, 0, all, nl, nu);
        System.arraycopy(strong, 0, all, nl + nu, nu);
        float[] flat = new float[all.length * 28 * 28];
        for (int i = 0; i < all.length; i++) {
          System.arraycopy(all[i], 0, flat, i * 28 * 28, 28 * 28);
        }
        ai.djl.ndarray.NDArray x = m.create(flat, new ai.djl.ndarray.types.Shape(all.length, 1, 28, 28));
        trainer.net().decodeRows(nl, nl + nr);
        ai.djl.ndarray.NDList out = trainer.djlTrainer().forward(new ai.djl.ndarray.NDList(x));
        ai.djl.ndarray.NDArray logits = out.get(2);
        int[] pseudo = new int[nu];
        float[] mask = new float[nu];
        for (int k = 0; k < chosen.rows().length; k++) {
          pseudo[chosen.rows()[k]] = chosen.classes()[k];
          mask[chosen.rows()[k]] = 1;
        }
        ai.djl.ndarray.NDArray total = OnlineTrainer.crossEntropy(logits.get("0:" + nl), m.create(labels)).mean()
            .add(OnlineTrainer.crossEntropy(logits.get((nl + nu) + ":"), m.create(pseudo)).mul(m.create(mask)).mean()
                .mul(OnlineTrainer.CONSISTENCY_RAMP_STEPS * trainer.consistencyRamp()))
            .add(io.semistream.model.ConvAutoencoder.reconstructionError(out.get(0), x.get(nl + ":" + (nl + nr)))
                .mean());
        c.backward(total);
        fullLoss = total.getFloat();
        full = gradients(trainer.net());
      }
      assertEquals(fullLoss, shortcutLoss, 1e-5 * Math.abs(fullLoss));
      double largest = 0;
      double worst = 0;
      for (int i = 0; i < full.length; i++) {
        largest = Math.max(largest, Math.abs(full[i]));
        worst = Math.max(worst, Math.abs(full[i] - shortcut[i]));
      }
      assertTrue(largest > 0, "gradients were taken");
      assertTrue(worst <= 1e-4 * largest, "largest gradient " + largest + ", largest difference " + worst);
    }
  }

  /** Every parameter's gradient, in the network's parameter order. */
  private static float[] gradients(ai.djl.nn.Block net) {
    List<float[]> parts = net.getParameters().values().stream()
        .map(p -> p.getArray().getGradient().toFloatArray()).toList();
    float[] out = new float[parts.stream().mapToInt(a -> a.length).sum()];
    int at = 0;
    for (float[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  @Test
  void shouldDecayTheLearningRateAlongACosineToAFifthAndHoldItThere() {
    assertEquals(0.03f, OnlineTrainer.learningRate(0.03f, 5_000, 0), "no decay length: constant");
    assertEquals(0.03f, OnlineTrainer.learningRate(0.03f, 0, 2_400), 1e-9f);
    float end = (float) (0.03 * Math.cos(7 * Math.PI / 16));
    assertEquals(end, OnlineTrainer.learningRate(0.03f, 2_400, 2_400), 1e-7f);
    assertEquals(end, OnlineTrainer.learningRate(0.03f, 9_999, 2_400), 1e-7f, "held after the decay");
    float previous = Float.MAX_VALUE;
    for (int step = 0; step <= 2_400; step += 100) {
      float lr = OnlineTrainer.learningRate(0.03f, step, 2_400);
      assertTrue(lr < previous, "decreasing at step " + step);
      previous = lr;
    }
  }

  @Test
  void shouldLearnNothingWithoutLabels() throws Exception {
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    try (OnlineTrainer trainer = OnlineTrainer.startFrom(store.versionDir(1), Device.cpu(), OPTIONS)) {
      assertEquals(null, trainer.step(new LabelledReservoir(10, 1), new RecentImages(10), Map.of()));
      assertEquals(0, trainer.steps());
    }
  }
}
