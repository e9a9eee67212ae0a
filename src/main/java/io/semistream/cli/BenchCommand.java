package io.semistream.cli;

import io.semistream.training.OnlineTrainer;
import io.semistream.training.TrainingThroughput;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import io.semistream.broker.EmbeddedKafkaBroker;
import io.semistream.config.SemistreamConfig;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.model.DjlEngine;
import io.semistream.model.EmbeddingModel;
import io.semistream.embedding.EmbeddingService;
import io.semistream.embedding.EmbeddingStats;
import io.semistream.evaluation.BigImageStall;
import io.semistream.evaluation.LatencyUnderLoad;
import io.semistream.evaluation.ScaleOut;
import io.semistream.evaluation.Soak;
import io.semistream.evaluation.ThreadCpu;
import io.semistream.evaluation.WorkDirectory;
import io.semistream.model.ImageEmbedding;
import io.semistream.image.ImagePreprocessor;
import io.semistream.kafka.KafkaClients;
import io.semistream.learning.PrototypeSearchBench;
import io.semistream.learning.StateCodecBench;
import ai.djl.ndarray.NDManager;
import io.semistream.replay.PngEncoder;
import io.semistream.replay.ReplayOptions;
import io.semistream.topics.TopicApplier;
import io.semistream.topics.TopicRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench}: embedding throughput at several batch sizes, the standalone model and the same model behind
 * Kafka (embedded broker, exactly-once service), measured side by side in one run.
 */
