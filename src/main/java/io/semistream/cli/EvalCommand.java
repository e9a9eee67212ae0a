package io.semistream.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.semistream.config.AskingSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.data.DatasetLoader;
import io.semistream.model.DjlEngine;
import io.semistream.model.EmbeddingModel;
import io.semistream.evaluation.LabelStrategy;
import io.semistream.evaluation.PrequentialEval;
import io.semistream.evaluation.TrainingRecipe;
import io.semistream.evaluation.WorkDirectory;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.ReplayPlan;
import io.semistream.records.JsonSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eval}: prequential evaluation of the whole pipeline on a replayed data set. */
@Command(name = "eval", description = "Run the whole pipeline on a fresh embedded broker over a replayed data set "
    + "and report accuracy, pseudo-labels, anomalies, throughput and latency.")
final class EvalCommand implements Callable<Integer> {
  /**
   * The replay rate when the trainer runs and no {@code --rate} is given. As fast as it goes (~900 images/s here),
   * Fashion-MNIST's 70,000 images are all predicted before the first promotion (~100-230 s in), so accuracy by
   * arrival decile is flat and latency is queueing; at 150 images/s promoted encoders serve from the middle of the
   * stream on, and the eval takes no longer (the trainer's budget, not the replay, sets its length).
   */
  static final double RATE_WITH_TRAINER = 150;

  @Spec
  CommandSpec spec;

  @Mixin
  CommonOptions common;

  @Mixin
  ReplayCommand.ReplayFlags replay;

  @Mixin
  ModelOption modelOption;

  @Option(names = "--zero-shot-classes", split = ",",
      description = "Class indices never labelled whose semantic vectors (the data set's attribute table) are "
          + "published: recognised zero-shot; the report adds their top-1 and the generalised (seen + unseen) scores.")
  java.util.Set<Integer> zeroShotClasses = java.util.Set.of();

  @Option(names = "--label-strategy", defaultValue = "random",
      description = "random: the replay labels a stratified random share (--label-fraction, or --label-budget "
          + "labels); active: the replay sends no labels, the service's label requests are answered by a simulated "
          + "person (true class after --annotator-delay; never a held-out class) within --label-budget requests.")
  String labelStrategy;

  @Option(names = "--label-budget", defaultValue = "0",
      description = "Labels in all (random: instead of --label-fraction, spread stratified over the labelled "
          + "classes; active: requests published in all, spent over the first --label-window of the replay when "
          + "--rate is given, else at asking.budget.per.minute).")
  long labelBudget;

  @Option(names = "--label-window", defaultValue = "0.5",
      description = "With --label-strategy active and --rate: the share of the replay over which the budget is "
          + "spent (0.5: the first half).")
  double labelWindow;

  @Option(names = "--annotator-delay", defaultValue = "PT1S",
      description = "With --label-strategy active: how long the simulated person takes to answer (ISO-8601).")
  Duration annotatorDelay;

  @Option(names = "--json", description = "Also write the report as JSON here.")
  Path json;

