package io.semistream.kafka;

import io.semistream.config.KafkaSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Client factories on top of the pass-through settings. Only what a role strictly needs (transactions,
 * isolation, serdes) is set here; user-supplied {@code kafka.*} properties are kept for everything else.
 */
public final class KafkaClients {
  /** Large enough for any record the catalogue's topics accept (10 MiB) plus headers. */
  public static final int MAX_REQUEST_BYTES = 11 * 1024 * 1024;

  private final KafkaSettings settings;

  public KafkaClients(KafkaSettings settings) {
    this.settings = settings;
  }

  public KafkaSettings settings() {
    return settings;
  }

  public Admin admin() {
    return Admin.create(settings.baseProperties());
  }

  public <K, V> KafkaProducer<K, V> producer(Serializer<K> key, Serializer<V> value, Map<String, Object> overrides) {
    Properties p = settings.baseProperties();
    p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
    p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_REQUEST_BYTES));
    p.putAll(overrides);
    return new KafkaProducer<>(p, key, value);
  }

  /** A producer whose sends and consumer-offset commits are atomic (exactly-once consume-transform-produce). */
  public <K, V> KafkaProducer<K, V> transactionalProducer(String transactionalId, Serializer<K> key,
      Serializer<V> value) {
    return producer(key, value, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId));
  }

  /** Assigns every partition of {@code topics} (no group) and returns them, for readers that scan a topic. */
  public static List<TopicPartition> assignAll(Consumer<?, ?> consumer, String... topics) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    return partitions;
  }

  public <K, V> KafkaConsumer<K, V> consumer(String groupId, Deserializer<K> key, Deserializer<V> value,
      Map<String, Object> overrides) {
    Properties p = settings.baseProperties();
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(MAX_REQUEST_BYTES));
    p.putAll(overrides);
    return new KafkaConsumer<>(p, key, value);
  }
}
