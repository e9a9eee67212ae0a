package io.semistream.topics;

import java.util.Map;
import java.util.TreeMap;

/** One catalogue entry: how the topic must look on the cluster and what its records are. */
public record TopicSpec(
    TopicId id, String name, int partitions, short replicationFactor, String cleanupPolicy, long retentionMs,
    Map<String, String> configs, String keyFormat, String valueFormat, String valueSchema) {

  public TopicSpec {
    if (id == null || name == null || !name.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException("invalid topic name '" + name + "'");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(name + ": partitions must be >= 1");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(name + ": replicationFactor must be >= 1");
    }
    if (!cleanupPolicy.equals("delete") && !cleanupPolicy.equals("compact")) {
      throw new IllegalArgumentException(name + ": cleanupPolicy must be delete or compact");
    }
    if (retentionMs < -1) {
      throw new IllegalArgumentException(name + ": retentionMs must be >= -1");
    }
    if (valueSchema == null || valueSchema.isBlank()) {
      throw new IllegalArgumentException(name + ": every value format needs a schema");
    }
    configs = Map.copyOf(configs);
  }

  public TopicSpec withName(String newName) {
    return new TopicSpec(id, newName, partitions, replicationFactor, cleanupPolicy, retentionMs, configs, keyFormat,
        valueFormat, valueSchema);
  }

  public TopicSpec withPartitions(int newPartitions) {
    return new TopicSpec(id, name, newPartitions, replicationFactor, cleanupPolicy, retentionMs, configs, keyFormat,
        valueFormat, valueSchema);
  }

  /** The topic-level configs that `topics apply` sets and checks. */
  public Map<String, String> effectiveConfigs() {
    Map<String, String> all = new TreeMap<>(configs);
    all.put("cleanup.policy", cleanupPolicy);
    all.put("retention.ms", Long.toString(retentionMs));
    return all;
  }
}
