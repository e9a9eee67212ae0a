package io.semistream.training;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import io.semistream.config.TrainerSettings;
import io.semistream.image.ImagePreprocessor;
import io.semistream.kafka.ConsumerGroupLag;
import io.semistream.kafka.KafkaClients;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ModelDescriptor;
import io.semistream.model.ImageEmbedding;
import io.semistream.model.ModelStore;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.ModelVersion;
import io.semistream.records.RejectedRecordException;
import io.semistream.topics.TopicId;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online trainer as a service (one thread): reads {@code images} and {@code labels} from the beginning of
 * what the topics retain (so a restart rebuilds the same reservoirs), keeps a class-balanced labelled reservoir,
 * a held-out share of the labels (one in {@code trainer.holdout.every}, by image id: never trained on) and the
 * most recent images; trains the encoder between polls; every {@code trainer.candidate.every.steps} saves a
 * candidate version, measures it and the serving version on the held-out labels, promotes it when better
 * ({@link PromotionRule}) and announces the decision on {@code model-versions}.
 */
public final class TrainerService implements AutoCloseable, Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
  private static final long TRAIN_SLICE_NANOS = 500_000_000L;
  /** How often the pipeline's lag is read while training (an Admin round trip per group, then one for the ends). */
  private static final long LAG_CHECK_INTERVAL_MS = 250;
  /**
   * How long a poll between training slices may wait. Not zero: after a pause between polls longer than the
   * consumer's {@code request.timeout.ms} (a trainer that waited for the pipeline, a slow candidate judgement), a
   * consumer polled only with a zero timeout read nothing more, ever (measured on Kafka 4.4: 600 of 10,000 images
   * after an 8 s pause with a 5 s request timeout; all of them with 10 ms). The trainer then stopped seeing labels.
   */
  static final Duration POLL_WHILE_TRAINING = Duration.ofMillis(10);
  static final Duration POLL_BEFORE_TRAINING = Duration.ofMillis(200);
  private static final Duration LAG_TIMEOUT = Duration.ofSeconds(2);

  private final TrainerSettings settings;
  private final KafkaClients clients;
  private final TopicRegistry topics;
  private final ModelStore store;
  private final Device device;
  private final TrainerObserver observer;
  private final PromotionRule rule;
  private final ImagePreprocessor preprocessor;
  private final JsonSerde<LabelRecord> labelSerde;
  private final LabelledReservoir labelled;
  private final LabelledReservoir heldOut;
  private final RecentImages recent;
  private final Map<String, float[]> imagesById;
  private final Map<String, String> waitingLabels;
  private final Map<String, Integer> classIndex = new LinkedHashMap<>();
  private final List<String> pipelineGroups;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;
  private volatile int servingVersion;
  private volatile int candidates;
  private volatile boolean training;
  private volatile long lastRecordNanos = System.nanoTime();
  private int labelsSeen;

  /**
   * @param preprocessor decodes images exactly as the embedding service does (same limits), so the trainer never
   *     learns from an image the service refuses
   */
  public TrainerService(TrainerSettings settings, ImagePreprocessor preprocessor, KafkaClients clients,
      TopicRegistry topics, ModelStore store, Device device, TrainerObserver observer) {
    this(settings, preprocessor, clients, topics, store, device, observer, List.of());
  }

  /**
   * @param pipelineGroups the consumer groups of the pipeline the trainer yields to while they are behind
   *     ({@code trainer.yield.max.lag}); none: it never waits
   */
  public TrainerService(TrainerSettings settings, ImagePreprocessor preprocessor, KafkaClients clients,
      TopicRegistry topics, ModelStore store, Device device, TrainerObserver observer, List<String> pipelineGroups) {
    this.pipelineGroups = List.copyOf(pipelineGroups);
    this.settings = settings;
    this.clients = clients;
    this.topics = topics;
    this.labelSerde = topics.json(TopicId.LABELS, LabelRecord.class);
    this.store = store;
    this.device = device;
    this.observer = observer;
    this.rule = new PromotionRule(settings.minGain(), settings.minHeldOut(), settings.confidence());
    this.preprocessor = preprocessor;
    this.labelled = new LabelledReservoir(settings.labelledPerClass(), settings.seed());
    this.heldOut = new LabelledReservoir(settings.labelledPerClass(), settings.seed() + 1);
    this.recent = new RecentImages(settings.recentImages());
    int keep = settings.recentImages();
    this.imagesById = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
        return size() > keep;
      }
    };
    this.waitingLabels = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > keep;
      }
    };
    this.thread = new Thread(this, "online-trainer");
  }

  public TrainerService start() {
    thread.start();
    return this;
  }

  public int servingVersion() {
    return servingVersion;
  }

  public int candidates() {
    return candidates;
  }

  /** Whether training has begun (enough labels of at least two classes arrived). */
  public boolean isTraining() {
    return training;
  }

  /** Nanoseconds since the trainer last read a record (it has caught up with the topics when this grows). */
  public long idleNanos() {
    return System.nanoTime() - lastRecordNanos;
  }

  public Throwable failure() {
    return failure;
  }

  public boolean isRunning() {
    return thread.isAlive();
  }

  @Override
  public void run() {
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of("max.poll.records", 2000));
         KafkaProducer<String, byte[]> producer = clients.producer(new StringSerializer(),
             new org.apache.kafka.common.serialization.ByteArraySerializer(), Map.of());
         ConsumerGroupLag lag = pipelineGroups.isEmpty() || settings.yieldMaxLag() == 0 ? null
             : new ConsumerGroupLag(clients, pipelineGroups, LAG_TIMEOUT)) {
      PipelineBackPressure backPressure = lag == null ? PipelineBackPressure.none()
          : new PipelineBackPressure(lag::records, settings.yieldMaxLag(), settings.yieldMaxMs(),
              LAG_CHECK_INTERVAL_MS, System::currentTimeMillis);
      Path serving = store.serving().orElseThrow(() -> new IllegalStateException("no model in " + store.root()));
      ModelDescriptor pointer = ModelStore.readDescriptor(serving);
      servingVersion = ServingAfterRestart.version(pointer, announced(consumer),
          v -> Files.isRegularFile(store.versionDir(v).resolve(ModelStore.DESCRIPTOR)));
      if (servingVersion != pointer.version()) {
        LOG.warn("online trainer: v{} was announced as promoted but the store still named v{} (a crash between the "
            + "two); serving v{}", servingVersion, pointer.version(), servingVersion);
      }
      store.promote(servingVersion);   // from now on the store serves what this trainer promotes, never a candidate
      consumer.seekToBeginning(KafkaClients.assignAll(consumer, topics.images().name(), topics.labels().name()));
      OnlineTrainer trainer = null;
      try {
        while (running && (settings.maxSteps() == 0 || trainer == null || trainer.steps() < settings.maxSteps())) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(trainer == null ? POLL_BEFORE_TRAINING : POLL_WHILE_TRAINING)) {
            ingest(r);
          }
          observer.reservoirs(labelled.size(), heldOut.size(), recent.size());
          if (labelled.size() < settings.minLabels() || labelled.classes().size() < 2) {
            continue;
          }
          if (trainer == null) {
            trainer = OnlineTrainer.startFrom(store.versionDir(servingVersion), device,
                OnlineTrainer.Options.of(settings));
            training = true;
            LOG.info("online trainer: training v{} with {} labels of {} classes", servingVersion, labelled.size(),
                labelled.classes().size());
          }
          trainer = trainSlice(trainer, producer, backPressure);
        }
        // The budget is spent (not a stop): judge what the last steps since the previous candidate learned.
        if (running && trainer != null && trainer.steps() % settings.candidateEverySteps() != 0) {
          judgeCandidate(trainer, producer);
        }
      } finally {
        if (trainer != null) {
          trainer.close();
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
      if (running) {
        failure = e;
      }
    } catch (Throwable e) {
      LOG.error("online trainer failed", e);
      failure = e;
    }
  }

  /**
   * Trains for about half a second (then polls again), judging a candidate every so many steps; returns the
   * trainer to go on with (a new one, from the serving version, when this one's weights stopped being finite).
   */
  private OnlineTrainer trainSlice(OnlineTrainer trainer, KafkaProducer<String, byte[]> producer,
      PipelineBackPressure backPressure) throws Exception {
    long until = System.nanoTime() + TRAIN_SLICE_NANOS;
    while (running && System.nanoTime() < until
        && (settings.maxSteps() == 0 || trainer.steps() < settings.maxSteps())) {
      yieldWhileBehind(backPressure);
      long t0 = System.nanoTime();
      OnlineTrainer.Step step = trainer.step(labelled, recent, classIndex);
      if (step == null) {
        return trainer;
      }
      observer.step(step, System.nanoTime() - t0);
      if (trainer.poisoned()) {
        long steps = trainer.steps();
        trainer.close();
        LOG.warn("online trainer: {} steps in a row had a non-finite loss at step {}; starting again from v{}",
            OnlineTrainer.POISONED_AFTER_SKIPPED, steps, servingVersion);
        observer.restarted();
        return OnlineTrainer.startFrom(store.versionDir(servingVersion), device, OnlineTrainer.Options.of(settings),
            steps);
      }
      if (trainer.steps() % settings.candidateEverySteps() == 0) {
        judgeCandidate(trainer, producer);
      }
    }
    return trainer;
  }

  /** Waits, a step at a time, while the pipeline is behind (at most trainer.yield.max.ms in a row). */
  private void yieldWhileBehind(PipelineBackPressure backPressure) throws InterruptedException {
    long start = System.nanoTime();
    long waitedMs = 0;
    while (running && backPressure.shouldWait(waitedMs)) {
      Thread.sleep(PipelineBackPressure.WAIT_STEP_MS);
      waitedMs = (System.nanoTime() - start) / 1_000_000;
    }
    if (waitedMs > 0) {
      observer.yielded(System.nanoTime() - start);
    }
  }

  private void judgeCandidate(OnlineTrainer trainer, KafkaProducer<String, byte[]> producer) throws Exception {
    List<LabelledReservoir.Example> train = labelled.all();
    List<LabelledReservoir.Example> judge = heldOut.all();
    // A version never trained on labels has seen none of them: it is also judged on all of them (leave one out).
    Path serving = store.versionDir(servingVersion);
    HeldOutAccuracy.Judgement servingJudged = judged(serving, train, judge,
        ModelStore.readDescriptor(serving).labelsSeen() == 0);
    double servingUntrained = servingJudged.leaveOneOutAccuracy();
    Path candidate = trainer.saveCandidate(store, labelsSeen, Double.NaN, "online: " + labelled.size()
        + " labels, " + recent.added() + " images");
    PromotionRule.Comparison comparison = PromotionRule.Comparison.of(
        judged(candidate, train, judge, false).ranks(), servingJudged.ranks());
    int version = ModelStore.readDescriptor(candidate).version();
    boolean promote = rule.promote(comparison, servingUntrained);
    candidates++;
    ModelVersion announced = new ModelVersion(trainer.parent().id(), version, servingVersion,
        promote ? ModelVersion.Status.PROMOTED : ModelVersion.Status.REJECTED, labelsSeen,
        finite(comparison.candidateAccuracy()), finite(comparison.servingAccuracy()), comparison.heldOut(),
        comparison.candidateRanksHigher(), comparison.servingRanksHigher(), finite(servingUntrained),
        trainer.steps(), System.currentTimeMillis());
    // The announcement is the commit point, the store's pointer follows it: a crash between the two leaves a
    // promotion every embedding service follows (from the topic) and the next trainer completes (see run). The
    // other order left a version the store served and no one had announced: services started later served it,
    // the running ones did not.
    producer.send(new ProducerRecord<>(topics.modelVersions().name(), announced.modelId(),
        topics.modelVersions().valueSerde().serializer().serialize(topics.modelVersions().name(), announced))).get();
    if (promote) {
      store.promote(version);
      servingVersion = version;
    }
    observer.candidate(announced);
    LOG.info("online trainer: candidate v{} held-out accuracy {} vs serving {} on {} labels (true class ranked "
        + "higher by the candidate on {}, by the serving version on {}; P(candidate better) {}; serving version on "
        + "every label it was not trained on {}): {}", version,
        String.format("%.3f", comparison.candidateAccuracy()), String.format("%.3f", comparison.servingAccuracy()),
        comparison.heldOut(), comparison.candidateRanksHigher(), comparison.servingRanksHigher(),
        String.format("%.3f", comparison.probabilityCandidateBetter()),
        Double.isFinite(servingUntrained) ? String.format("%.3f", servingUntrained) : "-",
        promote ? "PROMOTED" : "rejected");
  }

  /** Every announcement on {@code model-versions} (a small compacted topic), read to its end. */
  private List<ModelVersion> announced(KafkaConsumer<byte[], byte[]> consumer) {
    String topic = topics.modelVersions().name();
    List<TopicPartition> partitions = KafkaClients.assignAll(consumer, topic);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    var serde = topics.modelVersions().valueSerde().deserializer();
    List<ModelVersion> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        try {
          if (r.value() != null) {
            out.add(serde.deserialize(topic, r.value()));
          }
        } catch (RuntimeException e) {
          LOG.warn("model-versions: skipped a record that is not a model version: {}", e.getMessage());
        }
      }
    }
    return out;
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : -1;
  }

  private HeldOutAccuracy.Judgement judged(Path version, List<LabelledReservoir.Example> train,
      List<LabelledReservoir.Example> judge, boolean leaveOneOut) throws Exception {
    try (EmbeddingModel m = EmbeddingModel.load(version, device);
         Predictor<float[][], List<ImageEmbedding>> p = m.newPredictor()) {
      return HeldOutAccuracy.judge(p, train, judge, leaveOneOut);
    }
  }

  private void ingest(ConsumerRecord<byte[], byte[]> r) {
    lastRecordNanos = System.nanoTime();
    if (r.key() == null || r.value() == null) {
      return;   // the embedding service and the learner dead-letter these; the trainer just does not learn
    }
    String id = new String(r.key(), StandardCharsets.UTF_8);
    if (r.topic().equals(topics.images().name())) {
      float[] image;
      try {
        image = preprocessor.preprocess(r.value());
      } catch (RejectedRecordException e) {
        return;
      }
      recent.add(image);
      imagesById.put(id, image);
      String waiting = waitingLabels.remove(id);
      if (waiting != null) {
        learnLabel(id, waiting, image);
      }
    } else {
      LabelRecord label;
      try {
        label = labelSerde.decode(r.value());
      } catch (RuntimeException e) {
        return;
      }
      float[] image = imagesById.get(id);
      if (image == null) {
        waitingLabels.put(id, label.className());
      } else {
        learnLabel(id, label.className(), image);
      }
    }
  }

  private void learnLabel(String id, String className, float[] image) {
    labelsSeen++;
    if (isHeldOut(id, settings.holdoutEvery())) {
      heldOut.add(id, className, image);
    } else {
      labelled.add(id, className, image);
      classIndex.putIfAbsent(className, classIndex.size());
    }
  }

  /** Whether the label of image {@code id} is held out (never trained on, judges candidates): one in {@code every}. */
  public static boolean isHeldOut(String id, int every) {
    return Math.floorMod(id.hashCode(), every) == 0;
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
