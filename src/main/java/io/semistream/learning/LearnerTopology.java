package io.semistream.learning;

import io.semistream.config.LearnerSettings;
import io.semistream.kafka.KeyGate;
import io.semistream.kafka.MachineCpuLoad;
import io.semistream.kafka.OriginStamp;
import io.semistream.kafka.Placement;
import io.semistream.records.DoubleArraySerde;
import io.semistream.records.Exemplar;
import io.semistream.records.ImageIds;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.Prototype;
import io.semistream.records.PrototypeDelta;
import io.semistream.records.ClassCandidate;
import io.semistream.records.SynthesizedPrototype;
import io.semistream.topics.TopicId;
import io.semistream.topics.TopicRegistry;
import io.semistream.topics.TypedTopic;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serdes;
import io.semistream.kafka.LenientStoreSerde;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The learner's topology, built by a pure method (no I/O):
 *
 * <pre>
 *  embeddings ─> gate ─> home? ─ no ─> [app]-embeddings-by-image ─┐                     ┌─> predictions
 *                          └──── yes ─────────────────────────────┤                     ├─> anomalies
 *  labels ─────> gate ─> home? ─ no ─> [app]-labels-by-image ─────┼─> image-learner ────┼─> dead-letter
 *                          └──── yes ─────────────────────────────┘   [images, anomaly  └─> prototype-deltas
 *            (bad keys ─> dead-letter)                                 window, gate, recent anomalies]
 *  prototype-deltas ─> prototype-aggregator [sums] ─> prototypes (compacted) ─> global store on every instance
 *  image-learner ─> exemplars (compacted: truly labelled images' embeddings) ─────> global store on every instance
 *  zero-shot-prototypes (compacted, written by the zero-shot service) ───────────> global store on every instance
 * </pre>
 *
 * <p>Why the re-keying: an image's embedding and its label must meet in one task. Producers place records by
 * their own partitioner (librdkafka's default is CRC32, Java's murmur2), so the learner does not trust the input
 * partition: a record that is not already where Kafka Streams' partitioner would put it among
 * {@code learner.partitions} partitions is re-keyed through the learner's own internal topic (created by Kafka
 * Streams, named after the {@code application.id}); one that is (what the embedding service writes) goes straight
 * on, one hop and one transaction fewer before its prediction is visible.
 *
 * <p>Prototypes are a global store (every instance reads every class, however the images are partitioned), fed
 * from the compacted {@code prototypes} topic that the aggregator writes; exact sums live with the aggregator,
 * keyed by class, so two instances never both own one class.
 */
public final class LearnerTopology {
  static final String EMBEDDINGS_BY_IMAGE = "embeddings-by-image";
  static final String LABELS_BY_IMAGE = "labels-by-image";
  static final String IMAGE_LEARNER = "image-learner";
  static final String AGGREGATOR = "prototype-aggregator";

  /** The learner's sink nodes, and how the image learner tells a label from an embedding. */
  static final class Sinks {
    static final String PREDICTIONS = "predictions-sink";
    static final String ANOMALIES = "anomalies-sink";
    static final String DEAD_LETTER = "dead-letter-sink";
    static final String DELTAS = "prototype-deltas-sink";
    static final String PROTOTYPES = "prototypes-sink";
    static final String EXEMPLARS = "exemplars-sink";
    static final String AGGREGATOR_DEAD_LETTER = "aggregator-dead-letter-sink";
    private final String labelsTopic;

    Sinks(String labelsTopic) {
      this.labelsTopic = labelsTopic;
    }

    /** The user-facing labels topic (named in orphan-label dead letters). */
    String labelsTopic() {
      return labelsTopic;
    }

    /**
     * Labels reach the image learner from {@code labels} itself (those already on their home partition) or through
     * the internal topic {@code <application.id>-labels-by-image-repartition}.
     */
    boolean isLabelTopic(String topic) {
      return topic.equals(labelsTopic) || topic.endsWith("-" + LABELS_BY_IMAGE + "-repartition");
    }
  }

  private LearnerTopology() {
  }

  public static Topology build(LearnerSettings settings, TopicRegistry topics) {
    return build(settings, topics, LearnerObserver.NONE);
  }

