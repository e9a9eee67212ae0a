package io.semistream.discovery;

import io.semistream.config.DiscoverySettings;
import io.semistream.kafka.LenientStoreSerde;
import io.semistream.kafka.OneTaskInputs;
import io.semistream.records.Anomaly;
import io.semistream.records.ClassCandidate;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.Prototype;
import io.semistream.topics.TopicId;
import io.semistream.topics.TopicRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The discovery service's topology, built by a pure method (no I/O):
 *
 * <pre>
 *  anomalies ──> (no id ─> dead-letter) ──────────────> [app]-anomalies-repartition ──┐
 *  prototypes ─> (no class: skipped) ─> spread changes ─> [app]-prototypes-repartition ─┼─> clusterer ─┬─> class-candidates
 *  labels ─────> (no id: skipped) ─────────────────────> [app]-labels-repartition ─────┘  [micro-clusters, └─> dead-letter
 *                                                        (each 1 partition)               candidates, scales, state]
 * </pre>
 *
 * <p>Why one partition: clusters span the whole stream, so one task must see every anomaly, every labelled
 * class's spread and every label that could name a candidate, however many partitions the inputs have.
 */
public final class DiscoveryTopology {
  static final String ANOMALIES = "anomalies";
  static final String PROTOTYPES = "prototypes";
  static final String LABELS = "labels";
  static final String MICRO_CLUSTERS_STORE = "discovery-micro-clusters";
  static final String CANDIDATES_STORE = "discovery-candidates";
  static final String SCALES_STORE = "discovery-scales";
  static final String STATE_STORE = "discovery-state";
  static final String PROCESSOR = "discovery-clusterer";
  static final String CANDIDATES_SINK = "class-candidates-sink";
  static final String DEAD_LETTER_SINK = "discovery-dead-letter-sink";

  private DiscoveryTopology() {
  }

  public static Topology build(DiscoverySettings settings, int dimension, TopicRegistry topics,
      DiscoveryObserver observer) {
    String deadLetter = topics.deadLetter().name();
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, byte[]> anomalies = input(b, topics.anomalies().name(), ANOMALIES, deadLetter, observer);
    // The learner checks prototypes and labels and dead-letters what is wrong there: key-less ones are skipped.
    var prototypeSerde = topics.json(TopicId.PROTOTYPES, Prototype.class);
    KStream<String, byte[]> prototypes = OneTaskInputs.oneTask(OneTaskInputs.keyed(b, topics.prototypes().name(),
        PROTOTYPES, null, DiscoveryProcessor.STAGE, "class name", observer::rejected, () -> observer.skipped(PROTOTYPES))
        .processValues(() -> SpreadChanges.filter(prototypeSerde), Named.as("discovery-spread-changes")), PROTOTYPES);
    KStream<String, byte[]> labels = input(b, topics.labels().name(), LABELS, null, observer);
    // Stores read what their changelogs hold, and any client can write to those: see LenientStoreSerde.
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(MICRO_CLUSTERS_STORE), Serdes.Long(),
        LenientStoreSerde.of(new JsonSerde<>(MicroCluster.class), MICRO_CLUSTERS_STORE,
            observer::storeEntryUnreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CANDIDATES_STORE), Serdes.String(),
        LenientStoreSerde.of(new JsonSerde<>(ClassCandidate.class), CANDIDATES_STORE,
            observer::storeEntryUnreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SCALES_STORE), Serdes.String(),
        LenientStoreSerde.of(new JsonSerde<>(ClassScale.class), SCALES_STORE, observer::storeEntryUnreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STATE_STORE), Serdes.String(),
        LenientStoreSerde.of(new JsonSerde<>(DiscoveryState.class), STATE_STORE, observer::storeEntryUnreadable)));
    anomalies.merge(prototypes, Named.as("discovery-anomalies-prototypes"))
        .merge(labels, Named.as("discovery-inputs"))
        .process(() -> new DiscoveryProcessor(settings, dimension, topics.json(TopicId.ANOMALIES, Anomaly.class),
                prototypeSerde, topics.json(TopicId.LABELS, LabelRecord.class),
                observer),
            Named.as(PROCESSOR), MICRO_CLUSTERS_STORE, CANDIDATES_STORE, SCALES_STORE, STATE_STORE);
    Topology t = b.build();
    var out = topics.classCandidates();
    t.addSink(CANDIDATES_SINK, out.name(), out.keySerde().serializer(), out.valueSerde().serializer(), PROCESSOR);
    t.addSink(DEAD_LETTER_SINK, deadLetter, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        PROCESSOR);
    return t;
  }

  private static KStream<String, byte[]> input(StreamsBuilder b, String topic, String name, String deadLetter,
      DiscoveryObserver observer) {
    return OneTaskInputs.oneTask(OneTaskInputs.keyed(b, topic, name, deadLetter, DiscoveryProcessor.STAGE,
        "image id", observer::rejected, () -> observer.skipped(name)), name);
  }
}
