package io.semistream.testing;

import io.semistream.broker.EmbeddedKafkaBroker;
import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.KafkaClients;
import io.semistream.topics.TopicApplier;
import io.semistream.topics.TopicRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** A real embedded broker for one IT class, with the catalogue's topics and read helpers. */
public final class TestKafka implements AutoCloseable {
  private final EmbeddedKafkaBroker broker;
  private final SemistreamConfig config;
  private final TopicRegistry topics = TopicRegistry.load();

  private TestKafka(EmbeddedKafkaBroker broker) {
    this(broker, broker.bootstrapServers());
  }

  private TestKafka(EmbeddedKafkaBroker broker, String bootstrapServers) {
    this.broker = broker;
    // The discovery and asking services are off unless a test turns them on (DiscoveryIT, AskingIT,
    // BadInputCorpusIT, MonitoringIT): a third Streams application beside every learner made the suite a quarter
    // slower on 2 cores and tells most ITs nothing.
    SemistreamConfig defaults = SemistreamConfig.defaults().withBootstrapServers(bootstrapServers);
    this.config = defaults.withDiscovery(defaults.discovery().withEnabled(false))
        .withAsking(defaults.asking().withEnabled(false));
  }

  /**
   * The same helpers over a broker this JVM does not own (one run as a separate process, to be killed); the
   * catalogue's topics are created when missing. Closing it leaves the broker alone.
   */
  public static TestKafka attach(String bootstrapServers) throws Exception {
    TestKafka kafka = new TestKafka(null, bootstrapServers);
    try (Admin admin = kafka.clients().admin()) {
      new TopicApplier(admin).apply(kafka.topics.catalogue().all().values(), 0);
    }
    return kafka;
  }

  public static TestKafka start(Path dir) throws Exception {
    // Crash tests restart killed members: a 2 s session (below the broker's 6 s minimum by default) lets the group
    // move a dead member's partitions on quickly. Retention is checked every second, not every 5 minutes (longer
    // than most ITs run): a record stamped with a timestamp older than its topic's retention must vanish within
    // the test, as it would in production (relabelled predictions stamped with 1970 event times were lost so).
    TestKafka kafka = new TestKafka(EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0,
        Map.of("group.min.session.timeout.ms", "1000", "log.retention.check.interval.ms", "1000")));
    try (Admin admin = kafka.clients().admin()) {
      new TopicApplier(admin).apply(kafka.topics.catalogue().all().values(), 0);
    }
    return kafka;
  }

  public SemistreamConfig config() {
    return config;
  }

  public KafkaClients clients() {
    return new KafkaClients(config.kafka());
  }

  public TopicRegistry topics() {
    return topics;
  }

  public String bootstrapServers() {
    return config.kafka().bootstrapServers();
  }

  /**
   * Reads committed records of {@code topic} from the beginning until {@code expected} have arrived or
   * {@code timeout} passes, then keeps reading for {@code settle} to catch any extra (duplicate) record.
   */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int expected, Duration timeout,
      Duration settle) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = clients().consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of())) {
      consumer.seekToBeginning(KafkaClients.assignAll(consumer, topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      long settleEnd = System.nanoTime() + settle.toNanos();
      while (System.nanoTime() < settleEnd) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    if (broker != null) {
      broker.close();
    }
  }
}