  @Option(names = "--per-image-csv",
      description = "Also write every image's true class, final prediction (class, confidence, margin, status) and "
          + "final embedding here, one CSV row per image, for offline study.")
  Path perImageCsv;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "Give up after this long (ISO-8601).")
  Duration timeout;

  @Option(names = "--quiet", defaultValue = "PT12S",
      description = "Done once every image has a prediction and none changed for this long ...")
  Duration quiet;

  @Option(names = "--settle", defaultValue = "PT30S",
      description = "... or at the latest this long after the last image got its first prediction.")
  Duration settle;

  @Option(names = "--trainer-only", defaultValue = "0",
      description = "Instead of the whole service: only the online trainer's recipe (trainer.* settings) for this many "
          + "steps on the same labels, without Kafka; prints the learner's rule (nearest class mean, cosine, true "
          + "labels) on unlabelled images at each checkpoint. Chooses recipes in minutes; the full eval measures the "
          + "service.")
  long trainerOnlySteps;

  @Option(names = "--checkpoint-every", defaultValue = "150",
      description = "With --trainer-only: steps between checkpoints.")
  long checkpointEvery;

  @Option(names = "--sample", defaultValue = "10000",
      description = "With --trainer-only: unlabelled images scored at each checkpoint.")
  int sample;

  @Override
  public Integer call() throws Exception {
    if (!(labelWindow > 0 && labelWindow <= 1)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--label-window must be in (0, 1], not " + labelWindow);
    }
    SemistreamConfig config = common.load();
    Device device = DjlEngine.startFor(config.embedding());
    Path dir = modelOption.resolve(config, device, System.out);
    var options = replay.options(false);
    java.util.Set<Integer> unlabelled = new java.util.TreeSet<>(options.unlabelledClasses());
    unlabelled.addAll(zeroShotClasses);
    options = options.withHoldout(unlabelled, options.unsentClasses());
    var dataset = new DatasetLoader(config.dataDir()).load(options.dataset());
    boolean active = switch (labelStrategy) {
      case "random" -> false;
      case "active" -> true;
      default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--label-strategy must be random or active, not '" + labelStrategy + "'");
    };
    if (labelBudget > 0 || active) {
      options = options.withLabelFraction(active ? 0 : labelFractionFor(dataset, options, labelBudget));
    }
    if (trainerOnlySteps == 0 && config.trainer().enabled() && !spec.commandLine().getParseResult()
        .hasMatchedOption("--rate")) {
      options = options.withRate(RATE_WITH_TRAINER);
      System.out.printf("eval: replay at %.0f images/s, so that promoted encoders serve while images still arrive "
          + "(--rate 0: as fast as it goes)%n", RATE_WITH_TRAINER);
    }
    LabelStrategy labelling = new LabelStrategy(active, labelBudget, annotatorDelay);
    if (active) {
      config = config.withAsking(activeBudget(config.asking(), dataset, options));
      System.out.printf("eval: active labels (%s), %d requests at most, %.0f per minute, %d open at most, "
              + "unanswered ones withdrawn after %d ms%n", config.asking().strategy().key(), config.asking().total(),
          config.asking().perMinute(), config.asking().maxOutstanding(), config.asking().ttlMs());
    }
    if (trainerOnlySteps > 0) {
      return trainerOnly(config, device, dir, options);
    }
    try (EmbeddingModel model = EmbeddingModel.load(dir, device)) {
      Map<String, Object> report = new PrequentialEval(config, model, System.out, perImageCsv).run(dataset, options,
          zeroShotClasses, labelling, timeout, quiet, settle);
      String text = JsonSerde.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
      System.out.println(text);
      if (json != null) {
        if (json.getParent() != null) {
          Files.createDirectories(json.getParent());
        }
        Files.writeString(json, text);
      }
    }
    return 0;
  }

  /** The stratified fraction that gives about {@code budget} labels over the classes that get labels. */
  private static double labelFractionFor(io.semistream.data.Dataset d, ReplayOptions o, long budget) {
    ReplayPlan plan = ReplayPlan.of(d, o.withLabelFraction(0));
    long labellable = java.util.Arrays.stream(plan.order()).filter(i -> !o.unlabelledClasses().contains(d.label(i)))
        .count();
    return Math.min(1, (double) budget / Math.max(1, labellable));
  }

  /**
   * The budget spread over the first {@code --label-window} of the replay when its rate is known (so that the
   * last labels still shape most of the stream); enough requests open at once to cover the annotator's delay and
   * the pipeline's round trip (about 4 s here: the request's and the label's transactions and repartitions); and
   * requests the simulated person leaves (a held-out class) withdrawn after ten times the delay (at least 10 s),
   * or they would hold every open slot and stop the requests.
   */
  private AskingSettings activeBudget(AskingSettings s, io.semistream.data.Dataset d, ReplayOptions o) {
    double perMinute = s.perMinute();
    if (o.ratePerSecond() > 0) {
      double seconds = ReplayPlan.of(d, o).size() / o.ratePerSecond();
      perMinute = labelBudget / (seconds * labelWindow) * 60;
    }
    double roundTrip = annotatorDelay.toMillis() / 1000.0 + 4;
    int open = (int) Math.max(s.maxOutstanding(), Math.ceil(perMinute / 60 * roundTrip));
    return s.withBudget(perMinute, labelBudget, open)
        .withRequestTtl(Math.max(10_000, 10 * annotatorDelay.toMillis()));
  }

  private int trainerOnly(SemistreamConfig config, Device device, Path dir, ReplayOptions options)
      throws Exception {
    var t = config.trainer();
    System.out.printf("trainer recipe: head %s (scale %.0f), %d labelled + 2 x %d unlabelled per step, lr %s, "
            + "threshold %s, consistency %s, reconstruction %s, %d steps from %s%n", t.head(), t.cosineScale(),
        t.labelledBatch(), t.unlabelledBatch(), t.learningRate(), t.threshold(), t.consistencyWeight(),
        t.reconstructionWeight(), trainerOnlySteps, dir);
    System.out.println("| steps | image passes | training s | passes/s | held-out labels acc | unlabelled known acc "
        + "| same, 5-NN over the labels | the trainer's class head | novel-class AUROC, cosine / Euclidean distance | pseudo-label mask "
        + "| skipped steps |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    Path scratch = Files.createTempDirectory("semistream-recipe");
    try {
      TrainingRecipe.run(dir, device, new DatasetLoader(config.dataDir()).load(options.dataset()), options, t,
          trainerOnlySteps, checkpointEvery, sample, scratch, c -> System.out.printf(
              "| %d | %,d | %.0f | %,.0f | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.3f / %.3f | %.2f | %d |%n", c.steps(),
              c.imagePasses(), c.trainingSeconds(), c.steps() == 0 ? 0 : c.imagePasses() / c.trainingSeconds(),
              100 * c.heldOutAccuracy(), 100 * c.unlabelledAccuracy(), 100 * c.unlabelledAccuracyFiveNn(),
              100 * c.headAccuracy(),
              c.novelClassAuroc(),
              c.novelClassAurocEuclidean(), c.maskRate(), c.skippedSteps()));
    } finally {
      WorkDirectory.delete(scratch);
    }
    return 0;
  }
}
