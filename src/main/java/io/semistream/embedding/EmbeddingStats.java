package io.semistream.embedding;

import io.semistream.ingest.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the embedding service, shared by its workers (read by the terminal status and metrics). */
public final class EmbeddingStats {
  private final LongAdder imagesIn = new LongAdder();
  private final LongAdder embedded = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder forwardNanos = new LongAdder();
  private final Map<RejectReason, LongAdder> deadLettered = new EnumMap<>(RejectReason.class);
  private final AtomicLong lastBatchSize = new AtomicLong();

  public EmbeddingStats() {
    for (RejectReason r : RejectReason.values()) {
      deadLettered.put(r, new LongAdder());
    }
  }

  void recordBatch(int records, int embeddedCount, long nanos) {
    imagesIn.add(records);
    embedded.add(embeddedCount);
    batches.increment();
    forwardNanos.add(nanos);
    lastBatchSize.set(embeddedCount);
  }

  void recordDeadLetter(RejectReason reason) {
    deadLettered.get(reason).increment();
  }

  public long imagesIn() {
    return imagesIn.sum();
  }

  public long embedded() {
    return embedded.sum();
  }

  public long batches() {
    return batches.sum();
  }

  public long deadLettered() {
    return deadLettered.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long deadLettered(RejectReason reason) {
    return deadLettered.get(reason).sum();
  }

  public double meanForwardMillis() {
    long b = batches.sum();
    return b == 0 ? 0 : forwardNanos.sum() / 1e6 / b;
  }
}
