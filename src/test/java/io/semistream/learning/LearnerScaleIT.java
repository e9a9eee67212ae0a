package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.LearnerTesting;
import io.semistream.testing.SyntheticStream;
import io.semistream.testing.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Learner instances 1 -> 3 -> 1 while a stream flows (the hardening campaign): tasks move twice, state comes back
 * from the changelogs, and the results are those of an uninterrupted single instance: prototypes equal the exact
 * batch means of the labelled embeddings (pseudo weight 0, so the result does not depend on arrival order),
 * every image predicted, each (image, version) committed once, versions without gaps.
 */
class LearnerScaleIT {
  private static final int PART = 1_000;

  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir
  Path dir;

  @Test
  void shouldKeepResultsExactWhenInstancesGoFromOneToThreeAndBackMidStream() throws Exception {
    TestKafka kafka = KAFKA.kafka();
    SyntheticStream stream = new SyntheticStream(5, 11);
    List<LearnerRuntime> extra = new ArrayList<>();
    try (LearnerRuntime first = start(kafka, 0)) {
      stream.publish(kafka.clients(), kafka.topics(), 0, PART, 0.1);
      awaitPredicted(kafka, stream, PART);

      extra.add(start(kafka, 1));
      extra.add(start(kafka, 2));
      List<LearnerRuntime> all = List.of(first, extra.get(0), extra.get(1));
      awaitEveryInstanceOwnsTasks(all);
      stream.publish(kafka.clients(), kafka.topics(), PART, PART, 0.1);
      awaitPredicted(kafka, stream, 2 * PART);
      for (LearnerRuntime r : all) {
        assertFalse(activeTasks(r).isEmpty(), "with three instances each still owns some tasks");
      }

      extra.forEach(LearnerRuntime::close);
      extra.clear();
      stream.publish(kafka.clients(), kafka.topics(), 2 * PART, PART, 0.1);
      List<ConsumerRecord<byte[], byte[]>> committed = awaitPredicted(kafka, stream, 3 * PART);

      LearnerTesting.assertPrototypesAreTheLabelledMeans(kafka, stream, "1 -> 3 -> 1");
      LearnerTesting.assertVersionsOncePerImage(committed, stream.truth.keySet());
    } finally {
      extra.forEach(LearnerRuntime::close);
    }
  }

  private static java.util.Set<org.apache.kafka.streams.processor.TaskId> activeTasks(LearnerRuntime r) {
    java.util.Set<org.apache.kafka.streams.processor.TaskId> tasks = new HashSet<>();
    r.learner().streams().metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(a -> tasks.add(a.taskId())));
    return tasks;
  }

  /** The rebalance after the new instances joined has finished: every instance RUNNING with tasks (<= 120 s). */
  private static void awaitEveryInstanceOwnsTasks(List<LearnerRuntime> all) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (all.stream().allMatch(r -> r.learner().streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING
          && !activeTasks(r).isEmpty())) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the three instances did not all own tasks within 120 s");
  }

  private LearnerRuntime start(TestKafka kafka, int instance) throws Exception {
    return LearnerRuntime.start(LearnerTesting.config(kafka, dir.resolve("state-" + instance), 0, 0), kafka.topics());
  }

  /** Committed predictions once every image published so far has one (at most 180 s). */
  private static List<ConsumerRecord<byte[], byte[]>> awaitPredicted(TestKafka kafka, SyntheticStream stream,
      int images) throws InterruptedException {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < images; i++) {
      ids.add("syn-" + i);
    }
    return LearnerTesting.awaitPredicted(kafka, ids);
  }
}