  /** As {@link #build(LearnerSettings, TopicRegistry)}, reporting to {@code observer} (metrics). */
  public static Topology build(LearnerSettings settings, TopicRegistry topics, LearnerObserver observer) {
    var predictions = topics.predictions();
    var anomalies = topics.anomalies();
    var deltas = topics.prototypeDeltas();
    var prototypes = topics.prototypes();
    String deadLetter = topics.deadLetter().name();
    Sinks sinks = new Sinks(topics.labels().name());

    StreamsBuilder b = new StreamsBuilder();
    KStream<String, byte[]> embeddings = byImage(b, topics.embeddings().name(), EMBEDDINGS_BY_IMAGE, "embeddings",
        settings, deadLetter, observer);
    KStream<String, byte[]> labels = byImage(b, topics.labels().name(), LABELS_BY_IMAGE, "labels", settings,
        deadLetter, observer);
    // Stores read what their changelogs hold, and any client can write to those: see LenientStoreSerde.
    Consumer<String> unreadable = observer::storeEntryUnreadable;
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LearnerStores.IMAGES),
        Serdes.String(), LenientStoreSerde.of(new ImageStateSerde(), LearnerStores.IMAGES, unreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LearnerStores.ANOMALY_WINDOW),
        LenientStoreSerde.of(Serdes.Long(), LearnerStores.ANOMALY_WINDOW, unreadable),
        LenientStoreSerde.of(new DoubleArraySerde(), LearnerStores.ANOMALY_WINDOW, unreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LearnerStores.SELF_TRAINING_GATE),
        LenientStoreSerde.of(Serdes.Long(), LearnerStores.SELF_TRAINING_GATE, unreadable),
        LenientStoreSerde.of(new DoubleArraySerde(), LearnerStores.SELF_TRAINING_GATE, unreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LearnerStores.RECENT_ANOMALIES),
        LenientStoreSerde.of(Serdes.Long(), LearnerStores.RECENT_ANOMALIES, unreadable),
        LenientStoreSerde.of(new JsonSerde<>(RecentAnomalies.class), LearnerStores.RECENT_ANOMALIES, unreadable)));
    // One pacer per stream thread: a commit that one task asks for commits all of its thread's tasks.
    Supplier<CommitPacer> pacers = settings.commit().early()
        ? CommitPacer.perStreamThread(settings.commit(), MachineCpuLoad.SHARED) : null;
    embeddings.merge(labels, Named.as("learner-inputs"))
        .process(() -> new ImageLearner(settings, sinks, observer, topics.json(TopicId.LABELS, LabelRecord.class),
            pacers), Named.as(IMAGE_LEARNER), LearnerStores.IMAGES,
            LearnerStores.ANOMALY_WINDOW, LearnerStores.SELF_TRAINING_GATE, LearnerStores.RECENT_ANOMALIES);

    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LearnerStores.PROTOTYPE_SUMS),
        Serdes.String(), LenientStoreSerde.of(new JsonSerde<>(PrototypeSums.class), LearnerStores.PROTOTYPE_SUMS,
            unreadable)));
    b.stream(deltas.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("prototype-deltas-source"))
        .process(() -> new PrototypeAggregator(settings, observer,
            topics.json(TopicId.PROTOTYPE_DELTAS, PrototypeDelta.class)), Named.as(AGGREGATOR), LearnerStores.PROTOTYPE_SUMS);

    int dimension = settings.classification().embeddingDimension();
    addGlobalTable(b, LearnerStores.PROTOTYPES, prototypes, "prototypes-global-source",
        () -> GlobalTableUpdater.prototypes(dimension, observer, topics.json(TopicId.PROTOTYPES, Prototype.class)));
    var exemplars = topics.exemplars();
    addGlobalTable(b, LearnerStores.EXEMPLARS, exemplars, "exemplars-global-source",
        () -> GlobalTableUpdater.exemplars(dimension, observer, topics.json(TopicId.EXEMPLARS, Exemplar.class)));
    addGlobalTable(b, LearnerStores.ZERO_SHOT_PROTOTYPES, topics.zeroShotPrototypes(),
        "zero-shot-prototypes-global-source", () -> GlobalTableUpdater.synthesized(dimension, observer,
            topics.json(TopicId.ZERO_SHOT_PROTOTYPES, SynthesizedPrototype.class)));
    addGlobalTable(b, LearnerStores.CLASS_CANDIDATES, topics.classCandidates(), "class-candidates-global-source",
        () -> GlobalTableUpdater.candidates(dimension, observer,
            topics.json(TopicId.CLASS_CANDIDATES, ClassCandidate.class)));

    // The processors forward to named sinks (each output has its own serde), added to the built topology.
    Topology t = b.build();
    t.addSink(Sinks.PREDICTIONS, predictions.name(), predictions.keySerde().serializer(),
        predictions.valueSerde().serializer(), IMAGE_LEARNER);
    t.addSink(Sinks.ANOMALIES, anomalies.name(), anomalies.keySerde().serializer(),
        anomalies.valueSerde().serializer(), IMAGE_LEARNER);
    t.addSink(Sinks.DEAD_LETTER, deadLetter, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        IMAGE_LEARNER);
    t.addSink(Sinks.DELTAS, deltas.name(), deltas.keySerde().serializer(), deltas.valueSerde().serializer(),
        IMAGE_LEARNER);
    t.addSink(Sinks.EXEMPLARS, exemplars.name(), exemplars.keySerde().serializer(),
        exemplars.valueSerde().serializer(), IMAGE_LEARNER);
    t.addSink(Sinks.PROTOTYPES, prototypes.name(), prototypes.keySerde().serializer(),
        prototypes.valueSerde().serializer(), AGGREGATOR);
    t.addSink(Sinks.AGGREGATOR_DEAD_LETTER, deadLetter, Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), AGGREGATOR);
    return t;
  }

  /**
   * One input, keyed by image id and brought to the task that owns the id: records whose key is no id go to the
   * dead letters first (re-keying would drop a null key silently), the rest are stamped with their origin; those
   * already on their home partition go straight on, the others through the learner's own topic (see
   * {@link Placement}).
   */
  private static KStream<String, byte[]> byImage(StreamsBuilder b, String topic, String name, String input,
      LearnerSettings settings, String deadLetter, LearnerObserver observer) {
    var branches = b.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-source"))
        .split(Named.as(name + "-"))
        .branch((key, value) -> ImageIds.problem(key) != null, Branched.as("no-id"))
        .defaultBranch(Branched.as("ids"));
    branches.get(name + "-no-id")
        .process(() -> new KeyGate(ImageLearner.STAGE, "image id", observer::deadLettered), Named.as(name + "-gate"))
        .to(deadLetter, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-dead-letter"));
    KStream<String, byte[]> ids = branches.get(name + "-ids")
        .map((key, value) -> KeyValue.pair(new String(key, StandardCharsets.UTF_8), value), Named.as(name + "-key"))
        .processValues(OriginStamp<String>::new, Named.as(name + "-origin"));
    if (settings.rekeyAll()) {
      return rekey(ids.peek((key, value) -> observer.inputPlaced(input, false), Named.as(name + "-counted")), name,
          settings);
    }
    var placed = ids.processValues(() -> new Placement(settings.partitions()), Named.as(name + "-placement"))
        .split(Named.as(name + "-placed-"))
        .branch((key, value) -> value.home(), Branched.as("home"))
        .defaultBranch(Branched.as("elsewhere"));
    KStream<String, byte[]> home = counted(placed.get(name + "-placed-home"), input, true, observer,
        name + "-home-value");
    KStream<String, byte[]> elsewhere = counted(placed.get(name + "-placed-elsewhere"), input, false, observer,
        name + "-elsewhere-value");
    return home.merge(rekey(elsewhere, name, settings), Named.as(name + "-arrived"));
  }

  /** The placed records' values, each counted by input and by whether it is at home. */
  private static KStream<String, byte[]> counted(KStream<String, Placement.Placed> placed, String input,
      boolean home, LearnerObserver observer, String name) {
    return placed.mapValues(value -> {
      observer.inputPlaced(input, home);
      return value.value();
    }, Named.as(name));
  }

  private static KStream<String, byte[]> rekey(KStream<String, byte[]> records, String name,
      LearnerSettings settings) {
    return records.repartition(Repartitioned.<String, byte[]>as(name).withKeySerde(Serdes.String())
        .withValueSerde(Serdes.ByteArray()).withNumberOfPartitions(settings.partitions()));
  }

  /**
   * A global store that every instance keeps equal to the compacted {@code topic}: the updater reads bytes and
   * keeps only the records this learner can use (a global store has no dead letter; see GlobalTableUpdater).
   */
  private static <T> void addGlobalTable(StreamsBuilder b, String store, TypedTopic<String, T> topic,
      String sourceName, ProcessorSupplier<String, byte[], Void, Void> updater) {
    b.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(),
            topic.valueSerde()).withLoggingDisabled(), topic.name(),
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(sourceName), updater);
  }
}
