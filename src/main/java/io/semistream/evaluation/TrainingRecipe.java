package io.semistream.evaluation;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.semistream.config.TrainerSettings;
import io.semistream.data.Dataset;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ImageEmbedding;
import io.semistream.model.ModelStore;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.ReplayPlan;
import io.semistream.replay.Replayer;
import io.semistream.training.LabelledReservoir;
import io.semistream.training.OnlineTrainer;
import io.semistream.training.RecentImages;
import io.semistream.training.TrainerService;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures a training recipe without Kafka: the online trainer's own code, fed the eval's labels (the same
 * replay plan: stratified, held-out classes never labelled; the trainer's held-out share kept out) and the
 * stream's most recent images, trained for a number of steps; at each checkpoint the encoder embeds the labels
 * and a fixed sample of unlabelled images, and the learner's rule (nearest class mean by cosine, true labels
 * only) is scored on them. It answers "which recipe, how many steps" in minutes, where an eval of the whole
 * service takes ten; the eval stays the measure of the service.
 */
public final class TrainingRecipe {
  private static final int BATCH = 256;

  /** What one checkpoint measured. */
  public record Checkpoint(long steps, long imagePasses, double trainingSeconds, double heldOutAccuracy,
      double unlabelledAccuracy, double novelClassAuroc, double novelClassAurocEuclidean, double maskRate,
      long skippedSteps, double unlabelledAccuracyFiveNn, double headAccuracy) {
  }

  private TrainingRecipe() {
  }

