package io.semistream.evaluation;

import io.semistream.config.TrainerSettings;
import io.semistream.image.ImagePreprocessor;
import io.semistream.kafka.KafkaClients;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ModelStore;
import io.semistream.topics.TopicRegistry;
import io.semistream.training.TrainerObserver;
import io.semistream.training.TrainerService;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The online trainer inside an evaluation: it trains in a private copy of the starting version's model store
 * (an eval never adds versions to the user's models), and the evaluation is settled only once the trainer spent
 * its step budget and every image's latest embedding comes from the version served at the end.
 */
final class EvalTraining implements AutoCloseable {
  /** The eval's budget when the configuration sets none: bounded, so an eval ends. */
  static final long DEFAULT_STEPS = 2_400;

  private final EmbeddingModel model;
  private final boolean ownsModel;
  private final TrainerService trainer;

  private EvalTraining(EmbeddingModel model, boolean ownsModel, TrainerService trainer) {
    this.model = model;
    this.ownsModel = ownsModel;
    this.trainer = trainer;
  }

  static EvalTraining prepare(TrainerSettings settings, ImagePreprocessor preprocessor, EmbeddingModel starting,
      Path work, KafkaClients clients, TopicRegistry topics, TrainerObserver observer, List<String> pipelineGroups)
      throws IOException {
    if (!settings.enabled()) {
      return new EvalTraining(starting, false, null);
    }
    ModelStore store = new ModelStore(work.resolve("models"));
    Path copy = store.importVersion(starting.versionDir());
    EmbeddingModel model = EmbeddingModel.load(copy, starting.device());
    TrainerSettings bounded = settings.maxSteps() > 0 ? settings : settings.withMaxSteps(DEFAULT_STEPS);
    TrainerService trainer = new TrainerService(bounded, preprocessor, clients, topics, store,
        starting.device(), observer, pipelineGroups);
    return new EvalTraining(model, true, trainer.start());
  }

  boolean enabled() {
    return trainer != null;
  }

  /** The model the embedding service starts with. */
  EmbeddingModel model() {
    return model;
  }

  /**
   * Without training: always. With it: the trainer has finished, the embedding service serves its last
   * promotion, and all {@code images} (those not dead-lettered) have their latest embedding from that version.
   */
  boolean settled(int servedVersion, Map<String, Integer> embeddingVersions, int images) {
    if (trainer == null) {
      return true;
    }
    if (trainer.failure() != null) {
      throw new IllegalStateException("the online trainer failed", trainer.failure());
    }
    if (!trainer.isTraining() && trainer.idleNanos() > 5_000_000_000L) {
      return true;   // caught up with every record and still too few labels to train: nothing will change
    }
    if (trainer.isRunning() || servedVersion != trainer.servingVersion()) {
      return false;
    }
    return embeddingVersions.values().stream().filter(v -> v == servedVersion).count() >= images;
  }

  @Override
  public void close() {
    if (trainer != null) {
      trainer.close();
    }
    if (ownsModel) {
      model.close();
    }
  }
}
