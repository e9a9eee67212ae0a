package io.semistream.cli;

import io.semistream.ingest.EmbeddingRecord;
import io.semistream.ingest.EmbeddingSerde;
import io.semistream.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads committed embeddings as they appear (from the end offsets at start), so the terminal shows what really
 * reached the topic, not what the service believes it sent.
 */
final class EmbeddingsTail implements AutoCloseable {
  /** The newest embedding seen. */
  record Last(String id, EmbeddingRecord embedding) {
  }

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final AtomicLong count = new AtomicLong();
  private final AtomicReference<Last> last = new AtomicReference<>();
  private volatile boolean running = true;

  EmbeddingsTail(KafkaClients clients, String topic) {
    consumer = clients.consumer(null, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    thread = new Thread(this::loop, "embeddings-tail");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          count.incrementAndGet();
          last.set(new Last(new String(r.key(), StandardCharsets.UTF_8), EmbeddingSerde.decode(r.value())));
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  long count() {
    return count.get();
  }

  Last last() {
    return last.get();
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
