package io.semistream.config;

import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * The learner: its Kafka Streams application, and one sub-record per concern (classification, the self-training
 * rule that guards against confirmation bias, retention, anomaly thresholds, the query API).
 *
 * @param partitions partitions of the learner's own by-image topics, into which it re-keys {@code embeddings}
 *     and {@code labels} with its own partitioner: producers may use any client and any partitioner
 * @param rekeyAll re-key every input record through those topics, also the ones already on the partition the
 *     re-keying would give them (false, the default: those skip the hop)
 * @param commit when the learner's Kafka Streams application commits its transaction: a prediction is visible to
 *     {@code read_committed} readers only then, so this bounds its latency
 */
public record LearnerSettings(
    String applicationId, Path stateDir, int streamThreads, int partitions, boolean rekeyAll,
    Commit commit, Classification classification,
    SelfTraining selfTraining, Retention retention, Anomalies anomalies, Api api, ZeroShot zeroShot,
    long stateMemoryBytes) {
  public static final String APPLICATION_ID = "learner.application.id";
  public static final String STATE_MEMORY_MB = "learner.state.memory.mb";
  public static final String STATE_DIR = "learner.state.dir";
  public static final String THREADS = "learner.threads";
  public static final String PARTITIONS = "learner.partitions";
  public static final String REKEY_ALL = "learner.rekey.all";

  public LearnerSettings {
    if (applicationId == null || applicationId.isBlank() || stateDir == null) {
      throw new IllegalArgumentException("application id and state dir are required");
    }
    if (streamThreads < 1 || partitions < 1 || stateMemoryBytes < 0) {
      throw new IllegalArgumentException("learner threads and partitions must be >= 1, state memory >= 0");
    }
    if (commit == null || classification == null || selfTraining == null || retention == null || anomalies == null
        || api == null || zeroShot == null) {
      throw new IllegalArgumentException("every learner section is required");
    }
  }

  /**
   * When the learner commits. Kafka Streams commits every {@code intervalMs}; while the machine has CPU to spare the
   * learner asks for a commit sooner, every {@code idleIntervalMs} (when it processed something since), because a
   * commit's cost is CPU (the stream thread's, and the broker's transaction markers) and that only matters when the
   * cores are busy: with the online trainer on two cores, 20 ms commits stretched the stalls after each promotion
   * into seconds, while in the pipeline alone they cut the learner's hop four to five times.
   *
   * @param intervalMs the longest time between commits (Kafka Streams' {@code commit.interval.ms})
   * @param idleIntervalMs how often an early commit may be asked for; 0: never, every commit at {@code intervalMs}
   * @param idleMaxCpuLoad the machine's recent CPU load (0 to 1, all cores) at or below which early commits are
   *     asked for
   * @param idleMaxAgeMs early commits only while the last record processed was at most this much older than the
   *     learner's clock (its timestamp is the image's): an older one means a backlog or a backfill
   */
  public record Commit(long intervalMs, long idleIntervalMs, double idleMaxCpuLoad, long idleMaxAgeMs) {
    public static final String INTERVAL_MS = "learner.commit.interval.ms";
    public static final String IDLE_INTERVAL_MS = "learner.commit.idle.interval.ms";
    public static final String IDLE_MAX_CPU = "learner.commit.idle.max.cpu";
    public static final String IDLE_MAX_AGE_MS = "learner.commit.idle.max.age.ms";

    public Commit {
      if (intervalMs < 1 || idleIntervalMs < 0 || !(idleMaxCpuLoad >= 0 && idleMaxCpuLoad <= 1)
          || idleMaxAgeMs < 0) {
        throw new IllegalArgumentException("commit interval >= 1 ms, idle interval >= 0 ms, idle CPU load in [0, 1], "
            + "idle record age >= 0 ms");
      }
    }

    /** Every commit at {@code intervalMs}, none early. */
    public static Commit every(long intervalMs) {
      return new Commit(intervalMs, 0, 0, 0);
    }

    /** Whether early commits are asked for at all (an idle interval shorter than the interval). */
    public boolean early() {
      return idleIntervalMs > 0 && idleIntervalMs < intervalMs;
    }
  }

  /**
   * How an embedding is compared with the prototypes, and with the nearest truly labelled images.
   *
   * @param exemplarNeighbours how many of the nearest labelled images (cosine) vote beside the prototypes; 0: the
   *     prototypes alone decide, as before
   * @param exemplarTemperature each vote weighs {@code exp((cosine - 1) / this)}
   * @param exemplarPrototypeWeight each class's prototype votes too, as this many labelled images at its cosine
   * @param exemplarMaxPerClass labelled images per class and encoder version that can vote (the first by image id)
   */
  public record Classification(DistanceMetric metric, double temperature, int embeddingDimension,
      long prototypeRefreshMs, int engineRankingMinClasses, int exemplarNeighbours, double exemplarTemperature,
      double exemplarPrototypeWeight, int exemplarMaxPerClass) {
    public static final String METRIC = "learner.metric";
    public static final String ENGINE_RANKING_MIN_CLASSES = "learner.engine.ranking.min.classes";
    public static final String TEMPERATURE = "learner.temperature";
    public static final String EMBEDDING_DIMENSION = "learner.embedding.dimension";
    public static final String PROTOTYPE_REFRESH_MS = "learner.prototype.refresh.ms";
    public static final String EXEMPLAR_NEIGHBOURS = "learner.exemplar.neighbours";
    public static final String EXEMPLAR_TEMPERATURE = "learner.exemplar.temperature";
    public static final String EXEMPLAR_PROTOTYPE_WEIGHT = "learner.exemplar.prototype.weight";
    public static final String EXEMPLAR_MAX_PER_CLASS = "learner.exemplar.max.per.class";

    public Classification {
      if (metric == null || !(temperature > 0) || embeddingDimension < 1 || prototypeRefreshMs < 0
          || engineRankingMinClasses < 0) {
        throw new IllegalArgumentException("a metric, a positive temperature and dimension, a refresh >= 0, an "
            + "engine-ranking class count >= 0");
      }
      if (exemplarNeighbours < 0 || !(exemplarTemperature > 0) || !(exemplarPrototypeWeight >= 0)
          || exemplarMaxPerClass < 1) {
        throw new IllegalArgumentException("exemplar neighbours >= 0, a positive exemplar temperature, a prototype "
            + "weight >= 0 and at least one exemplar per class");
      }
    }
  }

  /** When a prediction may become a pseudo-label, how much it weighs, and when the backlog is re-classified. */
  public record SelfTraining(double pseudoWeight, double minConfidence, double minMargin, double maxRatio,
      int minLabels, long relabelIntervalMs, double relabelMinDrift, int relabelIdleRounds, int relabelMaxImages,
      long relabelStepMs) {
    public static final String PSEUDO_WEIGHT = "learner.pseudo.weight";
    public static final String MIN_CONFIDENCE = "learner.pseudo.min.confidence";
    public static final String MIN_MARGIN = "learner.pseudo.min.margin";
    public static final String MAX_RATIO = "learner.pseudo.max.ratio";
    public static final String MIN_LABELS = "learner.pseudo.min.labels";
    public static final String RELABEL_INTERVAL_MS = "learner.relabel.interval.ms";
    public static final String RELABEL_MIN_DRIFT = "learner.relabel.min.drift";
    public static final String RELABEL_IDLE_ROUNDS = "learner.relabel.idle.rounds";
    public static final String RELABEL_MAX_IMAGES = "learner.relabel.max.images";
    public static final String RELABEL_STEP_MS = "learner.relabel.step.ms";

    public SelfTraining {
      if (pseudoWeight < 0 || maxRatio < 0 || minLabels < 1) {
        throw new IllegalArgumentException("invalid pseudo-label weight, ratio or minimum labels");
      }
      if (!(minConfidence >= 0 && minConfidence <= 1) || !(minMargin >= 0 && minMargin <= 1)) {
        throw new IllegalArgumentException("pseudo-label confidence and margin must be in [0, 1]");
      }
      if (relabelIntervalMs < 1 || relabelMinDrift < 0 || relabelIdleRounds < 0 || relabelMaxImages < 1
          || relabelStepMs < 0) {
        throw new IllegalArgumentException("relabel interval and images per interval must be positive, drift, idle "
            + "rounds and step >= 0");
      }
    }

    /** With the default number of images an interval walks, in the default steps. */
    public SelfTraining(double pseudoWeight, double minConfidence, double minMargin, double maxRatio, int minLabels,
        long relabelIntervalMs, double relabelMinDrift, int relabelIdleRounds) {
      this(pseudoWeight, minConfidence, minMargin, maxRatio, minLabels, relabelIntervalMs, relabelMinDrift,
          relabelIdleRounds, 20_000, 100);
    }

    public SelfTraining withPseudoWeight(double weight) {
      return new SelfTraining(weight, minConfidence, minMargin, maxRatio, minLabels, relabelIntervalMs,
          relabelMinDrift, relabelIdleRounds, relabelMaxImages, relabelStepMs);
    }

    /** Whether a round walks in steps between the relabel checks (else all of an interval's images at once). */
    public boolean relabelInSteps() {
      return relabelStepMs > 0 && relabelStepMs < relabelIntervalMs;
    }

    /**
     * Images one walk may take: an interval's {@link #relabelMaxImages} spread evenly over its steps (at least one),
     * so a round goes as fast as before while the stream thread is held a step's share at a time.
     */
    public int relabelImagesPerWalk() {
      if (!relabelInSteps()) {
        return relabelMaxImages;
      }
      return (int) Math.max(1, -Math.floorDiv(-(long) relabelMaxImages * relabelStepMs, relabelIntervalMs));
    }
  }

  /**
   * How long unlabelled images and waiting labels are kept, the largest label accepted, how often the learner
   * looks for hanging transactions that would block its readers (0: never), and how long one must stay open before
   * it counts as hanging.
   */
  public record Retention(long backlogMs, long labelWaitMs, int maxLabelBytes, long hangingTransactionCheckMs,
      long hangingTransactionMinAgeMs) {
    public static final String BACKLOG_MS = "learner.backlog.retention.ms";
    public static final String LABEL_WAIT_MS = "learner.label.wait.ms";
    public static final String MAX_LABEL_BYTES = "learner.max.label.bytes";
    public static final String HANGING_TRANSACTION_CHECK_MS = "learner.hanging.transactions.check.ms";
    public static final String HANGING_TRANSACTION_MIN_AGE_MS = "learner.hanging.transactions.min.age.ms";
    /** The embedding service's producers keep the client's default transaction timeout, the longest in the pipeline. */
    public static final long LONGEST_PIPELINE_TRANSACTION_TIMEOUT_MS = 60_000L;

    public Retention {
      if (backlogMs < 1 || labelWaitMs < 1 || maxLabelBytes < 16 || hangingTransactionCheckMs < 0) {
        throw new IllegalArgumentException("retentions must be positive, the label limit >= 16 bytes and the "
            + "hanging-transaction check interval >= 0");
      }
      if (hangingTransactionMinAgeMs <= LONGEST_PIPELINE_TRANSACTION_TIMEOUT_MS) {
        throw new IllegalArgumentException(HANGING_TRANSACTION_MIN_AGE_MS + " must exceed the pipeline's longest "
            + "transaction timeout (" + LONGEST_PIPELINE_TRANSACTION_TIMEOUT_MS + " ms): a shorter one can abort a "
            + "live transaction, and lose its output while its consumed offsets commit; got "
            + hangingTransactionMinAgeMs);
      }
    }
  }

  /** The adaptive anomaly threshold. */
  public record Anomalies(double quantile, int window, int warmup, double reconWeight, boolean noveltyView,
      boolean scaledDistance) {
    public static final String QUANTILE = "learner.anomaly.quantile";
    public static final String WINDOW = "learner.anomaly.window";
    public static final String WARMUP = "learner.anomaly.warmup";
    public static final String RECON_WEIGHT = "learner.anomaly.recon.weight";
    public static final String VIEW = "learner.anomaly.view";
    public static final String DISTANCE = "learner.anomaly.distance";

    public Anomalies(double quantile, int window, int warmup, double reconWeight) {
      this(quantile, window, warmup, reconWeight, true, true);
    }

    public Anomalies {
      if (!(quantile > 0 && quantile < 1) || window < 10 || warmup < 1 || warmup > window || reconWeight < 0) {
        throw new IllegalArgumentException("anomaly quantile must be in (0, 1), window >= 10, warm-up <= window");
      }
    }
  }

  /** The read-only query API, and how many classes get a metric tag of their own. */
  public record Api(int httpPort, String httpHost, int metricsMaxClasses) {
    public static final String HTTP_PORT = "learner.http.port";
    public static final String HTTP_HOST = "learner.http.host";
    public static final String METRICS_MAX_CLASSES = "learner.metrics.max.classes";

    public Api {
      if (httpPort < -1 || httpPort > 65535 || httpHost == null || httpHost.isBlank() || metricsMaxClasses < 1) {
        throw new IllegalArgumentException("http port in -1..65535, a host, metrics max classes >= 1");
      }
    }
  }

  /**
   * Zero-shot classes: the zero-shot service (its own Kafka Streams application, {@code <application.id>-zeroshot},
   * started with every learner) synthesizes prototypes from {@code class-semantics}; the learner predicts them.
   */
  public record ZeroShot(boolean enabled, double ridgeLambda) {
    public static final String ENABLED = "learner.zeroshot.enabled";
    public static final String RIDGE_LAMBDA = "learner.zeroshot.ridge.lambda";

    public ZeroShot {
      if (!(ridgeLambda > 0) || !Double.isFinite(ridgeLambda)) {
        throw new IllegalArgumentException("zero-shot ridge lambda must be positive and finite");
      }
    }
  }

  /** The zero-shot service's Kafka Streams application id: the learner's, so deployments stay apart. */
  public String zeroShotApplicationId() {
    return applicationId + "-zeroshot";
  }

  /** The discovery service's Kafka Streams application id: the learner's, so deployments stay apart. */
  public String discoveryApplicationId() {
    return applicationId + "-discovery";
  }

  /** The active-learning service's Kafka Streams application id (see {@link #discoveryApplicationId}). */
  public String askingApplicationId() {
    return applicationId + "-asking";
  }

  static void define(ConfigDef def) {
    def.define(APPLICATION_ID, Type.STRING, "semistream-learner", new ConfigDef.NonEmptyString(),
            Importance.MEDIUM, "Kafka Streams application.id of the learner (consumer group, internal topic prefix).")
        .define(STATE_DIR, Type.STRING, "data/streams", Importance.MEDIUM,
            "Kafka Streams state directory of the learner.")
        .define(THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW, "Stream threads per learner.")
        .define(STATE_MEMORY_MB, Type.LONG, 256L, Range.between(0L, 1L << 20), Importance.MEDIUM,
            "Native memory (MiB) that the RocksDB state stores of every Streams application in the process share: "
                + "one block cache that also holds their write buffers, indexes and filters. 0: RocksDB's defaults, "
                + "a cache and write buffers per store, and indexes that grow with the data.")
        .define(PARTITIONS, Type.INT, 4, Range.between(1, 1024), Importance.MEDIUM,
            "Partitions of the learner's internal by-image topics (its parallelism); embeddings and labels are "
                + "re-keyed into them whatever partitioner their producers used.")
        .define(Commit.INTERVAL_MS, Type.LONG, 200L, Range.between(1L, 60_000L), Importance.MEDIUM,
            "Longest time between the learner's Kafka Streams commits (its commit.interval.ms). A prediction "
                + "becomes visible to read_committed readers at the commit, so this is most of the learner's share of "
                + "an image's latency while the CPUs are busy (see learner.commit.idle.interval.ms); each commit costs "
                + "CPU on both sides. kafka.commit.interval.ms, when given, applies to every Streams application "
                + "instead.")
        .define(Commit.IDLE_INTERVAL_MS, Type.LONG, 20L, Range.between(0L, 60_000L), Importance.MEDIUM,
            "While the machine's CPU load is at most learner.commit.idle.max.cpu, the learner asks for a commit this "
                + "often (when it processed something since) instead of waiting for learner.commit.interval.ms. 0: "
                + "never early.")
        .define(Commit.IDLE_MAX_CPU, Type.DOUBLE, 0.7, Range.between(0.0, 1.0), Importance.LOW,
            "The machine's recent CPU load (all cores, 0 to 1, as the JVM reports it; container-aware) at or below "
                + "which the learner commits early. Above it commits wait for learner.commit.interval.ms, so they "
                + "take no CPU from a busy machine (the online trainer, a backfill).")
        .define(Commit.IDLE_MAX_AGE_MS, Type.LONG, 1_000L, Range.between(0L, 3_600_000L), Importance.LOW,
            "Early commits only while the last record the learner processed is at most this much older than its "
                + "clock (a record's timestamp is its image's): older ones mean the learner works off a backlog or a "
                + "re-embedding after a promotion, where commits at learner.commit.interval.ms leave the CPU to "
                + "catching up. Producers whose clocks run behind by more than this disable early commits.")
        .define(REKEY_ALL, Type.BOOLEAN, false, Importance.LOW,
            "Re-key every embedding and label through the learner's by-image topics. false (the default): a "
                + "record that already sits on the partition the re-keying would give it (murmur2 of its key among "
                + "learner.partitions: what the Java client writes to a topic of that many partitions) skips that "
                + "hop, one produce, fetch and transaction fewer before its prediction is visible; the others (any "
                + "other partitioner, another partition count) still take it. true: the topology before that "
                + "change, every record re-keyed.")
        .define(Classification.METRIC, Type.STRING, "cosine", ValidString.in(DistanceMetric.keys()),
            Importance.MEDIUM, "Distance between an embedding and a prototype.")
        .define(Classification.TEMPERATURE, Type.DOUBLE, 0.1, Range.atLeast(1e-6), Importance.MEDIUM,
            "Softmax temperature over distances scaled by the median prototype spread (confidence calibration).")
        .define(SelfTraining.PSEUDO_WEIGHT, Type.DOUBLE, 0.2, Range.between(0.0, 1.0), Importance.HIGH,
            "Weight of one pseudo-label in its prototype (a true label weighs 1); 0 turns self-training off.")
        .define(SelfTraining.MIN_CONFIDENCE, Type.DOUBLE, 0.92, Range.between(0.0, 1.0), Importance.HIGH,
            "A prediction becomes a pseudo-label only at or above this confidence ... (0.92 with the labelled "
                + "images' vote: on the final predictions of three Fashion-MNIST evals, two held-out classes, it kept "
                + "95.3-96.7 % precision at 52-60 % coverage, and 98.9 % at 61 % on MNIST; 0.9 fell to 94.4 % in one, "
                + "0.93 to 49.7 % coverage in another)")
        .define(SelfTraining.MIN_MARGIN, Type.DOUBLE, 0.5, Range.between(0.0, 1.0), Importance.HIGH,
            "... and this margin over the runner-up class.")
        .define(SelfTraining.MAX_RATIO, Type.DOUBLE, 1.0, Range.atLeast(0.0), Importance.HIGH,
            "Cap per class: total pseudo weight at most this times the class's true-label count.")
        .define(SelfTraining.MIN_LABELS, Type.INT, 3, Range.atLeast(1), Importance.MEDIUM,
            "A class receives pseudo-labels only once it has this many true labels.")
        .define(SelfTraining.RELABEL_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(1L), Importance.MEDIUM,
            "How often the learner checks whether prototypes moved enough to re-classify the backlog.")
        .define(SelfTraining.RELABEL_MIN_DRIFT, Type.DOUBLE, 0.01, Range.atLeast(0.0), Importance.MEDIUM,
            "Re-classify the backlog when a prototype moved by more than this fraction of its norm (or a class appeared).")
        .define(SelfTraining.RELABEL_IDLE_ROUNDS, Type.INT, 3, Range.between(0, 1000), Importance.LOW,
            "Re-classification rounds allowed without new input: pseudo-labels move prototypes, which re-label "
                + "images; this bounds that loop so that an idle learner falls silent.")
        .define(SelfTraining.RELABEL_MAX_IMAGES, Type.INT, 20_000, Range.atLeast(1), Importance.LOW,
            "Images of the backlog a round re-classifies or expires per learner.relabel.interval.ms; a round over "
                + "a larger backlog goes on in the next interval, where it stopped. Bounds the stream thread's time "
                + "in rounds: a round over the whole of a large backlog outlasted the transaction timeout.")
        .define(SelfTraining.RELABEL_STEP_MS, Type.LONG, 100L, Range.between(0L, 60_000L), Importance.LOW,
            "A round walks in steps this far apart, each taking its share of learner.relabel.max.images (20,000 "
                + "images per 5 s: 400 per 100 ms step), so new images wait behind one step, not behind a whole "
                + "interval's walk (up to 217 ms of the stream thread in the latency bench, a burst of late "
                + "predictions every 5 s). 0, or not shorter than the interval: all of an interval's images at once.")
        .define(Retention.BACKLOG_MS, Type.LONG, 86_400_000L, Range.atLeast(1L), Importance.MEDIUM,
            "Unlabelled images older than this (stream time) leave the backlog, and their pseudo-labels with them.")
        .define(Retention.LABEL_WAIT_MS, Type.LONG, 3_600_000L, Range.atLeast(1L), Importance.MEDIUM,
            "A label waits this long (stream time) for its image's embedding, then goes to the dead-letter topic.")
        .define(Classification.EMBEDDING_DIMENSION, Type.INT, 64, Range.between(1, 4096), Importance.MEDIUM,
            "Embeddings of another dimension are dead-lettered (malformed-embedding).")
        .define(Retention.MAX_LABEL_BYTES, Type.INT, 4096, Range.between(16, 1 << 20), Importance.LOW,
            "Larger label records are dead-lettered (malformed-label).")
        .define(Retention.HANGING_TRANSACTION_CHECK_MS, Type.LONG, 10_000L, Range.atLeast(0L), Importance.LOW,
            "How often the learner looks for hanging transactions (left open by a broker crash, unknown to their "
                + "coordinator) on the pipeline's topics, which would block every read_committed reader of their "
                + "partitions for good; see learner.hanging.transactions.min.age.ms for when one is aborted. 0: never.")
        .define(Retention.HANGING_TRANSACTION_MIN_AGE_MS, Type.LONG, 120_000L,
            Range.atLeast(Retention.LONGEST_PIPELINE_TRANSACTION_TIMEOUT_MS + 1), Importance.LOW,
            "A transaction counts as hanging only once it has stayed open, unchanged, this long. It must exceed "
                + "the transaction.timeout.ms of every transactional producer writing the pipeline's topics (the "
                + "embedding service 60 s, Kafka Streams 10 s): a live transaction is ended by its coordinator "
                + "within its timeout, so one open longer is not live. A shorter value aborted a live transaction "
                + "in a broker-kill test and lost its output.")
        .define(Anomalies.QUANTILE, Type.DOUBLE, 0.99, Range.between(0.5, 0.99999), Importance.HIGH,
            "Anomaly threshold: this quantile of the recent anomaly scores.")
        .define(Anomalies.WINDOW, Type.INT, 2_000, Range.between(10, 100_000), Importance.MEDIUM,
            "Number of recent scores the quantile is taken over (per stream task).")
        .define(Anomalies.WARMUP, Type.INT, 500, Range.atLeast(1), Importance.MEDIUM,
            "No anomaly is raised before this many scores were seen (per stream task): no alert storm at start.")
        .define(Anomalies.RECON_WEIGHT, Type.DOUBLE, 0.0, Range.atLeast(0.0), Importance.MEDIUM,
            "Weight of the reconstruction-error z-score added to the distance to the nearest prototype (0: off; "
                + "measured useless for an autoencoder trained on the whole stream).")
        .define(Anomalies.VIEW, Type.STRING, "novelty", ValidString.in("novelty", "serving"), Importance.MEDIUM,
            "Where the anomaly distance is taken. novelty: to the nearest true-label class mean in the novelty "
                + "view's space (embedding.novelty.version, the fixed autoencoder), which training on labels does "
                + "not blur; images without a novelty view fall back to serving. serving: to the nearest prototype "
                + "in the serving encoder's space.")
        .define(Anomalies.DISTANCE, Type.STRING, "scaled", ValidString.in("scaled", "euclidean"), Importance.LOW,
            "The anomaly distance in the novelty view. scaled: each dimension divided by the true labels' pooled "
                + "within-class standard deviation (a diagonal Mahalanobis distance; measured a higher held-out "
                + "AUROC on both data sets). euclidean: plain Euclidean distance.")
        .define(Classification.PROTOTYPE_REFRESH_MS, Type.LONG, 200L, Range.atLeast(0L), Importance.LOW,
            "How often a stream task re-reads the global prototype table; 0 re-reads it for every record.")
        .define(Classification.ENGINE_RANKING_MIN_CLASSES, Type.INT, 1_000, Range.atLeast(0), Importance.LOW,
            "A relabel round ranks the backlog in batches on the PyTorch engine when the prototypes number at least "
                + "this many classes (cosine metric; measured 3-6x faster than the Java path at 1,000 classes, "
                + "slower at 10); 0: always the Java path.")
        .define(Classification.EXEMPLAR_NEIGHBOURS, Type.INT, 10, Range.between(0, 1_000), Importance.MEDIUM,
            "How many of the nearest truly labelled images (cosine, same encoder version) vote on an image's class "
                + "beside the class prototypes; the vote's share is the prediction's confidence. Measured on the evals' "
                + "final embeddings: 81.8 against 79.8 % on Fashion-MNIST (70 labels a class), 90.5 against 89.5 % on "
                + "MNIST (10 a class), and a better ranked confidence. Cosine metric only; 0: the prototypes alone.")
        .define(Classification.EXEMPLAR_TEMPERATURE, Type.DOUBLE, 0.05, Range.atLeast(1e-6), Importance.LOW,
            "Each neighbour's vote weighs exp((cosine - 1) / this): small values let the nearest decide.")
        .define(Classification.EXEMPLAR_PROTOTYPE_WEIGHT, Type.DOUBLE, 1.0, Range.atLeast(0.0), Importance.LOW,
            "Each class's prototype (blended with pseudo-labels while the self-training gate trusts them) votes "
                + "as this many labelled images at its own cosine.")
        .define(Classification.EXEMPLAR_MAX_PER_CLASS, Type.INT, 1_000, Range.between(1, 100_000), Importance.LOW,
            "Labelled images per class and encoder version that can vote (the first by image id); bounds the "
                + "memory and the per-image cost (one dot product per labelled image).")
        .define(Api.HTTP_PORT, Type.INT, 0, Range.between(-1, 65535), Importance.MEDIUM,
            "Port of the read-only query API on 127.0.0.1 (0: a free port, -1: off).")
        .define(Api.HTTP_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "Address the query API binds to (0.0.0.0 inside a container; other instances then reach it by host name).")
        .define(Api.METRICS_MAX_CLASSES, Type.INT, 50, Range.between(1, 10_000), Importance.LOW,
            "Classes that get their own metric tag; further classes are counted under class=\"other\".")
        .define(ZeroShot.ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
            "Run the zero-shot service with the learner: classes with a semantic vector on class-semantics and no "
                + "true label get a synthesized prototype, and novel images near one are predicted 'zero-shot'.")
        .define(ZeroShot.RIDGE_LAMBDA, Type.DOUBLE, 1.0, Range.atLeast(1e-9), Importance.LOW,
            "Ridge penalty of the map from semantic vectors to prototypes (fitted on the labelled classes).");
  }

  static LearnerSettings read(ParsedValues v) {
    return new LearnerSettings(v.string(APPLICATION_ID), v.path(STATE_DIR), v.integer(THREADS), v.integer(PARTITIONS),
        v.bool(REKEY_ALL), new Commit(v.longValue(Commit.INTERVAL_MS), v.longValue(Commit.IDLE_INTERVAL_MS),
            v.decimal(Commit.IDLE_MAX_CPU), v.longValue(Commit.IDLE_MAX_AGE_MS)),
        new Classification(DistanceMetric.ofKey(v.string(Classification.METRIC)),
            v.decimal(Classification.TEMPERATURE), v.integer(Classification.EMBEDDING_DIMENSION),
            v.longValue(Classification.PROTOTYPE_REFRESH_MS), v.integer(Classification.ENGINE_RANKING_MIN_CLASSES),
            v.integer(Classification.EXEMPLAR_NEIGHBOURS), v.decimal(Classification.EXEMPLAR_TEMPERATURE),
            v.decimal(Classification.EXEMPLAR_PROTOTYPE_WEIGHT), v.integer(Classification.EXEMPLAR_MAX_PER_CLASS)),
        new SelfTraining(v.decimal(SelfTraining.PSEUDO_WEIGHT), v.decimal(SelfTraining.MIN_CONFIDENCE),
            v.decimal(SelfTraining.MIN_MARGIN), v.decimal(SelfTraining.MAX_RATIO), v.integer(SelfTraining.MIN_LABELS),
            v.longValue(SelfTraining.RELABEL_INTERVAL_MS), v.decimal(SelfTraining.RELABEL_MIN_DRIFT),
            v.integer(SelfTraining.RELABEL_IDLE_ROUNDS), v.integer(SelfTraining.RELABEL_MAX_IMAGES),
            v.longValue(SelfTraining.RELABEL_STEP_MS)),
        new Retention(v.longValue(Retention.BACKLOG_MS), v.longValue(Retention.LABEL_WAIT_MS),
            v.integer(Retention.MAX_LABEL_BYTES), v.longValue(Retention.HANGING_TRANSACTION_CHECK_MS),
            v.longValue(Retention.HANGING_TRANSACTION_MIN_AGE_MS)),
        new Anomalies(v.decimal(Anomalies.QUANTILE), v.integer(Anomalies.WINDOW), v.integer(Anomalies.WARMUP),
            v.decimal(Anomalies.RECON_WEIGHT), v.string(Anomalies.VIEW).equals("novelty"),
            v.string(Anomalies.DISTANCE).equals("scaled")),
        new Api(v.integer(Api.HTTP_PORT), v.string(Api.HTTP_HOST), v.integer(Api.METRICS_MAX_CLASSES)),
        new ZeroShot(v.bool(ZeroShot.ENABLED), v.decimal(ZeroShot.RIDGE_LAMBDA)),
        v.longValue(STATE_MEMORY_MB) << 20);
  }

  public LearnerSettings withApplication(String id, Path dir) {
    return new LearnerSettings(id, dir, streamThreads, partitions, rekeyAll, commit, classification,
        selfTraining, retention, anomalies, api, zeroShot, stateMemoryBytes);
  }

  public LearnerSettings withSelfTraining(SelfTraining newSelfTraining) {
    return new LearnerSettings(applicationId, stateDir, streamThreads, partitions, rekeyAll, commit,
        classification, newSelfTraining, retention, anomalies, api, zeroShot, stateMemoryBytes);
  }

  public LearnerSettings withPseudoWeight(double weight) {
    return withSelfTraining(selfTraining.withPseudoWeight(weight));
  }

  public LearnerSettings withApi(Api newApi) {
    return new LearnerSettings(applicationId, stateDir, streamThreads, partitions, rekeyAll, commit,
        classification, selfTraining, retention, anomalies, newApi, zeroShot, stateMemoryBytes);
  }

  public LearnerSettings withZeroShot(ZeroShot newZeroShot) {
    return new LearnerSettings(applicationId, stateDir, streamThreads, partitions, rekeyAll, commit,
        classification, selfTraining, retention, anomalies, api, newZeroShot, stateMemoryBytes);
  }

  public LearnerSettings withHttpPort(int port) {
    return withApi(new Api(port, api.httpHost(), api.metricsMaxClasses()));
  }
}
