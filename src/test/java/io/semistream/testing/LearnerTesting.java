package io.semistream.testing;

import io.semistream.config.LearnerSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.records.JsonSerde;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Learner configuration and read-back helpers for ITs. */
public final class LearnerTesting {
  private LearnerTesting() {
  }

  /** Test learner: fast relabel rounds, small anomaly warm-up; pseudo weight as given (0: deterministic). */
  public static SemistreamConfig config(TestKafka kafka, Path stateDir, double pseudoWeight, int httpPort) {
    SemistreamConfig base = kafka.config();
    return base.withLearner(learner(stateDir, Map.of("learner.pseudo.weight", Double.toString(pseudoWeight),
        "learner.http.port", Integer.toString(httpPort))));
  }

  /**
   * Test learner settings: application id learner-it, fast relabel rounds, small anomaly window, synthetic
   * embedding dimension; {@code overrides} set further keys.
   */
  public static LearnerSettings learner(Path stateDir, Map<String, String> overrides) {
    Map<String, String> keys = new HashMap<>(Map.of("learner.application.id", "learner-it",
        "learner.state.dir", stateDir.toString(), "learner.relabel.interval.ms", "500",
        "learner.embedding.dimension", Integer.toString(SyntheticStream.DIM), "learner.anomaly.window", "200",
        "learner.anomaly.warmup", "50", "learner.prototype.refresh.ms", "100"));
    keys.putAll(overrides);
    return SemistreamConfig.fromMap(keys).learner();
  }