@Command(name = "bench", description = "Embedding throughput: standalone model vs. through Kafka, per batch size.")
final class BenchCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Option(names = "--batch-sizes", split = ",", defaultValue = "1,32,256")
  List<Integer> batchSizes;

  @Option(names = "--images", defaultValue = "4096", description = "Images per measurement (batch 1: a quarter).")
  int images;

  @Mixin
  ModelOption modelOption;

  @Option(names = "--repeat", defaultValue = "1", description = "Measure standalone and through Kafka this many "
      + "times, alternating (a fresh broker each time), and report the medians: one run on a shared machine varies "
      + "by a quarter.")
  int repeat;

  @Option(names = "--skip-kafka", description = "Only measure the standalone model.")
  boolean skipKafka;

  private static final Duration MAX_JIT_WARM_UP = Duration.ofMinutes(4);
  /** Set once the JIT has settled in this process ({@link #settleJit}). */
  private boolean jitSettled;
  /** The JIT compiler threads' share of one core during each measurement through Kafka, per batch size. */
  private final Map<Integer, List<Double>> compilerShare = new LinkedHashMap<>();

  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Images to embed: fashion-mnist or mnist.")
  String dataset;

  @Option(names = "--train-steps", defaultValue = "0",
      description = "Also measure the online trainer: this many steps (after 5 warm-up steps), with the trainer.* batch "
          + "settings; reports image passes/s and resident memory before and after.")
  int trainSteps;

  @Option(names = "--prototype-classes", split = ",",
      description = "Instead of the model: nearest-prototype search at these class counts (e.g. 10,1000,10000), 64-d, "
          + "the direct per-class loop vs the index per record vs batched, one thread and all cores.")
  List<Integer> prototypeClasses = List.of();

  @Option(names = "--latency-loads", split = ",",
      description = "Instead: latency under load through the whole pipeline (broker, embedding service, learner) at "
          + "these percentages of the measured maximum rate, e.g. 25,50,75,100: p50/p99 image -> prediction "
          + "visible to a read_committed reader.")
  List<Integer> latencyLoads = List.of();

  @Option(names = "--latency-seconds", defaultValue = "20", description = "Seconds of images per load level.")
  int latencySeconds;

  @Option(names = "--big-images", defaultValue = "0",
      description = "Measure the stall a burst of this many big (2048x2048 RGBA) images causes to small images "
          + "produced right after them, with the embedding service's slow lane on and off.")
  int bigImages;

  @Option(names = "--soak-images", defaultValue = "0",
      description = "Instead: a soak of this many images (the data set looping, fresh ids, labels included) through "
          + "the whole pipeline in one process, sampling resident memory, heap and native memory over time.")
  long soakImages;

  @Option(names = "--soak-label-every", defaultValue = "100", description = "Soak: one image in this many is labelled.")
  int soakLabelEvery;

  @Option(names = "--soak-window", defaultValue = "4000",
      description = "Soak: at most this many images in flight (produced, not yet predicted).")
  int soakWindow;

  @Option(names = "--soak-sample-seconds", defaultValue = "10", description = "Soak: seconds between samples.")
  int soakSampleSeconds;

  @Option(names = "--soak-external-broker",
      description = "Soak against the fresh broker of --bootstrap-servers (e.g. `semistream broker` in another "
          + "process) instead of an embedded one, so that the memory measured is the pipeline's alone.")
  boolean soakExternalBroker;

  @Option(names = "--soak-plot", description = "Also write the soak's memory over time as an SVG chart to this file.")
  Path soakPlot;

  @Option(names = "--scale-out", split = ",",
      description = "Instead: the same stream through this many embedding services and learner instances on one "
          + "broker, e.g. 1,2,3: images/s per count, and whether the labelled prototypes are bit-equal.")
  List<Integer> scaleOut = List.of();

  @Option(names = "--scale-images", defaultValue = "20000", description = "Scale-out: images per instance count.")
  int scaleImages;

  @Option(names = "--latency-plot", description = "Also write the latency result as an SVG chart to this file.")
  Path latencyPlot;

  @Option(names = "--state-codec", description = "Instead: what reading and writing one image's learner state "
      + "costs, JSON (the earlier format) against the binary layout, side by side.")
  boolean stateCodec;

  @Override
  public Integer call() throws Exception {
    if (stateCodec) {
      StateCodecBench.Result r = StateCodecBench.run(20_000, 15);
      System.out.println("| learner state (64-d embedding + 64-d novelty view, contribution, prediction) | encode (us) "
          + "| decode (us) | bytes |");
      System.out.println("|---|---:|---:|---:|");
      System.out.printf("| JSON (before) | %.2f | %.2f | %d |%n", r.jsonEncodeMicros(), r.jsonDecodeMicros(),
          r.jsonBytes());
      System.out.printf("| binary | %.2f | %.2f | %d |%n", r.binaryEncodeMicros(), r.binaryDecodeMicros(),
          r.binaryBytes());
      System.out.printf("| JSON / binary | %.1f | %.1f | %.1f |%n", r.jsonEncodeMicros() / r.binaryEncodeMicros(),
          r.jsonDecodeMicros() / r.binaryDecodeMicros(), r.jsonBytes() / (double) r.binaryBytes());
      return 0;
    }
    if (!prototypeClasses.isEmpty()) {
      return benchPrototypeSearch();
    }
    if (!latencyLoads.isEmpty()) {
      return benchLatency();
    }
    if (bigImages > 0) {
      return benchBigImageStall();
    }
    if (soakImages > 0) {
      return benchSoak();
    }
    if (!scaleOut.isEmpty()) {
      return benchScaleOut();
    }
    SemistreamConfig config = common.load();
    Device device = DjlEngine.startFor(config.embedding());
    DjlEngine.disableGradientsOnThisThread();
    Path dir = modelOption.resolve(config, device, System.out);
    Dataset benchImages = new DatasetLoader(config.dataDir()).load(DatasetName.parse(dataset));
    // The engine's version says which libtorch actually loaded (a PYTORCH_LIBRARY_PATH build or the Maven one).
    System.out.printf("bench: device %s, PyTorch %s, %d cores, intra-op threads %d, model %s%n", device,
        Engine.getEngine(DjlEngine.ENGINE).getVersion(), Runtime.getRuntime().availableProcessors(),
        config.embedding().effectiveIntraOpThreads(), dir);
    Map<Integer, List<Double>> standalone = new LinkedHashMap<>();
    Map<Integer, List<Double>> viaKafka = new LinkedHashMap<>();
    Map<Integer, List<Double>> onePerTransaction = new LinkedHashMap<>();
    Map<Integer, List<Double>> ratios = new LinkedHashMap<>();
    try (EmbeddingModel model = EmbeddingModel.load(dir, device)) {
      for (int run = 1; run <= Math.max(1, repeat); run++) {
        if (repeat > 1) {
          System.out.printf("-- run %d of %d%n", run, repeat);
        }
        if (skipKafka) {
          for (int b : batchSizes) {
            standalone.computeIfAbsent(b, k -> new ArrayList<>()).add(standaloneRate(config, model, benchImages, b));
          }
        }
        if (run == 1) {
          ImagePreprocessor pre = new ImagePreprocessor(28, 1 << 20, 4096);
          double plain = decodeRate(benchImages, pre);
          double imageIo = decodeRate(benchImages, pre.throughImageIoOnly());
          System.out.printf("decode+preprocess (PNG 28x28, 1 thread): %,.0f images/s (%.1f us/image) as the service "
              + "decodes, %,.0f (%.1f us/image) through ImageIO, %.1f times faster%n", plain, 1e6 / plain, imageIo,
              1e6 / imageIo, plain / imageIo);
          int b = batchSizes.get(0);
          System.out.printf("novelty view after a promotion (the fixed version's encoder alone, batch %d): %,.0f "
              + "images/s, beside %,.0f for the whole forward pass%n", b, encoderOnly(model, benchImages, b, count(b)),
              standalone(model, benchImages, b, count(b), 1).imagesPerSecond());
        }
        if (!skipKafka) {
          kafka(config, model, benchImages, standalone, viaKafka, onePerTransaction, ratios);
        }
      }
    }
    if (trainSteps > 0) {
      benchTraining(config, device, dir, benchImages);
    }
    System.out.println();
    String of = repeat > 1 ? String.format(", median of %d (min-max)", repeat) : "";
    System.out.printf("| batch | standalone model (img/s%s) | through Kafka, 1 batch per transaction | "
        + "through Kafka, up to %d per transaction | Kafka / standalone (medians) | Kafka / standalone around it "
        + "(each run; median) | JIT compilers during it (%% of one core, each run) |%n", of,
        config.embedding().transactionMaxBatches());
    System.out.println("|------:|------:|------:|------:|------:|------:|------:|");
    for (int b : batchSizes) {
      List<Double> one = onePerTransaction.get(b);
      List<Double> k = viaKafka.getOrDefault(b, one);
      double base = median(standalone.get(b));
      List<Double> paired = ratios.getOrDefault(b, List.of());
      System.out.printf("| %5d | %s | %s | %s | %s | %s | %s |%n", b, cell(standalone.get(b)), cell(one), cell(k),
          k == null ? "-" : String.format("%.2f", median(k) / base), paired.isEmpty() ? "-"
              : paired.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).collect(Collectors.joining(", "))
                  + String.format(Locale.ROOT, "; **%.2f**", median(paired)),
          compilerShare.getOrDefault(b, List.of()).stream().map(c -> String.format(Locale.ROOT, "%.0f", c))
              .collect(Collectors.joining(", ")));
    }
    return 0;
  }

  /** The standalone model at batch {@code b} with the service's parallelism, printed. */
  private double standaloneRate(SemistreamConfig config, EmbeddingModel model, Dataset data, int b)
      throws Exception {
    int workers = config.embedding().threads();
    Standalone run = standalone(model, data, b, count(b), workers);
    double rate = run.imagesPerSecond();
    System.out.printf("standalone  batch %4d: %,10.0f images/s (%d predictor(s) side by side, %d intra-op "
        + "thread(s) each, as the service's workers run)%n", b, rate, workers,
        config.embedding().effectiveIntraOpThreads());
    System.out.println("            CPU: " + run.cpu());
    return rate;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The median, and the range when there are several runs. */
  private static String cell(List<Double> values) {
    if (values == null || values.isEmpty()) {
      return "-";
    }
    if (values.size() == 1) {
      return String.format("%,.0f", values.get(0));
    }
    return String.format("%,.0f (%,.0f-%,.0f)", median(values), values.stream().mapToDouble(d -> d).min().orElse(0),
        values.stream().mapToDouble(d -> d).max().orElse(0));
  }

  /** What every model bench starts with: the configuration, the engine on its device, the model, the images. */
  private record Setup(SemistreamConfig config, Device device, Path modelDir, Dataset data) {
  }

  private Setup setUp() throws Exception {
    SemistreamConfig config = common.load();
    Device device = DjlEngine.startFor(config.embedding());
    DjlEngine.disableGradientsOnThisThread();
    Path dir = modelOption.resolve(config, device, System.out);
    return new Setup(config, device, dir, new DatasetLoader(config.dataDir()).load(DatasetName.parse(dataset)));
  }

  private int benchLatency() throws Exception {
    Setup s = setUp();
    System.out.printf("bench: latency under load, device %s, %d cores, model %s, embedding batch %d, max wait %d ms%n",
        s.device(), Runtime.getRuntime().availableProcessors(), s.modelDir(), s.config().embedding().batchSize(),
        s.config().embedding().maxWaitMs());
    LatencyUnderLoad.Result r;
    try (EmbeddingModel model = EmbeddingModel.load(s.modelDir(), s.device())) {
      r = LatencyUnderLoad.run(s.config(), model, s.data(), latencyLoads,
          Duration.ofSeconds(latencySeconds), System.out);
    }
    System.out.println();
    System.out.printf("maximum: %,.0f images/s end to end, sustained (a flood drained at %,.0f)%n%n", r.maxRate(),
        r.floodRate());
    System.out.println("| load | asked (img/s) | sent (img/s) | images | p50 (ms) | p99 (ms) | max (ms) | image → "
        + "embedding p50 / p99 | embedding → prediction p50 / p99 | slowest 1 %: share in the learner's hop | GC "
        + "pauses (longest ms) | JIT compilers (% of one core) |");
    System.out.println("|-----:|------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|");
    for (LatencyUnderLoad.Load l : r.loads()) {
      var h = l.hops();
      System.out.printf("| %d %% | %,.0f | %,.0f | %,d | %.0f | %.0f | %.0f | %.0f / %.0f | %.0f / %.0f | %.0f %% | "
          + "%d (%.0f) | %.0f |%n", l.percent(), l.askedRate(), l.achievedRate(), l.images(), l.p50Ms(), l.p99Ms(),
          l.maxMs(), h.embeddingP50Ms(), h.embeddingP99Ms(), h.learnerP50Ms(), h.learnerP99Ms(),
          h.slowestInLearnerPercent(), h.gcPauses(), h.gcLongestMs(), l.compilersPercent());
    }
    if (latencyPlot != null) {
      Files.writeString(latencyPlot, LatencyUnderLoad.svg(r));
      System.out.println("plot: " + latencyPlot);
    }
    return r.loads().stream().allMatch(l -> l.missing() == 0) ? 0 : 1;
  }

  private int benchScaleOut() throws Exception {
    Setup s = setUp();
    System.out.printf("bench: scale-out %s, %,d images each, device %s, %d cores, model %s%n", scaleOut, scaleImages,
        s.device(), Runtime.getRuntime().availableProcessors(), s.modelDir());
    List<ScaleOut.Run> runs;
    try (EmbeddingModel model = EmbeddingModel.load(s.modelDir(), s.device())) {
      runs = ScaleOut.run(s.config(), model, s.data(), scaleOut, scaleImages, System.out);
    }
    System.out.println();
    System.out.println("| embedding services + learner instances | images/s | vs 1 | labelled prototypes bit-equal to "
        + "the first run's |");
    System.out.println("|---:|---:|---:|---|");
    ScaleOut.Run first = runs.get(0);
    boolean allEqual = true;
    for (ScaleOut.Run r : runs) {
      boolean equal = r.bitEqual(first) && r.labelledCounts().equals(first.labelledCounts());
      allEqual &= equal;
      System.out.printf("| %d | %,.0f | %.2f | %s (%d classes) |%n", r.instances(), r.imagesPerSecond(),
          r.imagesPerSecond() / first.imagesPerSecond(), equal ? "yes" : "NO", r.labelledMeans().size());
    }
    return allEqual ? 0 : 1;
  }

  private int benchSoak() throws Exception {
    Setup s = setUp();
    System.out.printf("bench: soak of %,d images, device %s, %d cores, max heap %,d MiB, model %s, backlog retention "
            + "%,d ms%n", soakImages, s.device(), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, s.modelDir(), s.config().learner().retention().backlogMs());
    Soak.Result r;
    try (EmbeddingModel model = EmbeddingModel.load(s.modelDir(), s.device())) {
      r = Soak.run(s.config(), model, s.data(), soakImages, soakLabelEvery, soakWindow,
          Duration.ofSeconds(soakSampleSeconds), soakExternalBroker, System.out);
    }
    System.out.println();
    System.out.printf("%,d images in %.0f s: %,.0f images/s; after the warm-up (the first %,d images):%n%n",
        soakImages, r.seconds(), r.imagesPerSecond(), r.warmUpImages());
    System.out.println("| measure | first after warm-up (MiB) | last (MiB) | min (MiB) | max (MiB) | (max - min) / mean "
        + "| trend (MiB per 100,000 images) |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    Map<String, java.util.function.ToLongFunction<Soak.Sample>> measures = new LinkedHashMap<>();
    measures.put("resident (RSS)", Soak.Sample::rssBytes);
    measures.put("heap committed", Soak.Sample::heapCommittedBytes);
    measures.put("heap live after GC", Soak.Sample::heapLiveBytes);
    measures.put("native (RSS - heap committed)", Soak.Sample::nativeBytes);
    measures.put("direct buffers", Soak.Sample::directBytes);
    measures.put("RocksDB (the shared cache's usage; 0 with learner.state.memory.mb=0)", Soak.Sample::stateStoreBytes);
    measures.put("native other than RocksDB", x -> x.nativeBytes() - x.stateStoreBytes());
    List<Soak.Sample> after = r.afterWarmUp();
    for (var m : measures.entrySet()) {
      var f = m.getValue();
      System.out.printf("| %s | %,d | %,d | %,d | %,d | %.1f %% | %+.1f |%n", m.getKey(),
          after.isEmpty() ? 0 : f.applyAsLong(after.get(0)) >> 20,
          after.isEmpty() ? 0 : f.applyAsLong(after.get(after.size() - 1)) >> 20,
          after.stream().mapToLong(f).min().orElse(0) >> 20, after.stream().mapToLong(f).max().orElse(0) >> 20,
          r.spreadPercent(f), r.slopePer100k(f) / 1048576.0);
    }
    if (soakPlot != null) {
      Files.writeString(soakPlot, Soak.svg(r));
      System.out.println("plot: " + soakPlot);
    }
    return 0;
  }

  private int benchBigImageStall() throws Exception {
    Setup s = setUp();
    System.out.printf("bench: small images behind big ones, device %s, %d cores, model %s, embedding batch %d%n",
        s.device(), Runtime.getRuntime().availableProcessors(), s.modelDir(), s.config().embedding().batchSize());
    List<BigImageStall.Run> runs;
    try (EmbeddingModel model = EmbeddingModel.load(s.modelDir(), s.device())) {
      runs = BigImageStall.run(s.config(), model, s.data(), bigImages, 64, System.out);
    }
    System.out.println();
    System.out.println("| setting | big images | small images after them | last small embedded (ms) "
        + "| last big embedded (ms) |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (BigImageStall.Run r : runs) {
      System.out.printf("| %s | %d | %d | %,.0f | %s |%n", r.setting(), r.big(), r.small(), r.lastSmallMs(),
          Double.isNaN(r.lastBigMs()) ? "-" : String.format("%,.0f", r.lastBigMs()));
    }
    return 0;
  }

  private int benchPrototypeSearch() throws Exception {
    SemistreamConfig config = common.load();
    var metric = config.learner().classification().metric();
    System.out.printf("bench: nearest-prototype search, %d cores, metric %s, dimension 64%n",
        Runtime.getRuntime().availableProcessors(), metric);
    List<PrototypeSearchBench.Result> results = new ArrayList<>();
    Device device = DjlEngine.startFor(config.embedding());
    DjlEngine.disableGradientsOnThisThread();
    try (NDManager manager = NDManager.newBaseManager(device)) {
      for (int classes : prototypeClasses) {
        PrototypeSearchBench.Result r = PrototypeSearchBench.run(classes, 64, metric, 1, manager);
        results.add(r);
        System.out.printf("%,7d classes: direct %,.0f, index %,.0f (%.1f us/record), batched %,.0f, batched on %d "
            + "threads %,.0f, PyTorch %,.0f (without novelty %,.0f) images/s; per record with %,d labelled images "
            + "voting %,.0f images/s (%.1f us/record)%n", classes, r.direct(), r.indexed(),
            r.microsPerRecord(), r.batched(), r.threads(), r.batchedAllCores(), r.torch(), r.torchWithoutNovelty(),
            r.exemplars(), r.withVote(), 1e6 / r.withVote());
      }
    }
    System.out.println();
    System.out.println("| classes | direct loop (img/s) | index, per record (img/s) | us/record | index, batches of 256 "
        + "(img/s) | batched, all cores (img/s) | PyTorch, batches of 256 (img/s) | PyTorch, without novelty (img/s) "
        + "| per record / direct |");
    System.out.println("|--------:|------:|------:|------:|------:|------:|------:|------:|------:|");
    for (PrototypeSearchBench.Result r : results) {
      System.out.printf("| %,d | %s | %,.0f | %.1f | %,.0f | %,.0f | %,.0f | %,.0f | %s |%n", r.classes(),
          Double.isNaN(r.direct()) ? "-" : String.format("%,.0f", r.direct()), r.indexed(), r.microsPerRecord(),
          r.batched(), r.batchedAllCores(), r.torch(), r.torchWithoutNovelty(),
          Double.isNaN(r.direct()) ? "-" : String.format("%.1f", r.indexed() / r.direct()));
    }
    return 0;
  }

  private void benchTraining(SemistreamConfig config, Device device, Path dir, Dataset data) throws Exception {
    var t = config.trainer();
    var options = OnlineTrainer.Options.of(t);
    long rssBefore = residentBytes();
    TrainingThroughput.Result r = TrainingThroughput.measure(dir, device, data, options, 5, trainSteps);
    long rssAfter = residentBytes();
    System.out.printf("training: %d steps of %d labelled + 2 x %d unlabelled images: %,.0f image passes/s "
            + "(%.2f s per step, %.0f %% of the unlabelled images pseudo-labelled); resident memory %,d MB before, "
            + "%,d MB after%n", r.steps(), t.labelledBatch(), t.unlabelledBatch(), r.passesPerSecond(),
        r.seconds() / r.steps(), 100 * r.meanMaskRate(), rssBefore >> 20, rssAfter >> 20);
  }

  /** Resident set size of this process (Linux), where PyTorch's native memory shows; -1 elsewhere. */
  private static long residentBytes() {
    try {
      String[] statm = java.nio.file.Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
      return Long.parseLong(statm[1]) * 4096;
    } catch (Exception e) {
      return -1;
    }
  }

  private int count(int batch) {
    int n = batch == 1 ? Math.max(1, images / 4) : images;
    return Math.max(batch, n / batch * batch);
  }

  /** {@code n} images of {@code data} (cycling) in batches of {@code batch}. */
  private static float[][][] batches(Dataset data, int batch, int n) {
    float[][][] batches = new float[n / batch][batch][];
    for (int i = 0; i < n; i++) {
      batches[i / batch][i % batch] = data.imageAsFloats(i % data.size());
    }
    return batches;
  }

  /**
   * The model alone with the service's parallelism: {@code workers} predictors, each on its own thread (as each
   * worker has one), sharing the batches after three warm-up batches each; images/s from the common start to the
   * last one done.
   */
  private static Standalone standalone(EmbeddingModel model, Dataset data, int batch, int n, int workers)
      throws Exception {
    float[][][] batches = batches(data, batch, n);
    CyclicBarrier start = new CyclicBarrier(workers + 1);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        final int first = w;
        done.add(pool.submit(() -> {
          DjlEngine.disableGradientsOnThisThread();
          try (Predictor<float[][], List<ImageEmbedding>> predictor = model.newPredictor()) {
            for (int warm = 0; warm < Math.min(3, batches.length); warm++) {
              predictor.predict(batches[warm]);
            }
            start.await();
            for (int i = first; i < batches.length; i += workers) {
              predictor.predict(batches[i]);
            }
          }
          return null;
        }));
      }
      start.await();
      long t0 = System.nanoTime();
      ThreadCpu.Snapshot cpu = ThreadCpu.snapshot();
      for (Future<?> f : done) {
        f.get();
      }
      double rate = (long) batches.length * batch / ((System.nanoTime() - t0) / 1e9);
      // Before the pool shuts down: an ended thread's CPU leaves /proc with it.
      return new Standalone(rate, ThreadCpu.since(cpu).describe(4));
    } finally {
      pool.shutdownNow();
    }
  }

  /** The standalone model's rate, and the CPU the process spent meanwhile (who ran beside the forward passes). */
  private record Standalone(double imagesPerSecond, String cpu) {}

  /** The novelty view's extra cost per batch once another version serves: {@link EmbeddingModel#encode}. */
  private static double encoderOnly(EmbeddingModel model, Dataset data, int batch, int n) {
    float[][][] batches = batches(data, batch, n);
    for (int w = 0; w < Math.min(3, batches.length); w++) {
      model.encode(batches[w]);
    }
    long start = System.nanoTime();
    for (float[][] b : batches) {
      model.encode(b);
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /** Images/s of {@code pre} over 2,000 of the data set's images as PNGs: two passes to warm up, three timed. */
  private static double decodeRate(Dataset data, ImagePreprocessor pre) throws Exception {
    List<byte[]> pngs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      pngs.add(PngEncoder.grey(data.imageBytes(i), 28, 28));
    }
    long start = 0;
    for (int pass = 0; pass < 5; pass++) {
      if (pass == 2) {
        start = System.nanoTime();
      }
      for (byte[] p : pngs) {
        pre.preprocess(p);
      }
    }
    return 3 * pngs.size() / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * Through Kafka at each batch size, bracketed by the standalone model at the same batch size just before and just
   * after: this machine's speed drifts by a quarter from one minute to the next, so the standalone rate recorded
   * (and the run's ratio) is the mean of the two around the Kafka measurement, not one taken minutes apart.
   */
  private void kafka(SemistreamConfig config, EmbeddingModel model, Dataset benchImages,
      Map<Integer, List<Double>> standalone, Map<Integer, List<Double>> out,
      Map<Integer, List<Double>> onePerTransaction, Map<Integer, List<Double>> ratios) throws Exception {
    Path brokerDir = Files.createTempDirectory("semistream-bench-kafka");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDir, 0, EmbeddedKafkaBroker.SERVICE)) {
      SemistreamConfig live = config.withBootstrapServers(broker.bootstrapServers());
      KafkaClients clients = new KafkaClients(live.kafka());
      TopicRegistry topics = TopicRegistry.load(config.topics().prefix());
      try (Admin admin = clients.admin()) {
        new TopicApplier(admin).apply(topics.catalogue().all().values(), 0);
      }
      ReplayCommand.run(live, ReplayOptions.defaults(DatasetName.parse(dataset)).withLimit(images)
          .withLabelFraction(0));
      idle();
      settleJit(config, clients, topics, model);
      for (int b : batchSizes) {
        // One transaction per batch first (it also warms the Kafka path up), then the configured span
        // (embedding.transaction.max.batches) right between two standalone runs.
        int configured = config.embedding().transactionMaxBatches();
        if (configured != 1) {
          onePerTransaction.computeIfAbsent(b, k -> new ArrayList<>())
              .add(throughKafka(config, clients, topics, model, b, 1, "").imagesPerSecond());
          idle();
        }
        double before = standaloneRate(config, model, benchImages, b);
        KafkaRun measured = throughKafka(config, clients, topics, model, b, configured, "");
        double rate = measured.imagesPerSecond();
        compilerShare.computeIfAbsent(b, k -> new ArrayList<>()).add(measured.cpu().compilers());
        idle();
        double around = (before + standaloneRate(config, model, benchImages, b)) / 2;
        (configured == 1 ? onePerTransaction : out).computeIfAbsent(b, k -> new ArrayList<>()).add(rate);
        standalone.computeIfAbsent(b, k -> new ArrayList<>()).add(around);
        ratios.computeIfAbsent(b, k -> new ArrayList<>()).add(rate / around);
        System.out.printf(Locale.ROOT, "batch %d: through Kafka / the standalone model around it (mean %,.0f images/s)"
            + " = %.2f%n", b, around, rate / around);
      }
    } finally {
      WorkDirectory.delete(brokerDir);
    }
  }

  /**
   * Runs the Kafka path (first batch size, the configured span) until the JIT's compiler threads use under 5 % of one
   * core over a pass, for at most {@link #MAX_JIT_WARM_UP} (on two cores the compilers took about three minutes of
   * traffic to settle: the latency bench's settling passes), once per process. Without it the first measurements
   * share the two cores with the compilers working through the broker's and clients' code: 20-40 % of one core
   * during them on this machine, which the standalone model (native code all along) never pays. A service that
   * runs for hours pays it once, so steady state is what the ratio should compare (what JMH's warm-up is for).
   */
  private void settleJit(SemistreamConfig config, KafkaClients clients, TopicRegistry topics, EmbeddingModel model)
      throws Exception {
    long deadline = System.nanoTime() + MAX_JIT_WARM_UP.toNanos();
    for (int pass = 1; System.nanoTime() < deadline && !jitSettled; pass++) {
      KafkaRun warm = throughKafka(config, clients, topics, model, batchSizes.get(0),
          config.embedding().transactionMaxBatches(), "-warmup" + pass);
      double compilers = warm.cpu().compilers();
      System.out.printf(Locale.ROOT, "JIT warm-up pass %d: compiler threads at %.0f %% of one core%n", pass,
          compilers);
      jitSettled = compilers < 5;
    }
    jitSettled = true;
  }

  /** Two seconds of nothing, and what the process burnt meanwhile: a closed service must leave nothing running. */
  private static void idle() throws InterruptedException {
    ThreadCpu.Snapshot before = ThreadCpu.snapshot();
    Thread.sleep(2000);
    System.out.println("            idle: " + ThreadCpu.since(before).describe(3));
  }

  /** Steady-state images/s through Kafka, and the CPU the process spent meanwhile. */
  private record KafkaRun(double imagesPerSecond, ThreadCpu.Usage cpu) {}

  /** One embedding service at batch {@code b} over every image from the start: its steady-state images/s. */
  private KafkaRun throughKafka(SemistreamConfig config, KafkaClients clients, TopicRegistry topics,
      EmbeddingModel model, int b, int perTransaction, String tag) throws Exception {
    int target = count(b);
    String ids = "bench-b" + b + "-t" + perTransaction + tag;
    var settings = config.embedding().withBatch(b, config.embedding().maxWaitMs())
        .withTransactionMaxBatches(perTransaction).withIds(ids, ids);
    long start = System.nanoTime();
    try (EmbeddingService service = new EmbeddingService(settings, clients, topics, model).start()) {
      long deadline = start + 600_000_000_000L;
      // Steady state: from the first committed batch (after the consumer-group join) to the target.
      while (service.stats().batches() == 0 && System.nanoTime() < deadline && service.failure().isEmpty()) {
        Thread.sleep(1);
      }
      long firstBatch = System.nanoTime();
      long firstCount = service.stats().embedded();
      ThreadCpu.Snapshot cpu = ThreadCpu.snapshot();
      Map<EmbeddingStats.Stage, Long> atFirstBatch = stageNanos(service.stats());
      while (service.stats().embedded() < target && System.nanoTime() < deadline && service.failure().isEmpty()) {
        Thread.sleep(5);
      }
      long end = System.nanoTime();
      ThreadCpu.Usage cpuUsed = ThreadCpu.since(cpu);
      long embedded = service.stats().embedded();
      double rate = (embedded - firstCount) / ((end - firstBatch) / 1e9);
      System.out.printf("via Kafka   batch %4d, up to %d batch(es) per transaction: %,10.0f images/s steady "
          + "state (%,d images in %d batches; %.0f images/s including the %.1f s consumer-group join)%n", b,
          perTransaction, rate, embedded, service.stats().batches(), embedded / ((end - start) / 1e9),
          (firstBatch - start) / 1e9);
      Map<EmbeddingStats.Stage, Long> steady = stageNanos(service.stats());
      atFirstBatch.forEach((stage, nanos) -> steady.merge(stage, -nanos, Long::sum));
      System.out.printf(Locale.ROOT, "            %s; images waited %.0f ms in Kafka on average%n",
          breakdown(steady, embedded - firstCount, settings.threads(), end - firstBatch),
          service.stats().meanQueueMillis());
      System.out.println("            CPU, steady state: " + cpuUsed.describe(8));
      return new KafkaRun(rate, cpuUsed);
    }
  }

  private static Map<EmbeddingStats.Stage, Long> stageNanos(EmbeddingStats stats) {
    Map<EmbeddingStats.Stage, Long> nanos = new EnumMap<>(EmbeddingStats.Stage.class);
    for (EmbeddingStats.Stage stage : EmbeddingStats.Stage.values()) {
      nanos.put(stage, stats.stageNanos(stage));
    }
    return nanos;
  }

  /**
   * Where the workers' time went per image embedded, over the steady state only (from the first committed batch:
   * the consumer-group join before it is no work), and what is left unattributed (the loop, idle polls). Counting
   * the join's second in the wall time showed 20-30 µs per image of "other" that was not there.
   */
  static String breakdown(Map<EmbeddingStats.Stage, Long> stageNanos, long images, int workers, long wallNanos) {
    long perImage = Math.max(1, images);
    StringBuilder out = new StringBuilder("time per image (µs):");
    long attributed = 0;
    for (EmbeddingStats.Stage stage : EmbeddingStats.Stage.values()) {
      long nanos = stageNanos.getOrDefault(stage, 0L);
      attributed += nanos;
      out.append(String.format(Locale.ROOT, " %s %.0f,", stage.tag(), nanos / 1e3 / perImage));
    }
    out.append(String.format(Locale.ROOT, " other %.0f (of %.0f in %d worker(s), steady state)",
        Math.max(0, wallNanos * workers - attributed) / 1e3 / perImage, wallNanos * workers / 1e3 / perImage,
        workers));
    return out.toString();
  }
}
