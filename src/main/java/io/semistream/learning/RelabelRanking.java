package io.semistream.learning;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.semistream.config.DistanceMetric;
import io.semistream.model.DjlEngine;
import java.util.List;

/**
 * The rankings of a relabel round, in batches on the PyTorch engine ({@link TorchRanking}) when the prototype set
 * is large enough for that to pay: at 1,000 classes the engine ranks 3 to 6 times more images per second than the
 * Java path, at 10 classes the Java path is 4 times faster (measured, {@code bench --prototype-classes}). Below
 * {@code learner.engine.ranking.min.classes} it answers null and the learner ranks one image at a time.
 *
 * <p>The engine is loaded on first use only, so a learner with few classes never loads the native library. One
 * instance per stream task (a task runs on one thread at a time).
 */
final class RelabelRanking implements AutoCloseable {
  private final PrototypeClassifier classifier;
  private final int minClasses;
  private NDManager engine;
  private PrototypeIndex rankedIndex;
  private TorchRanking ranking;

  RelabelRanking(PrototypeClassifier classifier, int minClasses) {
    this.classifier = classifier;
    this.minClasses = minClasses;
  }

  /** The rankings of {@code embeddings} against {@code index} in order, or null: rank them one at a time. */
  Ranking[] rank(PrototypeIndex index, List<float[]> embeddings) {
    if (index == null || minClasses <= 0 || index.size() < minClasses
        || classifier.metric() != DistanceMetric.COSINE || embeddings.isEmpty()) {
      return null;
    }
    if (index != rankedIndex) {
      if (ranking != null) {
        ranking.close();
      }
      if (engine == null) {
        engine = DjlEngine.start(Runtime.getRuntime().availableProcessors()).newBaseManager(Device.cpu());
      }
      DjlEngine.disableGradientsOnThisThread();
      ranking = new TorchRanking(engine, index, classifier, false);
      rankedIndex = index;
    }
    return ranking.rankAll(embeddings.toArray(new float[0][]));
  }

  @Override
  public void close() {
    if (ranking != null) {
      ranking.close();
      ranking = null;
    }
    if (engine != null) {
      engine.close();
      engine = null;
    }
    rankedIndex = null;
  }
}
