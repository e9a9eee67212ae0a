package io.semistream.learning;

import io.semistream.config.DistanceMetric;
import ai.djl.ndarray.NDManager;
import io.semistream.records.Prototype;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Nearest-prototype search at many classes, measured side by side in one run: the direct per-class loop the
 * learner used before {@link PrototypeIndex}, the index one embedding at a time (the learner's per-record path),
 * and the index in batches (relabel rounds), on one thread and on every core. Random Gaussian prototypes and
 * embeddings: the cost does not depend on the values.
 */
public final class PrototypeSearchBench {
  private static final int BATCH = 256;

  private PrototypeSearchBench() {
  }

  /**
   * Images per second of each way; {@code direct} is NaN when skipped (too slow to matter at this size),
   * {@code torch} (with the nearest Euclidean distance, as on arrival) and {@code torchWithoutNovelty} (without, as
   * in a relabel round) when no PyTorch engine was given or the metric is not cosine.
   */
  public record Result(int classes, int dimension, double direct, double indexed, double batched,
      double batchedAllCores, int threads, double torch, double torchWithoutNovelty, int exemplars,
      double withVote) {
    /** Microseconds per record on the learner's per-record path. */
    public double microsPerRecord() {
      return 1e6 / indexed;
    }
  }

  public static Result run(int classes, int dimension, DistanceMetric metric, long seed, NDManager engine)
      throws Exception {
    Random r = new Random(seed);
    List<Prototype> prototypes = new ArrayList<>(classes);
    for (int i = 0; i < classes; i++) {
      double[] v = new double[dimension];
      for (int j = 0; j < dimension; j++) {
        v[j] = r.nextGaussian();
      }
      prototypes.add(new Prototype("class-" + i, v, 10, 0.5 + r.nextDouble(), 1, 0, "bench", 1, 10, 0, v));
    }
    // Enough work per measurement to take about a second at the expected speed.
    int images = (int) Math.max(2_000, Math.min(200_000, 4e9 / ((double) classes * dimension)));
    float[][] queries = new float[images][dimension];
    for (float[] q : queries) {
      for (int j = 0; j < dimension; j++) {
        q[j] = (float) r.nextGaussian();
      }
    }
    PrototypeClassifier classifier = new PrototypeClassifier(metric, 0.5);
    PrototypeIndex index = classifier.index(prototypes, true);
    double direct = classes * (double) dimension * images > 2e10 ? Double.NaN
        : measure(() -> {
          for (float[] q : queries) {
            classifier.rank(q, prototypes, true);
          }
        }, images);
    double indexed = measure(() -> {
      for (float[] q : queries) {
        classifier.rank(q, index);
      }
    }, images);
    double batched = measure(() -> rankInBatches(classifier, index, queries, 0, queries.length), images);
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    double allCores;
    try {
      allCores = measure(() -> {
        List<Future<?>> parts = new ArrayList<>();
        int share = (queries.length + threads - 1) / threads;
        for (int t = 0; t < threads; t++) {
          int from = t * share;
          int to = Math.min(queries.length, from + share);
          parts.add(pool.submit(() -> rankInBatches(classifier, index, queries, from, to)));
        }
        for (Future<?> f : parts) {
          try {
            f.get();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }, images);
    } finally {
      pool.shutdownNow();
    }
    double torch = Double.NaN;
    double torchRelabel = Double.NaN;
    if (engine != null && metric == DistanceMetric.COSINE) {
      torch = measureTorch(engine, index, classifier, queries, true);
      torchRelabel = measureTorch(engine, index, classifier, queries, false);
    }
    // The learner's per-record path with the labelled images' vote (ExemplarVote's defaults): 70 labelled images a
    // class, as in the Fashion-MNIST eval, at most 100,000.
    int exemplarCount = (int) Math.min(100_000L, 70L * classes);
    List<io.semistream.records.Exemplar> labelled = new ArrayList<>(exemplarCount);
    for (int e = 0; e < exemplarCount; e++) {
      float[] v = new float[dimension];
      for (int j = 0; j < dimension; j++) {
        v[j] = (float) r.nextGaussian();
      }
      labelled.add(new io.semistream.records.Exemplar("class-" + (e % classes), v, "bench", 1, 0));
    }
    ExemplarSet set = ExemplarSet.of(labelled, Integer.MAX_VALUE);
    ExemplarVote vote = new ExemplarVote(10, 0.05, 1);
    int voted = (int) Math.max(500, Math.min(images, 2e9 / ((double) (exemplarCount + classes) * dimension)));
    double withVote = measure(() -> {
      for (int q = 0; q < voted; q++) {
        vote.rank(queries[q], classifier.rank(queries[q], index), index, set);
      }
    }, voted);
    return new Result(classes, dimension, direct, indexed, batched, allCores, threads, torch, torchRelabel,
        exemplarCount, withVote);
  }

  private static double measureTorch(NDManager engine, PrototypeIndex index, PrototypeClassifier classifier,
      float[][] queries, boolean novelty) {
    try (TorchRanking ranking = new TorchRanking(engine, index, classifier, novelty)) {
      return measure(() -> ranking.rankAll(queries), queries.length);
    }
  }

  private static void rankInBatches(PrototypeClassifier c, PrototypeIndex index, float[][] queries, int from, int to) {
    for (int start = from; start < to; start += BATCH) {
      float[][] batch = java.util.Arrays.copyOfRange(queries, start, Math.min(to, start + BATCH));
      c.rankAll(batch, index);
    }
  }

  /** Best of three timed runs after one warm-up run (the JIT compiles the loops during the warm-up). */
  private static double measure(Runnable work, int images) {
    work.run();
    double best = 0;
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      work.run();
      best = Math.max(best, images / ((System.nanoTime() - start) / 1e9));
    }
    return best;
  }
}
