package io.semistream.evaluation;

import io.semistream.data.AttributeTable;
import io.semistream.replay.SemanticsPublisher;
import io.semistream.zeroshot.ZeroShotObserver;
import io.semistream.zeroshot.ZeroShotService;
import java.util.Set;

import io.semistream.image.ImagePreprocessor;

import io.semistream.config.DistanceMetric;
import io.semistream.asking.AskingObserver;
import io.semistream.asking.AskingService;
import io.semistream.discovery.DiscoveryObserver;
import io.semistream.discovery.DiscoveryService;

import io.semistream.config.SemistreamConfig;
import io.semistream.data.Dataset;
import io.semistream.model.EmbeddingModel;
import io.semistream.embedding.EmbeddingService;
import io.semistream.kafka.KafkaClients;
import io.semistream.learning.LearnerService;
import io.semistream.records.Prediction;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.ReplayPlan;
import io.semistream.replay.Replayer;
import io.semistream.topics.TopicRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Prequential evaluation: the whole pipeline (embedded broker, embedding service, learner) over a replayed data
 * set, then every image's predictions compared with the ground truth. Baselines are computed in the same run on
 * the same labelled set: nearest class mean over raw pixels, and over the learner's own embeddings with true
 * labels only (what the self-training loop must never fall below).
 */
public final class PrequentialEval {
  private final SemistreamConfig config;
  private final EmbeddingModel model;
  private final PrintStream out;
  /** Where to write every image's final prediction and embedding ({@link PerImageCsv}); null: nowhere. */
  private final java.nio.file.Path perImageCsv;

  public PrequentialEval(SemistreamConfig config, EmbeddingModel model, PrintStream out) {
    this(config, model, out, null);
  }

  public PrequentialEval(SemistreamConfig config, EmbeddingModel model, PrintStream out,
      java.nio.file.Path perImageCsv) {
    this.config = config;
    this.model = model;
    this.out = out;
    this.perImageCsv = perImageCsv;
  }

  /**
   * @param zeroShotClasses class indices (among {@code options}' unlabelled ones) whose semantic vectors are
   *     published from the data set's shipped attribute table: recognised zero-shot, and reported as such
   */
  public Map<String, Object> run(Dataset dataset, ReplayOptions options, Set<Integer> zeroShotClasses,
      Duration timeout, Duration quiet, Duration settle) throws Exception {
    return run(dataset, options, zeroShotClasses, LabelStrategy.RANDOM, timeout, quiet, settle);
  }

