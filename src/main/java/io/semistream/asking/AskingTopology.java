package io.semistream.asking;

import io.semistream.config.AskingSettings;
import io.semistream.kafka.ChangedValues;
import io.semistream.kafka.LenientStoreSerde;
import io.semistream.kafka.OneTaskInputs;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.Prototype;
import io.semistream.topics.TopicId;
import io.semistream.topics.TopicRegistry;
import io.semistream.vectors.Vectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The active-learning service's topology, built by a pure method (no I/O):
 *
 * <pre>
 *  embeddings ─> (sampled: one in asking.sample.one.in) ─> [app]-embeddings-repartition ─┐
 *  prototypes ─> (only changes that matter) ────────────> [app]-prototypes-repartition ─┼─> chooser ─┬─> label-requests
 *  labels ──────────────────────────────────────────────> [app]-labels-repartition ─────┘  [asked,    └─> dead-letter
 *                                                          (each 1 partition)               classes, budget]
 * </pre>
 *
 * <p>Why one partition: the budget, class balance and "no near-duplicates" span the whole stream, so one task
 * must see every candidate image, every class and every answer. Records without a usable key are skipped before
 * the repartition: the learner dead-letters them on these topics.
 */
public final class AskingTopology {
  static final String EMBEDDINGS = "embeddings";
  static final String PROTOTYPES = "prototypes";
  static final String LABELS = "labels";
  static final String ASKED_STORE = "asking-asked";
  static final String CLASSES_STORE = "asking-classes";
  static final String STATE_STORE = "asking-state";
  static final String PROCESSOR = "asking-chooser";
  static final String REQUESTS_SINK = "label-requests-sink";
  static final String DEAD_LETTER_SINK = "asking-dead-letter-sink";
  /** A prototype whose direction moved less than this (1 - cosine) since the last one passed is left out. */
  static final double DIRECTION_TOLERANCE = 1e-4;

  private AskingTopology() {
  }

  public static Topology build(AskingSettings settings, int dimension, TopicRegistry topics,
      AskingObserver observer) {
    String deadLetter = topics.deadLetter().name();
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, byte[]> embeddings = OneTaskInputs.oneTask(OneTaskInputs.keyed(b, topics.embeddings().name(),
        EMBEDDINGS, null, AskingProcessor.STAGE, "image id", r -> { }, () -> observer.skipped(EMBEDDINGS))
        .filter((id, value) -> settings.sampled(id), Named.as("asking-sample")), EMBEDDINGS);
    var prototypeSerde = topics.json(TopicId.PROTOTYPES, Prototype.class);
    KStream<String, byte[]> prototypes = OneTaskInputs.oneTask(OneTaskInputs.keyed(b, topics.prototypes().name(),
        PROTOTYPES, null, AskingProcessor.STAGE, "class name", r -> { }, () -> observer.skipped(PROTOTYPES))
        .processValues(() -> new ChangedValues<>(prototypeSerde, AskingTopology::matters),
            Named.as("asking-prototype-changes")), PROTOTYPES);
    KStream<String, byte[]> labels = OneTaskInputs.oneTask(OneTaskInputs.keyed(b, topics.labels().name(), LABELS,
        null, AskingProcessor.STAGE, "image id", r -> { }, () -> observer.skipped(LABELS)), LABELS);
    // Stores read what their changelogs hold, and any client can write to those: see LenientStoreSerde.
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ASKED_STORE), Serdes.String(),
        LenientStoreSerde.of(new JsonSerde<>(Asked.class), ASKED_STORE, observer::storeEntryUnreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CLASSES_STORE), Serdes.String(),
        LenientStoreSerde.of(new JsonSerde<>(ClassView.class), CLASSES_STORE, observer::storeEntryUnreadable)));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STATE_STORE), Serdes.String(),
        LenientStoreSerde.of(new JsonSerde<>(AskingState.class), STATE_STORE, observer::storeEntryUnreadable)));
    embeddings.merge(prototypes, Named.as("asking-embeddings-prototypes"))
        .merge(labels, Named.as("asking-inputs"))
        .process(() -> new AskingProcessor(settings, dimension, prototypeSerde,
                topics.json(TopicId.LABELS, LabelRecord.class), observer),
            Named.as(PROCESSOR), ASKED_STORE, CLASSES_STORE, STATE_STORE);
    Topology t = b.build();
    var out = topics.labelRequests();
    t.addSink(REQUESTS_SINK, out.name(), out.keySerde().serializer(), out.valueSerde().serializer(), PROCESSOR);
    t.addSink(DEAD_LETTER_SINK, deadLetter, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        PROCESSOR);
    return t;
  }

  /** What the chooser uses of a prototype: encoder version, labelled count, direction. */
  static boolean matters(Prototype before, Prototype after) {
    return before.modelVersion() != after.modelVersion() || before.labelledCount() != after.labelledCount()
        || 1 - Vectors.dot(Vectors.unit(before.vectorView()), Vectors.unit(after.vectorView())) > DIRECTION_TOLERANCE;
  }
}
