package io.semistream.cli;

import io.semistream.config.SemistreamConfig;
import io.semistream.metrics.ServiceMetrics;
import io.semistream.serving.LearnerRuntime;
import io.semistream.topics.TopicRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code learn}: run only the learner (Kafka Streams) and its query API, until stopped. */
@Command(name = "learn", description = "Run the learner: prototypes, pseudo-labels, anomalies, query API.")
final class LearnCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Override
  public Integer call() throws Exception {
    SemistreamConfig config = common.load();
    KafkaConnection connection = KafkaConnection.cluster(config, "learn");
    ServiceLifecycle life = new ServiceLifecycle("learn");
    life.own(connection);
    ServiceMetrics metrics = life.own(ServiceMetrics.start(config.metrics(), "semistream-learner"));
    LearnerRuntime learner = life.own(LearnerRuntime.start(connection.config(), TopicRegistry.load(config.topics().prefix()),
        metrics.registry()));
    System.out.printf("learner running on %s; query API %s; Ctrl-C stops it%n",
        connection.config().kafka().bootstrapServers(),
        learner.apiPort() < 0 ? "off" : "http://127.0.0.1:" + learner.apiPort() + "/");
    life.awaitShutdown();
    return 0;
  }
}
