package io.semistream.web;

import io.semistream.kafka.KafkaClients;
import io.semistream.records.Anomaly;
import io.semistream.records.ClassCandidate;
import io.semistream.records.LabelRequest;
import io.semistream.records.ModelVersion;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the topics the web view shows (committed records only, no consumer group: every instance sees all) into
 * a {@link LiveState}. Tables (prototypes, zero-shot prototypes, encoder versions) are read from the beginning;
 * streams (images, predictions, anomalies) from a little before their end, so a restarted view is not empty.
 *
 * <p>The view only reads what the services already checked; a record it cannot read is skipped and counted
 * (the service that wrote the topic is where bad input is dead-lettered).
 */
final class LiveFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
  /** Encoded images larger than this are not kept for thumbnails (the data sets' are under 1 kB). */
  static final int MAX_THUMBNAIL_SOURCE_BYTES = 256 * 1024;

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final Map<String, Handler> handlers;
  private final AtomicLong skipped = new AtomicLong();
  private volatile boolean running = true;

  private interface Handler {
    void accept(String key, byte[] value, long now);
  }

  LiveFeed(KafkaClients clients, TopicRegistry topics, LiveState state, int history) {
    Deserializer<Prediction> predictions = topics.predictions().valueSerde().deserializer();
    Deserializer<Prototype> prototypes = topics.prototypes().valueSerde().deserializer();
    Deserializer<SynthesizedPrototype> zeroShot = topics.zeroShotPrototypes().valueSerde().deserializer();
    Deserializer<Anomaly> anomalies = topics.anomalies().valueSerde().deserializer();
    Deserializer<ModelVersion> versions = topics.modelVersions().valueSerde().deserializer();
    Deserializer<ClassCandidate> candidates = topics.classCandidates().valueSerde().deserializer();
    Deserializer<LabelRequest> requests = topics.labelRequests().valueSerde().deserializer();
    handlers = Map.of(
        topics.images().name(), (k, v, now) -> {
          if (v != null && v.length > 0 && v.length <= MAX_THUMBNAIL_SOURCE_BYTES) {
            state.onImage(k, v);
          }
        },
        topics.predictions().name(), (k, v, now) -> {
          if (v != null) {
            state.onPrediction(k, predictions.deserialize(topics.predictions().name(), v), now);
          }
        },
        topics.prototypes().name(), (k, v, now) ->
            state.onPrototype(k, v == null ? null : prototypes.deserialize(topics.prototypes().name(), v)),
        topics.zeroShotPrototypes().name(), (k, v, now) ->
            state.onZeroShot(k, v == null ? null : zeroShot.deserialize(topics.zeroShotPrototypes().name(), v)),
        topics.anomalies().name(), (k, v, now) -> {
          if (v != null) {
            state.onAnomaly(k, anomalies.deserialize(topics.anomalies().name(), v), now);
          }
        },
        topics.modelVersions().name(), (k, v, now) -> {
          if (v != null) {
            state.onModelVersion(versions.deserialize(topics.modelVersions().name(), v));
          }
        },
        topics.classCandidates().name(), (k, v, now) ->
            state.onCandidate(k, v == null ? null : candidates.deserialize(topics.classCandidates().name(), v)),
        topics.labelRequests().name(), (k, v, now) ->
            state.onRequest(k, v == null ? null : requests.deserialize(topics.labelRequests().name(), v)));
    consumer = clients.consumer(null, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
    List<TopicPartition> all = KafkaClients.assignAll(consumer, topics.images().name(), topics.predictions().name(),
        topics.anomalies().name(), topics.prototypes().name(), topics.zeroShotPrototypes().name(),
        topics.modelVersions().name(), topics.classCandidates().name(), topics.labelRequests().name());
    List<TopicPartition> streams = new ArrayList<>();
    for (TopicPartition tp : all) {
      boolean stream = tp.topic().equals(topics.images().name()) || tp.topic().equals(topics.predictions().name())
          || tp.topic().equals(topics.anomalies().name());
      if (stream) {
        streams.add(tp);
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
    // A little history per partition of each stream: enough to fill the pages, far less than the topics hold.
    long perPartition = Math.max(1, history / Math.max(1, streams.size() / 3));
    Map<TopicPartition, Long> ends = consumer.endOffsets(streams);
    Map<TopicPartition, Long> starts = consumer.beginningOffsets(streams);
    for (TopicPartition tp : streams) {
      consumer.seek(tp, Math.max(starts.get(tp), ends.get(tp) - perPartition));
    }
    thread = new Thread(this::loop, "web-feed");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          accept(r);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("web view: the topic reader stopped: {}", e.toString(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> r) {
    if (r.key() == null) {
      skipped.incrementAndGet();
      return;
    }
    try {
      handlers.get(r.topic()).accept(new String(r.key(), StandardCharsets.UTF_8), r.value(),
          System.currentTimeMillis());
    } catch (RuntimeException e) {
      if (skipped.incrementAndGet() <= 10) {
        LOG.warn("web view: skipped an unreadable record on {} (partition {}, offset {}): {}", r.topic(),
            r.partition(), r.offset(), e.getMessage());
      }
    }
  }

  /** Records the view could not read (and so does not show). */
  long skipped() {
    return skipped.get();
  }

  boolean alive() {
    return thread.isAlive();
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
