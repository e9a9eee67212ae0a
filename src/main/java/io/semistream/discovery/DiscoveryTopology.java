package io.semistream.discovery;

import io.semistream.config.DiscoverySettings;
import io.semistream.kafka.KeyGate;
import io.semistream.kafka.LenientStoreSerde;
import io.semistream.kafka.OriginStamp;
import io.semistream.records.Anomaly;
import io.semistream.records.ClassCandidate;
import io.semistream.records.ImageIds;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.Prototype;
import io.semistream.topics.TopicId;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The discovery service's topology, built by a pure method (no I/O):
 *
 * <pre>
 *  anomalies ──> gate (no id ─> dead-letter) ─> [app]-anomalies-repartition ──┐
 *  prototypes ─> (no class: skipped) ────────> [app]-prototypes-repartition ─┼─> clusterer ─┬─> class-candidates
 *  labels ─────> (no id: skipped) ───────────> [app]-labels-repartition ─────┘  [micro-clusters,  └─> dead-letter
 *                                               (each 1 partition)              candidates, scales, state]
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
    KStream<String, byte[]> anomalies = oneTask(keyed(b, topics.anomalies().name(), ANOMALIES, deadLetter,
        observer), ANOMALIES);
    KStream<String, byte[]> prototypes = oneTask(keyed(b, topics.prototypes().name(), PROTOTYPES, null, observer),
        PROTOTYPES);
    KStream<String, byte[]> labels = oneTask(keyed(b, topics.labels().name(), LABELS, null, observer), LABELS);
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
                topics.json(TopicId.PROTOTYPES, Prototype.class), topics.json(TopicId.LABELS, LabelRecord.class),
                observer),
            Named.as(PROCESSOR), MICRO_CLUSTERS_STORE, CANDIDATES_STORE, SCALES_STORE, STATE_STORE);
    Topology t = b.build();
    var out = topics.classCandidates();
    t.addSink(CANDIDATES_SINK, out.name(), out.keySerde().serializer(), out.valueSerde().serializer(), PROCESSOR);
    t.addSink(DEAD_LETTER_SINK, deadLetter, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        PROCESSOR);
    return t;
  }

  /** Into the service's single-partition topic. */
  private static KStream<String, byte[]> oneTask(KStream<String, byte[]> keyed, String name) {
    return keyed.repartition(Repartitioned.<String, byte[]>as(name).withKeySerde(Serdes.String())
        .withValueSerde(Serdes.ByteArray()).withNumberOfPartitions(1));
  }

  /**
   * One input, keyed by text. Key-less anomalies are dead-lettered here (repartitioning would lose them without
   * a trace); on {@code prototypes} and {@code labels}, which the learner already checks and dead-letters, such
   * records are skipped and counted.
   */
  private static KStream<String, byte[]> keyed(StreamsBuilder b, String topic, String name, String deadLetter,
      DiscoveryObserver observer) {
    var branches = b.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-source"))
        .split(Named.as(name + "-"))
        .branch((key, value) -> ImageIds.problem(key) != null, Branched.as("no-key"))
        .defaultBranch(Branched.as("keyed"));
    KStream<byte[], byte[]> bad = branches.get(name + "-no-key");
    if (deadLetter != null) {
      bad.process(() -> new KeyGate(DiscoveryProcessor.STAGE, "image id", observer::rejected),
              Named.as(name + "-gate"))
          .to(deadLetter, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-dead-letter"));
    } else {
      bad.foreach((key, value) -> observer.skipped(name), Named.as(name + "-skip"));
    }
    return branches.get(name + "-keyed")
        .map((key, value) -> KeyValue.pair(new String(key, StandardCharsets.UTF_8), value), Named.as(name + "-key"))
        .processValues(OriginStamp<String>::new, Named.as(name + "-origin"));
  }
}
