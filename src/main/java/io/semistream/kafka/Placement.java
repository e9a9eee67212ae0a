package io.semistream.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Tells whether a record already sits on the partition that the re-keying would send it to, so that a topology
 * re-keys only the records a foreign partitioner placed elsewhere instead of every one.
 *
 * <p>Why: a re-keying hop writes each record to an internal topic and reads it back, which costs a produce, a
 * fetch and one more transaction commit before its result is visible. The embedding service writes
 * {@code embeddings} with the Java client, whose partitioner (murmur2 of the key's bytes) is the one Kafka
 * Streams uses for its own internal topics; with as many partitions as the internal topic, every such record is
 * already home. A record from another client (librdkafka's CRC32, a hand-picked partition) or from a topic with
 * another partition count is not, and still takes the hop: the decision is made per record from where it was
 * read, never from a guess about the producer.
 *
 * <p>"Home" means the record's source partition {@code p} equals {@code murmur2(utf8(key)) mod partitions}: the
 * task that reads partition {@code p} of this source also reads partition {@code p} of the internal topic, so
 * the record meets everything else of its key there.
 */
public final class Placement implements FixedKeyProcessor<String, byte[], Placement.Placed> {
  /** A record's value and whether it is already on its home partition. */
  public record Placed(boolean home, byte[] value) {
  }

  private final int partitions;
  private FixedKeyProcessorContext<String, Placed> context;

  /** @param partitions the partition count of the internal topic the records would otherwise be re-keyed into */
  public Placement(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1");
    }
    this.partitions = partitions;
  }

  /** The partition Kafka Streams' default partitioner gives a String key among {@code partitions}. */
  public static int homeOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Placed> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    boolean home = record.key() != null && context.recordMetadata()
        .map(m -> m.partition() == homeOf(record.key(), partitions)).orElse(false);
    context.forward(record.withValue(new Placed(home, record.value())));
  }
}
