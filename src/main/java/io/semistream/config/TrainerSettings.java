package io.semistream.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The online trainer: what it keeps, how it learns, and when a candidate encoder is served. */
public record TrainerSettings(boolean enabled, int labelledPerClass, int recentImages, int labelledBatch,
    int unlabelledBatch, double learningRate, long learningRateDecaySteps, double threshold, double consistencyWeight,
    double reconstructionWeight, int reconstructionImages, String head, double cosineScale, int minLabels,
    int candidateEverySteps, int holdoutEvery, double minGain, int minHeldOut, double confidence, int maxClasses,
    long maxSteps, long seed, long yieldMaxLag, long yieldMaxMs) {
  public static final String ENABLED = "trainer.enabled";
  public static final String LABELLED_PER_CLASS = "trainer.labelled.per.class";
  public static final String RECENT_IMAGES = "trainer.recent.images";
  public static final String LABELLED_BATCH = "trainer.labelled.batch";
  public static final String UNLABELLED_BATCH = "trainer.unlabelled.batch";
  public static final String LEARNING_RATE = "trainer.learning.rate";
  public static final String LEARNING_RATE_DECAY_STEPS = "trainer.learning.rate.decay.steps";
  public static final String THRESHOLD = "trainer.pseudo.threshold";
  public static final String CONSISTENCY_WEIGHT = "trainer.consistency.weight";
  public static final String RECONSTRUCTION_WEIGHT = "trainer.reconstruction.weight";
  public static final String RECONSTRUCTION_IMAGES = "trainer.reconstruction.images";
  public static final String HEAD = "trainer.head";
  public static final String COSINE_SCALE = "trainer.head.cosine.scale";
  public static final String MIN_LABELS = "trainer.min.labels";
  public static final String CANDIDATE_EVERY = "trainer.candidate.every.steps";
  public static final String HOLDOUT_EVERY = "trainer.holdout.every";
  public static final String MIN_GAIN = "trainer.promotion.min.gain";
  public static final String MIN_HELD_OUT = "trainer.promotion.min.heldout";
  public static final String CONFIDENCE = "trainer.promotion.confidence";
  public static final String MAX_CLASSES = "trainer.max.classes";
  public static final String MAX_STEPS = "trainer.max.steps";
  public static final String SEED = "trainer.seed";
  public static final String YIELD_MAX_LAG = "trainer.yield.max.lag";
  public static final String YIELD_MAX_MS = "trainer.yield.max.ms";

  public TrainerSettings {
    if (labelledPerClass < 1 || recentImages < 1 || labelledBatch < 1 || unlabelledBatch < 0 || !(learningRate > 0)
        || learningRateDecaySteps < 0
        || !(threshold > 0 && threshold <= 1) || reconstructionImages < 0
        || !("linear".equals(head) || "cosine".equals(head)) || !(cosineScale > 0) || minLabels < 2 || candidateEverySteps < 1 || holdoutEvery < 2
        || minGain < 0 || minHeldOut < 1 || !(confidence >= 0.5 && confidence < 1) || maxClasses < 2 || maxSteps < 0
        || yieldMaxLag < 0 || yieldMaxMs < 0) {
      throw new IllegalArgumentException("invalid trainer settings");
    }
  }

  static void define(ConfigDef def) {
    def.define(ENABLED, Type.BOOLEAN, true, Importance.HIGH,
            "Run the online trainer with the main job (and in eval): the encoder learns from the stream.")
        .define(LABELLED_PER_CLASS, Type.INT, 500, Range.between(1, 100_000), Importance.MEDIUM,
            "Labelled images kept per class (reservoir sampling beyond that).")
        .define(RECENT_IMAGES, Type.INT, 20_000, Range.between(1, 1_000_000), Importance.MEDIUM,
            "Most recent images kept for consistency training (a ring; 3 KiB each).")
        .define(LABELLED_BATCH, Type.INT, 64, Range.between(1, 4096), Importance.MEDIUM,
            "Labelled images per training step, classes drawn uniformly.")
        .define(UNLABELLED_BATCH, Type.INT, 128, Range.between(0, 4096), Importance.MEDIUM,
            "Unlabelled images per training step (each passes twice: weak and strong view).")
        .define(LEARNING_RATE, Type.DOUBLE, 0.03, Range.between(1e-7, 1.0), Importance.MEDIUM,
            "SGD learning rate (momentum 0.9, weight decay 5e-4).")
        .define(LEARNING_RATE_DECAY_STEPS, Type.LONG, 0L, Range.atLeast(0L), Importance.LOW,
            "Cosine decay of the learning rate over this many steps (lr x cos(7 pi s / 16 S), to about a fifth), "
                + "then held; 0: constant (continuous training has no end).")
        .define(THRESHOLD, Type.DOUBLE, 0.95, Range.between(0.01, 1.0), Importance.MEDIUM,
            "Confidence of the weak view above which an unlabelled image is pseudo-labelled for the strong view.")
        .define(CONSISTENCY_WEIGHT, Type.DOUBLE, 1.0, Range.atLeast(0.0), Importance.LOW,
            "Weight of the consistency loss.")
        .define(RECONSTRUCTION_WEIGHT, Type.DOUBLE, 1.0, Range.atLeast(0.0), Importance.LOW,
            "Weight of the autoencoder's reconstruction loss (keeps reconstruction error meaningful).")
        .define(RECONSTRUCTION_IMAGES, Type.INT, 32, Range.between(0, 4096), Importance.LOW,
            "Unlabelled weak views per step that also pass through the decoder for the reconstruction loss (the "
                + "decoder costs about three encoder passes; at most trainer.unlabelled.batch are used).")
        .define(HEAD, Type.STRING, "linear", ConfigDef.ValidString.in("linear", "cosine"), Importance.LOW,
            "The class head the encoder is trained through: cosine (scale x cosine with a learned direction per "
                + "class: trains for the learner's nearest-mean-by-cosine rule) or linear.")
        .define(COSINE_SCALE, Type.DOUBLE, 10.0, Range.between(1.0, 100.0), Importance.LOW,
            "Scale of the cosine head's logits (a softmax temperature of 1/scale).")
        .define(MIN_LABELS, Type.INT, 50, Range.atLeast(2), Importance.MEDIUM,
            "Training starts once this many labels (of at least two classes) are held.")
        .define(CANDIDATE_EVERY, Type.INT, 600, Range.atLeast(1), Importance.MEDIUM,
            "Training steps between candidate versions (each saved, measured, maybe promoted).")
        .define(HOLDOUT_EVERY, Type.INT, 5, Range.between(2, 1000), Importance.MEDIUM,
            "One label in this many (chosen by image id) is never trained on: candidates are judged on those.")
        .define(MIN_GAIN, Type.DOUBLE, 0.005, Range.between(0.0, 1.0), Importance.MEDIUM,
            "A candidate is promoted only when its held-out accuracy beats the serving version's by this much.")
        .define(MIN_HELD_OUT, Type.INT, 30, Range.atLeast(1), Importance.MEDIUM,
            "On this many held-out labels or more the gain alone decides a promotion; on fewer, the gain must also "
                + "be probable (trainer.promotion.confidence).")
        .define(CONFIDENCE, Type.DOUBLE, 0.9, Range.between(0.5, 0.999), Importance.MEDIUM,
            "On fewer than trainer.promotion.min.heldout held-out labels: the probability (uniform prior, paired "
                + "per image) that the candidate ranks the true class higher among the class means more often than "
                + "the serving version does, needed to promote it.")
        .define(MAX_CLASSES, Type.INT, 64, Range.between(2, 10_000), Importance.LOW,
            "Size of the training head: classes beyond it are not trained on (the learner still serves them).")
        .define(MAX_STEPS, Type.LONG, 0L, Range.atLeast(0L), Importance.LOW,
            "Stop training after this many steps (0: never; eval sets a budget).")
        .define(SEED, Type.LONG, 1L, Importance.LOW, "Seed of sampling and augmentations.")
        .define(YIELD_MAX_LAG, Type.LONG, 500L, Range.atLeast(0L), Importance.MEDIUM,
            "The trainer waits before its next step while the pipeline (the embedding service's and the learner's "
                + "consumer groups) is more than this many records behind: training is background work, "
                + "predictions are not. 0: never waits.")
        .define(YIELD_MAX_MS, Type.LONG, 10_000L, Range.atLeast(0L), Importance.LOW,
            "The longest the trainer waits in a row for the pipeline (trainer.yield.max.lag) before it takes a "
                + "step anyway, so a pipeline that stays behind slows training without stopping it.");
  }

  static TrainerSettings read(ParsedValues v) {
    return new TrainerSettings(v.bool(ENABLED), v.integer(LABELLED_PER_CLASS), v.integer(RECENT_IMAGES),
        v.integer(LABELLED_BATCH), v.integer(UNLABELLED_BATCH), v.decimal(LEARNING_RATE),
        v.longValue(LEARNING_RATE_DECAY_STEPS), v.decimal(THRESHOLD),
        v.decimal(CONSISTENCY_WEIGHT), v.decimal(RECONSTRUCTION_WEIGHT), v.integer(RECONSTRUCTION_IMAGES),
        v.string(HEAD), v.decimal(COSINE_SCALE), v.integer(MIN_LABELS),
        v.integer(CANDIDATE_EVERY), v.integer(HOLDOUT_EVERY), v.decimal(MIN_GAIN), v.integer(MIN_HELD_OUT),
        v.decimal(CONFIDENCE),
        v.integer(MAX_CLASSES), v.longValue(MAX_STEPS), v.longValue(SEED), v.longValue(YIELD_MAX_LAG),
        v.longValue(YIELD_MAX_MS));
  }

  public TrainerSettings withMaxSteps(long steps) {
    return new TrainerSettings(enabled, labelledPerClass, recentImages, labelledBatch, unlabelledBatch,
        learningRate, learningRateDecaySteps, threshold, consistencyWeight, reconstructionWeight, reconstructionImages, head, cosineScale,
        minLabels, candidateEverySteps, holdoutEvery, minGain, minHeldOut, confidence, maxClasses, steps, seed,
        yieldMaxLag, yieldMaxMs);
  }
}
