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
    LearnerSettings learner, MetricsSettings metrics, Path dataDir, int topicReplicationFactor) {

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
  public static final String LEARNER_APPLICATION_ID = "learner.application.id";
  public static final String LEARNER_STATE_DIR = "learner.state.dir";
  public static final String LEARNER_THREADS = "learner.threads";
  public static final String LEARNER_METRIC = "learner.metric";
  public static final String LEARNER_TEMPERATURE = "learner.temperature";
  public static final String LEARNER_PSEUDO_WEIGHT = "learner.pseudo.weight";
  public static final String LEARNER_PSEUDO_MIN_CONFIDENCE = "learner.pseudo.min.confidence";
  public static final String LEARNER_PSEUDO_MIN_MARGIN = "learner.pseudo.min.margin";
  public static final String LEARNER_PSEUDO_MAX_RATIO = "learner.pseudo.max.ratio";
  public static final String LEARNER_PSEUDO_MIN_LABELS = "learner.pseudo.min.labels";
  public static final String LEARNER_RELABEL_INTERVAL_MS = "learner.relabel.interval.ms";
  public static final String LEARNER_RELABEL_MIN_DRIFT = "learner.relabel.min.drift";
  public static final String LEARNER_BACKLOG_RETENTION_MS = "learner.backlog.retention.ms";
  public static final String LEARNER_LABEL_WAIT_MS = "learner.label.wait.ms";
  public static final String LEARNER_EMBEDDING_DIMENSION = "learner.embedding.dimension";
  public static final String LEARNER_MAX_LABEL_BYTES = "learner.max.label.bytes";
  public static final String LEARNER_ANOMALY_QUANTILE = "learner.anomaly.quantile";
  public static final String LEARNER_ANOMALY_WINDOW = "learner.anomaly.window";
  public static final String LEARNER_ANOMALY_WARMUP = "learner.anomaly.warmup";
  public static final String LEARNER_ANOMALY_RECON_WEIGHT = "learner.anomaly.recon.weight";
  public static final String LEARNER_PROTOTYPE_REFRESH_MS = "learner.prototype.refresh.ms";
  public static final String LEARNER_HTTP_PORT = "learner.http.port";
  public static final String LEARNER_METRICS_MAX_CLASSES = "learner.metrics.max.classes";
  public static final String LEARNER_HTTP_HOST = "learner.http.host";
  public static final String METRICS_HOST = "metrics.host";
  public static final String METRICS_PORT = "metrics.port";

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
          Importance.MEDIUM, "Prefix of the embedding workers' transactional ids (worker index appended).")
      .define(LEARNER_APPLICATION_ID, Type.STRING, "semistream-learner", new ConfigDef.NonEmptyString(),
          Importance.MEDIUM, "Kafka Streams application.id of the learner (consumer group, internal topic prefix).")
      .define(LEARNER_STATE_DIR, Type.STRING, "data/streams", Importance.MEDIUM,
          "Kafka Streams state directory of the learner.")
      .define(LEARNER_THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW, "Stream threads per learner.")
      .define(LEARNER_METRIC, Type.STRING, "cosine", ValidString.in("cosine", "euclidean"), Importance.MEDIUM,
          "Distance between an embedding and a prototype.")
      .define(LEARNER_TEMPERATURE, Type.DOUBLE, 0.1, Range.atLeast(1e-6), Importance.MEDIUM,
          "Softmax temperature over distances scaled by the median prototype spread (confidence calibration).")
      .define(LEARNER_PSEUDO_WEIGHT, Type.DOUBLE, 0.2, Range.between(0.0, 1.0), Importance.HIGH,
          "Weight of one pseudo-label in its prototype (a true label weighs 1); 0 turns self-training off.")
      .define(LEARNER_PSEUDO_MIN_CONFIDENCE, Type.DOUBLE, 0.9, Range.between(0.0, 1.0), Importance.HIGH,
          "A prediction becomes a pseudo-label only at or above this confidence ...")
      .define(LEARNER_PSEUDO_MIN_MARGIN, Type.DOUBLE, 0.5, Range.between(0.0, 1.0), Importance.HIGH,
          "... and this margin over the runner-up class.")
      .define(LEARNER_PSEUDO_MAX_RATIO, Type.DOUBLE, 1.0, Range.atLeast(0.0), Importance.HIGH,
          "Cap per class: total pseudo weight at most this times the class's true-label count.")
      .define(LEARNER_PSEUDO_MIN_LABELS, Type.INT, 3, Range.atLeast(1), Importance.MEDIUM,
          "A class receives pseudo-labels only once it has this many true labels.")
      .define(LEARNER_RELABEL_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(1L), Importance.MEDIUM,
          "How often the learner checks whether prototypes moved enough to re-classify the backlog.")
      .define(LEARNER_RELABEL_MIN_DRIFT, Type.DOUBLE, 0.01, Range.atLeast(0.0), Importance.MEDIUM,
          "Re-classify the backlog when a prototype moved by more than this fraction of its norm (or a class appeared).")
      .define(LEARNER_BACKLOG_RETENTION_MS, Type.LONG, 86_400_000L, Range.atLeast(1L), Importance.MEDIUM,
          "Unlabelled images older than this (stream time) leave the backlog, and their pseudo-labels with them.")
      .define(LEARNER_LABEL_WAIT_MS, Type.LONG, 3_600_000L, Range.atLeast(1L), Importance.MEDIUM,
          "A label waits this long (stream time) for its image's embedding, then goes to the dead-letter topic.")
      .define(LEARNER_EMBEDDING_DIMENSION, Type.INT, 64, Range.between(1, 4096), Importance.MEDIUM,
          "Embeddings of another dimension are dead-lettered (malformed-embedding).")
      .define(LEARNER_MAX_LABEL_BYTES, Type.INT, 4096, Range.between(16, 1 << 20), Importance.LOW,
          "Larger label records are dead-lettered (malformed-label).")
      .define(LEARNER_ANOMALY_QUANTILE, Type.DOUBLE, 0.99, Range.between(0.5, 0.99999), Importance.HIGH,
          "Anomaly threshold: this quantile of the recent anomaly scores.")
      .define(LEARNER_ANOMALY_WINDOW, Type.INT, 2_000, Range.between(10, 100_000), Importance.MEDIUM,
          "Number of recent scores the quantile is taken over (per stream task).")
      .define(LEARNER_ANOMALY_WARMUP, Type.INT, 500, Range.atLeast(1), Importance.MEDIUM,
          "No anomaly is raised before this many scores were seen (per stream task): no alert storm at start.")
      .define(LEARNER_ANOMALY_RECON_WEIGHT, Type.DOUBLE, 0.0, Range.atLeast(0.0), Importance.MEDIUM,
          "Weight of the reconstruction-error z-score added to the distance to the nearest prototype (0: off; "
              + "measured useless for an autoencoder trained on the whole stream).")
      .define(LEARNER_PROTOTYPE_REFRESH_MS, Type.LONG, 200L, Range.atLeast(0L), Importance.LOW,
          "How often a stream task re-reads the global prototype table; 0 re-reads it for every record.")
      .define(LEARNER_HTTP_PORT, Type.INT, 0, Range.between(-1, 65535), Importance.MEDIUM,
          "Port of the read-only query API on 127.0.0.1 (0: a free port, -1: off).")
      .define(LEARNER_HTTP_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          "Address the query API binds to (0.0.0.0 inside a container; other instances then reach it by host name).")
      .define(LEARNER_METRICS_MAX_CLASSES, Type.INT, 50, Range.between(1, 10_000), Importance.LOW,
          "Classes that get their own metric tag; further classes are counted under class=\"other\".")
      .define(METRICS_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          "Address the Prometheus endpoint binds to (0.0.0.0 inside a container).")
      .define(METRICS_PORT, Type.INT, 9400, Range.between(-1, 65535), Importance.MEDIUM,
          "Port of GET /metrics (Prometheus format); 0: a free port, -1: off.");

  public SemistreamConfig {
    if (kafka == null || broker == null || embedding == null || model == null || learner == null
        || metrics == null || dataDir == null) {
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
        new LearnerSettings((String) parsed.get(LEARNER_APPLICATION_ID), Path.of((String) parsed.get(LEARNER_STATE_DIR)),
            (Integer) parsed.get(LEARNER_THREADS), (String) parsed.get(LEARNER_METRIC),
            (Double) parsed.get(LEARNER_TEMPERATURE), (Double) parsed.get(LEARNER_PSEUDO_WEIGHT),
            (Double) parsed.get(LEARNER_PSEUDO_MIN_CONFIDENCE), (Double) parsed.get(LEARNER_PSEUDO_MIN_MARGIN),
            (Double) parsed.get(LEARNER_PSEUDO_MAX_RATIO), (Integer) parsed.get(LEARNER_PSEUDO_MIN_LABELS),
            (Long) parsed.get(LEARNER_RELABEL_INTERVAL_MS), (Double) parsed.get(LEARNER_RELABEL_MIN_DRIFT),
            (Long) parsed.get(LEARNER_BACKLOG_RETENTION_MS), (Long) parsed.get(LEARNER_LABEL_WAIT_MS),
            (Integer) parsed.get(LEARNER_EMBEDDING_DIMENSION), (Integer) parsed.get(LEARNER_MAX_LABEL_BYTES),
            (Double) parsed.get(LEARNER_ANOMALY_QUANTILE), (Integer) parsed.get(LEARNER_ANOMALY_WINDOW),
            (Integer) parsed.get(LEARNER_ANOMALY_WARMUP), (Double) parsed.get(LEARNER_ANOMALY_RECON_WEIGHT),
            (Long) parsed.get(LEARNER_PROTOTYPE_REFRESH_MS), (Integer) parsed.get(LEARNER_HTTP_PORT),
            (Integer) parsed.get(LEARNER_METRICS_MAX_CLASSES), (String) parsed.get(LEARNER_HTTP_HOST)),
        new MetricsSettings((String) parsed.get(METRICS_HOST), (Integer) parsed.get(METRICS_PORT)),
        Path.of((String) parsed.get(DATA_DIR)),
        (Integer) parsed.get(TOPICS_REPLICATION_FACTOR));
  }

  public SemistreamConfig withBootstrapServers(String servers) {
    return new SemistreamConfig(new KafkaSettings(servers, kafka.clientProperties()), broker, embedding, model,
        learner, metrics, dataDir, topicReplicationFactor);
  }

  public SemistreamConfig withEmbedding(EmbeddingSettings newEmbedding) {
    return new SemistreamConfig(kafka, broker, newEmbedding, model, learner, metrics, dataDir, topicReplicationFactor);
  }

  public SemistreamConfig withModelDir(Path dir) {
    return new SemistreamConfig(kafka, broker, embedding,
        new ModelSettings(dir, model.bootstrapEpochs(), model.bootstrapImages()), learner, metrics, dataDir,
        topicReplicationFactor);
  }

  public SemistreamConfig withMetrics(MetricsSettings newMetrics) {
    return new SemistreamConfig(kafka, broker, embedding, model, learner, newMetrics, dataDir,
        topicReplicationFactor);
  }

  public SemistreamConfig withLearner(LearnerSettings newLearner) {
    return new SemistreamConfig(kafka, broker, embedding, model, newLearner, metrics, dataDir, topicReplicationFactor);
  }
}
