package io.semistream.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * The one typed configuration of semistream: a properties file, then environment overrides
 * ({@code SEMISTREAM_EMBEDDING_BATCH_SIZE=32} sets {@code embedding.batch.size}), validated once at
 * start-up. Keys under {@code kafka.} are passed unchanged (prefix removed) to every Kafka client and
 * to Kafka Streams, so SASL, TLS and any tuning work without code changes.
 */
public record SemistreamConfig(
    KafkaSettings kafka, BrokerSettings broker, EmbeddingSettings embedding, ModelSettings model,
    Path dataDir, int topicReplicationFactor) {

  public static final String ENV_PREFIX = "SEMISTREAM_";
  public static final String KAFKA_PREFIX = "kafka.";

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String BROKER_DATA_DIR = "broker.data.dir";
  public static final String BROKER_PORT = "broker.port";
  public static final String DATA_DIR = "data.dir";
  public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
  public static final String MODEL_DIR = "model.dir";
  public static final String MODEL_BOOTSTRAP_EPOCHS = "model.bootstrap.epochs";
  public static final String MODEL_BOOTSTRAP_IMAGES = "model.bootstrap.images";
  public static final String EMBEDDING_BATCH_SIZE = "embedding.batch.size";
  public static final String EMBEDDING_MAX_WAIT_MS = "embedding.max.wait.ms";
  public static final String EMBEDDING_THREADS = "embedding.threads";
  public static final String EMBEDDING_INTRA_OP_THREADS = "embedding.intra.op.threads";
  public static final String EMBEDDING_DEVICE = "embedding.device";
  public static final String EMBEDDING_MAX_IMAGE_BYTES = "embedding.max.image.bytes";
  public static final String EMBEDDING_MAX_IMAGE_SIDE = "embedding.max.image.side";
  public static final String EMBEDDING_GROUP_ID = "embedding.group.id";
  public static final String EMBEDDING_TRANSACTIONAL_ID = "embedding.transactional.id";

  /** The definition of every key: type, default, validator and documentation (the README's reference). */
  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(BOOTSTRAP_SERVERS, Type.STRING, "", Importance.HIGH,
          "Kafka bootstrap servers. Empty: start an embedded single-node KRaft broker on loopback.")
      .define(BROKER_DATA_DIR, Type.STRING, "data/kafka", Importance.MEDIUM,
          "Log and metadata directory of the embedded broker (kept between runs).")
      .define(BROKER_PORT, Type.INT, 0, Range.between(0, 65535), Importance.LOW,
          "Listener port of the embedded broker; 0 picks a free port.")
      .define(DATA_DIR, Type.STRING, "data", Importance.MEDIUM,
          "Where the npm data sets (data/npm) and their binary cache (data/cache) live.")
      .define(TOPICS_REPLICATION_FACTOR, Type.INT, 0, Range.between(0, 32), Importance.MEDIUM,
          "Replication factor for topics that `topics apply` creates; 0 uses the catalogue's value.")
      .define(MODEL_DIR, Type.STRING, "models/conv-ae-64", Importance.HIGH,
          "Directory of versioned autoencoder models (v1/, v2/, ...); the newest version is served.")
      .define(MODEL_BOOTSTRAP_EPOCHS, Type.INT, 1, Range.between(1, 100), Importance.LOW,
          "When the main job finds no model, it trains one for this many epochs first.")
      .define(MODEL_BOOTSTRAP_IMAGES, Type.INT, 20_000, Range.between(1_000, 70_000), Importance.LOW,
          "Number of Fashion-MNIST images that bootstrap training uses.")
      .define(EMBEDDING_BATCH_SIZE, Type.INT, 64, Range.between(1, 4096), Importance.HIGH,
          "Largest batch the embedding service runs through the model in one forward pass.")
      .define(EMBEDDING_MAX_WAIT_MS, Type.LONG, 50L, Range.between(0L, 60_000L), Importance.HIGH,
          "Longest time the embedding service waits to fill a batch before it runs a partial one.")
      .define(EMBEDDING_THREADS, Type.INT, 1, Range.between(1, 64), Importance.MEDIUM,
          "Embedding workers; each has its own consumer, transactional producer and Predictor.")
      .define(EMBEDDING_INTRA_OP_THREADS, Type.INT, 0, Range.between(0, 256), Importance.MEDIUM,
          "PyTorch intra-op threads (ai.djl.pytorch.num_threads); 0: available cores / embedding.threads.")
      .define(EMBEDDING_DEVICE, Type.STRING, "auto", ValidString.in("auto", "cpu", "gpu"), Importance.MEDIUM,
          "auto: the GPU when DJL sees one, else the CPU.")
      .define(EMBEDDING_MAX_IMAGE_BYTES, Type.INT, 2 * 1024 * 1024, Range.between(1, 64 * 1024 * 1024),
          Importance.MEDIUM, "Larger image records go to the dead-letter topic (oversized-image).")
      .define(EMBEDDING_MAX_IMAGE_SIDE, Type.INT, 4096, Range.between(1, 65_536), Importance.LOW,
          "Images wider or taller than this go to the dead-letter topic (image-too-large), before decoding.")
      .define(EMBEDDING_GROUP_ID, Type.STRING, "semistream-embedding", new ConfigDef.NonEmptyString(),
          Importance.MEDIUM, "Consumer group of the embedding service.")
      .define(EMBEDDING_TRANSACTIONAL_ID, Type.STRING, "semistream-embedding", new ConfigDef.NonEmptyString(),
          Importance.MEDIUM, "Prefix of the embedding workers' transactional ids (worker index appended).");

  public SemistreamConfig {
    if (kafka == null || broker == null || embedding == null || model == null || dataDir == null) {
      throw new IllegalArgumentException("configuration sections must not be null");
    }
    if (topicReplicationFactor < 0) {
      throw new IllegalArgumentException("topicReplicationFactor must be >= 0");
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

  /** {@code SEMISTREAM_EMBEDDING_BATCH_SIZE} becomes {@code embedding.batch.size}. */
  static Map<String, String> fromEnvironment(Map<String, String> environment) {
    Map<String, String> values = new TreeMap<>();
    environment.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
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
    return new SemistreamConfig(
        new KafkaSettings((String) parsed.get(BOOTSTRAP_SERVERS), Collections.unmodifiableMap(passthrough)),
        new BrokerSettings(Path.of((String) parsed.get(BROKER_DATA_DIR)), (Integer) parsed.get(BROKER_PORT)),
        new EmbeddingSettings(
            (Integer) parsed.get(EMBEDDING_BATCH_SIZE), (Long) parsed.get(EMBEDDING_MAX_WAIT_MS),
            (Integer) parsed.get(EMBEDDING_THREADS), (Integer) parsed.get(EMBEDDING_INTRA_OP_THREADS),
            DeviceChoice.valueOf(((String) parsed.get(EMBEDDING_DEVICE)).toUpperCase(Locale.ROOT)),
            (Integer) parsed.get(EMBEDDING_MAX_IMAGE_BYTES), (Integer) parsed.get(EMBEDDING_MAX_IMAGE_SIDE),
            (String) parsed.get(EMBEDDING_GROUP_ID), (String) parsed.get(EMBEDDING_TRANSACTIONAL_ID)),
        new ModelSettings(Path.of((String) parsed.get(MODEL_DIR)),
            (Integer) parsed.get(MODEL_BOOTSTRAP_EPOCHS), (Integer) parsed.get(MODEL_BOOTSTRAP_IMAGES)),
        Path.of((String) parsed.get(DATA_DIR)),
        (Integer) parsed.get(TOPICS_REPLICATION_FACTOR));
  }

  public SemistreamConfig withBootstrapServers(String servers) {
    return new SemistreamConfig(new KafkaSettings(servers, kafka.clientProperties()), broker, embedding, model,
        dataDir, topicReplicationFactor);
  }

  public SemistreamConfig withEmbedding(EmbeddingSettings newEmbedding) {
    return new SemistreamConfig(kafka, broker, newEmbedding, model, dataDir, topicReplicationFactor);
  }

  public SemistreamConfig withModelDir(Path dir) {
    return new SemistreamConfig(kafka, broker, embedding,
        new ModelSettings(dir, model.bootstrapEpochs(), model.bootstrapImages()), dataDir, topicReplicationFactor);
  }
}
