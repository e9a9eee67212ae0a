package io.semistream.embedding;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.semistream.image.ImagePreprocessor;
import io.semistream.image.LargeImageException;
import io.semistream.model.ImageEmbedding;
import io.semistream.model.ModelDescriptor;
import io.semistream.records.DeadLetters;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.ImageHeaders;
import io.semistream.records.ImageIds;
import io.semistream.records.RejectReason;
import io.semistream.records.RejectedRecordException;
import io.semistream.topics.TopicRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One batch of image records to the records that leave for it: preprocess each image (bad ones become dead
 * letters; big ones are forwarded to the slow lane when there is one), one forward pass for the rest, an
 * embedding per image (a non-finite one becomes a dead letter). No Kafka I/O: the worker sends the result in one
 * transaction with the consumed offsets.
 */
final class BatchEmbedder {
  /**
   * What a batch produced: records to send (embeddings, dead letters, forwarded big images), how many embedded
   * and forwarded, time per stage.
   */
  record Outcome(List<ProducerRecord<byte[], byte[]>> records, int embedded, int forwarded, long decodeNanos,
      long forwardNanos, long serializeNanos) {
  }

  private final ImagePreprocessor preprocessor;
  private final TopicRegistry topics;
  private final EmbeddingStats stats;
  private final String stage;
  private final String largeImagesTopic;
  private final long inlinePixelLimit;

  /**
   * @param largeImagesTopic where images with more than {@code inlinePixelLimit} pixels are forwarded, unchanged;
   *     null: decode every image here (the slow lane itself, or no lane)
   */
  BatchEmbedder(ImagePreprocessor preprocessor, TopicRegistry topics, EmbeddingStats stats, String stage,
      String largeImagesTopic, long inlinePixelLimit) {
    this.preprocessor = preprocessor;
    this.topics = topics;
    this.stats = stats;
    this.stage = stage;
    this.largeImagesTopic = largeImagesTopic;
    this.inlinePixelLimit = largeImagesTopic == null ? Long.MAX_VALUE : inlinePixelLimit;
  }

  Outcome embed(List<ConsumerRecord<byte[], byte[]>> batch, Predictor<float[][], List<ImageEmbedding>> predictor,
      ModelDescriptor model) {
    return embed(batch, predictor, model, null, 0);
  }

  /**
   * @param novelty the novelty view's encoder when that version is not {@code model} (a second, encoder-only pass
   *     of the same inputs); null when there is no novelty view or the model is the novelty version
   * @param noveltyVersion the novelty view's version; 0: none
   */
  Outcome embed(List<ConsumerRecord<byte[], byte[]>> batch, Predictor<float[][], List<ImageEmbedding>> predictor,
      ModelDescriptor model, UnaryOperator<float[][]> novelty, int noveltyVersion) {
    List<ConsumerRecord<byte[], byte[]>> accepted = new ArrayList<>(batch.size());
    List<float[]> inputs = new ArrayList<>(batch.size());
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(batch.size());
    int forwarded = 0;
    long now = System.currentTimeMillis();
    long decodeStart = System.nanoTime();
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      try {
        RejectReason keyReason = ImageIds.rejectReason(r.key());
        if (keyReason != null) {
          // Refused here, before any decoding or forward pass, with the same rule the learner applies.
          throw new RejectedRecordException(keyReason, ImageIds.problem(r.key()));
        }
        inputs.add(preprocessor.preprocess(r.value(), inlinePixelLimit));
        accepted.add(r);
      } catch (LargeImageException e) {
        // Same key, bytes, headers and timestamp: the slow lane sees the record as the sender wrote it.
        out.add(new ProducerRecord<>(largeImagesTopic, null, r.timestamp() >= 0 ? r.timestamp() : null, r.key(),
            r.value(), r.headers()));
        forwarded++;
      } catch (RejectedRecordException e) {
        stats.recordDeadLetter(e.reason());
        out.add(DeadLetters.of(topics.deadLetter().name(), r, e.reason(), e.getMessage(), stage, now));
      }
    }
    long start = System.nanoTime();
    long forwardEnd = start;
    int embedded = 0;
    if (!accepted.isEmpty()) {
      List<ImageEmbedding> embeddings;
      float[][] noveltyEmbeddings = null;
      float[][] batchInputs = inputs.toArray(new float[0][]);
      try {
        embeddings = predictor.predict(batchInputs);
        if (novelty != null) {
          noveltyEmbeddings = novelty.apply(batchInputs);
        }
      } catch (TranslateException e) {
        throw new IllegalStateException("forward pass failed for a batch of " + inputs.size(), e);
      }
      forwardEnd = System.nanoTime();
      String embeddingsTopic = topics.embeddings().name();
      for (int i = 0; i < accepted.size(); i++) {
        ConsumerRecord<byte[], byte[]> r = accepted.get(i);
        ImageEmbedding e = embeddings.get(i);
        EmbeddingRecord record;
        try {
          record = new EmbeddingRecord(e.vector(), e.reconstructionError(), model.id(), model.version(),
              ImageHeaders.eventTime(r.headers(), r.timestamp()), noveltyVersion,
              noveltyEmbeddings == null ? null : noveltyEmbeddings[i]);
        } catch (IllegalArgumentException invalid) {
          // A NaN/infinite output (e.g. extreme pixel values through a diverged model) must not stop the stream.
          stats.recordDeadLetter(RejectReason.NON_FINITE_EMBEDDING);
          out.add(DeadLetters.of(topics.deadLetter().name(), r, RejectReason.NON_FINITE_EMBEDDING,
              invalid.getMessage(), stage, now));
          continue;
        }
        embedded++;
        out.add(new ProducerRecord<>(embeddingsTopic, null, r.timestamp() >= 0 ? r.timestamp() : null, r.key(),
            EmbeddingSerde.encode(record)));
      }
    }
    return new Outcome(out, embedded, forwarded, start - decodeStart, forwardEnd - start, System.nanoTime() - forwardEnd);
  }
}
