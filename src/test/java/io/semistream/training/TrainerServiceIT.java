package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.semistream.config.SemistreamConfig;
import io.semistream.config.TrainerSettings;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.image.ImagePreprocessor;
import io.semistream.model.ModelDescriptor;
import io.semistream.model.ModelStore;
import io.semistream.records.JsonSerde;
import io.semistream.records.ModelVersion;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The online trainer on a real broker: it learns from the replayed stream, judges candidates, announces them. */
class TrainerServiceIT {
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir
  Path dir;

  @Test
  void shouldJudgeEveryCandidateOnHeldOutLabelsAndServeOnlyPromotedOnes() throws Exception {
    TestKafka kafka = KAFKA.kafka();
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    Replayer.publish(kafka.clients(), kafka.topics(), fashion,
        ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(1_500).withLabelFraction(0.1), System.err);
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    TrainerSettings settings = SemistreamConfig.fromMap(Map.of("trainer.min.labels", "20",
        "trainer.candidate.every.steps", "25", "trainer.max.steps", "50", "trainer.labelled.batch", "16",
        "trainer.unlabelled.batch", "16", "trainer.holdout.every", "4", "trainer.promotion.min.heldout", "10",
        "trainer.promotion.min.gain", "0")).trainer();
    TrainerService trainer = new TrainerService(settings,
        ImagePreprocessor.of(28, kafka.config().embedding()), kafka.clients(), kafka.topics(), store, Device.cpu(),
        TrainerObserver.NONE).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (trainer.isRunning() && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
    trainer.close();
    assertNull(trainer.failure());
    assertEquals(2, trainer.candidates(), "a candidate after 25 and after 50 steps");

    // Read through the catalogue's validating serde: what the trainer writes must match model-version.schema.json.
    JsonSerde<ModelVersion> serde = kafka.topics().json(io.semistream.topics.TopicId.MODEL_VERSIONS,
        ModelVersion.class);
    List<ModelVersion> announced = kafka.readCommitted(kafka.topics().modelVersions().name(), 2,
        Duration.ofSeconds(30), Duration.ofSeconds(1)).stream().map(r -> serde.decode(r.value())).toList();
    assertEquals(List.of(2, 3), announced.stream().map(ModelVersion::version).toList());
    PromotionRule rule = new PromotionRule(0, 10, 0.9);
    int serving = 1;
    for (ModelVersion v : announced) {
      assertEquals(serving, v.parent(), "judged against the version served at the time");
      assertTrue(v.heldOut() >= 10 && v.labelsSeen() >= 100, v.toString());
      int candidateRight = (int) Math.round(v.candidateAccuracy() * v.heldOut());
      int servingRight = (int) Math.round(v.servingAccuracy() * v.heldOut());
      assertEquals(rule.promote(new PromotionRule.Comparison(v.heldOut(), candidateRight, servingRight,
          v.candidateRanksHigher(), v.servingRanksHigher()),
          v.servingAccuracyUntrained() < 0 ? Double.NaN : v.servingAccuracyUntrained()),
          v.status() == ModelVersion.Status.PROMOTED, v.toString());
      ModelDescriptor d = ModelStore.readDescriptor(store.versionDir(v.version()));
      assertEquals(1, d.parent(), "trained continuously from the version it started with");
      if (v.status() == ModelVersion.Status.PROMOTED) {
        serving = v.version();
      }
    }
    assertEquals(store.versionDir(serving), store.serving().orElseThrow(), "the store serves the last promotion");
    assertEquals(serving, trainer.servingVersion());
  }
}
