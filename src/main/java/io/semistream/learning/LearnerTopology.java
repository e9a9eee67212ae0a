package io.semistream.learning;

import io.semistream.config.LearnerSettings;
import io.semistream.ingest.JsonSerde;
import io.semistream.topics.TopicRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The learner's topology, built by a pure method (no I/O):
 *
 * <pre>
 *  embeddings ─┐                       ┌─> predictions
 *              ├─> image-learner ──────┼─> anomalies
 *  labels ─────┘   [learner-images,    ├─> dead-letter
 *                   learner-anomaly]   └─> prototype-deltas ─> prototype-aggregator ─> prototypes
 *                        ^                                     [learner-prototype-sums]      │
 *                        └──── global store learner-prototypes <──────────────────────────────┘
 * </pre>
 *
 * Prototypes are a global store (every instance reads every class, however the images are partitioned), fed
 * from the compacted {@code prototypes} topic that the aggregator writes; exact sums live with the aggregator,
 * keyed by class, so two instances never both own one class.
 */
public final class LearnerTopology {
  public static final String IMAGES_STORE = "learner-images";
  public static final String ANOMALY_STORE = "learner-anomaly-window";
  public static final String SUMS_STORE = "learner-prototype-sums";
  public static final String RECENT_ANOMALIES_STORE = "learner-recent-anomalies";
  public static final String PROTOTYPES_STORE = "learner-prototypes";
  static final String PREDICTIONS_SINK = "predictions-sink";
  static final String ANOMALIES_SINK = "anomalies-sink";
  static final String DEAD_LETTER_SINK = "dead-letter-sink";
  static final String DELTAS_SINK = "prototype-deltas-sink";

  private LearnerTopology() {
  }

  public static Topology build(LearnerSettings settings, TopicRegistry topics) {
    return build(settings, topics, LearnerObserver.NONE);
  }

  /** As {@link #build(LearnerSettings, TopicRegistry)}, reporting to {@code observer} (metrics). */
  public static Topology build(LearnerSettings settings, TopicRegistry topics, LearnerObserver observer) {
    var embeddings = topics.embeddings();
    var labels = topics.labels();
    var predictions = topics.predictions();
    var anomalies = topics.anomalies();
    var deltas = topics.prototypeDeltas();
    var prototypes = topics.prototypes();
    String deadLetter = topics.deadLetter().name();

    Topology t = new Topology();
    t.addSource("embeddings-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        embeddings.name());
    t.addSource("labels-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), labels.name());
    t.addProcessor("image-learner", () -> new ImageLearner(settings, labels.name(), deadLetter, observer),
        "embeddings-source", "labels-source");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IMAGES_STORE), Serdes.String(),
        new JsonSerde<>(ImageState.class)), "image-learner");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ANOMALY_STORE), Serdes.Long(),
        new DoubleArraySerde()), "image-learner");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RECENT_ANOMALIES_STORE),
        Serdes.Long(), new JsonSerde<>(RecentAnomalies.class)), "image-learner");
    t.addSink(PREDICTIONS_SINK, predictions.name(), predictions.keySerde().serializer(),
        predictions.valueSerde().serializer(), "image-learner");
    t.addSink(ANOMALIES_SINK, anomalies.name(), anomalies.keySerde().serializer(),
        anomalies.valueSerde().serializer(), "image-learner");
    t.addSink(DEAD_LETTER_SINK, deadLetter, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        "image-learner");
    t.addSink(DELTAS_SINK, deltas.name(), deltas.keySerde().serializer(), deltas.valueSerde().serializer(),
        "image-learner");

    t.addSource("prototype-deltas-source", deltas.keySerde().deserializer(), deltas.valueSerde().deserializer(),
        deltas.name());
    t.addProcessor("prototype-aggregator", PrototypeAggregator::new, "prototype-deltas-source");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SUMS_STORE), Serdes.String(),
        new JsonSerde<>(PrototypeSums.class)), "prototype-aggregator");
    t.addSink("prototypes-sink", prototypes.name(), prototypes.keySerde().serializer(),
        prototypes.valueSerde().serializer(), "prototype-aggregator");

    t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PROTOTYPES_STORE), Serdes.String(),
            prototypes.valueSerde()).withLoggingDisabled(), "prototypes-global-source",
        prototypes.keySerde().deserializer(), prototypes.valueSerde().deserializer(), prototypes.name(),
        "prototypes-global-updater", GlobalPrototypeUpdater::new);
    return t;
  }

  /** Keeps the global store equal to the compacted topic (tombstones delete). */
  static final class GlobalPrototypeUpdater implements Processor<String, Prototype, Void, Void> {
    private KeyValueStore<String, Prototype> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(PROTOTYPES_STORE);
    }

    @Override
    public void process(Record<String, Prototype> record) {
      if (record.value() == null) {
        store.delete(record.key());
      } else {
        store.put(record.key(), record.value());
      }
    }
  }
}
