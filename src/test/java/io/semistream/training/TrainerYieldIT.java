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
import io.semistream.model.ModelStore;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker: the online trainer waits before its steps while the pipeline's consumer group is more than
 * {@code trainer.yield.max.lag} records behind, at most {@code trainer.yield.max.ms} in a row, and not at all once
 * the group caught up.
 */
class TrainerYieldIT {
  private static final String PIPELINE = "pipeline-under-test";

  @TempDir
  Path dir;

  @Test
  void shouldWaitBeforeEachStepWhileThePipelineIsBehindAndNotOnceItCaughtUp() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir);
         Admin admin = kafka.clients().admin()) {
      Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
      Replayer.publish(kafka.clients(), kafka.topics(), fashion,
          ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(400).withLabelFraction(0.2), System.err);
      Map<TopicPartition, OffsetSpec> images = new HashMap<>();
      for (var p : admin.describeTopics(List.of(kafka.topics().images().name())).allTopicNames().get()
          .get(kafka.topics().images().name()).partitions()) {
        images.put(new TopicPartition(kafka.topics().images().name(), p.partition()), OffsetSpec.latest());
      }
      Map<TopicPartition, OffsetAndMetadata> atStart = new HashMap<>();
      Map<TopicPartition, OffsetAndMetadata> atEnd = new HashMap<>();
      admin.listOffsets(images).all().get().forEach((tp, info) -> {
        atStart.put(tp, new OffsetAndMetadata(0));
        atEnd.put(tp, new OffsetAndMetadata(info.offset()));
      });
      admin.alterConsumerGroupOffsets(PIPELINE, atStart).all().get();   // 400 images behind

      Counting behind = train(kafka, "behind");
      assertEquals(4, behind.steps.get());
      assertTrue(behind.yields.get() >= 4, "a wait before every step: " + behind.yields.get());
      assertTrue(behind.yieldedNanos.get() >= TimeUnit.MILLISECONDS.toNanos(4 * 300),
          "each wait lasts trainer.yield.max.ms: " + behind.yieldedNanos.get() / 1e6 + " ms");

      admin.alterConsumerGroupOffsets(PIPELINE, atEnd).all().get();      // caught up
      Counting caughtUp = train(kafka, "caught-up");
      assertEquals(4, caughtUp.steps.get());
      assertEquals(0, caughtUp.yields.get());
    }
  }

  private Counting train(TestKafka kafka, String name) throws Exception {
    ModelStore store = new ModelStore(dir.resolve(name));
    store.importVersion(TestModels.tinyVersionDir());
    TrainerSettings settings = SemistreamConfig.fromMap(Map.of("trainer.min.labels", "20",
        "trainer.max.steps", "4", "trainer.labelled.batch", "8", "trainer.unlabelled.batch", "8",
        "trainer.yield.max.lag", "100", "trainer.yield.max.ms", "300")).trainer();
    Counting observer = new Counting();
    TrainerService trainer = new TrainerService(settings, ImagePreprocessor.of(28, kafka.config().embedding()),
        kafka.clients(), kafka.topics(), store, Device.cpu(), observer, List.of(PIPELINE)).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (trainer.isRunning() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    trainer.close();
    assertNull(trainer.failure());
    return observer;
  }

  private static final class Counting implements TrainerObserver {
    final AtomicInteger steps = new AtomicInteger();
    final AtomicInteger yields = new AtomicInteger();
    final AtomicLong yieldedNanos = new AtomicLong();

    @Override
    public void step(OnlineTrainer.Step step, long nanos) {
      steps.incrementAndGet();
    }

    @Override
    public void yielded(long nanos) {
      yields.incrementAndGet();
      yieldedNanos.addAndGet(nanos);
    }
  }
}
