package io.semistream.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates missing catalogue topics and reports, without changing them, existing topics whose
 * partitions, replication or configs differ from the catalogue. Running it twice is a no-op.
 */
public final class TopicApplier {
  private final Admin admin;

  public TopicApplier(Admin admin) {
    this.admin = admin;
  }

  /** What one apply did. {@code drift} lists human-readable differences; nothing was changed for them. */
  public record Report(List<String> created, List<String> unchanged, List<String> drift) {
    public Report {
      created = List.copyOf(created);
      unchanged = List.copyOf(unchanged);
      drift = List.copyOf(drift);
    }

    public String summary() {
      StringBuilder sb = new StringBuilder();
      sb.append("created: ").append(created.isEmpty() ? "none" : String.join(", ", created)).append('\n');
      sb.append("already as catalogued: ").append(unchanged.isEmpty() ? "none" : String.join(", ", unchanged))
          .append('\n');
      if (drift.isEmpty()) {
        sb.append("drift: none\n");
      } else {
        sb.append("drift (reported, NOT changed):\n");
        drift.forEach(d -> sb.append("  - ").append(d).append('\n'));
      }
      return sb.toString();
    }
  }

  /**
   * @param replicationOverride 0 keeps the catalogue's replication factor; otherwise used for every topic
   */
  public Report apply(Collection<TopicSpec> specs, int replicationOverride)
      throws ExecutionException, InterruptedException {
    Set<String> existing = admin.listTopics().names().get();
    List<String> created = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    List<String> drift = new ArrayList<>();
    List<NewTopic> toCreate = specs.stream().filter(s -> !existing.contains(s.name()))
        .map(s -> new NewTopic(s.name(), s.partitions(),
            replicationOverride > 0 ? (short) replicationOverride : s.replicationFactor())
            .configs(s.effectiveConfigs()))
        .toList();
    if (!toCreate.isEmpty()) {
      var results = admin.createTopics(toCreate).values();
      for (var entry : results.entrySet()) {
        try {
          entry.getValue().get();
          created.add(entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
          // Created concurrently by another instance between list and create: fine, check it below.
        }
      }
    }
    awaitLeaders(created);
    List<TopicSpec> toCheck = specs.stream().filter(s -> !created.contains(s.name())).toList();
    if (!toCheck.isEmpty()) {
      Map<String, TopicDescription> descriptions = retryWhileUnknown(() ->
          admin.describeTopics(toCheck.stream().map(TopicSpec::name).toList()).allTopicNames().get());
      List<ConfigResource> resources = toCheck.stream()
          .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList();
      Map<ConfigResource, Config> configs = retryWhileUnknown(() -> admin.describeConfigs(resources).all().get());
      for (TopicSpec spec : toCheck) {
        List<String> differences = differences(spec, descriptions.get(spec.name()),
            configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name())), replicationOverride);
        if (differences.isEmpty()) {
          unchanged.add(spec.name());
        } else {
          drift.addAll(differences);
        }
      }
    }
    return new Report(created, unchanged, drift);
  }

  /**
   * A created topic is usable once every partition has a leader that serves it. Before that, an idempotent
   * producer's first batches can reach a partition out of order and be refused (OutOfOrderSequenceException, seen
   * right after creation with Kafka 4.4), so `apply` returns only when the new topics are ready (bounded: 30 s).
   * A leader in the metadata was not enough: once more the bench's producer was refused 0.3 s after such a wait
   * (2026-11-30). A KRaft broker publishes new metadata to the cache that answers clients before its replica
   * manager takes the partitions on (BrokerMetadataPublisher: metadataCache.setImage, then
   * replicaManager.applyDelta), so each partition must also answer a ListOffsets at its leader, which only the
   * replica manager serves.
   */
  private void awaitLeaders(List<String> created) throws InterruptedException, ExecutionException {
    if (created.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      Map<String, TopicDescription> d = retryWhileUnknown(() -> admin.describeTopics(created).allTopicNames().get());
      boolean ready = d.size() == created.size() && d.values().stream()
          .allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
      if (ready) {
        awaitServed(d, deadline);
        return;
      }
      Thread.sleep(100);
    }
  }

  /**
   * Every partition of the described topics answers a ListOffsets at its leader, the deadline passes, or the call
   * is refused for good.
   */
  private void awaitServed(Map<String, TopicDescription> topics, long deadline) throws InterruptedException {
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    topics.values().forEach(t -> t.partitions().forEach(
        p -> partitions.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest())));
    while (System.nanoTime() < deadline) {
      int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      try {
        admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs(left)).all().get();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          return;   // e.g. no Describe permission: nothing to wait for here; producers will say what is wrong
        }
        Thread.sleep(100);   // not served yet (the admin client retries leadership errors itself until its timeout)
      }
    }
  }

  /** A call that reads topic metadata. */
  private interface MetadataCall<T> {
    T call() throws InterruptedException, ExecutionException;
  }

  /**
   * A topic created a moment ago (by this call or by another instance) can be unknown to the broker that
   * answers for a short while: ask again, boundedly, before calling it an error.
   */
  private static <T> T retryWhileUnknown(MetadataCall<T> call) throws InterruptedException, ExecutionException {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
            || attempt >= 20) {
          throw e;
        }
        Thread.sleep(100L * attempt);
      }
    }
  }

  static List<String> differences(TopicSpec spec, TopicDescription actual, Config config, int replicationOverride) {
    List<String> out = new ArrayList<>();
    if (actual.partitions().size() != spec.partitions()) {
      out.add(spec.name() + ": partitions " + actual.partitions().size() + ", catalogue says " + spec.partitions());
    }
    int wantedReplication = replicationOverride > 0 ? replicationOverride : spec.replicationFactor();
    int replication = actual.partitions().get(0).replicas().size();
    if (replication != wantedReplication) {
      out.add(spec.name() + ": replication factor " + replication + ", catalogue says " + wantedReplication);
    }
    Map<String, String> actualConfigs = config.entries().stream()
        .collect(Collectors.toMap(ConfigEntry::name, e -> String.valueOf(e.value())));
    spec.effectiveConfigs().forEach((key, wanted) -> {
      String value = actualConfigs.get(key);
      if (!wanted.equals(value)) {
        out.add(spec.name() + ": " + key + "=" + value + ", catalogue says " + wanted);
      }
    });
    return out;
  }
}
