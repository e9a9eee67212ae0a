package io.semistream.testing;

import java.util.List;

import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.kafka.KafkaClients;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Seeded synthetic embeddings (well-separated class clusters in 64-d) and sparse labels, published straight to
 * {@code embeddings} and {@code labels}: learner tests then need no model and are deterministic.
 */
public final class SyntheticStream {
  public static final int DIM = 64;
  public final Map<String, Integer> truth = new LinkedHashMap<>();
  public final Map<String, float[]> vectors = new HashMap<>();
  public final Map<String, Integer> labels = new LinkedHashMap<>();
  private final float[][] centers;
  private final Random random;

  public SyntheticStream(int classes, long seed) {
    random = new Random(seed);
    centers = new float[classes][DIM];
    for (float[] c : centers) {
      for (int d = 0; d < DIM; d++) {
        c[d] = (float) random.nextGaussian() * 3;
      }
    }
  }

  public static String className(int c) {
    return "class-" + c;
  }

  /** Publishes {@code count} images; each gets a label with probability {@code labelFraction}. */
  public void publish(KafkaClients clients, TopicRegistry topics, int from, int count, double labelFraction) {
    JsonSerde<LabelRecord> labelSerde = new JsonSerde<>(LabelRecord.class);
    // Not idempotent, one request in flight: a second embedded broker in the same JVM answered the idempotent
    // producer with OutOfOrderSequenceException and 13 of 259 labels were lost (measured); every send is checked.
    List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = clients.producer(new ByteArraySerializer(),
        new ByteArraySerializer(), Map.of("enable.idempotence", "false", "max.in.flight.requests.per.connection", 1))) {
      for (int i = from; i < from + count; i++) {
        String id = "syn-" + i;
        int c = random.nextInt(centers.length);
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
          v[d] = centers[c][d] + (float) random.nextGaussian();
        }
        truth.put(id, c);
        vectors.put(id, v);
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        sent.add(producer.send(new ProducerRecord<>(topics.embeddings().name(), key,
            EmbeddingSerde.encode(new EmbeddingRecord(v, 0.2f + random.nextFloat() * 0.01f, "syn", 1, 1_000L + i)))));
        if (random.nextDouble() < labelFraction) {
          labels.put(id, c);
          sent.add(producer.send(new ProducerRecord<>(topics.labels().name(), key,
              labelSerde.encode(new LabelRecord(className(c), "test", 1_000L + i)))));
        }
      }
      producer.flush();
    }
    for (var f : sent) {
      try {
        f.get();
      } catch (Exception e) {
        throw new IllegalStateException("the synthetic stream could not be published whole", e);
      }
    }
  }

  /** The exact batch means of the labelled vectors, per class name. */
  public Map<String, double[]> labelledMeans() {
    Map<String, double[]> sums = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    labels.forEach((id, c) -> {
      double[] s = sums.computeIfAbsent(className(c), k -> new double[DIM]);
      float[] v = vectors.get(id);
      for (int d = 0; d < DIM; d++) {
        s[d] += v[d];
      }
      counts.merge(className(c), 1, Integer::sum);
    });
    sums.forEach((k, s) -> {
      for (int d = 0; d < DIM; d++) {
        s[d] /= counts.get(k);
      }
    });
    return sums;
  }

  /**
   * The labelled means as the learner's fixed-point sums compute them (each value rounded to 2^-30 once, summed
   * exactly, divided at the end): what an uninterrupted run publishes, to the bit, whatever the arrival order.
   */
  public Map<String, double[]> exactLabelledMeans() {
    Map<String, String> classes = new HashMap<>();
    labels.forEach((id, c) -> classes.put(id, className(c)));
    return LearnerTesting.exactMeans(classes, vectors);
  }

}
