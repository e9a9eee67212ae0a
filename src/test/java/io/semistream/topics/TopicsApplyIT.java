package io.semistream.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.broker.EmbeddedKafkaBroker;
import io.semistream.cli.SemistreamCli;
import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.KafkaClients;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicsApplyIT {
  @TempDir
  static Path dir;
  static EmbeddedKafkaBroker broker;
  static KafkaClients clients;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
    clients = new KafkaClients(SemistreamConfig.defaults().withBootstrapServers(broker.bootstrapServers()).kafka());
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void shouldCreateEveryCatalogueTopicOnceThenReportThemUnchanged() throws Exception {
    TopicCatalogue catalogue = TopicRegistry.load().catalogue();
    Set<String> names = catalogue.all().values().stream().map(TopicSpec::name).collect(Collectors.toSet());
    try (Admin admin = clients.admin()) {
      TopicApplier applier = new TopicApplier(admin);
      TopicApplier.Report first = applier.apply(catalogue.all().values(), 0);
      assertEquals(names, Set.copyOf(first.created()));
      assertTrue(first.drift().isEmpty(), first.summary());

      TopicApplier.Report second = applier.apply(catalogue.all().values(), 0);
      assertEquals(List.of(), second.created());
      assertEquals(names, Set.copyOf(second.unchanged()));
      assertEquals(List.of(), second.drift());

      for (TopicSpec spec : catalogue.all().values()) {
        assertEquals(spec.partitions(),
            admin.describeTopics(List.of(spec.name())).allTopicNames().get().get(spec.name()).partitions().size());
        Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, spec.name())))
            .all().get().values().iterator().next();
        assertEquals(spec.cleanupPolicy(), config.get("cleanup.policy").value(), spec.name());
        assertEquals(Long.toString(spec.retentionMs()), config.get("retention.ms").value(), spec.name());
      }
    }
    // The CLI on the same cluster: nothing to create, nothing drifted, exit code 0.
    assertEquals(0, SemistreamCli.commandLine().execute("topics", "apply", "--bootstrap-servers",
        broker.bootstrapServers()));
  }

  @Test
  void shouldReturnOnlyOnceEveryCreatedPartitionTakesWritesAtItsLeader() throws Exception {
    // No retries: a partition whose leader is in the metadata but not yet serving it (NOT_LEADER_OR_FOLLOWER)
    // fails its send here instead of being retried, which is what confused idempotent producers before.
    TopicRegistry topics = TopicRegistry.load("ready.");
    try (Admin admin = clients.admin();
         KafkaProducer<byte[], byte[]> producer = clients.producer(new ByteArraySerializer(),
             new ByteArraySerializer(), Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                 ProducerConfig.RETRIES_CONFIG, "0", ProducerConfig.ACKS_CONFIG, "1"))) {
      new TopicApplier(admin).apply(List.of(topics.catalogue().spec(TopicId.IMAGES),
          topics.catalogue().spec(TopicId.LABELS)), 0);
      for (String topic : List.of(topics.images().name(), topics.labels().name())) {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        for (int partition = 0; partition < partitions; partition++) {
          producer.send(new ProducerRecord<>(topic, partition, new byte[] {1}, new byte[] {2})).get();
        }
      }
    }
  }

  @Test
  void shouldCreatePrefixedTopicsWithPartitionOverridesAndThenReportTheOverrideAsDrift() throws Exception {
    String servers = broker.bootstrapServers();
    assertEquals(0, SemistreamCli.commandLine().execute("topics", "apply", "--bootstrap-servers", servers,
        "-D", "topics.prefix=ops.", "--partitions", "images=6,embeddings=3"));
    try (Admin admin = clients.admin()) {
      Set<String> prefixed = admin.listTopics().names().get().stream().filter(n -> n.startsWith("ops."))
          .collect(Collectors.toSet());
      assertEquals(TopicRegistry.load("ops.").catalogue().all().values().stream().map(TopicSpec::name)
          .collect(Collectors.toSet()), prefixed);
      var described = admin.describeTopics(List.of("ops.images", "ops.embeddings", "ops.labels")).allTopicNames()
          .get();
      assertEquals(6, described.get("ops.images").partitions().size());
      assertEquals(3, described.get("ops.embeddings").partitions().size());
      assertEquals(TopicRegistry.load().catalogue().spec(TopicId.LABELS).partitions(),
          described.get("ops.labels").partitions().size());
    }
    // Without the override the catalogue disagrees with what exists: reported (exit code 3), never changed.
    assertEquals(3, SemistreamCli.commandLine().execute("topics", "apply", "--bootstrap-servers", servers,
        "-D", "topics.prefix=ops."));
    // An unknown catalogue id is a usage error, before anything is created.
    assertEquals(2, SemistreamCli.commandLine().execute("topics", "apply", "--bootstrap-servers", servers,
        "-D", "topics.prefix=ops2.", "--partitions", "imagez=6"));
    try (Admin admin = clients.admin()) {
      assertTrue(admin.listTopics().names().get().stream().noneMatch(n -> n.startsWith("ops2.")));
    }
  }

  @Test
  void shouldPublishTheShippedAttributeTableToClassSemantics() throws Exception {
    assertEquals(0, SemistreamCli.commandLine().execute("topics", "apply", "--bootstrap-servers",
        broker.bootstrapServers(), "-D", "topics.prefix=sem."));
    assertEquals(0, SemistreamCli.commandLine().execute("semantics", "--bootstrap-servers",
        broker.bootstrapServers(), "-D", "topics.prefix=sem.", "--dataset", "mnist"));
    TopicRegistry topics = TopicRegistry.load("sem.");
    var serde = topics.classSemantics().valueSerde().deserializer();
    Map<String, io.semistream.records.ClassSemantics> read = new java.util.TreeMap<>();
    try (var consumer = clients.consumer(null, new org.apache.kafka.common.serialization.StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(), Map.of())) {
      consumer.seekToBeginning(KafkaClients.assignAll(consumer, topics.classSemantics().name()));
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (read.size() < 10 && System.nanoTime() < deadline) {
        consumer.poll(java.time.Duration.ofMillis(200)).forEach(r -> read.put(r.key(), serde.deserialize("", r.value())));
      }
    }
    assertEquals(Set.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), read.keySet());
    assertEquals(12, read.get("8").attributes().length);
    assertEquals("two closed loops", read.get("8").names().get(1));
  }

  @Test
  void shouldReportButNeverChangeATopicThatDiffersFromTheCatalogue() throws Exception {
    TopicSpec images = TopicRegistry.load().catalogue().spec(TopicId.IMAGES);
    TopicSpec renamed = new TopicSpec(images.id(), "drifted-images", images.partitions(),
        images.replicationFactor(), images.cleanupPolicy(), images.retentionMs(), images.configs(),
        images.keyFormat(), images.valueFormat(), images.valueSchema());
    try (Admin admin = clients.admin()) {
      admin.createTopics(List.of(new NewTopic("drifted-images", 2, (short) 1)
          .configs(Map.of("cleanup.policy", "compact")))).all().get();
      TopicApplier.Report report = new TopicApplier(admin).apply(List.of(renamed), 0);
      assertEquals(List.of(), report.created());
      assertEquals(List.of(), report.unchanged());
      String drift = String.join("\n", report.drift());
      assertTrue(drift.contains("drifted-images: partitions 2, catalogue says 4"), drift);
      assertTrue(drift.contains("drifted-images: cleanup.policy=compact, catalogue says delete"), drift);
      assertEquals(2, report.drift().size(), "retention.ms matches (7 days, the broker default): no drift there");
      // Reported, not changed.
      assertEquals(2, admin.describeTopics(List.of("drifted-images")).allTopicNames().get()
          .get("drifted-images").partitions().size());
      assertEquals("compact", admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC,
          "drifted-images"))).all().get().values().iterator().next().get("cleanup.policy").value());
    }
  }
}
