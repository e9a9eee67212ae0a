package io.semistream.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads committed records of one topic as they appear (from the end offsets at start, or the whole topic for a
 * compacted table), so the terminal shows what really reached the topic, not what a service believes it sent.
 */
public final class TopicTail implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final Consumer<ConsumerRecord<byte[], byte[]>> handler;
  private final AtomicLong count = new AtomicLong();
  private volatile boolean running = true;

  public TopicTail(KafkaClients clients, String topic, BiConsumer<String, byte[]> handler) {
    this(clients, topic, false, handler);
  }

  /** @param fromBeginning read the whole topic first (a compacted table such as prototypes), else only new records */
  public TopicTail(KafkaClients clients, String topic, boolean fromBeginning,
      BiConsumer<String, byte[]> handler) {
    this(clients, topic, fromBeginning, (Consumer<ConsumerRecord<byte[], byte[]>>) r -> handler.accept(
        r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), r.value()));
  }

  /** Whole records, for readers that need headers (a dead letter's reason, say). */
  public static TopicTail ofRecords(KafkaClients clients, String topic, boolean fromBeginning,
      Consumer<ConsumerRecord<byte[], byte[]>> handler) {
    return new TopicTail(clients, topic, fromBeginning, handler);
  }

  private TopicTail(KafkaClients clients, String topic, boolean fromBeginning,
      Consumer<ConsumerRecord<byte[], byte[]>> handler) {
    this.handler = handler;
    consumer = clients.consumer(null, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of());
    List<TopicPartition> partitions = KafkaClients.assignAll(consumer, topic);
    if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
    partitions.forEach(consumer::position);
    thread = new Thread(this::loop, "tail-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          count.incrementAndGet();
          handler.accept(r);
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  public long count() {
    return count.get();
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
