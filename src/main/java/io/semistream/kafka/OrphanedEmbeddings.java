package io.semistream.kafka;

import io.semistream.records.EmbeddingSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores the embeddings a hanging transaction held after the watchdog aborted it.
 *
 * <p>Why: after a broker SIGKILL, a transaction of the embedding service was found open on one partition of
 * {@code embeddings} while its coordinator held the producer's transactions as committed (a later epoch, {@code
 * CompleteCommit}): the commit marker never reached that partition. Its consumed image offsets were committed with
 * it, so no one would embed those images again. Left open it blocks every {@code read_committed} reader of the
 * partition for good; aborted it loses the embeddings (measured: 19 of 2,000 images in one broker-kill run). So
 * after the abort every aborted embedding of the range that has no committed successor (the same image at the same
 * or a later encoder version, later on the partition: what a redo after an ordinary abort writes) is written again,
 * unchanged, to the same partition. An aborted embedding whose redo is still to come (its service down for longer
 * than the watchdog's minimum age) would come twice: the learner replaces an image's embedding by the next one, so a
 * duplicate costs a repeated prediction, where a loss costs the image.
 */
public final class OrphanedEmbeddings {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanedEmbeddings.class);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaClients clients;
  private final String topic;
  private final AtomicLong restored = new AtomicLong();

  public OrphanedEmbeddings(KafkaClients clients, String topic) {
    this.clients = clients;
    this.topic = topic;
  }

  public String topic() {
    return topic;
  }

  /** Embeddings written again so far. */
  public long restored() {
    return restored.get();
  }

  /**
   * The records of {@code all} (every record of a range, aborted ones included, in offset order) to write again:
   * those not in {@code committed} whose image has no committed record at the same or a later encoder version after
   * them; of several for one image, the last. Records that are no embedding are never restored.
   */
  static List<ConsumerRecord<byte[], byte[]>> toRestore(List<ConsumerRecord<byte[], byte[]>> all,
      Set<Long> committed) {
    Map<String, ConsumerRecord<byte[], byte[]>> orphans = new HashMap<>();
    Map<String, Integer> orphanVersions = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : all) {
      if (r.key() == null) {
        continue;
      }
      String image = new String(r.key(), StandardCharsets.UTF_8);
      int version;
      try {
        version = EmbeddingSerde.decode(r.value()).modelVersion();
      } catch (RuntimeException notAnEmbedding) {
        continue;
      }
      if (committed.contains(r.offset())) {
        Integer orphan = orphanVersions.get(image);
        if (orphan != null && version >= orphan) {
          orphans.remove(image);   // redone and committed after the abort: nothing is missing
          orphanVersions.remove(image);
        }
      } else {
        orphans.put(image, r);
        orphanVersions.put(image, version);
      }
    }
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>(orphans.values());
    out.sort((a, b) -> Long.compare(a.offset(), b.offset()));
    return out;
  }

  /** Reads {@code partition} from {@code fromOffset} to its end both ways and writes the orphans again. */
  public int restore(TopicPartition partition, long fromOffset) {
    // Up to the last stable offset only: past it, a live transaction's records are neither committed nor aborted
    // yet, and would look like orphans.
    Set<Long> committed = new HashSet<>();
    long stable = read(partition, fromOffset, "read_committed", -1, r -> committed.add(r.offset()));
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
    read(partition, fromOffset, "read_uncommitted", stable, all::add);
    List<ConsumerRecord<byte[], byte[]>> orphans = toRestore(all, committed);
    if (orphans.isEmpty()) {
      return 0;
    }
    try (KafkaProducer<byte[], byte[]> producer = clients.producer(new ByteArraySerializer(),
        new ByteArraySerializer(), Map.of())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : orphans) {
        sent.add(producer.send(new ProducerRecord<>(topic, partition.partition(),
            r.timestamp() >= 0 ? r.timestamp() : null, r.key(), r.value(), r.headers())));
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get();   // a failed write throws, and the watchdog tries the restore again at its next check
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restoring embeddings on " + partition, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not restore the embeddings on " + partition, e.getCause());
    }
    restored.addAndGet(orphans.size());
    LOG.warn("restored {} embedding(s) on {} that the aborted hanging transaction held and no later commit replaced "
        + "(first at offset {})", orphans.size(), partition, orphans.get(0).offset());
    return orphans.size();
  }

  /**
   * Reads {@code partition} from {@code fromOffset} up to {@code to} (-1: the consumer's end offset, the last stable
   * one under read_committed), giving each record below it to {@code sink}; returns where it stopped.
   */
  private long read(TopicPartition partition, long fromOffset, String isolation, long to,
      Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation))) {
      consumer.assign(List.of(partition));
      long end = to >= 0 ? to : consumer.endOffsets(List.of(partition)).get(partition);
      consumer.seek(partition, fromOffset);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(partition)) {
          if (r.offset() < end) {
            sink.accept(r);
          }
        }
      }
      if (consumer.position(partition) < end) {
        throw new IllegalStateException("could not read " + partition + " from " + fromOffset + " to " + end
            + " (" + isolation + ") within " + READ_TIMEOUT.toSeconds() + " s");
      }
      return end;
    }
  }
}
