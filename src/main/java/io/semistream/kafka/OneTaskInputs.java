package io.semistream.kafka;

import io.semistream.records.ImageIds;
import io.semistream.records.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Inputs of a service whose state spans every key (the zero-shot map over all classes, discovery's clusters over
 * all anomalies): each topic is keyed by text and repartitioned into one partition, so that one task sees it all
 * however many partitions the topic has.
 */
public final class OneTaskInputs {
  private OneTaskInputs() {
  }

  /**
   * {@code topic} keyed by text, ready for {@link #oneTask}. Records with an unusable key (missing, empty, not UTF-8) are dead-lettered here when {@code deadLetter} is
   * given (repartitioning would lose them without a trace), else counted by {@code onSkip}: for topics another
   * service already checks. Each record keeps its origin in a header for dead letters raised after the repartition.
   *
   * @param what what the key names, for the error ("image id", "class name")
   */
  public static KStream<String, byte[]> keyed(StreamsBuilder b, String topic, String name, String deadLetter,
      String stage, String what, Consumer<RejectReason> onReject, Runnable onSkip) {
    var branches = b.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-source"))
        .split(Named.as(name + "-"))
        .branch((key, value) -> ImageIds.problem(key) != null, Branched.as("no-key"))
        .defaultBranch(Branched.as("keyed"));
    KStream<byte[], byte[]> bad = branches.get(name + "-no-key");
    if (deadLetter != null) {
      bad.process(() -> new KeyGate(stage, what, onReject), Named.as(name + "-gate"))
          .to(deadLetter, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-dead-letter"));
    } else {
      bad.foreach((key, value) -> onSkip.run(), Named.as(name + "-skip"));
    }
    return branches.get(name + "-keyed")
        .map((key, value) -> KeyValue.pair(new String(key, StandardCharsets.UTF_8), value), Named.as(name + "-key"))
        .processValues(OriginStamp<String>::new, Named.as(name + "-origin"));
  }

  /** Into the service's single-partition topic {@code <app>-<name>-repartition}. */
  public static KStream<String, byte[]> oneTask(KStream<String, byte[]> keyed, String name) {
    return keyed.repartition(Repartitioned.<String, byte[]>as(name).withKeySerde(Serdes.String())
        .withValueSerde(Serdes.ByteArray()).withNumberOfPartitions(1));
  }
}
