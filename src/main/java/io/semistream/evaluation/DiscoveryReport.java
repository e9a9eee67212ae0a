package io.semistream.evaluation;

import io.semistream.vectors.Vectors;
import io.semistream.data.Dataset;
import io.semistream.records.ClassCandidate;
import io.semistream.records.Prototype;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.ReplayPlan;
import io.semistream.replay.Replayer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The new-class discovery part of the report. Every candidate ever published is judged by its exemplars (the
 * images a person would be shown): a true candidate when most of them belong to a never-labelled class, a false
 * one otherwise (false candidates per 10,000 images). Each final candidate of the serving encoder is also judged
 * by its members: the unlabelled images that would join it were it a class, i.e. whose nearest direction (cosine)
 * among the learner's final prototypes and the candidates is the candidate; reported are the members' purity
 * (share of their majority class) and that class's coverage (share of its unlabelled images among the members).
 */
final class DiscoveryReport {
  private DiscoveryReport() {
  }

  static Map<String, Object> of(Dataset d, ReplayOptions o, ReplayPlan plan, PredictionLog log, int servingVersion) {
    List<String> names = d.classNames();
    Map<String, Integer> truth = new HashMap<>();
    List<String> unlabelled = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      String id = Replayer.imageId(o, plan.order()[i]);
      truth.put(id, d.label(plan.order()[i]));
      if (!plan.labelled()[i]) {
        unlabelled.add(id);
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    List<PredictionLog.CandidateSeen> all;
    synchronized (log.candidates) {
      all = List.copyOf(log.candidates.values());
    }
    int falseCandidates = 0;
    Map<String, Object> firstTrue = null;
    List<Map<String, Object>> emerged = new ArrayList<>();
    for (PredictionLog.CandidateSeen c : all) {
      double share = heldOutShare(c.first().exemplars(), truth, o);
      boolean isTrue = share > 0.5;
      falseCandidates += isTrue ? 0 : 1;
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", c.first().id());
      e.put("modelVersion", c.first().modelVersion());
      e.put("imagesPredictedAtEmergence", c.predictedImagesAtFirst());
      e.put("sizeAtEmergence", c.first().size());
      e.put("exemplarsFromNeverLabelledClasses", share);
      e.put("withdrawn", c.latest() == null);
      emerged.add(e);
      if (isTrue && firstTrue == null) {
        firstTrue = e;
      }
    }
    r.put("candidatesEmerged", all.size());
    r.put("falseCandidates", falseCandidates);
    r.put("falseCandidatesPer10000Images", falseCandidates * 10_000.0 / Math.max(1, plan.size()));
    r.put("firstTrueCandidate", firstTrue == null ? "none" : firstTrue);
    r.put("emerged", emerged);

    List<ClassCandidate> finals = all.stream().map(PredictionLog.CandidateSeen::latest)
        .filter(c -> c != null && c.modelVersion() == servingVersion).toList();
    List<Prototype> prototypes = log.prototypes.values().stream()
        .filter(p -> p.modelVersion() == servingVersion).toList();
    List<double[]> directions = new ArrayList<>();
    prototypes.forEach(p -> directions.add(Vectors.unit(p.vectorView())));
    finals.forEach(c -> directions.add(Vectors.unit(c.centroid())));
    int[][] members = new int[finals.size()][names.size()];
    int[] unlabelledPerClass = new int[names.size()];
    for (String id : unlabelled) {
      int label = truth.get(id);
      unlabelledPerClass[label]++;
      float[] v = log.latestEmbeddings.get(id);
      Integer version = log.embeddingVersion.get(id);
      if (v == null || version == null || version != servingVersion || directions.isEmpty()) {
        continue;
      }
      double[] x = Vectors.unit(v);
      int best = -1;
      double bestDot = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < directions.size(); k++) {
        double dot = Vectors.dot(x, directions.get(k));
        if (dot > bestDot) {
          bestDot = dot;
          best = k;
        }
      }
      if (best >= prototypes.size()) {
        members[best - prototypes.size()][label]++;
      }
    }
    // The labelled classes' spread, as the discovery service scales distances (median RMS / prototype length).
    double[] ratios = prototypes.stream().filter(p -> p.labelledCount() >= 1 && p.spread() > 0)
        .mapToDouble(p -> p.spread() / Vectors.norm(p.vectorView())).sorted().toArray();
    double scale = ratios.length == 0 ? Double.NaN : ratios.length % 2 == 1 ? ratios[ratios.length / 2]
        : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
    List<Map<String, Object>> judged = new ArrayList<>();
    boolean barMet = false;
    for (int k = 0; k < finals.size(); k++) {
      ClassCandidate c = finals.get(k);
      int total = 0;
      int majority = 0;
      for (int label = 0; label < names.size(); label++) {
        total += members[k][label];
        majority = members[k][label] > members[k][majority] ? label : majority;
      }
      double purity = PrequentialEval.ratio(members[k][majority], total);
      double coverage = PrequentialEval.ratio(members[k][majority], unlabelledPerClass[majority]);
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", c.id());
      e.put("size", c.size());
      e.put("spread", c.spread());
      e.put("adoptedAs", c.adoptedAs() == null ? "-" : c.adoptedAs());
      e.put("members", total);
      e.put("majorityClass", names.get(majority));
      e.put("majorityNeverLabelled", o.unlabelledClasses().contains(majority));
      e.put("memberPurity", purity);
      e.put("majorityClassCoverage", coverage);
      e.put("exemplarsFromNeverLabelledClasses", heldOutShare(c.exemplars(), truth, o));
      double nearest = Double.POSITIVE_INFINITY;
      String nearestClass = "-";
      for (int p = 0; p < prototypes.size(); p++) {
        double distance = Vectors.distance(directions.get(p), directions.get(prototypes.size() + k));
        if (distance < nearest) {
          nearest = distance;
          nearestClass = prototypes.get(p).className();
        }
      }
      e.put("nearestPrototype", nearestClass);
      e.put("nearestPrototypeDistanceInSpreads", nearest / scale);
      judged.add(e);
      barMet |= o.unlabelledClasses().contains(majority) && purity >= 0.8 && coverage >= 0.5;
    }
    r.put("finalCandidates", judged);
    r.put("servingVersion", servingVersion);
    r.put("barPurity80Coverage50", barMet);
    return r;
  }

  private static double heldOutShare(List<String> exemplars, Map<String, Integer> truth, ReplayOptions o) {
    long known = exemplars.stream().filter(truth::containsKey).count();
    long heldOut = exemplars.stream().filter(id -> truth.containsKey(id)
        && o.unlabelledClasses().contains(truth.get(id))).count();
    return PrequentialEval.ratio(heldOut, known);
  }
}
