package io.semistream.embedding;

import ai.djl.Device;
import io.semistream.kafka.KafkaClients;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ModelStore;
import io.semistream.records.ModelVersion;
import io.semistream.topics.TopicRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoder version the embedding workers serve, switched without a restart: a watcher reads the compacted
 * {@code model-versions} topic and, when the trainer promotes a newer version of the served model, loads it from
 * the model store. Workers pick the new version up at their next batch boundary ({@link #current()}), so no
 * batch mixes two versions. Versions already replaced stay loaded until the service closes: a worker may still
 * be finishing a batch with one, and each is small (447k parameters).
 */
final class ServingModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingModel.class);

  private final List<EmbeddingModel> loaded = new ArrayList<>();
  private final EmbeddingModel initial;
  private volatile EmbeddingModel current;
  private final Thread watcher;
  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> watching;
  private final Consumer<EmbeddingModel> onServe;
  private final EmbeddingModel novelty;
  /** Open once the watcher has read the promotions already on the topic at start. */
  private final CountDownLatch caughtUp = new CountDownLatch(1);

  /**
   * Serves {@code initial}; with {@code clients} non-null, follows promotions of its model id. {@code onServe}
   * hears of the initial model and of every switch (metrics). {@code noveltyVersion}: the fixed version whose
   * embedding travels beside the serving one (0: none).
   */
  ServingModel(EmbeddingModel initial, KafkaClients clients, TopicRegistry topics, Consumer<EmbeddingModel> onServe,
      int noveltyVersion) {
    this.initial = initial;
    this.current = initial;
    this.onServe = onServe;
    this.novelty = loadNovelty(initial, noveltyVersion);
    onServe.accept(initial);
    this.watcher = clients == null ? null : new Thread(() -> watch(clients, topics), "model-version-watcher");
    if (watcher != null) {
      watcher.setDaemon(true);
      watcher.start();
    } else {
      caughtUp.countDown();
    }
  }

  /**
   * Waits until the promotions already published are applied: a restarted service must not embed with a version
   * older than the last one promoted (its re-embedding of the retained images would be taken for the newer
   * version's). False when {@code timeout} passed first.
   */
  boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The version the service started with (owned by the caller, who closes it). */
  EmbeddingModel initial() {
    return initial;
  }

  EmbeddingModel current() {
    return current;
  }

  /** The novelty view's model, loaded once; null when none is configured or the store lacks that version. */
  EmbeddingModel novelty() {
    return novelty;
  }

  private EmbeddingModel loadNovelty(EmbeddingModel serving, int version) {
    if (version == 0) {
      return null;
    }
    if (serving.descriptor().version() == version) {
      return serving;
    }
    Path dir = new ModelStore(serving.versionDir().getParent()).versionDir(version);
    if (!java.nio.file.Files.isRegularFile(dir.resolve(ModelStore.DESCRIPTOR))) {
      // Not fatal: a store imported from elsewhere may start at a later version. Anomalies are then scored in the
      // serving version's space, as with embedding.novelty.version=0.
      LOG.warn("embedding.novelty.version={}: {} has no such version; no novelty view", version, dir);
      return null;
    }
    try {
      EmbeddingModel model = EmbeddingModel.load(dir, serving.device());
      if (model.descriptor().inputSide() != serving.descriptor().inputSide()) {
        model.close();
        LOG.warn("embedding.novelty.version={}: its input side {} is not the served model's {}; no novelty view",
            version, model.descriptor().inputSide(), serving.descriptor().inputSide());
        return null;
      }
      synchronized (loaded) {
        loaded.add(model);
      }
      LOG.info("novelty view: {} v{} embeds every image beside the serving version", model.descriptor().id(),
          version);
      return model;
    } catch (Exception e) {
      throw new IllegalStateException("embedding.novelty.version=" + version + ": cannot load " + dir, e);
    }
  }

  private void watch(KafkaClients clients, TopicRegistry topics) {
    var serde = topics.modelVersions().valueSerde().deserializer();
    String topic = topics.modelVersions().name();
    try (KafkaConsumer<String, byte[]> consumer = clients.consumer(null, new StringDeserializer(),
        new ByteArrayDeserializer(), Map.of())) {
      watching = consumer;
      var partitions = KafkaClients.assignAll(consumer, topic);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, byte[]> r : records) {
          ModelVersion v;
          try {
            v = r.value() == null ? null : serde.deserialize(topic, r.value());
          } catch (RuntimeException e) {
            LOG.warn("model-versions: skipped a record that is not a model version: {}", e.getMessage());
            continue;
          }
          if (v != null && v.status() == ModelVersion.Status.PROMOTED) {
            switchTo(v);
          }
        }
        if (caughtUp.getCount() > 0
            && endAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          caughtUp.countDown();
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // closing
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("model version watcher stopped; the embedding service keeps serving {} v{}",
          current.descriptor().id(), current.descriptor().version(), e);
    } finally {
      caughtUp.countDown();   // a stopped watcher must not hold the service's start
    }
  }

  private void switchTo(ModelVersion v) {
    EmbeddingModel serving = current;
    if (!v.modelId().equals(serving.descriptor().id()) || v.version() <= serving.descriptor().version()) {
      return;
    }
    Path root = serving.versionDir().getParent();
    try {
      EmbeddingModel next = EmbeddingModel.load(new ModelStore(root).versionDir(v.version()), serving.device());
      synchronized (loaded) {
        loaded.add(next);
      }
      current = next;
      onServe.accept(next);
      LOG.info("embedding service: switching to {} v{} (held-out accuracy {} vs {})", v.modelId(), v.version(),
          v.candidateAccuracy(), v.servingAccuracy());
    } catch (Exception e) {
      LOG.error("cannot load promoted version {} v{} from {}; keeping v{}", v.modelId(), v.version(), root,
          serving.descriptor().version(), e);
    }
  }

  @Override
  public void close() {
    running = false;
    if (watcher != null) {
      // Woken, not interrupted: an interrupted thread cannot close its consumer cleanly (the fetcher's close
      // failed with an InterruptException logged at ERROR on every shutdown).
      KafkaConsumer<String, byte[]> c = watching;
      if (c != null) {
        c.wakeup();
      }
      try {
        watcher.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (loaded) {
      loaded.forEach(EmbeddingModel::close);
      loaded.clear();
    }
  }
}
