package io.semistream.evaluation;

import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.JsonSerde;
import io.semistream.kafka.KafkaClients;
import io.semistream.kafka.TopicTail;
import io.semistream.records.ClassCandidate;
import io.semistream.records.DeadLetters;
import io.semistream.records.ImageHeaders;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import io.semistream.topics.TopicRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;

/**
 * Everything the evaluation reads back (read_committed, from the beginning): every image's first and latest
 * prediction with the wall time the first one became visible, and every embedding (for the labels-only baseline).
 */
final class PredictionLog implements AutoCloseable {
  record Seen(Prediction prediction, long seenAt) {
  }

  final Map<String, Seen> first = new ConcurrentHashMap<>();
  final Map<String, Prediction> latest = new ConcurrentHashMap<>();
  /**
   * Each image's embedding by the starting encoder (for the baselines): its own vector while that version served,
   * else its novelty view when that is the starting version. An image first embedded after a promotion used to
   * enter with the new version's vector, mixing two spaces in one class mean: the "starting encoder" baseline then
   * moved with the trainer's timing (64.9 to 68.8 % for one seed).
   */
  final Map<String, float[]> embeddings = new ConcurrentHashMap<>();
  /** The encoder version that served first; 0 until the first embedding is read. */
  private final AtomicInteger startVersion = new AtomicInteger();
  /** Each image's latest embedding (the final encoder's, once the backlog was re-embedded). */
  final Map<String, float[]> latestEmbeddings = new ConcurrentHashMap<>();
  /** The encoder version of each image's latest embedding. */
  final Map<String, Integer> embeddingVersion = new ConcurrentHashMap<>();
  final AtomicLong lastPredictionAt = new AtomicLong(System.currentTimeMillis());
  /** Each zero-shot class's synthesized prototype's encoder version (absent: none, or withdrawn). */
  final Map<String, Integer> synthesizedVersion = new ConcurrentHashMap<>();
  /** A class candidate as the eval saw it: when it first appeared, and how it stands now (null: withdrawn). */
  record CandidateSeen(ClassCandidate first, long predictedImagesAtFirst, ClassCandidate latest) {
  }

  /** Every class candidate ever published, by id, in order of appearance. */
  final Map<String, CandidateSeen> candidates = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
  /** The learner's prototypes as they stand (the compacted table). */
  final Map<String, Prototype> prototypes = new ConcurrentHashMap<>();
  /** A kind of dead letter (its stage and reason): how many, and the first one's error. */
  record DeadLetterKind(long count, String firstError) {
  }

  /**
   * Every dead letter, by stage and reason. The eval's data sets are clean, so any is a fault of the service (a
   * record one stage wrote and the next refused), which would otherwise vanish from the measurements silently.
   */
  final Map<String, DeadLetterKind> deadLetters = new ConcurrentHashMap<>();
  private final TopicTail predictions;
  private final TopicTail deadLetterTail;
  private final TopicTail embeddingsTail;
  private final TopicTail synthesizedTail;
  private final TopicTail candidatesTail;
  private final TopicTail prototypesTail;

  PredictionLog(KafkaClients clients, TopicRegistry topics) {
    JsonSerde<Prediction> serde = new JsonSerde<>(Prediction.class);
    predictions = new TopicTail(clients, topics.predictions().name(), true, (id, value) -> {
      Prediction p = serde.decode(value);
      long now = System.currentTimeMillis();
      first.putIfAbsent(id, new Seen(p, now));
      latest.merge(id, p, (a, b) -> b.version() >= a.version() ? b : a);
      lastPredictionAt.set(now);
    });
    embeddingsTail = new TopicTail(clients, topics.embeddings().name(), true,
        (id, value) -> {
          var e = EmbeddingSerde.decode(value);
          startVersion.compareAndSet(0, e.modelVersion());
          float[] starting = startingVector(e, startVersion.get());
          if (starting != null) {
            embeddings.putIfAbsent(id, starting);
          }
          Integer before = embeddingVersion.get(id);
          if (before == null || e.modelVersion() >= before) {
            latestEmbeddings.put(id, e.vector());
          }
          embeddingVersion.merge(id, e.modelVersion(), Math::max);
        });
    deadLetterTail = TopicTail.ofRecords(clients, topics.deadLetter().name(), true, r -> {
      String kind = header(r.headers(), DeadLetters.STAGE) + ": " + header(r.headers(), DeadLetters.REASON);
      String error = header(r.headers(), DeadLetters.ERROR);
      deadLetters.merge(kind, new DeadLetterKind(1, error),
          (a, b) -> new DeadLetterKind(a.count() + 1, a.firstError()));
    });
    JsonSerde<SynthesizedPrototype> synthesized = new JsonSerde<>(SynthesizedPrototype.class);
    synthesizedTail = new TopicTail(clients, topics.zeroShotPrototypes().name(), true, (cls, value) -> {
      if (value == null) {
        synthesizedVersion.remove(cls);
      } else {
        synthesizedVersion.put(cls, synthesized.decode(value).modelVersion());
      }
    });
    JsonSerde<ClassCandidate> candidateSerde = new JsonSerde<>(ClassCandidate.class);
    candidatesTail = new TopicTail(clients, topics.classCandidates().name(), true, (id, value) -> {
      ClassCandidate c = value == null ? null : candidateSerde.decode(value);
      candidates.compute(id, (k, before) -> before == null
          ? (c == null ? null : new CandidateSeen(c, first.size(), c))
          : new CandidateSeen(before.first(), before.predictedImagesAtFirst(), c));
    });
    JsonSerde<Prototype> prototypeSerde = new JsonSerde<>(Prototype.class);
    prototypesTail = new TopicTail(clients, topics.prototypes().name(), true, (cls, value) -> {
      if (value == null) {
        prototypes.remove(cls);
      } else {
        prototypes.put(cls, prototypeSerde.decode(value));
      }
    });
  }

  @Override
  public void close() {
    predictions.close();
    embeddingsTail.close();
    synthesizedTail.close();
    candidatesTail.close();
    prototypesTail.close();
    deadLetterTail.close();
  }

  private static String header(Headers headers, String name) {
    return Objects.requireNonNullElse(ImageHeaders.get(headers, name), "?");
  }

  /** {@code e}'s vector in the space of encoder {@code version}, or null when it carries none. */
  static float[] startingVector(EmbeddingRecord e, int version) {
    if (e.modelVersion() == version) {
      return e.vector();
    }
    return e.noveltyVersion() == version && e.hasOwnNoveltyVector() ? e.noveltyVector() : null;
  }
}
