package io.semistream.config;

import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/** The embedding service's batching, threading and input limits. */
public record EmbeddingSettings(
    int batchSize, long maxWaitMs, int threads, int intraOpThreads, DeviceChoice device,
    int maxImageBytes, int maxImageSide, long maxImagePixels, String groupId, String transactionalIdPrefix,
    boolean followPromotions, boolean reembedOnSwitch, long largeImagePixels, int largeThreads,
    int transactionMaxBatches, long transactionMaxMs, int noveltyVersion, long idleMaxWaitMs, double idleMaxCpuLoad,
    long backfillMaxLag) {
  public static final String BATCH_SIZE = "embedding.batch.size";
  public static final String MAX_WAIT_MS = "embedding.max.wait.ms";
  public static final String THREADS = "embedding.threads";
  public static final String INTRA_OP_THREADS = "embedding.intra.op.threads";
  public static final String DEVICE = "embedding.device";
  public static final String MAX_IMAGE_BYTES = "embedding.max.image.bytes";
  public static final String MAX_IMAGE_SIDE = "embedding.max.image.side";
  public static final String MAX_IMAGE_PIXELS = "embedding.max.image.pixels";
  public static final String GROUP_ID = "embedding.group.id";
  public static final String TRANSACTIONAL_ID = "embedding.transactional.id";
  public static final String FOLLOW_PROMOTIONS = "embedding.follow.promotions";
  public static final String REEMBED_ON_SWITCH = "embedding.reembed.on.switch";
  public static final String LARGE_IMAGE_PIXELS = "embedding.large.image.pixels";
  public static final String LARGE_THREADS = "embedding.large.threads";
  public static final String TRANSACTION_MAX_BATCHES = "embedding.transaction.max.batches";
  public static final String TRANSACTION_MAX_MS = "embedding.transaction.max.ms";
  public static final String NOVELTY_VERSION = "embedding.novelty.version";
  public static final String IDLE_MAX_WAIT_MS = "embedding.idle.max.wait.ms";
  public static final String IDLE_MAX_CPU = "embedding.idle.max.cpu";
  public static final String BACKFILL_MAX_LAG = "embedding.backfill.max.lag";
  /** {@code embedding.idle.max.wait.ms} that turns the idle wait off: batches always wait max.wait.ms. */
  public static final long IDLE_WAIT_OFF = -1L;

  static void define(ConfigDef def) {
    def.define(BATCH_SIZE, Type.INT, 64, Range.between(1, 4096), Importance.HIGH,
            "Largest batch the embedding service runs through the model in one forward pass.")
        .define(MAX_WAIT_MS, Type.LONG, 50L, Range.between(0L, 60_000L), Importance.HIGH,
            "Longest time the embedding service waits to fill a batch before it runs a partial one, while the CPUs "
                + "are busy (see embedding.idle.max.wait.ms).")
        .define(IDLE_MAX_WAIT_MS, Type.LONG, IDLE_WAIT_OFF, Range.between(IDLE_WAIT_OFF, 60_000L), Importance.MEDIUM,
            "While the machine's CPU load is at most embedding.idle.max.cpu, a batch waits at most this long "
                + "instead (when shorter than embedding.max.wait.ms): waiting to fill a batch saves forward passes "
                + "and transactions, which only a busy machine needs to save. -1 (the default): off, because on 2 "
                + "shared cores the extra transactions closed the learner's early-commit gate and the end-to-end "
                + "latency did not fall (README, *Short batch waits while the CPUs are idle*); for machines with "
                + "cores to spare.")
        .define(IDLE_MAX_CPU, Type.DOUBLE, 0.7, Range.between(0.0, 1.0), Importance.LOW,
            "The machine's recent CPU load (0 to 1, all cores) at or below which batches wait "
                + "embedding.idle.max.wait.ms.")
        .define(BACKFILL_MAX_LAG, Type.LONG, 1_000L, Range.atLeast(0L), Importance.MEDIUM,
            "After a promotion, re-embedded images are added to batches only while the learner (its consumer "
                + "group) is at most this many records behind, so fresh images never queue behind a flood of "
                + "re-embedded ones in the learner's input. 0: the backfill runs as fast as the workers go.")
        .define(THREADS, Type.INT, 2, Range.between(1, 64), Importance.MEDIUM,
            "Embedding workers; each has its own consumer, transactional producer and Predictor. Two by default: "
                + "PyTorch's intra-op threads meet at a barrier after every operator, so on a small model two workers "
                + "of half the cores each run faster than one of all of them, and one's Kafka work overlaps the "
                + "other's forward pass (1.5 times the images/s through Kafka at batch 64 on 2 cores: README, "
                + "*Two workers of one thread each*). More than the images topic's partitions idle.")
        .define(INTRA_OP_THREADS, Type.INT, 0, Range.between(0, 256), Importance.MEDIUM,
            "PyTorch intra-op threads (ai.djl.pytorch.num_threads); 0: available cores / embedding.threads.")
        .define(DEVICE, Type.STRING, "auto", ValidString.in("auto", "cpu", "gpu"), Importance.MEDIUM,
            "auto: the GPU when DJL sees one, else the CPU.")
        .define(MAX_IMAGE_BYTES, Type.INT, 2 * 1024 * 1024, Range.between(1, 64 * 1024 * 1024),
            Importance.MEDIUM, "Larger image records go to the dead-letter topic (oversized-image).")
        .define(MAX_IMAGE_SIDE, Type.INT, 4096, Range.between(1, 65_536), Importance.LOW,
            "Images wider or taller than this go to the dead-letter topic (image-too-large), before decoding.")
        .define(MAX_IMAGE_PIXELS, Type.LONG, 4L * 1024 * 1024, Range.between(1L, 1L << 32), Importance.MEDIUM,
            "Images with more pixels (width x height, from the header) go to the dead-letter topic "
                + "(image-too-large) before decoding: decode cost grows with pixels, not bytes.")
        .define(GROUP_ID, Type.STRING, "semistream-embedding", new ConfigDef.NonEmptyString(),
            Importance.MEDIUM, "Consumer group of the embedding service.")
        .define(TRANSACTIONAL_ID, Type.STRING, "semistream-embedding", new ConfigDef.NonEmptyString(),
            Importance.MEDIUM, "Prefix of the embedding workers' transactional ids (worker index appended).")
        .define(FOLLOW_PROMOTIONS, Type.BOOLEAN, true, Importance.MEDIUM,
            "Switch to an encoder version the trainer promotes (model-versions topic) at the next batch, no restart.")
        .define(REEMBED_ON_SWITCH, Type.BOOLEAN, true, Importance.MEDIUM,
            "After a switch, re-read the retained images from the start so every image gets the new version's "
                + "embedding (the learner rebuilds its prototypes in the new space from them).")
        .define(LARGE_IMAGE_PIXELS, Type.LONG, 512L * 512, Range.between(0L, 1L << 32), Importance.MEDIUM,
            "Images with more pixels than this (width x height, from the header) are not decoded in line with "
                + "the small ones: they are forwarded to the images-large topic and embedded by the large-image "
                + "workers, so that big images (~25 ms per megapixel to decode) cannot stall small ones. "
                + "0: every image in line.")
        .define(LARGE_THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW,
            "Large-image workers (the slow lane, topic images-large); each has its own consumer, transactional "
                + "producer and Predictor.")
        .define(TRANSACTION_MAX_BATCHES, Type.INT, 32, Range.between(1, 1024), Importance.MEDIUM,
            "Under a backlog (a full batch, and another full one already waiting in Kafka) a worker's transaction "
                + "spans up to this many batches: a commit costs several broker round trips, shared by them all. "
                + "Otherwise a batch commits at once, so below saturation nothing waits. A transaction of "
                + "re-embedded (backfill) images only spans at most 8 batches and 100 ms: while open it holds back "
                + "the other workers' fresh embeddings. 1: one transaction per batch.")
        .define(TRANSACTION_MAX_MS, Type.LONG, 400L, Range.between(0L, 60_000L), Importance.MEDIUM,
            "... and lasts at most this long: the longest a full batch's embeddings wait to become visible.")
        .define(NOVELTY_VERSION, Type.INT, 1, Range.between(0, Integer.MAX_VALUE), Importance.MEDIUM,
            "The novelty view: this fixed version of the served model (from the same model store; 1 is the "
                + "unsupervised autoencoder) embeds every image beside the serving version, and the learner's "
                + "anomaly score uses it (training on labels blurs what is new). While this version serves, its "
                + "vector is the view (no extra pass); after a promotion each batch also runs its encoder alone "
                + "(about a fifth of a forward pass). "
                + "0: no novelty view (anomalies scored in the serving version's space).");
  }

  static EmbeddingSettings read(ParsedValues v) {
    return new EmbeddingSettings(v.integer(BATCH_SIZE), v.longValue(MAX_WAIT_MS), v.integer(THREADS),
        v.integer(INTRA_OP_THREADS), DeviceChoice.valueOf(v.string(DEVICE).toUpperCase(Locale.ROOT)),
        v.integer(MAX_IMAGE_BYTES), v.integer(MAX_IMAGE_SIDE), v.longValue(MAX_IMAGE_PIXELS), v.string(GROUP_ID),
        v.string(TRANSACTIONAL_ID),
        v.bool(FOLLOW_PROMOTIONS), v.bool(REEMBED_ON_SWITCH), v.longValue(LARGE_IMAGE_PIXELS),
        v.integer(LARGE_THREADS), v.integer(TRANSACTION_MAX_BATCHES), v.longValue(TRANSACTION_MAX_MS),
        v.integer(NOVELTY_VERSION), v.longValue(IDLE_MAX_WAIT_MS), v.decimal(IDLE_MAX_CPU),
        v.longValue(BACKFILL_MAX_LAG));
  }

  public EmbeddingSettings {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (maxWaitMs < 0) {
      throw new IllegalArgumentException("maxWaitMs must be >= 0, got " + maxWaitMs);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
    if (maxImageBytes < 1 || maxImageSide < 1 || maxImagePixels < 1) {
      throw new IllegalArgumentException("image limits must be positive");
    }
    if (transactionMaxBatches < 1 || transactionMaxMs < 0) {
      throw new IllegalArgumentException("transactionMaxBatches must be >= 1 and transactionMaxMs >= 0, got "
          + transactionMaxBatches + " and " + transactionMaxMs);
    }
    if (largeImagePixels < 0 || largeThreads < 1) {
      throw new IllegalArgumentException("largeImagePixels must be >= 0 and largeThreads >= 1, got "
          + largeImagePixels + " and " + largeThreads);
    }
    if (idleMaxWaitMs < IDLE_WAIT_OFF || !(idleMaxCpuLoad >= 0 && idleMaxCpuLoad <= 1)) {
      throw new IllegalArgumentException("idleMaxWaitMs must be >= -1 (off) and idleMaxCpuLoad in [0, 1], got "
          + idleMaxWaitMs + " and " + idleMaxCpuLoad);
    }
    if (backfillMaxLag < 0) {
      throw new IllegalArgumentException("backfillMaxLag must be >= 0 (0: unpaced), got " + backfillMaxLag);
    }
    if (noveltyVersion < 0) {
      throw new IllegalArgumentException("noveltyVersion must be >= 0, got " + noveltyVersion);
    }
    if (device == null || groupId == null || groupId.isBlank()
        || transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
      throw new IllegalArgumentException("device, groupId and transactionalIdPrefix are required");
    }
  }

  /**
   * How long a batch may wait to fill, given the machine's recent CPU load (NaN: unknown, counted as busy): the
   * idle wait while it is on and the load is at most {@link #idleMaxCpuLoad}, else {@link #maxWaitMs}.
   */
  public long batchWaitMs(double cpuLoad) {
    return idleMaxWaitMs != IDLE_WAIT_OFF && cpuLoad <= idleMaxCpuLoad ? Math.min(maxWaitMs, idleMaxWaitMs) : maxWaitMs;
  }

  /** Pixels above which an image goes to the slow lane; {@code Long.MAX_VALUE} when the lane is off (0). */
  public long inlinePixelLimit() {
    return largeImagePixels == 0 ? Long.MAX_VALUE : largeImagePixels;
  }

  /** Intra-op threads actually used: explicit, or the cores shared fairly among the workers. */
  public int effectiveIntraOpThreads() {
    if (intraOpThreads > 0) {
      return intraOpThreads;
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / threads);
  }

  public EmbeddingSettings withBatch(int newBatchSize, long newMaxWaitMs) {
    return new EmbeddingSettings(newBatchSize, newMaxWaitMs, threads, intraOpThreads, device, maxImageBytes,
        maxImageSide, maxImagePixels, groupId, transactionalIdPrefix, followPromotions, reembedOnSwitch,
        largeImagePixels, largeThreads, transactionMaxBatches, transactionMaxMs, noveltyVersion, idleMaxWaitMs,
        idleMaxCpuLoad, backfillMaxLag);
  }

  public EmbeddingSettings withLargeImagePixels(long newLargeImagePixels) {
    return new EmbeddingSettings(batchSize, maxWaitMs, threads, intraOpThreads, device, maxImageBytes,
        maxImageSide, maxImagePixels, groupId, transactionalIdPrefix, followPromotions, reembedOnSwitch,
        newLargeImagePixels, largeThreads, transactionMaxBatches, transactionMaxMs, noveltyVersion, idleMaxWaitMs,
        idleMaxCpuLoad, backfillMaxLag);
  }

  public EmbeddingSettings withTransactionMaxBatches(int newTransactionMaxBatches) {
    return new EmbeddingSettings(batchSize, maxWaitMs, threads, intraOpThreads, device, maxImageBytes,
        maxImageSide, maxImagePixels, groupId, transactionalIdPrefix, followPromotions, reembedOnSwitch,
        largeImagePixels, largeThreads, newTransactionMaxBatches, transactionMaxMs, noveltyVersion, idleMaxWaitMs,
        idleMaxCpuLoad, backfillMaxLag);
  }

  public EmbeddingSettings withIds(String newGroupId, String newTransactionalIdPrefix) {
    return new EmbeddingSettings(batchSize, maxWaitMs, threads, intraOpThreads, device, maxImageBytes,
        maxImageSide, maxImagePixels, newGroupId, newTransactionalIdPrefix, followPromotions, reembedOnSwitch,
        largeImagePixels, largeThreads, transactionMaxBatches, transactionMaxMs, noveltyVersion, idleMaxWaitMs,
        idleMaxCpuLoad, backfillMaxLag);
  }

  public EmbeddingSettings withBackfillMaxLag(long newBackfillMaxLag) {
    return new EmbeddingSettings(batchSize, maxWaitMs, threads, intraOpThreads, device, maxImageBytes,
        maxImageSide, maxImagePixels, groupId, transactionalIdPrefix, followPromotions, reembedOnSwitch,
        largeImagePixels, largeThreads, transactionMaxBatches, transactionMaxMs, noveltyVersion, idleMaxWaitMs,
        idleMaxCpuLoad, newBackfillMaxLag);
  }

  public EmbeddingSettings withNoveltyVersion(int newNoveltyVersion) {
    return new EmbeddingSettings(batchSize, maxWaitMs, threads, intraOpThreads, device, maxImageBytes,
        maxImageSide, maxImagePixels, groupId, transactionalIdPrefix, followPromotions, reembedOnSwitch,
        largeImagePixels, largeThreads, transactionMaxBatches, transactionMaxMs, newNoveltyVersion, idleMaxWaitMs,
        idleMaxCpuLoad, backfillMaxLag);
  }
}
