package io.semistream.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * How the catalogue's topics are named and created on this cluster. The prefix keeps several deployments (or a
 * test and a production one) apart on a shared cluster; Streams' internal topics already follow the learner's
 * {@code application.id}.
 */
public record TopicsSettings(String prefix, int replicationFactor) {
  public static final String PREFIX = "topics.prefix";
  public static final String REPLICATION_FACTOR = "topics.replication.factor";
  /** Legal topic-name characters; 200 leaves room for the longest catalogue name within Kafka's 249. */
  private static final String PREFIX_PATTERN = "[a-zA-Z0-9._-]{0,200}";

  public TopicsSettings {
    if (prefix == null || !prefix.matches(PREFIX_PATTERN)) {
      throw new IllegalArgumentException("topics prefix must match " + PREFIX_PATTERN + ", got '" + prefix + "'");
    }
    if (replicationFactor < 0) {
      throw new IllegalArgumentException("topics replication factor must be >= 0, got " + replicationFactor);
    }
  }

  static void define(ConfigDef def) {
    def.define(PREFIX, Type.STRING, "", (name, value) -> {
          if (value == null || !value.toString().matches(PREFIX_PATTERN)) {
            throw new org.apache.kafka.common.config.ConfigException(name, value,
                "letters, digits, '.', '_' and '-' only, at most 200 (e.g. 'team-a.')");
          }
        }, Importance.MEDIUM,
            "Prepended to every catalogue topic name (e.g. 'team-a.' gives 'team-a.images'); empty: the names of "
                + "topics/catalogue.yaml.")
        .define(REPLICATION_FACTOR, Type.INT, 0, Range.between(0, 32), Importance.MEDIUM,
            "Replication factor for topics that `topics apply` creates; 0 uses the catalogue's value.");
  }

  static TopicsSettings read(ParsedValues v) {
    return new TopicsSettings(v.string(PREFIX), v.integer(REPLICATION_FACTOR));
  }
}
