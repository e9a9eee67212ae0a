package io.semistream.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The one typed configuration of semistream: a properties file, then environment overrides
 * ({@code SEMISTREAM_EMBEDDING_BATCH_SIZE=32} sets {@code embedding.batch.size}), validated once at
 * start-up. Keys under {@code kafka.} are passed unchanged (prefix removed) to every Kafka client and
 * to Kafka Streams, so SASL, TLS and any tuning work without code changes.
 */
public record SemistreamConfig(
    KafkaSettings kafka, BrokerSettings broker, EmbeddingSettings embedding, ModelSettings model,
    LearnerSettings learner, TrainerSettings trainer, MetricsSettings metrics, Path dataDir,
    TopicsSettings topics, WebSettings web, DiscoverySettings discovery, AskingSettings asking) {

  public static final String ENV_PREFIX = "SEMISTREAM_";
  public static final String KAFKA_PREFIX = "kafka.";

  public static final String DATA_DIR = "data.dir";

  /**
   * The definition of every key: type, default, validator and documentation (the README's reference). Each
   * section defines its own keys; this class only gathers them.
   */
  public static final ConfigDef DEFINITION = define();

  private static ConfigDef define() {
    ConfigDef def = new ConfigDef();
    KafkaSettings.define(def);
    BrokerSettings.define(def);
    def.define(DATA_DIR, Type.STRING, "data", Importance.MEDIUM,
            "Where the npm data sets (data/npm) and their binary cache (data/cache) live.");
    TopicsSettings.define(def);
    ModelSettings.define(def);
    EmbeddingSettings.define(def);
    LearnerSettings.define(def);
    TrainerSettings.define(def);
    MetricsSettings.define(def);
    WebSettings.define(def);
    DiscoverySettings.define(def);
    AskingSettings.define(def);
    return def;
  }

  public SemistreamConfig {
    if (kafka == null || broker == null || embedding == null || model == null || learner == null
        || trainer == null || metrics == null || dataDir == null || topics == null || web == null
        || discovery == null || asking == null) {
      throw new IllegalArgumentException("configuration sections must not be null");
    }
    Object timeout = kafka.clientProperties().get("transaction.timeout.ms");
    long minAge = learner.retention().hangingTransactionMinAgeMs();
    if (timeout != null && parseMillis(KAFKA_PREFIX + "transaction.timeout.ms", timeout) >= minAge) {
      throw new IllegalArgumentException(KAFKA_PREFIX + "transaction.timeout.ms (" + timeout + ") must be below "
          + LearnerSettings.Retention.HANGING_TRANSACTION_MIN_AGE_MS + " (" + minAge + "): the learner would take "
          + "a live transaction for a hanging one and abort it");
    }
  }

  private static long parseMillis(String key, Object value) {
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number of milliseconds, got '" + value + "'");
    }
  }

  /** Defaults only (no file, no environment): what tests and the embedded demo start from. */
  public static SemistreamConfig defaults() {
    return fromMap(Map.of());
  }

  /** Reads {@code file} (if not null), applies environment overrides, validates everything. */
  public static SemistreamConfig load(Path file, Map<String, String> environment) {
    Map<String, String> values = new TreeMap<>();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new InvalidConfigurationException(List.of("configuration file " + file + " does not exist"));
      }
      Properties props = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        props.load(in);
      } catch (IOException e) {
        throw new InvalidConfigurationException(List.of("cannot read configuration file " + file + ": " + e.getMessage()));
      }
      props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
    }
    values.putAll(fromEnvironment(environment));
    return fromMap(values);
  }

  /** Variables with the prefix that are the launcher's, not configuration keys (JVM options). */
  static final java.util.Set<String> LAUNCHER_VARIABLES = java.util.Set.of("SEMISTREAM_JAVA_OPTS");

  /** {@code SEMISTREAM_EMBEDDING_BATCH_SIZE} becomes {@code embedding.batch.size}. */
  static Map<String, String> fromEnvironment(Map<String, String> environment) {
    Map<String, String> values = new TreeMap<>();
    environment.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length() && !LAUNCHER_VARIABLES.contains(name)) {
        String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        values.put(key, value.trim());
      }
    });
    return values;
  }

  /** Validates all keys at once and reports every problem, not just the first. */
  public static SemistreamConfig fromMap(Map<String, String> raw) {
    List<String> problems = new ArrayList<>();
    Map<String, String> own = new TreeMap<>();
    Map<String, Object> passthrough = new TreeMap<>();
    raw.forEach((key, value) -> {
      if (key.startsWith(KAFKA_PREFIX)) {
        String kafkaKey = key.substring(KAFKA_PREFIX.length());
        if (kafkaKey.isEmpty()) {
          problems.add("'" + key + "' names no Kafka property");
        } else {
          passthrough.put(kafkaKey, value);
        }
      } else if (DEFINITION.names().contains(key)) {
        own.put(key, value);
      } else {
        problems.add("unknown configuration key '" + key + "' (Kafka client properties go under '"
            + KAFKA_PREFIX + "', e.g. kafka.security.protocol)");
      }
    });
    Map<String, Object> parsed = new TreeMap<>();
    for (ConfigDef.ConfigKey key : DEFINITION.configKeys().values()) {
      try {
        Object value = own.containsKey(key.name)
            ? ConfigDef.parseType(key.name, own.get(key.name), key.type) : key.defaultValue;
        if (key.validator != null) {
          key.validator.ensureValid(key.name, value);
        }
        parsed.put(key.name, value);
      } catch (ConfigException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigurationException(problems);
    }
    ParsedValues values = new ParsedValues(parsed);
    return new SemistreamConfig(KafkaSettings.read(values, passthrough), BrokerSettings.read(values),
        EmbeddingSettings.read(values), ModelSettings.read(values), LearnerSettings.read(values),
        TrainerSettings.read(values), MetricsSettings.read(values), values.path(DATA_DIR), TopicsSettings.read(values),
        WebSettings.read(values), DiscoverySettings.read(values), AskingSettings.read(values));
  }

  /**
   * The consumer groups whose lag says how far the pipeline is behind (the online trainer waits while it is): the
   * embedding service's on {@code images} and the learner's on its inputs.
   */
  public List<String> pipelineGroups() {
    return List.of(embedding.groupId(), learner.applicationId());
  }

  public SemistreamConfig withBootstrapServers(String servers) {
    return new SemistreamConfig(new KafkaSettings(servers, kafka.clientProperties()), broker, embedding, model,
        learner, trainer, metrics, dataDir, topics, web, discovery, asking);
  }

  public SemistreamConfig withEmbedding(EmbeddingSettings newEmbedding) {
    return new SemistreamConfig(kafka, broker, newEmbedding, model, learner, trainer, metrics, dataDir, topics, web,
        discovery, asking);
  }

  public SemistreamConfig withModelDir(Path dir) {
    return new SemistreamConfig(kafka, broker, embedding, model.withDir(dir), learner, trainer, metrics, dataDir,
        topics, web, discovery, asking);
  }

  public SemistreamConfig withMetrics(MetricsSettings newMetrics) {
    return new SemistreamConfig(kafka, broker, embedding, model, learner, trainer, newMetrics, dataDir,
        topics, web, discovery, asking);
  }

  public SemistreamConfig withTrainer(TrainerSettings newTrainer) {
    return new SemistreamConfig(kafka, broker, embedding, model, learner, newTrainer, metrics, dataDir,
        topics, web, discovery, asking);
  }

  public SemistreamConfig withWeb(WebSettings newWeb) {
    return new SemistreamConfig(kafka, broker, embedding, model, learner, trainer, metrics, dataDir, topics,
        newWeb, discovery, asking);
  }

  public SemistreamConfig withDiscovery(DiscoverySettings newDiscovery) {
    return new SemistreamConfig(kafka, broker, embedding, model, learner, trainer, metrics, dataDir, topics, web,
        newDiscovery, asking);
  }

  public SemistreamConfig withAsking(AskingSettings newAsking) {
    return new SemistreamConfig(kafka, broker, embedding, model, learner, trainer, metrics, dataDir, topics, web,
        discovery, newAsking);
  }

  public SemistreamConfig withLearner(LearnerSettings newLearner) {
    return new SemistreamConfig(kafka, broker, embedding, model, newLearner, trainer, metrics, dataDir, topics, web,
        discovery, asking);
  }
}
