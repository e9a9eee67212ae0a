package io.semistream.cli;

import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.JsonSerde;
import io.semistream.kafka.KafkaClients;
import io.semistream.kafka.TopicTail;
import io.semistream.records.Anomaly;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.topics.TopicRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What the terminal shows: committed embeddings, predictions by status, prototypes and anomalies, read back. */
final class PipelineMonitor implements AutoCloseable {
  private final TopicTail embeddings;
  private final TopicTail predictions;
  private final TopicTail prototypes;
  private final TopicTail anomalies;
  private final AtomicReference<String> lastEmbedding = new AtomicReference<>("");
  private final AtomicReference<String> lastAnomaly = new AtomicReference<>("");
  private final Map<Prediction.Status, AtomicLong> byStatus = new EnumMap<>(Prediction.Status.class);
  private final Set<String> predictedIds = ConcurrentHashMap.newKeySet();
  private final Map<String, Double> classCounts = new ConcurrentHashMap<>();
  private final AtomicLong corrections = new AtomicLong();

  PipelineMonitor(KafkaClients clients, TopicRegistry topics) {
    for (Prediction.Status s : Prediction.Status.values()) {
      byStatus.put(s, new AtomicLong());
    }
    JsonSerde<Prediction> predictionSerde = new JsonSerde<>(Prediction.class);
    JsonSerde<Prototype> prototypeSerde = new JsonSerde<>(Prototype.class);
    JsonSerde<Anomaly> anomalySerde = new JsonSerde<>(Anomaly.class);
    embeddings = new TopicTail(clients, topics.embeddings().name(), (id, value) -> {
      EmbeddingRecord e = EmbeddingSerde.decode(value);
      lastEmbedding.set(String.format("%s: recon error %.4f, %d-d, model %s v%d", id, e.reconstructionError(),
          e.dimension(), e.modelId(), e.modelVersion()));
    });
    predictions = new TopicTail(clients, topics.predictions().name(), (id, value) -> {
      Prediction p = predictionSerde.decode(value);
      byStatus.get(p.status()).incrementAndGet();
      if (p.version() > 1) {
        corrections.incrementAndGet();
      }
      predictedIds.add(id);
    });
    prototypes = new TopicTail(clients, topics.prototypes().name(), true, (cls, value) -> {
      Prototype p = prototypeSerde.decode(value);
      if (p == null) {
        classCounts.remove(cls);
      } else {
        classCounts.put(cls, p.count());
      }
    });
    anomalies = new TopicTail(clients, topics.anomalies().name(), (id, value) -> {
      Anomaly a = anomalySerde.decode(value);
      lastAnomaly.set(String.format("%s score %.2f > threshold %.2f (nearest %s)", id, a.score(), a.threshold(),
          a.nearestClass()));
    });
  }

  long embedded() {
    return embeddings.count();
  }

  long imagesWithPrediction() {
    return predictedIds.size();
  }

  String embeddingLine() {
    return lastEmbedding.get();
  }

  String learnerLine() {
    return String.format("predictions %,d (labelled %,d, pseudo %,d, uncertain %,d, anomaly %,d; corrections %,d)"
        + " | %d classes | anomalies %,d%s", predictions.count(), byStatus.get(Prediction.Status.LABELLED).get(),
        byStatus.get(Prediction.Status.PSEUDO).get(), byStatus.get(Prediction.Status.UNCERTAIN).get(),
        byStatus.get(Prediction.Status.ANOMALY).get(), corrections.get(), classCounts.size(), anomalies.count(),
        lastAnomaly.get().isEmpty() ? "" : " | last anomaly " + lastAnomaly.get());
  }

  @Override
  public void close() {
    embeddings.close();
    predictions.close();
    prototypes.close();
    anomalies.close();
  }
}
