package io.semistream.evaluation;

import io.semistream.config.SemistreamConfig;
import io.semistream.data.Dataset;
import io.semistream.embedding.EmbeddingService;
import io.semistream.kafka.KafkaClients;
import io.semistream.kafka.TopicTail;
import io.semistream.learning.LearnerService;
import io.semistream.model.EmbeddingModel;
import io.semistream.records.Prototype;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.ReplayPlan;
import io.semistream.replay.Replayer;
import io.semistream.topics.TopicRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scale-out: the same stream (the data set's first images, stratified labels) through 1, 2, 3 … embedding
 * services and learner instances on one fresh broker each time (one consumer group, one Streams application,
 * each instance its own state directory and transactional ids), all in this process. Measures images per second
 * (first send to the last first prediction) and reads back every class's labelled prototype, which must be the
 * same to the bit whatever the instance count: the learner keeps exact fixed-point sums, so the order in which
 * instances deliver deltas cannot change a bit (pseudo-labels depend on timing and are left out).
 */
public final class ScaleOut {
  /** One instance count's result: throughput and every class's labelled mean and label count. */
  public record Run(int instances, int images, double seconds, Map<String, double[]> labelledMeans,
      Map<String, Long> labelledCounts) {
    public double imagesPerSecond() {
      return images / seconds;
    }

    /** Whether every class's labelled mean equals {@code other}'s bit for bit. */
    public boolean bitEqual(Run other) {
      if (!labelledMeans.keySet().equals(other.labelledMeans.keySet())) {
        return false;
      }
      return labelledMeans.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(),
          other.labelledMeans.get(e.getKey())));
    }
  }

  private ScaleOut() {
  }

  public static List<Run> run(SemistreamConfig config, EmbeddingModel model, Dataset data, List<Integer> counts,
      int images, PrintStream out) throws Exception {
    // A first run pays for the JIT and the engine's warm-up (measured: one instance 691 images/s first, 993 when
    // run again after the others), so a short unreported run goes first.
    once(config, model, data, 1, Math.min(images, 5_000), out);
    List<Run> runs = new ArrayList<>();
    for (int n : counts) {
      if (n < 1) {
        throw new IllegalArgumentException("instance counts must be >= 1, got " + n);
      }
      runs.add(once(config, model, data, n, images, out));
    }
    return runs;
  }

  private static Run once(SemistreamConfig config, EmbeddingModel model, Dataset data, int n, int images,
      PrintStream out) throws Exception {
    Path work = Files.createTempDirectory("semistream-scale");
    ReplayOptions replay = ReplayOptions.defaults(data.name()).withLimit(images).withIdPrefix("scale");
    Map<String, Long> expectedCounts = expectedLabelCounts(data, replay);
    List<AutoCloseable> services = new ArrayList<>();
    try (LocalKafka kafka = LocalKafka.start(config, work)) {
      SemistreamConfig live = kafka.config();
      KafkaClients clients = kafka.clients();
      TopicRegistry topics = kafka.topics();
      Set<String> predicted = ConcurrentHashMap.newKeySet();
      Map<String, Prototype> prototypes = new ConcurrentHashMap<>();
      var prototypeSerde = topics.prototypes().valueSerde().deserializer();
      try (TopicTail predictions = new TopicTail(clients, topics.predictions().name(), false,
               (id, value) -> predicted.add(id));
           TopicTail protoTail = new TopicTail(clients, topics.prototypes().name(), true,
               (cls, value) -> keep(prototypes, cls, value, prototypeSerde, topics))) {
        List<LearnerService> learners = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          EmbeddingService e = new EmbeddingService(live.embedding().withIds(live.embedding().groupId(),
              live.embedding().transactionalIdPrefix() + "-" + i), clients, topics, model).start();
          services.add(e);
          SemistreamConfig instance = kafka.withLearner("semistream-scale", work.resolve("streams-" + i));
          LearnerService l = new LearnerService(instance, topics, null).start();
          services.add(l);
          learners.add(l);
        }
        for (LearnerService l : learners) {
          if (!l.awaitRunning(Duration.ofSeconds(120))) {
            throw new IllegalStateException("a learner did not start: " + l.streams().state());
          }
        }
        long start = System.nanoTime();
        Replayer.publish(clients, topics, data, replay, out);
        String prefix = replay.idPrefix() + "-";
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (predicted.stream().filter(k -> k.startsWith(prefix)).count() < images
            && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long seen = predicted.stream().filter(k -> k.startsWith(prefix)).count();
        if (seen < images) {
          throw new IllegalStateException(n + " instances: " + (images - seen) + " images never predicted");
        }
        // The labelled part of every prototype settles once every label's delta is aggregated.
        while (!settled(prototypes, expectedCounts) && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        if (!settled(prototypes, expectedCounts)) {
          throw new IllegalStateException(n + " instances: labelled prototypes never reached the labels' counts");
        }
        Map<String, double[]> means = new TreeMap<>();
        Map<String, Long> counts = new TreeMap<>();
        prototypes.forEach((cls, p) -> {
          means.put(cls, p.labelledVector());
          counts.put(cls, p.labelledCount());
        });
        out.printf("scale-out: %d instance(s): %,d images in %.1f s, %,.0f images/s%n", n, images, seconds,
            images / seconds);
        return new Run(n, images, seconds, means, counts);
      }
    } finally {
      for (int i = services.size() - 1; i >= 0; i--) {
        services.get(i).close();
      }
      WorkDirectory.delete(work);
    }
  }

  private static void keep(Map<String, Prototype> prototypes, String cls, byte[] value,
      org.apache.kafka.common.serialization.Deserializer<Prototype> serde, TopicRegistry topics) {
    if (cls == null || value == null) {
      return;
    }
    try {
      prototypes.put(cls, serde.deserialize(topics.prototypes().name(), value));
    } catch (RuntimeException e) {
      // not a prototype this bench wrote: ignored
    }
  }

  private static boolean settled(Map<String, Prototype> prototypes, Map<String, Long> expected) {
    for (var e : expected.entrySet()) {
      Prototype p = prototypes.get(e.getKey());
      if (p == null || p.labelledCount() != e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** How many labels the replay sends per class. */
  static Map<String, Long> expectedLabelCounts(Dataset data, ReplayOptions replay) {
    ReplayPlan plan = ReplayPlan.of(data, replay);
    Map<String, Long> counts = new HashMap<>();
    for (int i = 0; i < plan.size(); i++) {
      if (plan.labelled()[i]) {
        counts.merge(data.className(plan.order()[i]), 1L, Long::sum);
      }
    }
    return counts;
  }
}
