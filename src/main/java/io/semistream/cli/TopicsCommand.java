package io.semistream.cli;

import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.KafkaClients;
import io.semistream.topics.TopicApplier;
import io.semistream.topics.TopicRegistry;
import io.semistream.topics.TopicCatalogue;
import io.semistream.topics.TopicId;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code topics apply}: create missing catalogue topics, report drift. */
@Command(name = "topics", description = "Manage the topics of topics/catalogue.yaml.",
    subcommands = TopicsCommand.Apply.class)
final class TopicsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "apply", description = "Create missing topics; report (never change) topics that differ.")
  static final class Apply implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--replication-factor", description = "Replication factor for new topics (default: catalogue).")
    Integer replicationFactor;

    @Option(names = "--partitions", paramLabel = "ID=N", split = ",",
        description = "Partitions for a topic this run creates, by catalogue id (e.g. images=12,embeddings=12); "
            + "existing topics are never changed, a different count is reported as drift.")
    Map<String, Integer> partitions = Map.of();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      SemistreamConfig config = common.load();
      Map<TopicId, Integer> overrides = partitionOverrides(spec, partitions);
      try (KafkaConnection connection = KafkaConnection.cluster(config, "topics apply");
           Admin admin = new KafkaClients(connection.config().kafka()).admin()) {
        int rf = replicationFactor != null ? replicationFactor : config.topics().replicationFactor();
        TopicCatalogue catalogue = TopicRegistry.load(config.topics().prefix()).catalogue()
            .withPartitions(overrides);
        TopicApplier.Report report = new TopicApplier(admin).apply(catalogue.all().values(), rf);
        System.out.print(report.summary());
        return report.drift().isEmpty() ? 0 : 3;
      }
    }

    static Map<TopicId, Integer> partitionOverrides(CommandSpec spec, Map<String, Integer> byCatalogueId) {
      Map<TopicId, Integer> out = new EnumMap<>(TopicId.class);
      byCatalogueId.forEach((id, n) -> {
        if (n == null || n < 1) {
          throw new ParameterException(spec.commandLine(),
              "--partitions " + id + "=" + n + ": the count must be >= 1");
        }
        try {
          out.put(TopicId.byCatalogueId(id), n);
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "--partitions: " + e.getMessage());
        }
      });
      return out;
    }
  }
}