  /**
   * Trains from {@code startVersion} for {@code steps}, measuring at step 0 and every {@code every} steps on up
   * to {@code sampleSize} unlabelled images; {@code scratch} holds the checkpoints' saved encoders.
   */
  public static List<Checkpoint> run(Path startVersion, Device device, Dataset data, ReplayOptions replay,
      TrainerSettings settings, long steps, long every, int sampleSize, Path scratch,
      Consumer<Checkpoint> progress) throws IOException, TranslateException {
    ReplayPlan plan = ReplayPlan.of(data, replay);
    OnlineTrainer.Options options = OnlineTrainer.Options.of(settings);
    LabelledReservoir labelled = new LabelledReservoir(settings.labelledPerClass(), settings.seed());
    RecentImages recent = new RecentImages(settings.recentImages());
    Map<String, Integer> classIndex = new HashMap<>();
    List<Integer> labels = new ArrayList<>();
    List<Integer> heldOut = new ArrayList<>();
    List<Integer> unlabelled = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      int index = plan.order()[i];
      float[] image = data.imageAsFloats(index);
      recent.add(image);
      if (!plan.labelled()[i]) {
        unlabelled.add(index);
        continue;
      }
      labels.add(index);
      String id = Replayer.imageId(replay, index);
      if (TrainerService.isHeldOut(id, settings.holdoutEvery())) {
        heldOut.add(index);
      } else {
        labelled.add(id, data.className(index), image);
        classIndex.putIfAbsent(data.className(index), classIndex.size());
      }
    }
    List<Integer> sample = new ArrayList<>();
    int stride = Math.max(1, unlabelled.size() / Math.max(1, sampleSize));
    for (int i = 0; i < unlabelled.size() && sample.size() < sampleSize; i += stride) {
      sample.add(unlabelled.get(i));
    }
    ModelStore store = new ModelStore(scratch);
    List<Checkpoint> out = new ArrayList<>();
    try (OnlineTrainer trainer = OnlineTrainer.startFrom(startVersion, device, options)) {
      long passes = 0;
      double seconds = 0;
      double mask = 0;
      int masked = 0;
      long skipped = 0;
      for (long s = 0; s <= steps; s++) {
        if (s % every == 0 || s == steps) {
          Path version = s == 0 ? startVersion : trainer.saveCandidate(store, labels.size(), Double.NaN, "recipe");
          Checkpoint c = measure(version, device, data, labels, heldOut, sample, replay, s, passes, seconds,
              masked == 0 ? Double.NaN : mask / masked, skipped,
              s == 0 ? Double.NaN : headAccuracy(trainer, data, sample, replay, classIndex));
          out.add(c);
          progress.accept(c);
          mask = 0;
          masked = 0;
        }
        if (s == steps) {
          break;
        }
        long t0 = System.nanoTime();
        OnlineTrainer.Step step = trainer.step(labelled, recent, classIndex);
        seconds += (System.nanoTime() - t0) / 1e9;
        passes += step.imagePasses();
        mask += step.maskRate();
        skipped += step.skipped() ? 1 : 0;
        masked++;
      }
    }
    return out;
  }

  private static Checkpoint measure(Path version, Device device, Dataset data, List<Integer> labels,
      List<Integer> heldOut, List<Integer> sample, ReplayOptions replay, long steps, long passes, double seconds,
      double maskRate, long skipped, double headAccuracy) throws IOException, TranslateException {
    try (EmbeddingModel model = EmbeddingModel.load(version, device);
        Predictor<float[][], List<ImageEmbedding>> encoder = model.newPredictor()) {
      int classes = data.classNames().size();
      float[][] train = embed(encoder, data, labels);
      int[] trainLabels = labels.stream().mapToInt(data::label).toArray();
      // Every label is embedded once; the held-out score splits them as the trainer does.
      Map<Integer, float[]> byIndex = new HashMap<>();
      for (int i = 0; i < labels.size(); i++) {
        byIndex.put(labels.get(i), train[i]);
      }
      java.util.Set<Integer> judging = new java.util.HashSet<>(heldOut);
      List<Integer> trainOnly = labels.stream().filter(i -> !judging.contains(i)).toList();
      double heldOutAccuracy = accuracy(Metrics.nearestMean(
          trainOnly.stream().map(byIndex::get).toArray(float[][]::new), trainOnly.stream().mapToInt(data::label)
              .toArray(), classes, heldOut.stream().map(byIndex::get).toArray(float[][]::new), true), heldOut, data);
      float[][] queries = embed(encoder, data, sample);
      double[] distance = new double[queries.length];
      int[] predicted = Metrics.nearestMeanWithDistance(train, trainLabels, classes, queries, true, distance);
      double[] euclidean = new double[queries.length];
      Metrics.nearestMeanWithDistance(train, trainLabels, classes, queries, false, euclidean);
      int[] byNeighbours = Metrics.nearestNeighbours(train, trainLabels, classes, queries, 5);
      boolean[] novel = new boolean[sample.size()];
      int known = 0;
      int correct = 0;
      int correctNn = 0;
      for (int i = 0; i < sample.size(); i++) {
        int truth = data.label(sample.get(i));
        novel[i] = replay.unlabelledClasses().contains(truth);
        if (!novel[i]) {
          known++;
          correct += predicted[i] == truth ? 1 : 0;
          correctNn += byNeighbours[i] == truth ? 1 : 0;
        }
      }
      return new Checkpoint(steps, passes, seconds, heldOutAccuracy, correct / (double) Math.max(1, known),
          Metrics.auroc(distance, novel), Metrics.auroc(euclidean, novel), maskRate, skipped,
          correctNn / (double) Math.max(1, known), headAccuracy);
    }
  }

  /** The trainer's own class head on the known classes' sample images (what a served head would score). */
  private static double headAccuracy(OnlineTrainer trainer, Dataset data, List<Integer> sample,
      ReplayOptions replay, Map<String, Integer> classIndex) {
    List<Integer> known = sample.stream().filter(i -> !replay.unlabelledClasses().contains(data.label(i))).toList();
    int[] predicted = trainer.headPredictions(known.stream().map(data::imageAsFloats).toArray(float[][]::new));
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      correct += predicted[i] == classIndex.getOrDefault(data.className(known.get(i)), -1) ? 1 : 0;
    }
    return known.isEmpty() ? Double.NaN : correct / (double) known.size();
  }

  private static double accuracy(int[] predicted, List<Integer> indices, Dataset data) {
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      correct += predicted[i] == data.label(indices.get(i)) ? 1 : 0;
    }
    return predicted.length == 0 ? Double.NaN : correct / (double) predicted.length;
  }

  private static float[][] embed(Predictor<float[][], List<ImageEmbedding>> encoder, Dataset data,
      List<Integer> indices) throws TranslateException {
    float[][] out = new float[indices.size()][];
    for (int from = 0; from < indices.size(); from += BATCH) {
      int to = Math.min(indices.size(), from + BATCH);
      float[][] batch = new float[to - from][];
      for (int i = from; i < to; i++) {
        batch[i - from] = data.imageAsFloats(indices.get(i));
      }
      List<ImageEmbedding> e = encoder.predict(batch);
      for (int i = from; i < to; i++) {
        out[i] = e.get(i - from).vector();
      }
    }
    return out;
  }
}
