package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ModelStore;
import io.semistream.records.JsonSerde;
import io.semistream.records.ModelVersion;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.CliProcess;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import io.semistream.topics.TopicId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online trainer as a separate JVM, SIGKILLed {@value #KILLS} times at random points (while it reads the
 * topics, trains, writes a candidate, judges or announces it), then run to the end of its budget. What a crash must
 * never do: announce a version twice, announce one the store does not hold complete, judge a candidate against
 * another version than the one promoted last, or leave the store serving another version than the last promoted.
 */
class TrainerRestartIT {
  private static final int KILLS = 10;
  private static final int FINAL_STEPS = 16;   // two candidates, one every 8 steps
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private Process startTrainer(TestKafka kafka, Path models, String name, int maxSteps) throws Exception {
    return CliProcess.start(dir.resolve(name + ".log"), "1g", "trainer",
        "--bootstrap-servers", kafka.bootstrapServers(), "-D", "model.dir=" + models, "-D", "metrics.port=0",
        "-D", "trainer.min.labels=20", "-D", "trainer.candidate.every.steps=8", "-D", "trainer.max.steps=" + maxSteps,
        "-D", "trainer.labelled.batch=16", "-D", "trainer.unlabelled.batch=16", "-D", "trainer.holdout.every=4",
        "-D", "trainer.promotion.min.heldout=10", "-D", "trainer.promotion.min.gain=0");
  }

  @Test
  void shouldAnnounceEachVersionOnceCompleteAndJudgedAgainstTheLastPromotionAfterTenKills() throws Exception {
    TestKafka kafka = KAFKA.kafka();
    Replayer.publish(kafka.clients(), kafka.topics(), new DatasetLoader(ProjectPaths.dataDir()).load(
        DatasetName.FASHION_MNIST), ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(1_000)
        .withLabelFraction(0.1), System.err);
    Path models = dir.resolve("models");
    ModelStore store = new ModelStore(models);
    store.importVersion(TestModels.tinyVersionDir());

    Random random = new Random(5);
    List<String> killedDuring = new ArrayList<>();
    for (int kill = 1; kill <= KILLS; kill++) {
      Set<Path> before = versionDirs(models);
      Process trainer = startTrainer(kafka, models, "run-" + kill, 100_000);
      String log = "see " + dir.resolve("run-" + kill + ".log");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      if (kill % 2 == 1) {
        // Anywhere from start-up (reading the topics, loading the model) to the first steps.
        Thread.sleep(500 + random.nextInt(3_000));
        killedDuring.add("start/train");
      } else {
        // Around a candidate: written, judged, announced, promoted, in some order and partly.
        while (versionDirs(models).equals(before) && trainer.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        Thread.sleep(random.nextInt(800));
        killedDuring.add("candidate");
      }
      assertTrue(trainer.isAlive(), "the trainer stopped on its own; " + log);
      trainer.destroyForcibly();   // SIGKILL
      trainer.waitFor(30, TimeUnit.SECONDS);
    }

    // Uninterrupted to the end of a budget of two candidates (the command then waits to be stopped).
    int announcedBefore = announced(kafka, Duration.ofSeconds(2)).size();
    Process last = startTrainer(kafka, models, "run-final", FINAL_STEPS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (announced(kafka, Duration.ofMillis(500)).size() < announcedBefore + 2 && last.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertTrue(last.isAlive(), "see " + dir.resolve("run-final.log"));
    last.destroy();   // SIGTERM: a clean stop
    assertTrue(last.waitFor(60, TimeUnit.SECONDS));

    List<ModelVersion> announced = announced(kafka, Duration.ofSeconds(2));
    assertEquals(announcedBefore + 2, announced.size(), "the final run announces its two candidates, once each");
    Set<Integer> versions = new HashSet<>();
    int serving = 1;
    for (ModelVersion v : announced) {
      assertTrue(versions.add(v.version()), "v" + v.version() + " announced twice: " + announced);
      assertEquals(serving, v.parent(), "judged against the last promoted version: " + v);
      Path versionDir = store.versionDir(v.version());
      assertTrue(Files.isRegularFile(versionDir.resolve(ModelStore.DESCRIPTOR)), "announced but incomplete: " + v);
      try (EmbeddingModel model = EmbeddingModel.load(versionDir, Device.cpu())) {
        assertEquals(v.version(), model.descriptor().version());
      }
      if (v.status() == ModelVersion.Status.PROMOTED) {
        serving = v.version();
      }
    }
    assertEquals(store.versionDir(serving), store.serving().orElseThrow(),
        "the store serves the last promoted version");
    long unannounced = versionDirs(models).stream().filter(d -> !versions.contains(version(d)) && version(d) > 1)
        .count();
    System.err.printf("trainer kill campaign: %d kills (%s); %d versions announced (%d promoted, serving v%d), "
        + "%d candidates begun or written but never announced (killed first)%n", KILLS, killedDuring,
        announced.size(), announced.stream().filter(v -> v.status() == ModelVersion.Status.PROMOTED).count(), serving,
        unannounced);
  }

  /** Everything on model-versions, read for {@code wait} (the topic holds a few records). */
  private static List<ModelVersion> announced(TestKafka kafka, Duration wait) {
    JsonSerde<ModelVersion> serde = kafka.topics().json(TopicId.MODEL_VERSIONS, ModelVersion.class);
    return kafka.readCommitted(kafka.topics().modelVersions().name(), Integer.MAX_VALUE, wait, Duration.ZERO).stream().map(r -> serde.decode(r.value())).toList();
  }

  private static Set<Path> versionDirs(Path models) throws Exception {
    try (Stream<Path> dirs = Files.list(models)) {
      return new HashSet<>(dirs.filter(d -> version(d) > 0).toList());
    }
  }

  private static int version(Path dir) {
    String name = dir.getFileName().toString();
    return name.matches("v\\d+") ? Integer.parseInt(name.substring(1)) : 0;
  }
}
