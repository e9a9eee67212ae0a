package io.semistream.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.semistream.config.TrainerSettings;
import io.semistream.model.ConvAutoencoder;
import io.semistream.model.DjlEngine;
import io.semistream.model.ModelDescriptor;
import io.semistream.model.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains the served encoder continuously on what the stream teaches (one instance per trainer, one thread):
 * each step takes a class-balanced batch of labelled images (weak view, cross-entropy through a linear head)
 * and a batch of recent unlabelled images, whose weak view gives a pseudo-label where the head is confident
 * (≥ {@code threshold}) that the strong view must predict (consistency, FixMatch-style); the autoencoder's
 * reconstruction loss on the weak view keeps the unsupervised view (reconstruction error, generic features)
 * alive for anomaly scoring. It starts from the serving version's weights (transfer from the unsupervised
 * pre-training) and {@link #saveCandidate} writes the current encoder as a new version.
 */
public final class OnlineTrainer implements AutoCloseable {
  /** The class head the encoder is trained through (a training device: never served). */
  public enum Head {
    /** Logits = Wx + b. */
    LINEAR,
    /** Logits = scale · cos(x, w_c): the learner's nearest-mean-by-cosine rule. */
    COSINE
  }

  /** How the trainer learns. */
  public record Options(int maxClasses, int labelledBatch, int unlabelledBatch, float learningRate,
      long decaySteps, double threshold, double consistencyWeight, double reconstructionWeight,
      int reconstructionImages, Head head, float cosineScale, long seed) {
    public Options {
      if (maxClasses < 2 || labelledBatch < 1 || unlabelledBatch < 0 || !(learningRate > 0) || decaySteps < 0
          || !(threshold > 0 && threshold <= 1) || consistencyWeight < 0 || reconstructionWeight < 0
          || reconstructionImages < 0 || head == null || !(cosineScale > 0)) {
        throw new IllegalArgumentException("invalid online training options");
      }
    }

    /** The options the trainer's configuration names. */
    public static Options of(TrainerSettings s) {
      return new Options(s.maxClasses(), s.labelledBatch(), s.unlabelledBatch(), (float) s.learningRate(),
          s.learningRateDecaySteps(), s.threshold(), s.consistencyWeight(), s.reconstructionWeight(), s.reconstructionImages(),
          Head.valueOf(s.head().toUpperCase(Locale.ROOT)), (float) s.cosineScale(), s.seed());
    }
  }

  /**
   * The losses of one step, and the share of unlabelled images confident enough to be pseudo-labelled;
   * {@code skipped} when the loss or a gradient was not finite and the weights were left as they were.
   */
  public record Step(float loss, float supervised, float consistency, float reconstruction, double maskRate,
      int imagePasses, boolean skipped) {
  }

  /** Element-wise gradient bound: one bad batch cannot throw the encoder far. */
  static final float CLIP = 1f;
  /** The consistency loss ramps up linearly over this many steps: before, the head's confidence means little. */
  static final int CONSISTENCY_RAMP_STEPS = 200;
  /** This many skipped steps in a row mean the weights themselves are no longer finite: start again. */
  static final int POISONED_AFTER_SKIPPED = 10;

  private final Model model;
  private final Trainer trainer;
  private final SemiSupervisedNet net;
  private final Options options;
  private final Random random;
  private final ModelDescriptor parent;
  private final long started = System.currentTimeMillis();
  /** Steps of the trainers this one took over from (budgets and candidate cadence count on). */
  private final long stepsBefore;
  private long steps;
  private int skippedInARow;
  private boolean closed;

  private OnlineTrainer(Model model, Trainer trainer, SemiSupervisedNet net, Options options,
      ModelDescriptor parent, long stepsBefore) {
    this.stepsBefore = stepsBefore;
    this.steps = stepsBefore;
    this.model = model;
    this.trainer = trainer;
    this.net = net;
    this.options = options;
    this.random = new Random(options.seed());
    this.parent = parent;
  }

  /** A trainer whose encoder starts as the version in {@code servingDir}. */
  public static OnlineTrainer startFrom(Path servingDir, Device device, Options options) throws IOException {
    return startFrom(servingDir, device, options, 0);
  }

  /**
   * A trainer that takes over from a {@link #poisoned} one: it starts again from the version in {@code servingDir}
   * (a new head, the consistency ramp from the start) and its step count goes on from {@code stepsBefore}, so step
   * budgets and candidate cadence are kept.
   */
  public static OnlineTrainer startFrom(Path servingDir, Device device, Options options, long stepsBefore)
      throws IOException {
    ModelDescriptor serving = ModelStore.readDescriptor(servingDir);
    ConvAutoencoder autoencoder = new ConvAutoencoder();
    Model model = Model.newInstance(serving.id(), device, DjlEngine.ENGINE);
    try {
      // The served weights are loaded into the autoencoder first; initialising the wrapper below only creates
      // the head's parameters (DJL initialises parameters that have no array yet) and turns on gradients.
      model.setBlock(autoencoder);
      model.load(servingDir, serving.id());
      SemiSupervisedNet net = new SemiSupervisedNet(autoencoder, options.maxClasses(), options.head(),
          options.cosineScale());
      model.setBlock(net);
      // The measured recipe (shared notes, learning.md): SGD, momentum 0.9, weight decay 5e-4. Adam at 1e-3 made
      // the supervised loss climb within 20 steps on Fashion-MNIST and the consistency loss then locked the head
      // on one class (every unlabelled image "confident", supervised loss 5 -> 10): measured in an eval.
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
          .optOptimizer(Optimizer.sgd().setLearningRateTracker(
                  (Tracker) update -> learningRate(options.learningRate(), update, options.decaySteps()))
              .optMomentum(0.9f).optWeightDecays(5e-4f).optClipGrad(CLIP).build())
          .optDevices(new Device[] {device});
      Trainer trainer = model.newTrainer(config);
      trainer.initialize(new Shape(1, 1, ConvAutoencoder.SIDE, ConvAutoencoder.SIDE));
      return new OnlineTrainer(model, trainer, net, options, serving, stepsBefore);
    } catch (MalformedModelException | IOException | RuntimeException e) {
      model.close();
      throw new IOException("cannot start training from " + servingDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The learning rate at update {@code step}: constant when {@code decaySteps} is 0, else the measured recipe's
   * cosine decay {@code base · cos(7π·s / 16S)} over {@code S = decaySteps} (to about a fifth of the base), then
   * held there.
   */
  static float learningRate(float base, int step, long decaySteps) {
    if (decaySteps == 0) {
      return base;
    }
    double progress = Math.min(step, decaySteps) / (double) decaySteps;
    return (float) (base * Math.cos(7 * Math.PI * progress / 16));
  }

  public long steps() {
    return steps;
  }

  /**
   * Whether the last {@value #POISONED_AFTER_SKIPPED} steps were all skipped: the loss is not finite whatever the
   * batch, so the weights are not (measured with the cosine head; README, "The online trainer"). Such a trainer
   * learns nothing more; the caller starts a new one from the serving version.
   */
  public boolean poisoned() {
    return skippedInARow >= POISONED_AFTER_SKIPPED;
  }

  public ModelDescriptor parent() {
    return parent;
  }

  /**
   * One optimisation step. {@code classIndex} maps class names to head outputs (at most {@code maxClasses});
   * returns null when there is nothing to learn from yet.
   */
  public Step step(LabelledReservoir labelled, RecentImages unlabelled, Map<String, Integer> classIndex) {
    List<LabelledReservoir.Example> batch = labelled.balancedBatch(options.labelledBatch(), random).stream()
        .filter(e -> classIndex.containsKey(e.className()) && classIndex.get(e.className()) < options.maxClasses())
        .toList();
    if (batch.isEmpty()) {
      return null;
    }
    List<float[]> pool = unlabelled.sample(options.unlabelledBatch(), random);
    int nl = batch.size();
    int nu = pool.size();
    int[] labels = new int[nl];
    float[][] labelledViews = new float[nl][];
    for (int i = 0; i < nl; i++) {
      labelledViews[i] = Augmentations.weak(batch.get(i).image(), random);
      labels[i] = classIndex.get(batch.get(i).className());
    }
    float[][] weakViews = new float[nu][];
    float[][] strongViews = new float[nu][];
    for (int i = 0; i < nu; i++) {
      weakViews[i] = Augmentations.weak(pool.get(i), random);
      strongViews[i] = Augmentations.strong(pool.get(i), random);
    }
    Views views = new Views(labelledViews, labels, weakViews, strongViews);
    Step result;
    // A sub-manager per step: arrays on the trainer's long-lived manager would never be freed.
    try (NDManager m = trainer.getManager().newSubManager()) {
      PseudoLabels pseudo = pseudoLabels(m, weakViews);
      try (GradientCollector collector = trainer.newGradientCollector()) {
        Losses losses = losses(m, views, pseudo);
        float loss = losses.total().getFloat();
        // A non-finite loss or gradient would put NaN into every weight it reaches, and from there into every
        // embedding the version serves: such a batch is skipped, not learned from (one bad batch must not end
        // training).
        boolean skip = !Float.isFinite(loss);
        if (!skip) {
          collector.backward(losses.total());
          skip = !GradientGuard.finiteOrCleared(net);
        }
        result = new Step(loss, losses.supervised().getFloat(), losses.consistency().getFloat(),
            losses.reconstruction().getFloat(), nu == 0 ? 0 : pseudo.rows().length / (double) nu, nl + 2 * nu, skip);
      }
      if (!result.skipped()) {
        trainer.step();
      }
    }
    skippedInARow = result.skipped() ? skippedInARow + 1 : 0;
    steps++;
    return result;
  }

  /**
   * One step's inputs: the labelled images' weak views and classes, and each unlabelled image's weak and strong
   * view.
   */
  record Views(float[][] labelled, int[] labels, float[][] weak, float[][] strong) {
  }

  /**
   * The unlabelled images (rows of {@link Views#weak}) the head is confident about, and the class it names for
   * each.
   */
  record PseudoLabels(int[] rows, int[] classes) {
  }

  /** A step's loss terms; gradients are taken of {@code total}. */
  record Losses(NDArray total, NDArray supervised, NDArray consistency, NDArray reconstruction) {
  }

  /**
   * The weak views' pseudo-labels: the head's most probable class where its probability reaches the threshold.
   * No gradients are recorded (the recipe stops them here anyway), so the pass builds no autograd graph.
   */
  PseudoLabels pseudoLabels(NDManager m, float[][] weakViews) {
    if (weakViews.length == 0) {
      return new PseudoLabels(new int[0], new int[0]);
    }
    net.decodeRows(0, 0);
    float[] probs = DjlEngine.withoutGradients(() -> trainer.evaluate(new NDList(images(m, List.of(weakViews))))
        .get(2).softmax(1).toFloatArray());
    return confident(probs, probs.length / weakViews.length, options.threshold());
  }

  /**
   * The rows of {@code probs} (row-major, {@code classes} wide) whose largest probability reaches
   * {@code threshold}.
   */
  static PseudoLabels confident(float[] probs, int classes, double threshold) {
    int n = probs.length / classes;
    int[] rows = new int[n];
    int[] named = new int[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (probs[i * classes + c] > probs[i * classes + best]) {
          best = c;
        }
      }
      if (probs[i * classes + best] >= (float) threshold) {
        rows[kept] = i;
        named[kept++] = best;
      }
    }
    return new PseudoLabels(Arrays.copyOf(rows, kept), Arrays.copyOf(named, kept));
  }

  /**
   * The step's losses (recording gradients inside a collector): cross-entropy of the labelled views, the
   * consistency loss of the confident images' strong views against their pseudo-labels, and the reconstruction
   * loss of the first {@code reconstructionImages} weak views. Only those views pass: the same losses and gradients
   * as one pass over every view with the unconfident ones masked out (no layer mixes rows), for a smaller batch.
   */
  Losses losses(NDManager m, Views v, PseudoLabels pseudo) {
    int nl = v.labelled().length;
    int nu = v.weak().length;
    // The decoder costs about three encoder passes per image: only the first few weak views are decoded.
    int nr = Math.min(nu, options.reconstructionImages());
    int nc = pseudo.rows().length;
    List<float[]> rows = new ArrayList<>(List.of(v.labelled()));
    rows.addAll(List.of(v.weak()).subList(0, nr));
    Arrays.stream(pseudo.rows()).forEach(i -> rows.add(v.strong()[i]));
    NDArray x = images(m, rows);
    net.decodeRows(nl, nl + nr);
    NDList out = trainer.forward(new NDList(x));
    NDArray logits = out.get(2);
    NDArray supervised = crossEntropy(logits.get("0:" + nl), m.create(v.labels())).mean();
    // Summed over the confident images and divided by all of them: the mean of the masked loss.
    NDArray consistency = nc == 0 ? m.zeros(new Shape())
        : crossEntropy(logits.get((nl + nr) + ":"), m.create(pseudo.classes())).sum().div(nu);
    NDArray recon = nr == 0 ? m.zeros(new Shape())
        : ConvAutoencoder.reconstructionError(out.get(0), x.get(nl + ":" + (nl + nr))).mean();
    NDArray total = supervised.add(consistency.mul((float) options.consistencyWeight() * consistencyRamp()))
        .add(recon.mul((float) options.reconstructionWeight()));
    return new Losses(total, supervised, consistency, recon);
  }

  /** This trainer's own steps: a trainer that took over has a new head, so the ramp starts again. */
  float consistencyRamp() {
    return Math.min(1f, (steps - stepsBefore + 1) / (float) CONSISTENCY_RAMP_STEPS);
  }

  /** A batch of single-channel images of the model's side. */
  private static NDArray images(NDManager m, List<float[]> images) {
    int pixels = ConvAutoencoder.SIDE * ConvAutoencoder.SIDE;
    float[] flat = new float[images.size() * pixels];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, flat, i * pixels, pixels);
    }
    return m.create(flat, new Shape(images.size(), 1, ConvAutoencoder.SIDE, ConvAutoencoder.SIDE));
  }

  /** For tests: the DJL trainer and the network it trains. */
  Trainer djlTrainer() {
    return trainer;
  }

  SemiSupervisedNet net() {
    return net;
  }

  /**
   * The class head's choice (index into the step's {@code classIndex}) for each image, without augmentation or
   * gradients: what the trainer itself would predict. Only a measure: the head is never served.
   */
  public int[] headPredictions(float[][] images) {
    int[] out = new int[images.length];
    for (int from = 0; from < images.length; from += 256) {
      int to = Math.min(images.length, from + 256);
      try (NDManager m = trainer.getManager().newSubManager()) {
        net.decodeRows(0, 0);
        NDList result = trainer.evaluate(new NDList(images(m, Arrays.asList(images).subList(from, to))));
        long[] arg = result.get(2).argMax(1).toLongArray();
        for (int i = from; i < to; i++) {
          out[i] = (int) arg[i - from];
        }
      }
    }
    return out;
  }

  /** Per-sample cross-entropy of {@code logits} (N × C) against class indices (N). */
  static NDArray crossEntropy(NDArray logits, NDArray classes) {
    NDArray oneHot = classes.toType(DataType.INT64, false).oneHot((int) logits.getShape().get(1));
    return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg();
  }

  /** Saves the current encoder (the autoencoder only: the head is a training device) as a new version. */
  public Path saveCandidate(ModelStore store, int labelsSeen, double validationAccuracy, String trainedOn)
      throws IOException {
    int version = store.nextVersion();
    Path dir = store.versionDir(version);
    Files.createDirectories(dir);
    saveAutoencoder(dir);
    ModelStore.writeDescriptor(dir, new ModelDescriptor(parent.id(), version, parent.architecture(),
        parent.inputSide(), parent.embeddingDim(), 0, options.seed(), trainedOn, labelsSeen, Double.NaN,
        System.currentTimeMillis() - started, Instant.now().toString(), parent.version(), labelsSeen,
        validationAccuracy));
    return dir;
  }

  /** Idempotent: a trainer replaced after {@link #poisoned} is closed once by its replacer and maybe again later. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      trainer.close();
      model.close();
    }
  }

  /** Writes the autoencoder's weights in the model store's format: the Model's block is swapped for the save. */
  private void saveAutoencoder(Path dir) throws IOException {
    model.setBlock(net.autoencoder());
    try {
      model.setProperty("Epoch", "0");
      model.save(dir, parent.id());
    } finally {
      model.setBlock(net);
    }
  }
}
