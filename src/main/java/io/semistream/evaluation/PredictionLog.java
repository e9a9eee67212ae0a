package io.semistream.evaluation;

import io.semistream.ingest.EmbeddingRecord;
import io.semistream.ingest.EmbeddingSerde;
import io.semistream.ingest.JsonSerde;
import io.semistream.kafka.KafkaClients;
import io.semistream.learning.Prediction;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Everything the evaluation reads back (read_committed, from the beginning): every image's first and latest
 * prediction with the wall time the first one became visible, and every embedding (for the labels-only baseline).
 */
final class PredictionLog implements AutoCloseable {
  record Seen(Prediction prediction, long seenAt) {
  }

  final Map<String, Seen> first = new ConcurrentHashMap<>();
  final Map<String, Prediction> latest = new ConcurrentHashMap<>();
  final Map<String, float[]> embeddings = new ConcurrentHashMap<>();
  final AtomicLong lastPredictionAt = new AtomicLong(System.currentTimeMillis());
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final String predictionsTopic;
  private final JsonSerde<Prediction> serde = new JsonSerde<>(Prediction.class);
  private volatile boolean running = true;

  PredictionLog(KafkaClients clients, TopicRegistry topics) {
    predictionsTopic = topics.predictions().name();
    consumer = clients.consumer(null, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
    consumer.seekToBeginning(KafkaClients.assignAll(consumer, predictionsTopic, topics.embeddings().name()));
    thread = new Thread(this::loop, "eval-reader");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String id = new String(r.key(), StandardCharsets.UTF_8);
          if (r.topic().equals(predictionsTopic)) {
            Prediction p = serde.decode(r.value());
            long now = System.currentTimeMillis();
            first.putIfAbsent(id, new Seen(p, now));
            latest.merge(id, p, (a, b) -> b.version() >= a.version() ? b : a);
            lastPredictionAt.set(now);
          } else {
            EmbeddingRecord e = EmbeddingSerde.decode(r.value());
            embeddings.put(id, e.vector());
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
