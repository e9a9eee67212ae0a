package io.semistream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SemistreamConfigTest {

  @Test
  void shouldStartFromDocumentedDefaultsWithTheEmbeddedBroker() {
    SemistreamConfig c = SemistreamConfig.defaults();
    assertTrue(c.kafka().embedded());
    assertEquals(64, c.embedding().batchSize());
    assertEquals(50L, c.embedding().maxWaitMs());
    assertEquals(50L, c.embedding().batchWaitMs(0.0), "the idle wait is off by default");
    assertEquals(DeviceChoice.AUTO, c.embedding().device());
    assertEquals(Path.of("models/conv-ae-64"), c.model().dir());
  }

  @Test
  void shouldLetEnvironmentOverrideTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("s.properties");
    Files.writeString(file, "embedding.batch.size=16\nbootstrap.servers=broker:9092\nkafka.security.protocol=SSL\n");
    SemistreamConfig c = SemistreamConfig.load(file,
        Map.of("SEMISTREAM_EMBEDDING_BATCH_SIZE", "32", "SEMISTREAM_EMBEDDING_DEVICE", "cpu", "PATH", "/bin"));
    assertEquals(32, c.embedding().batchSize());
    assertEquals(DeviceChoice.CPU, c.embedding().device());
    assertEquals("broker:9092", c.kafka().bootstrapServers());
    assertFalse(c.kafka().embedded());
  }

  @Test
  void shouldWaitTheShortIdleBatchWaitOnlyWhileTheCpusAreIdle() {
    EmbeddingSettings e = SemistreamConfig.fromMap(Map.of("embedding.idle.max.wait.ms", "5")).embedding();
    assertEquals(5L, e.batchWaitMs(0.3), "idle CPUs: the short wait");
    assertEquals(5L, e.batchWaitMs(0.7));
    assertEquals(50L, e.batchWaitMs(0.71), "busy CPUs: batches fill");
    assertEquals(50L, e.batchWaitMs(Double.NaN), "an unknown load counts as busy");
    assertEquals(50L, SemistreamConfig.fromMap(Map.of("embedding.idle.max.wait.ms", "80")).embedding()
        .batchWaitMs(0.0), "never longer than embedding.max.wait.ms");
    assertThrows(InvalidConfigurationException.class,
        () -> SemistreamConfig.fromMap(Map.of("embedding.idle.max.wait.ms", "-2")));
  }

  @Test
  void shouldSpreadAnIntervalsRelabelImagesOverItsSteps() {
    LearnerSettings.SelfTraining t = SemistreamConfig.defaults().learner().selfTraining();
    assertTrue(t.relabelInSteps());
    assertEquals(400, t.relabelImagesPerWalk(), "20,000 images per 5 s in steps of 100 ms");
    LearnerSettings.SelfTraining whole = SemistreamConfig.fromMap(Map.of("learner.relabel.step.ms", "0")).learner()
        .selfTraining();
    assertFalse(whole.relabelInSteps());
    assertEquals(20_000, whole.relabelImagesPerWalk(), "0: the whole interval's images at each check");
    assertEquals(20_000, SemistreamConfig.fromMap(Map.of("learner.relabel.step.ms", "5000")).learner().selfTraining()
        .relabelImagesPerWalk(), "a step as long as the interval is no step");
    assertEquals(1, SemistreamConfig.fromMap(Map.of("learner.relabel.max.images", "7", "learner.relabel.interval.ms",
        "1000")).learner().selfTraining().relabelImagesPerWalk(), "rounded up: a round always moves on");
    assertEquals(3, SemistreamConfig.fromMap(Map.of("learner.relabel.max.images", "21", "learner.relabel.interval.ms",
        "1000")).learner().selfTraining().relabelImagesPerWalk());
    assertThrows(InvalidConfigurationException.class,
        () -> SemistreamConfig.fromMap(Map.of("learner.relabel.step.ms", "-1")));
  }

  @Test
  void shouldLeaveTheLaunchersJavaOptionsOutOfTheConfiguration() {
    SemistreamConfig c = SemistreamConfig.load(null, Map.of("SEMISTREAM_JAVA_OPTS", "-Xmx2g",
        "SEMISTREAM_LEARNER_PARTITIONS", "8"));
    assertEquals(8, c.learner().partitions());
  }

  @Test
  void shouldPassKafkaClientPropertiesThroughUnchanged() {
    SemistreamConfig c = SemistreamConfig.fromMap(Map.of("bootstrap.servers", "b:9093",
        "kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "SCRAM-SHA-512",
        "kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;"));
    var props = c.kafka().baseProperties();
    assertEquals("SASL_SSL", props.get("security.protocol"));
    assertEquals("SCRAM-SHA-512", props.get("sasl.mechanism"));
    assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required;", props.get("sasl.jaas.config"));
    assertEquals("b:9093", props.get("bootstrap.servers"));
  }

  @Test
  void shouldReportEveryBadValueWithItsKeyInOneError() {
    InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
        () -> SemistreamConfig.fromMap(Map.of("embedding.batch.size", "lots", "embedding.max.wait.ms", "-5",
            "embedding.device", "tpu", "embeding.threads", "2")));
    assertEquals(4, e.problems().size(), e.getMessage());
    String msg = e.getMessage();
    assertTrue(msg.contains("embedding.batch.size") && msg.contains("lots"), msg);
    assertTrue(msg.contains("embedding.max.wait.ms") && msg.contains("-5"), msg);
    assertTrue(msg.contains("embedding.device") && msg.contains("tpu"), msg);
    assertTrue(msg.contains("unknown configuration key 'embeding.threads'"), msg);
  }

  @Test
  void shouldRejectOutOfRangeNumbers() {
    InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
        () -> SemistreamConfig.fromMap(Map.of("embedding.batch.size", "0", "broker.port", "70000")));
    assertTrue(e.getMessage().contains("embedding.batch.size"), e.getMessage());
    assertTrue(e.getMessage().contains("broker.port"), e.getMessage());
  }

  @Test
  void shouldRefuseAHangingTransactionAgeThatALiveTransactionCanReach() {
    InvalidConfigurationException tooShort = assertThrows(InvalidConfigurationException.class,
        () -> SemistreamConfig.fromMap(Map.of("learner.hanging.transactions.min.age.ms", "3000")));
    assertTrue(tooShort.getMessage().contains("learner.hanging.transactions.min.age.ms"), tooShort.getMessage());
    IllegalArgumentException longerTimeout = assertThrows(IllegalArgumentException.class,
        () -> SemistreamConfig.fromMap(Map.of("kafka.transaction.timeout.ms", "900000")));
    assertTrue(longerTimeout.getMessage().contains("kafka.transaction.timeout.ms (900000) must be below "
        + "learner.hanging.transactions.min.age.ms (120000)"), longerTimeout.getMessage());
    assertEquals(950_000L, SemistreamConfig.fromMap(Map.of("kafka.transaction.timeout.ms", "900000",
        "learner.hanging.transactions.min.age.ms", "950000")).learner().retention().hangingTransactionMinAgeMs());
  }

  @Test
  void shouldAcceptATopicPrefixAndRejectOneKafkaCannotUse() {
    assertEquals("team-a.", SemistreamConfig.fromMap(Map.of("topics.prefix", "team-a.")).topics().prefix());
    assertEquals("", SemistreamConfig.defaults().topics().prefix());
    InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
        () -> SemistreamConfig.fromMap(Map.of("topics.prefix", "team a/")));
    assertTrue(e.getMessage().contains("topics.prefix") && e.getMessage().contains("letters, digits"),
        e.getMessage());
  }

  @Test
  void shouldNameAMissingConfigurationFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.properties");
    InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
        () -> SemistreamConfig.load(missing, Map.of()));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void shouldRejectAnEmptyKafkaPrefix() {
    assertThrows(InvalidConfigurationException.class, () -> SemistreamConfig.fromMap(Map.of("kafka.", "x")));
  }

  @Test
  void shouldRefuseClientPropertiesBeforeTheEmbeddedBrokerIsUp() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SemistreamConfig.defaults().kafka().baseProperties());
    assertTrue(e.getMessage().contains("embedded broker"));
  }

  @Test
  void shouldCheckRecordArguments() {
    assertThrows(IllegalArgumentException.class, () -> new EmbeddingSettings(0, 1, 1, 0, DeviceChoice.CPU, 1, 1,
        1, "g", "t", true, true, 0, 1, 1, 0, 1, 5, 0.7, 0));
    assertThrows(IllegalArgumentException.class, () -> new EmbeddingSettings(1, 1, 1, 0, DeviceChoice.CPU, 1, 1,
        1, "g", "t", true, true, -1, 1, 1, 0, 1, 5, 0.7, 0));
    assertThrows(IllegalArgumentException.class, () -> new EmbeddingSettings(1, 1, 1, 0, DeviceChoice.CPU, 1, 1,
        1, "g", "t", true, true, 0, 1, 0, 0, 1, 5, 0.7, 0));
    assertThrows(IllegalArgumentException.class, () -> new EmbeddingSettings(1, 1, 1, 0, DeviceChoice.CPU, 1, 1,
        1, "g", "t", true, true, 0, 1, 1, 0, -1, 5, 0.7, 0));
    assertThrows(IllegalArgumentException.class, () -> new EmbeddingSettings(1, 1, 1, 0, DeviceChoice.CPU, 1, 1,
        1, "g", "t", true, true, 0, 1, 1, 0, 1, -2, 0.7, 0));
    assertThrows(IllegalArgumentException.class, () -> new EmbeddingSettings(1, 1, 1, 0, DeviceChoice.CPU, 1, 1,
        1, "g", "t", true, true, 0, 1, 1, 0, 1, 5, Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> new BrokerSettings(Path.of("x"), -1));
  }

  @Test
  void shouldRefuseAGuessableLabelTokenAndKeepTheTokenOutOfLogs() {
    var e = assertThrows(InvalidConfigurationException.class,
        () -> SemistreamConfig.fromMap(Map.of("web.label.token", "short-secret")));
    assertTrue(e.getMessage().contains("at least 16 characters"), e.getMessage());
    assertFalse(e.getMessage().contains("short-secret"), "the secret is not repeated: " + e.getMessage());
    SemistreamConfig config = SemistreamConfig.fromMap(Map.of("web.label.token", "a-long-enough-secret"));
    assertTrue(config.web().labellingEnabled());
    assertFalse(config.toString().contains("a-long-enough-secret"), config.toString());
    assertFalse(SemistreamConfig.defaults().web().labellingEnabled(), "read-only unless a token is configured");
  }
}
