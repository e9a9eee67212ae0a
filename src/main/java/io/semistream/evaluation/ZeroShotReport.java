package io.semistream.evaluation;

import io.semistream.data.AttributeTable;
import io.semistream.data.Dataset;
import io.semistream.records.Prediction;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.ReplayPlan;
import io.semistream.replay.Replayer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The zero-shot part of the report, on the unlabelled images, with per-class mean accuracies (the convention of
 * the generalised zero-shot literature, so that a large class does not hide a small one):
 * <ul>
 *   <li>top-1 among the unseen classes: the prediction's nearest zero-shot class (the zero-shot task proper);</li>
 *   <li>generalised: seen and unseen classes compete; the learner's final class is judged, and the harmonic mean
 *       of seen and unseen accuracy reported;</li>
 *   <li>what it costs the seen classes: their accuracy as it would be without zero-shot classes (each zero-shot
 *       prediction replaced by its nearest labelled class) against as it is.</li>
 * </ul>
 */
final class ZeroShotReport {
  private ZeroShotReport() {
  }

  static Map<String, Object> of(Dataset d, ReplayOptions o, ReplayPlan plan, PredictionLog log, Set<Integer> unseen,
      AttributeTable table, double lambda) {
    List<String> names = d.classNames();
    int classes = names.size();
    int[] images = new int[classes];
    int[] top1 = new int[classes];
    int[] correct = new int[classes];
    int[] correctWithout = new int[classes];
    int zeroShotPredictions = 0;
    int zeroShotCorrect = 0;
    for (int i = 0; i < plan.size(); i++) {
      if (plan.labelled()[i]) {
        continue;
      }
      int idx = plan.order()[i];
      int c = d.label(idx);
      images[c]++;
      Prediction p = log.latest.get(Replayer.imageId(o, idx));
      if (p == null) {
        continue;
      }
      String truth = names.get(c);
      boolean zeroShot = p.status() == Prediction.Status.ZERO_SHOT;
      zeroShotPredictions += zeroShot ? 1 : 0;
      zeroShotCorrect += zeroShot && p.className().equals(truth) ? 1 : 0;
      top1[c] += truth.equals(p.zeroShotClass()) ? 1 : 0;
      correct[c] += p.className().equals(truth) ? 1 : 0;
      String without = zeroShot ? p.seenClass() : p.className();
      correctWithout[c] += truth.equals(without) ? 1 : 0;
    }
    List<Integer> seen = java.util.stream.IntStream.range(0, classes)
        .filter(c -> !o.unlabelledClasses().contains(c)).boxed().toList();
    double unseenTop1 = meanRate(top1, images, unseen);
    double seenAccuracy = meanRate(correct, images, seen);
    double unseenAccuracy = meanRate(correct, images, unseen);
    double seenWithout = meanRate(correctWithout, images, seen);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("unseenClasses", unseen.stream().sorted().map(names::get).toList());
    r.put("chanceTop1", PrequentialEval.ratio(1, unseen.size()));
    r.put("top1AmongUnseen", unseenTop1);
    Map<String, Double> perClass = new LinkedHashMap<>();
    unseen.stream().sorted().forEach(c -> perClass.put(names.get(c), PrequentialEval.ratio(top1[c], images[c])));
    r.put("top1AmongUnseenPerClass", perClass);
    r.put("generalisedSeenAccuracy", seenAccuracy);
    r.put("generalisedUnseenAccuracy", unseenAccuracy);
    r.put("generalisedHarmonicMean", seenAccuracy + unseenAccuracy > 0
        ? PrequentialEval.ratio(Math.round(2e6 * seenAccuracy * unseenAccuracy / (seenAccuracy + unseenAccuracy)),
            1_000_000) : 0.0);
    r.put("seenAccuracyWithoutZeroShot", seenWithout);
    r.put("seenAccuracyDropPoints", Math.round((seenWithout - seenAccuracy) * 10_000) / 100.0);
    r.put("zeroShotPredictions", zeroShotPredictions);
    r.put("zeroShotPredictionPrecision", PrequentialEval.ratio(zeroShotCorrect, zeroShotPredictions));
    r.put("generativeAlternative", generative(d, o, plan, log, seen, unseen, table, lambda));
    return r;
  }

  /** The generative alternative on the images whose latest embedding is of the most common encoder version. */
  private static Map<String, Object> generative(Dataset d, ReplayOptions o, ReplayPlan plan, PredictionLog log,
      List<Integer> seen, Set<Integer> unseen, AttributeTable table, double lambda) {
    Map<Integer, Long> byVersion = log.embeddingVersion.values().stream()
        .collect(java.util.stream.Collectors.groupingBy(v -> v, java.util.stream.Collectors.counting()));
    int version = byVersion.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    List<double[]> x = new java.util.ArrayList<>();
    List<Integer> y = new java.util.ArrayList<>();
    List<Boolean> labelled = new java.util.ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      String id = Replayer.imageId(o, plan.order()[i]);
      float[] e = log.latestEmbeddings.get(id);
      if (e == null || log.embeddingVersion.get(id) != version) {
        continue;
      }
      double norm = 0;
      for (float v : e) {
        norm += (double) v * v;
      }
      double[] unit = new double[e.length];
      for (int k = 0; k < e.length; k++) {
        unit[k] = norm > 0 ? e[k] / Math.sqrt(norm) : 0;
      }
      x.add(unit);
      y.add(d.label(plan.order()[i]));
      labelled.add(plan.labelled()[i]);
    }
    boolean[] isLabelled = new boolean[labelled.size()];
    for (int i = 0; i < isLabelled.length; i++) {
      isLabelled[i] = labelled.get(i);
    }
    double[][] semantics = d.classNames().stream().map(n -> table.classes().get(n)).toArray(double[][]::new);
    Map<String, Object> r = GenerativeZeroShot.compare(x.toArray(double[][]::new),
        y.stream().mapToInt(Integer::intValue).toArray(), isLabelled, semantics, seen,
        unseen.stream().sorted().toList(), lambda, o.seed());
    r.put("encoderVersion", version);
    return r;
  }

  /** The mean over {@code classes} of each class's hit rate (classes without images left out). */
  static double meanRate(int[] hits, int[] totals, java.util.Collection<Integer> classes) {
    double sum = 0;
    int n = 0;
    for (int c : classes) {
      if (totals[c] > 0) {
        sum += (double) hits[c] / totals[c];
        n++;
      }
    }
    return n == 0 ? Double.NaN : Math.round(10_000.0 * sum / n) / 10_000.0;
  }
}
