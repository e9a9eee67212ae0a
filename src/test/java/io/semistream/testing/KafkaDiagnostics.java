package io.semistream.testing;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * What a stalled pipeline test prints: the partitions whose last stable offset lags their end (an open transaction
 * blocks read_committed readers there), each open transaction, each consumer group's lag, and the stream threads'
 * stacks. A stall on CI leaves nothing else to go on, and CI shows only the tail of the log: the summary returned is
 * meant for the failing assertion's message.
 */
public final class KafkaDiagnostics {
  private KafkaDiagnostics() {
  }

  /** Prints everything to {@code out}; returns the Kafka findings in one short line (none: "no Kafka finding"). */
  public static String print(String servers, PrintStream out) {
    List<String> findings = new ArrayList<>();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers, "request.timeout.ms", 5_000,
        "default.api.timeout.ms", 10_000))) {
      List<TopicPartition> partitions = new ArrayList<>();
      var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
      admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, d) ->
          d.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
      var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(10, TimeUnit.SECONDS);
      partitions.stream().sorted(Comparator.comparing(TopicPartition::toString)).forEach(tp -> {
        long end = ends.get(tp).offset();
        long lso = stable.get(tp).offset();
        if (lso < end) {
          findings.add("LSO behind end: " + tp + " stable " + lso + " end " + end);
        }
      });
      admin.describeProducers(partitions).all().get(10, TimeUnit.SECONDS).forEach((tp, d) ->
          d.activeProducers().stream().filter(s -> s.currentTransactionStartOffset().isPresent())
              .forEach(s -> findings.add("open transaction on " + tp + ": producer " + s.producerId() + " epoch "
                  + s.producerEpoch() + " since " + s.currentTransactionStartOffset().getAsLong())));
      admin.listTransactions().all().get(10, TimeUnit.SECONDS).forEach(t -> out.println("transaction " + t));
      for (ConsumerGroupListing group : admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS)) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        committed.forEach((tp, o) -> {
          long end = ends.containsKey(tp) ? ends.get(tp).offset() : -1;
          if (o != null && o.offset() < end) {
            findings.add("group " + group.groupId() + " behind on " + tp + ": committed " + o.offset() + " end "
                + end + " stable " + stable.get(tp).offset());
          }
        });
      }
    } catch (Exception e) {
      findings.add("Kafka diagnostics failed: " + e);
    }
    findings.forEach(out::println);
    for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
      if (t.getThreadName().contains("StreamThread") || t.getThreadName().contains("embed")) {
        out.print("thread " + t.getThreadName() + " " + t.getThreadState());
        StackTraceElement[] stack = t.getStackTrace();
        for (int i = 0; i < Math.min(stack.length, 30); i++) {
          out.print("\n    at " + stack[i]);
        }
        out.println();
      }
    }
    String summary = findings.isEmpty() ? "no Kafka finding" : String.join("; ", findings);
    return summary.length() > 600 ? summary.substring(0, 600) + " ..." : summary;
  }
}