  /**
   * @param labelling with an active strategy the replay sends no labels; the asking service's requests are
   *     answered by a simulated person ({@link Annotator}) within the budget
   */
  public Map<String, Object> run(Dataset dataset, ReplayOptions options, Set<Integer> zeroShotClasses,
      LabelStrategy labelling, Duration timeout, Duration quiet, Duration settle) throws Exception {
    if (labelling.active() && options.labelFraction() > 0) {
      throw new IllegalArgumentException("with active labels the replay must send none (label fraction 0)");
    }
    if (!options.unlabelledClasses().containsAll(zeroShotClasses)) {
      throw new IllegalArgumentException("zero-shot classes must be among the unlabelled ones");
    }
    if (!zeroShotClasses.isEmpty() && !config.learner().zeroShot().enabled()) {
      throw new IllegalArgumentException("--zero-shot-classes needs learner.zeroshot.enabled=true");
    }
    Path work = Files.createTempDirectory("semistream-eval");
    AskingProgress askingProgress = new AskingProgress();
    ReplayPlan plan = ReplayPlan.of(dataset, options);
    try (LocalKafka kafka = LocalKafka.start(config, work)) {
      SemistreamConfig live = kafka.withLearner("semistream-eval", work.resolve("streams"));
      live = live.withAsking(live.asking().withEnabled(labelling.active()));
      KafkaClients clients = kafka.clients();
      TopicRegistry topics = kafka.topics();
      long start;
      Replayer.Result replayed;
      TrainingRecorder training = new TrainingRecorder(System.currentTimeMillis());
      try (EvalTraining trainer = EvalTraining.prepare(live.trainer(),
               ImagePreprocessor.of(model.descriptor().inputSide(), live.embedding()), model, work, clients, topics,
               training, live.pipelineGroups());
           EmbeddingService embedder = new EmbeddingService(live.embedding(), clients, topics, trainer.model(), null,
               List.of(live.learner().applicationId()))
               .start();
           LearnerService learner = new LearnerService(live, topics, null).start();
           // Like the main job, unless learner.zeroshot.enabled=false (a null resource is simply not closed).
           ZeroShotService zeroShot = live.learner().zeroShot().enabled()
               ? new ZeroShotService(live, topics, ZeroShotObserver.NONE).start() : null;
           DiscoveryService discovery = live.discovery().enabled()
               ? new DiscoveryService(live, topics, DiscoveryObserver.NONE).start() : null;
           AskingService asking = labelling.active() ? new AskingService(live, topics, askingProgress).start() : null;
           Annotator annotator = labelling.active() ? new Annotator(clients, topics, truth(dataset, options, plan),
               options.unlabelledClasses().stream().map(dataset.classNames()::get).collect(Collectors.toSet()),
               labelling.annotatorDelay()) : null;
           PredictionLog log = new PredictionLog(clients, topics)) {
        if (!learner.awaitRunning(Duration.ofSeconds(60))) {
          throw new IllegalStateException("learner did not start: " + learner.streams().state());
        }
        if (!zeroShotClasses.isEmpty()) {
          // Every class's vector, seen ones included: the map from attributes to prototypes is fitted on them.
          SemanticsPublisher.publish(clients, topics, AttributeTable.forDataset(dataset.name()));
        }
        start = System.currentTimeMillis();
        CompletableFuture<Replayer.Result> replay = CompletableFuture.supplyAsync(() -> {
          try {
            return Replayer.publish(clients, topics, dataset, options, out);
          } catch (Exception e) {
            throw new IllegalStateException("replay failed", e);
          }
        });
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        long lastReport = 0;
        long allPredictedAt = 0;
        while (System.currentTimeMillis() < deadline) {
          Thread.sleep(250);
          long now = System.currentTimeMillis();
          if (now - lastReport > 5_000) {
            out.printf("eval: %,d/%,d images embedded, %,d with a prediction%s%n", log.embeddings.size(), plan.size(),
                log.first.size(), asking == null ? "" : String.format(", label requests: %d published, %d open, "
                    + "%d answered (pool %d)", askingProgress.published.get(), askingProgress.open.get(),
                    askingProgress.answered.get(), askingProgress.pool.get()));
            lastReport = now;
          }
          boolean all = replay.isDone() && log.first.size() >= plan.size() - embedder.stats().deadLettered()
              && trainer.settled(embedder.servingVersion(), log.embeddingVersion,
                  plan.size() - (int) embedder.stats().deadLettered())
              && zeroShotSettled(dataset, zeroShotClasses, log, embedder.servingVersion());
          if (all && allPredictedAt == 0) {
            allPredictedAt = now;
          }
          // Done when corrections stopped, or at the latest after a few relabel rounds past the last image.
          if (all && (now - log.lastPredictionAt.get() > quiet.toMillis() || now - allPredictedAt > settle.toMillis())) {
            break;
          }
        }
        replayed = replay.join();
        log.close();
        boolean[] labelled = plan.labelled().clone();
        List<String> labelOrder = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
          if (labelled[i]) {
            labelOrder.add(Replayer.imageId(options, plan.order()[i]));
          }
        }
        Map<String, Object> labellingReport = new LinkedHashMap<>();
        labellingReport.put("strategy", labelling.active() ? "active" : "random");
        if (annotator != null) {
          annotator.close();
          Map<String, Integer> position = new java.util.HashMap<>();
          for (int i = 0; i < plan.size(); i++) {
            position.put(Replayer.imageId(options, plan.order()[i]), i);
          }
          for (String id : annotator.answered()) {
            Integer i = position.get(id);
            if (i != null && !labelled[i]) {
              labelled[i] = true;
              labelOrder.add(id);
            }
          }
          labellingReport.put("budget", labelling.budget());
          labellingReport.put("requestsPublished", annotator.requestsSeen());
          labellingReport.put("requestsRefusedHeldOutClass", annotator.refused());
          labellingReport.put("annotatorDelayMs", labelling.annotatorDelay().toMillis());
          labellingReport.put("requestsPerMinute", live.asking().perMinute());
        }
        labellingReport.put("labels", labelOrder.size());
        labellingReport.put("labelsByClass", labelsByClass(dataset, plan, labelled));
        Map<String, Object> report = report(dataset, options, plan, labelled, log, replayed, start);
        report.put("labelling", labellingReport);
        report.put("deadLetters", deadLetters(log, out));
        report.put("accuracyByLabelsSpent", byLabelsSpent(dataset, options, plan, labelled, labelOrder, log));
        // The images that got a label, from the plan or from the annotator's answers to the service's requests:
        // an image labelled on request is not "unlabelled" to the zero-shot and discovery measures either.
        ReplayPlan effective = new ReplayPlan(plan.order(), labelled);
        if (!zeroShotClasses.isEmpty()) {
          report.put("zeroShot", ZeroShotReport.of(dataset, options, effective, log, zeroShotClasses,
              AttributeTable.forDataset(dataset.name()), live.learner().zeroShot().ridgeLambda()));
        }
        if (discovery != null) {
          report.put("discovery", DiscoveryReport.of(dataset, options, effective, log, embedder.servingVersion()));
        }
        report.put("training", trainer.enabled() ? training.report(embedder.servingVersion()) : "off");
        if (perImageCsv != null) {
          PerImageCsv.write(perImageCsv, dataset, options, effective, log);
        }
        return report;
      }
    } finally {
      WorkDirectory.delete(work);
    }
  }

  /** Dead letters by stage and reason; the data sets are clean, so any is a fault worth a warning. */
  private static Map<String, Object> deadLetters(PredictionLog log, PrintStream out) {
    Map<String, Object> byKind = new java.util.TreeMap<>();
    log.deadLetters.forEach((kind, k) -> byKind.put(kind, Map.of("count", k.count(), "firstError", k.firstError())));
    if (!byKind.isEmpty()) {
      out.printf("eval: WARNING: the service dead-lettered records of a clean data set: %s%n", byKind);
    }
    return byKind;
  }

  /** The asking service's last round, for the progress lines. */
  private static final class AskingProgress implements AskingObserver {
    final java.util.concurrent.atomic.AtomicLong published = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong open = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong pool = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public void answered(long millis) {
      answered.incrementAndGet();
    }

    @Override
    public void round(int openNow, int poolNow, long publishedNow) {
      open.set(openNow);
      pool.set(poolNow);
      published.set(publishedNow);
    }
  }

  /** Every zero-shot class has a synthesized prototype for the serving encoder (true without zero-shot classes). */
  private static boolean zeroShotSettled(Dataset d, Set<Integer> classes, PredictionLog log, int servingVersion) {
    return classes.stream().allMatch(c -> Integer.valueOf(servingVersion).equals(
        log.synthesizedVersion.get(d.classNames().get(c))));
  }

  /**
   * How many labels each class got, from the plan or the annotator: an active strategy's choice is skewed by
   * design, and the class means it leaves (the anomaly score's reference among them) show it.
   */
  static Map<String, Integer> labelsByClass(Dataset d, ReplayPlan plan, boolean[] labelled) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    d.classNames().forEach(c -> counts.put(c, 0));
    for (int i = 0; i < plan.size(); i++) {
      if (labelled[i]) {
        counts.merge(d.className(plan.order()[i]), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Image id to its class name, for the simulated annotator. */
  private static Map<String, String> truth(Dataset d, ReplayOptions o, ReplayPlan plan) {
    Map<String, String> truth = new java.util.HashMap<>();
    for (int i = 0; i < plan.size(); i++) {
      truth.put(Replayer.imageId(o, plan.order()[i]), d.className(plan.order()[i]));
    }
    return truth;
  }

  /**
   * The learner's rule on true labels only (nearest class mean of the images' first embeddings) with the first
   * 10 %, 20 %, ... of the labels in the order they were given, scored on the same images (unlabelled, known
   * classes): how accuracy grows with labels spent, comparable between strategies.
   */
  private Map<String, Double> byLabelsSpent(Dataset d, ReplayOptions o, ReplayPlan plan, boolean[] labelled,
      List<String> labelOrder, PredictionLog log) {
    Map<String, Integer> datasetIndex = new java.util.HashMap<>();
    List<Integer> unlabelledKnown = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      datasetIndex.put(Replayer.imageId(o, plan.order()[i]), plan.order()[i]);
      if (!labelled[i] && !o.unlabelledClasses().contains(d.label(plan.order()[i]))) {
        unlabelledKnown.add(i);
      }
    }
    boolean cosine = config.learner().classification().metric() == DistanceMetric.COSINE;
    Map<String, Double> out = new LinkedHashMap<>();
    for (int tenth = 1; tenth <= 10; tenth++) {
      int k = (int) Math.round(labelOrder.size() * tenth / 10.0);
      List<Integer> first = labelOrder.subList(0, k).stream().map(datasetIndex::get).toList();
      out.put(String.valueOf(k), k == 0 ? Double.NaN
          : trueLabelsOnly(log.embeddings, first, unlabelledKnown, d.classNames().size(), cosine, d, o, plan));
    }
    return out;
  }

  private Map<String, Object> report(Dataset d, ReplayOptions o, ReplayPlan plan, boolean[] labelledImages,
      PredictionLog log, Replayer.Result replayed, long start) {
    List<String> names = d.classNames();
    int classes = names.size();
    List<Integer> unlabelledKnown = new ArrayList<>();
    List<Integer> unlabelledAll = new ArrayList<>();
    List<Integer> labelled = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      int idx = plan.order()[i];
      if (labelledImages[i]) {
        labelled.add(idx);
      } else {
        unlabelledAll.add(i);
        if (!o.unlabelledClasses().contains(d.label(idx))) {
          unlabelledKnown.add(i);
        }
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("dataset", d.name().id());
    r.put("images", plan.size());
    r.put("labels", labelled.size());
    r.put("labelFraction", o.labelFraction());
    r.put("heldOutClasses", o.unlabelledClasses().stream().map(names::get).toList());
    r.put("seed", o.seed());
    r.put("replayRate", o.ratePerSecond() > 0 ? o.ratePerSecond() : "as fast as it goes");
    r.put("model", model.descriptor().id() + " v" + model.descriptor().version());
    var learner = config.learner();
    r.put("learner", Map.of("metric", learner.classification().metric().key(),
        "temperature", learner.classification().temperature(), "selfTraining", learner.selfTraining(),
        "anomalies", learner.anomalies()));

    int withPrediction = 0;
    int correctKnown = 0;
    int pseudo = 0;
    int pseudoCorrect = 0;
    int[][] confusion = new int[classes][classes + 1];
    List<SelectivePrecision.Scored> scored = new ArrayList<>();
    for (int i : unlabelledKnown) {
      int idx = plan.order()[i];
      Prediction p = log.latest.get(Replayer.imageId(o, idx));
      if (p == null) {
        confusion[d.label(idx)][classes]++;
        continue;
      }
      withPrediction++;
      int predicted = names.indexOf(p.className());
      boolean correct = predicted == d.label(idx);
      correctKnown += correct ? 1 : 0;
      scored.add(new SelectivePrecision.Scored(p.confidence(), correct));
      confusion[d.label(idx)][predicted < 0 ? classes : predicted]++;
      if (p.status() == Prediction.Status.PSEUDO) {
        pseudo++;
        pseudoCorrect += correct ? 1 : 0;
      }
    }
    int correctAll = correctKnown;
    r.put("accuracyUnlabelledKnownClasses", ratio(correctKnown, unlabelledKnown.size()));
    r.put("accuracyUnlabelledAll", ratio(correctAll, unlabelledAll.size()));
    r.put("predictionCoverage", ratio(withPrediction, unlabelledKnown.size()));
    r.put("pseudoLabelCoverage", ratio(pseudo, unlabelledKnown.size()));
    r.put("pseudoLabelPrecision", ratio(pseudoCorrect, pseudo));
    // Issue 8's "pseudo-label precision >= 95 % at >= 50 % coverage", independent of the learner's thresholds: the
    // final predictions ranked by confidence (shares of the images with a prediction: see predictionCoverage).
    r.put("precisionOfMostConfident", SelectivePrecision.curve(
        scored.toArray(SelectivePrecision.Scored[]::new), 0.95));
    r.put("confusion", confusionMap(confusion, names));

    // Baselines on the same labelled set, same run.
    int[] trainLabels = labelled.stream().mapToInt(d::label).toArray();
    float[][] rawTrain = labelled.stream().map(d::imageAsFloats).toArray(float[][]::new);
    float[][] rawQueries = unlabelledKnown.stream().map(i -> d.imageAsFloats(plan.order()[i])).toArray(float[][]::new);
    boolean cosine = config.learner().classification().metric() == DistanceMetric.COSINE;
    r.put("baselineRawPixelNearestMean", accuracy(Metrics.nearestMean(rawTrain, trainLabels, classes, rawQueries,
        cosine), unlabelledKnown, d, plan));
    r.put("baselineEmbeddingTrueLabelsOnly", trueLabelsOnly(log.embeddings, labelled, unlabelledKnown, classes,
        cosine, d, o, plan));
    // The same with each image's last embedding (the encoder served at the end): what the learner's pseudo-labels
    // add to, or take from, the final encoder's true-label class means.
    r.put("baselineFinalEmbeddingTrueLabelsOnly", trueLabelsOnly(log.latestEmbeddings, labelled, unlabelledKnown,
        classes, cosine, d, o, plan));
    // And the same labels used as exemplars (a 5-nearest-neighbour vote, cosine) instead of class means: what a
    // learner that kept labelled embeddings beside the prototypes could reach with the same encoder.
    r.put("baselineFinalEmbeddingTrueLabelsNearestNeighbours", trueLabelsNeighbours(log.latestEmbeddings, labelled,
        unlabelledKnown, classes, d, o, plan));

    // Accuracy over time (prequential): first prediction of each image, in arrival order, ten buckets.
    List<Double> firstByDecile = new ArrayList<>();
    List<Double> finalByDecile = new ArrayList<>();
    int buckets = 10;
    for (int b = 0; b < buckets; b++) {
      int from = unlabelledKnown.size() * b / buckets;
      int to = unlabelledKnown.size() * (b + 1) / buckets;
      int firstOk = 0;
      int finalOk = 0;
      for (int k = from; k < to; k++) {
        int idx = plan.order()[unlabelledKnown.get(k)];
        String truth = names.get(d.label(idx));
        PredictionLog.Seen f = log.first.get(Replayer.imageId(o, idx));
        Prediction l = log.latest.get(Replayer.imageId(o, idx));
        firstOk += f != null && f.prediction().className().equals(truth) ? 1 : 0;
        finalOk += l != null && l.className().equals(truth) ? 1 : 0;
      }
      firstByDecile.add(ratio(firstOk, to - from));
      finalByDecile.add(ratio(finalOk, to - from));
    }
    r.put("accuracyOverTimeFirstPrediction", firstByDecile);
    r.put("accuracyOverTimeFinalPrediction", finalByDecile);

    // Anomalies: held-out classes are the positives among unlabelled images.
    List<Double> scores = new ArrayList<>();
    List<Boolean> positives = new ArrayList<>();
    Map<Integer, List<Double>> scoresByVersion = new java.util.TreeMap<>();
    Map<Integer, List<Boolean>> positivesByVersion = new java.util.TreeMap<>();
    int flagged = 0;
    int flaggedPositive = 0;
    int positivesTotal = 0;
    for (int i : unlabelledAll) {
      int idx = plan.order()[i];
      boolean positive = o.unlabelledClasses().contains(d.label(idx));
      positivesTotal += positive ? 1 : 0;
      PredictionLog.Seen f = log.first.get(Replayer.imageId(o, idx));
      if (f == null) {
        continue;
      }
      if (f.prediction().anomalyScore() != null) {
        scores.add(f.prediction().anomalyScore());
        positives.add(positive);
        int version = f.prediction().modelVersion();
        scoresByVersion.computeIfAbsent(version, v -> new ArrayList<>()).add(f.prediction().anomalyScore());
        positivesByVersion.computeIfAbsent(version, v -> new ArrayList<>()).add(positive);
      }
      // A zero-shot prediction is a flagged anomaly that a class known only by its semantics explained.
      if (f.prediction().status() == Prediction.Status.ANOMALY
          || f.prediction().status() == Prediction.Status.ZERO_SHOT) {
        flagged++;
        flaggedPositive += positive ? 1 : 0;
      }
    }
    Map<String, Object> anomaly = new LinkedHashMap<>();
    anomaly.put("auroc", auroc(scores, positives));
    anomaly.put("scored", scores.size());
    // Per encoder version of the first prediction: "through every promotion", not only the mix of all of them.
    Map<String, Object> byVersion = new LinkedHashMap<>();
    scoresByVersion.forEach((version, vs) -> byVersion.put("v" + version,
        Map.of("auroc", auroc(vs, positivesByVersion.get(version)), "scored", vs.size())));
    anomaly.put("aurocByModelVersion", byVersion);
    anomaly.put("flagged", flagged);
    anomaly.put("precisionAtLiveThreshold", ratio(flaggedPositive, flagged));
    anomaly.put("recallAtLiveThreshold", ratio(flaggedPositive, positivesTotal));
    r.put("anomaly", anomaly);

    long end = log.first.values().stream().mapToLong(PredictionLog.Seen::seenAt).max().orElse(start);
    Map<String, Object> perf = new LinkedHashMap<>();
    perf.put("replaySeconds", replayed.millis() / 1000.0);
    perf.put("imagesPerSecondEndToEnd", plan.size() * 1000.0 / Math.max(1, end - start));
    perf.putAll(LatencyOverTime.report(log.first.values().stream()
        .map(v -> new LatencyOverTime.Sample(v.prediction().eventTime(), v.seenAt() - v.prediction().eventTime()))
        .filter(x -> x.latencyMs() >= 0).toList(), start));
    r.put("performance", perf);
    return r;
  }

  /** Nearest class mean over the given embeddings of the labelled images, scored on the unlabelled known ones. */
  private static double trueLabelsOnly(Map<String, float[]> embeddings, List<Integer> labelled,
      List<Integer> unlabelledKnown, int classes, boolean cosine, Dataset d, ReplayOptions o, ReplayPlan plan) {
    return byTrueLabels(embeddings, labelled, unlabelledKnown, d, o, plan,
        (train, labels, queries) -> Metrics.nearestMean(train, labels, classes, queries, cosine));
  }

  private static double trueLabelsNeighbours(Map<String, float[]> embeddings, List<Integer> labelled,
      List<Integer> unlabelledKnown, int classes, Dataset d, ReplayOptions o, ReplayPlan plan) {
    return byTrueLabels(embeddings, labelled, unlabelledKnown, d, o, plan,
        (train, labels, queries) -> Metrics.nearestNeighbours(train, labels, classes, queries, 5));
  }

  /** A classifier fitted on labelled vectors, answering a class per query. */
  private interface Rule {
    int[] classify(float[][] train, int[] labels, float[][] queries);
  }

  /** Accuracy on the unlabelled known-class images of {@code rule} over the labelled images' embeddings. */
  private static double byTrueLabels(Map<String, float[]> embeddings, List<Integer> labelled,
      List<Integer> unlabelledKnown, Dataset d, ReplayOptions o, ReplayPlan plan, Rule rule) {
    List<Integer> trainIdx = labelled.stream().filter(idx -> embeddings.containsKey(Replayer.imageId(o, idx)))
        .toList();
    if (trainIdx.isEmpty()) {
      return Double.NaN;
    }
    float[][] train = trainIdx.stream().map(idx -> embeddings.get(Replayer.imageId(o, idx))).toArray(float[][]::new);
    int[] labels = trainIdx.stream().mapToInt(d::label).toArray();
    // Only images with a vector in this space are scored (without a novelty view, images first embedded after a
    // promotion have none from the starting encoder); a stand-in vector would count them wrong.
    List<Integer> scored = unlabelledKnown.stream()
        .filter(i -> embeddings.containsKey(Replayer.imageId(o, plan.order()[i]))).toList();
    float[][] queries = scored.stream().map(i -> embeddings.get(Replayer.imageId(o, plan.order()[i])))
        .toArray(float[][]::new);
    return accuracy(rule.classify(train, labels, queries), scored, d, plan);
  }

  private static double auroc(List<Double> scores, List<Boolean> positives) {
    boolean[] pos = new boolean[positives.size()];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = positives.get(i);
    }
    return Metrics.auroc(scores.stream().mapToDouble(Double::doubleValue).toArray(), pos);
  }

  private static double accuracy(int[] predicted, List<Integer> queries, Dataset d, ReplayPlan plan) {
    int ok = 0;
    for (int q = 0; q < predicted.length; q++) {
      ok += predicted[q] == d.label(plan.order()[queries.get(q)]) ? 1 : 0;
    }
    return ratio(ok, predicted.length);
  }

  private static Map<String, Map<String, Integer>> confusionMap(int[][] m, List<String> names) {
    Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
    for (int t = 0; t < m.length; t++) {
      Map<String, Integer> row = new LinkedHashMap<>();
      for (int p = 0; p <= names.size(); p++) {
        if (m[t][p] > 0) {
          row.put(p == names.size() ? "(none)" : names.get(p), m[t][p]);
        }
      }
      if (!row.isEmpty()) {
        out.put(names.get(t), row);
      }
    }
    return out;
  }

  static double ratio(long a, long b) {
    return b == 0 ? Double.NaN : Math.round(10_000.0 * a / b) / 10_000.0;
  }
}
