package io.semistream.cli;

import io.semistream.config.SemistreamConfig;
import io.semistream.metrics.ServiceMetrics;
import io.semistream.serving.LearnerRuntime;
import io.semistream.kafka.KafkaClients;
import io.semistream.topics.TopicRegistry;
import io.semistream.web.WebView;
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
    TopicRegistry topics = TopicRegistry.load(config.topics().prefix());
    LearnerRuntime learner = life.own(LearnerRuntime.start(connection.config(), topics, metrics.registry()));
    WebView web = config.web().enabled()
        ? life.own(WebView.start(connection.config(), new KafkaClients(connection.config().kafka()), topics)) : null;
    System.out.printf("learner running on %s; query API %s; web view %s; Ctrl-C stops it%n",
        connection.config().kafka().bootstrapServers(),
        learner.apiPort() < 0 ? "off" : "http://127.0.0.1:" + learner.apiPort() + "/",
        web == null ? "off" : web.url());
    life.awaitShutdown();
    return 0;
  }
}
