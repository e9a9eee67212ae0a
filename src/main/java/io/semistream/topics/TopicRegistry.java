package io.semistream.topics;

import io.semistream.records.EmbeddingRecord;
import io.semistream.records.Exemplar;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.Anomaly;
import io.semistream.records.ClassCandidate;
import io.semistream.records.LabelRequest;
import io.semistream.records.ClassSemantics;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.ModelVersion;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import io.semistream.records.PrototypeDelta;
import io.semistream.records.RecordSchema;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed topic registry: names from the catalogue, serdes from the code. Everything that reads or
 * writes a topic asks this class; no topic name is spelled anywhere else.
 */
public final class TopicRegistry {
  private final TopicCatalogue catalogue;

  public TopicRegistry(TopicCatalogue catalogue) {
    this.catalogue = catalogue;
  }

  /** The packaged catalogue's names as they are. */
  public static TopicRegistry load() {
    return load("");
  }

  /** The packaged catalogue with every name prefixed ({@code topics.prefix}). */
  public static TopicRegistry load(String prefix) {
    return new TopicRegistry(TopicCatalogue.load().withPrefix(prefix));
  }

  public TopicCatalogue catalogue() {
    return catalogue;
  }

  public String name(TopicId id) {
    return catalogue.spec(id).name();
  }

  public TypedTopic<String, byte[]> images() {
    return typed(TopicId.IMAGES, Serdes.String(), Serdes.ByteArray());
  }

  /** The embedding service's slow lane for images with many pixels (internal). */
  public TypedTopic<String, byte[]> imagesLarge() {
    return typed(TopicId.IMAGES_LARGE, Serdes.String(), Serdes.ByteArray());
  }

  public TypedTopic<String, LabelRecord> labels() {
    return typed(TopicId.LABELS, Serdes.String(), json(TopicId.LABELS, LabelRecord.class));
  }

  public TypedTopic<String, EmbeddingRecord> embeddings() {
    return typed(TopicId.EMBEDDINGS, Serdes.String(), new EmbeddingSerde());
  }

  public TypedTopic<String, Prediction> predictions() {
    return typed(TopicId.PREDICTIONS, Serdes.String(), json(TopicId.PREDICTIONS, Prediction.class));
  }

  public TypedTopic<String, Prototype> prototypes() {
    return typed(TopicId.PROTOTYPES, Serdes.String(), json(TopicId.PROTOTYPES, Prototype.class));
  }

  public TypedTopic<String, Exemplar> exemplars() {
    return typed(TopicId.EXEMPLARS, Serdes.String(), json(TopicId.EXEMPLARS, Exemplar.class));
  }

  public TypedTopic<String, PrototypeDelta> prototypeDeltas() {
    return typed(TopicId.PROTOTYPE_DELTAS, Serdes.String(),
        json(TopicId.PROTOTYPE_DELTAS, PrototypeDelta.class));
  }

  public TypedTopic<String, Anomaly> anomalies() {
    return typed(TopicId.ANOMALIES, Serdes.String(), json(TopicId.ANOMALIES, Anomaly.class));
  }

  public TypedTopic<String, ClassSemantics> classSemantics() {
    return typed(TopicId.CLASS_SEMANTICS, Serdes.String(), json(TopicId.CLASS_SEMANTICS, ClassSemantics.class));
  }

  public TypedTopic<String, SynthesizedPrototype> zeroShotPrototypes() {
    return typed(TopicId.ZERO_SHOT_PROTOTYPES, Serdes.String(),
        json(TopicId.ZERO_SHOT_PROTOTYPES, SynthesizedPrototype.class));
  }

  public TypedTopic<String, ClassCandidate> classCandidates() {
    return typed(TopicId.CLASS_CANDIDATES, Serdes.String(), json(TopicId.CLASS_CANDIDATES, ClassCandidate.class));
  }

  public TypedTopic<String, LabelRequest> labelRequests() {
    return typed(TopicId.LABEL_REQUESTS, Serdes.String(), json(TopicId.LABEL_REQUESTS, LabelRequest.class));
  }

  public TypedTopic<String, ModelVersion> modelVersions() {
    return typed(TopicId.MODEL_VERSIONS, Serdes.String(), json(TopicId.MODEL_VERSIONS, ModelVersion.class));
  }

  /** Dead letters keep the original bytes; the reason travels in headers (topics/formats/dead-letter.md). */
  public TypedTopic<byte[], byte[]> deadLetter() {
    return typed(TopicId.DEAD_LETTER, Serdes.ByteArray(), Serdes.ByteArray());
  }

  /** A JSON value serde that checks what it reads against the topic's schema from the catalogue. */
  public <T> JsonSerde<T> json(TopicId id, Class<T> type) {
    return new JsonSerde<>(type, RecordSchema.of(catalogue.spec(id).valueSchema()));
  }

  private <K, V> TypedTopic<K, V> typed(TopicId id, Serde<K> key, Serde<V> value) {
    return new TypedTopic<>(name(id), key, value);
  }
}
