package io.semistream.cli;

import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.KafkaClients;
import io.semistream.topics.TopicApplier;
import io.semistream.topics.TopicRegistry;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    @Override
    public Integer call() throws Exception {
      SemistreamConfig config = common.load();
      try (KafkaConnection connection = KafkaConnection.cluster(config, "topics apply");
           Admin admin = new KafkaClients(connection.config().kafka()).admin()) {
        int rf = replicationFactor != null ? replicationFactor : config.topicReplicationFactor();
        TopicApplier.Report report = new TopicApplier(admin).apply(
            TopicRegistry.load().catalogue().all().values(), rf);
        System.out.print(report.summary());
        return report.drift().isEmpty() ? 0 : 3;
      }
    }
  }
}
