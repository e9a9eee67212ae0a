package io.semistream.zeroshot;

import io.semistream.config.LearnerSettings;
import io.semistream.kafka.OneTaskInputs;
import io.semistream.records.ClassSemantics;
import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import io.semistream.topics.TopicId;
import io.semistream.topics.TopicRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import io.semistream.kafka.LenientStoreSerde;
import org.apache.kafka.streams.state.Stores;

/**
 * The zero-shot service's topology, built by a pure method (no I/O):
 *
 * <pre>
 *  class-semantics ─> gate ──────────────────────> [app]-semantics-repartition ─┐
 *     (no class name ─> dead-letter)                 (1 partition)             ├─> synthesizer ─┬─> zero-shot-prototypes
 *  prototypes ─> gate ─> labelled-mean changes ─> [app]-prototypes-repartition ─┘  [semantics,   └─> dead-letter
 *                                                    (1 partition)                 prototypes, published]
 * </pre>
 *
 * <p>Why one partition: the map is fitted on all seen classes at once, so one task must see every class's
 * semantic vector and prototype however many partitions the two topics were given.
 */
public final class ZeroShotTopology {
  static final String SEMANTICS = "semantics";
  static final String PROTOTYPES = "prototypes";
  static final String SEMANTICS_STORE = "zeroshot-semantics";
  static final String PROTOTYPES_STORE = "zeroshot-prototypes";
  static final String PUBLISHED_STORE = "zeroshot-published";
  static final String PROCESSOR = "zeroshot-synthesizer";
  static final String SINK = "zero-shot-prototypes-sink";
  static final String DEAD_LETTER_SINK = "zeroshot-dead-letter-sink";

  private ZeroShotTopology() {
  }

  public static Topology build(LearnerSettings settings, TopicRegistry topics, ZeroShotObserver observer) {
    String deadLetter = topics.deadLetter().name();
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, byte[]> semantics = OneTaskInputs.oneTask(OneTaskInputs.keyed(b, topics.classSemantics().name(),
        SEMANTICS, deadLetter, ZeroShotProcessor.STAGE, "class name", observer::rejected, observer::prototypeSkipped),
        SEMANTICS);
    var prototypeSerde = topics.json(TopicId.PROTOTYPES, Prototype.class);
    // On prototypes, which only the learner writes, key-less records are skipped and counted, as the learner does;
    // only changes of a labelled mean cross into the single partition.
    KStream<String, byte[]> prototypes = OneTaskInputs.oneTask(OneTaskInputs.keyed(b, topics.prototypes().name(),
        PROTOTYPES, null, ZeroShotProcessor.STAGE, "class name", observer::rejected, observer::prototypeSkipped)
        .processValues(() -> LabelledMeanChanges.filter(prototypeSerde), Named.as("labelled-mean-changes")), PROTOTYPES);
    // Stores read what their changelogs hold, and any client can write to those: see LenientStoreSerde.
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SEMANTICS_STORE), Serdes.String(),
        LenientStoreSerde.of(new JsonSerde<>(ClassSemantics.class), SEMANTICS_STORE, observer::storeEntryUnreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PROTOTYPES_STORE), Serdes.String(),
        LenientStoreSerde.of(new JsonSerde<>(Prototype.class), PROTOTYPES_STORE, observer::storeEntryUnreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PUBLISHED_STORE), Serdes.String(),
        LenientStoreSerde.of(new JsonSerde<>(SynthesizedPrototype.class), PUBLISHED_STORE,
            observer::storeEntryUnreadable)));
    semantics.merge(prototypes, Named.as("zeroshot-inputs"))
        .process(() -> new ZeroShotProcessor(settings.zeroShot().ridgeLambda(),
                settings.classification().embeddingDimension(),
                topics.json(TopicId.CLASS_SEMANTICS, ClassSemantics.class),
                prototypeSerde, observer),
            Named.as(PROCESSOR), SEMANTICS_STORE, PROTOTYPES_STORE, PUBLISHED_STORE);
    Topology t = b.build();
    var out = topics.zeroShotPrototypes();
    t.addSink(SINK, out.name(), out.keySerde().serializer(), out.valueSerde().serializer(), PROCESSOR);
    t.addSink(DEAD_LETTER_SINK, deadLetter, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        PROCESSOR);
    return t;
  }
}