  /** The compacted view of {@code prototypes}: the last value per class. */
  public static Map<String, Prototype> prototypes(TestKafka kafka, int expectedRecordsAtLeast, Duration timeout) {
    JsonSerde<Prototype> serde = kafka.topics().json(io.semistream.topics.TopicId.PROTOTYPES, Prototype.class);
    Map<String, Prototype> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(kafka.topics().prototypes().name(),
        expectedRecordsAtLeast, timeout, Duration.ZERO)) {
      String cls = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) {
        out.remove(cls);
        continue;
      }
      // Read as the learner reads it: records that are not prototypes of this dimension are skipped.
      try {
        Prototype p = serde.decode(r.value());
        if (p.vector().length == SyntheticStream.DIM) {
          out.put(cls, p);
        }
      } catch (org.apache.kafka.common.errors.SerializationException notAPrototype) {
        // skipped, like the learner's global store does
      }
    }
    return out;
  }

  /**
   * Reads the prototypes topic until every class's prototype equals {@code expected} (the batch means) to 1e-6,
   * or until {@code timeout}; returns the last view either way so the caller's assertion shows the difference.
   */
  public static Map<String, Prototype> awaitPrototypes(TestKafka kafka, Map<String, double[]> expected,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Prototype> view = Map.of();
    while (System.nanoTime() < deadline) {
      view = prototypes(kafka, Integer.MAX_VALUE, Duration.ofSeconds(2));
      if (matches(view, expected)) {
        return view;
      }
      Thread.sleep(500);
    }
    return view;
  }

  /**
   * The true-label mean of each class as the learner keeps it, bit for bit: sums in fixed point (2^-30 units), so
   * the order of additions cannot change a bit.
   *
   * @param classes image id to class, for the labelled images
   * @param vectors image id to its (committed) embedding
   */
  public static Map<String, double[]> exactMeans(Map<String, String> classes, Map<String, float[]> vectors) {
    Map<String, long[]> sums = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    classes.forEach((id, c) -> {
      float[] v = vectors.get(id);
      long[] s = sums.computeIfAbsent(c, k -> new long[v.length]);
      for (int d = 0; d < v.length; d++) {
        s[d] += (long) Math.rint(v[d] * 0x1p30);
      }
      counts.merge(c, 1, Integer::sum);
    });
    Map<String, double[]> means = new HashMap<>();
    sums.forEach((k, s) -> {
      double[] m = new double[s.length];
      for (int d = 0; d < s.length; d++) {
        m[d] = s[d] / 0x1p30 / counts.get(k);
      }
      means.put(k, m);
    });
    return means;
  }

  /** Same classes, and every prototype's true-label mean equal to the expected one to the bit. */
  public static boolean labelledMeansEqual(Map<String, Prototype> view, Map<String, double[]> expected) {
    return view.keySet().equals(expected.keySet()) && expected.entrySet().stream().allMatch(e ->
        java.util.Arrays.equals(view.get(e.getKey()).labelledVector(), e.getValue()));
  }

  /**
   * For a failure message: per class, its labelled count against the expected one and the largest difference from
   * the expected mean (a count too high is a label applied twice, too low a stale prototype).
   *
   * @param labels image id to class, the labels the expected means were computed from
   */
  public static String labelledMeansDifference(Map<String, Prototype> view, Map<String, double[]> expected,
      Map<String, String> labels) {
    Map<String, Integer> counts = new HashMap<>();
    labels.values().forEach(c -> counts.merge(c, 1, Integer::sum));
    StringBuilder out = new StringBuilder();
    java.util.TreeSet<String> classes = new java.util.TreeSet<>(expected.keySet());
    classes.addAll(view.keySet());
    for (String c : classes) {
      Prototype p = view.get(c);
      double[] e = expected.get(c);
      out.append(c).append(": ");
      if (p == null || e == null || p.labelledVector() == null || p.labelledVector().length != e.length) {
        out.append(p == null ? "no prototype" : e == null ? "not expected" : "no labelled vector of that size");
      } else {
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
          worst = Math.max(worst, Math.abs(p.labelledVector()[i] - e[i]));
        }
        out.append(p.labelledCount()).append(" labels (expected ").append(counts.getOrDefault(c, 0))
            .append("), largest difference ").append(worst);
      }
      out.append("; ");
    }
    return out.toString();
  }

  public static boolean matches(Map<String, Prototype> view, Map<String, double[]> expected) {
    return matchesWithin(view, expected, 1e-6);
  }

  /** Same classes, and every prototype within {@code tolerance} of the expected mean in every dimension. */
  public static boolean matchesWithin(Map<String, Prototype> view, Map<String, double[]> expected,
      double tolerance) {
    if (!view.keySet().equals(expected.keySet())) {
      return false;
    }
    for (var e : expected.entrySet()) {
      double[] v = view.get(e.getKey()).vector();
      for (int i = 0; i < v.length; i++) {
        if (Math.abs(v[i] - e.getValue()[i]) > tolerance) {
          return false;
        }
      }
    }
    return true;
  }

  public static List<ConsumerRecord<byte[], byte[]>> predictions(TestKafka kafka, int atLeast, Duration timeout) {
    return kafka.readCommitted(kafka.topics().predictions().name(), atLeast, timeout, Duration.ofSeconds(2));
  }

  /**
   * Asserts that the published prototypes reach the stream's exact batch means (within 90 s), each with the
   * stream's count of labels for its class; {@code after} says after what, in the message.
   */
  public static void assertPrototypesAreTheLabelledMeans(TestKafka kafka, SyntheticStream stream, String after)
      throws InterruptedException {
    Map<String, Prototype> prototypes = awaitPrototypes(kafka, stream.labelledMeans(), Duration.ofSeconds(90));
    if (!matches(prototypes, stream.labelledMeans())) {
      throw new AssertionError("prototypes after " + after + " equal the exact batch means: " + prototypes.values());
    }
    for (var e : prototypes.entrySet()) {
      long n = stream.labels.values().stream().filter(c -> SyntheticStream.className(c).equals(e.getKey())).count();
      if (n != e.getValue().labelledCount()) {
        throw new AssertionError(e.getKey() + ": " + e.getValue().labelledCount() + " labels, " + n + " expected");
      }
    }
  }

  /** Committed predictions once every image in {@code ids} has one (at most 180 s). */
  public static List<ConsumerRecord<byte[], byte[]>> awaitPredicted(TestKafka kafka, java.util.Set<String> ids)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    List<ConsumerRecord<byte[], byte[]>> committed = List.of();
    while (System.nanoTime() < deadline) {
      committed = predictions(kafka, ids.size(), Duration.ofSeconds(5));
      java.util.Set<String> seen = new java.util.HashSet<>();
      committed.forEach(r -> seen.add(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)));
      if (seen.containsAll(ids)) {
        return committed;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("not every one of " + ids.size() + " images predicted within 180 s");
  }

  /**
   * Asserts that every image in {@code ids} was predicted and that each image's committed versions are 1..n,
   * none twice (exactly once across restarts, rebalances and upgrades).
   */
  public static void assertVersionsOncePerImage(List<ConsumerRecord<byte[], byte[]>> committed,
      java.util.Set<String> ids) {
    java.util.Set<String> versions = new java.util.HashSet<>();
    Map<String, Long> maxVersion = new java.util.HashMap<>();
    Map<String, Long> count = new java.util.HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : committed) {
      String id = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
      Prediction p = decode(r.value());
      if (!versions.add(id + "#" + p.version())) {
        throw new AssertionError("prediction " + id + " v" + p.version() + " committed twice");
      }
      maxVersion.merge(id, p.version(), Math::max);
      count.merge(id, 1L, Long::sum);
    }
    if (!maxVersion.keySet().equals(ids)) {
      throw new AssertionError("every image predicted, and only those: " + maxVersion.size() + " of " + ids.size());
    }
    maxVersion.forEach((id, v) -> {
      if (!v.equals(count.get(id))) {
        throw new AssertionError("versions of " + id + " are 1.." + v + " without gaps, got " + count.get(id));
      }
    });
  }

  /** Checked against prediction.schema.json on the way: every prediction the ITs read conforms to it. */
  public static Prediction decode(byte[] value) {
    return PREDICTIONS.decode(value);
  }

  private static final JsonSerde<Prediction> PREDICTIONS = io.semistream.topics.TopicRegistry.load()
      .json(io.semistream.topics.TopicId.PREDICTIONS, Prediction.class);
}
