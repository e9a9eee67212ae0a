package io.semistream.cli;

import ai.djl.Device;
import io.semistream.config.SemistreamConfig;
import io.semistream.model.DjlEngine;
import io.semistream.model.EmbeddingModel;
import io.semistream.embedding.EmbeddingService;
import io.semistream.kafka.KafkaClients;
import io.semistream.metrics.ServiceMetrics;
import io.semistream.topics.TopicRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code embed}: run only the embedding service (the unit that scales out), until stopped. */
@Command(name = "embed", description = "Run the embedding service: images -> embeddings, exactly once.")
final class EmbedCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Mixin
  ModelOption modelOption;

  @Override
  public Integer call() throws Exception {
    SemistreamConfig config = common.load();
    KafkaConnection connection = KafkaConnection.cluster(config, "embed");
    Device device = DjlEngine.startFor(config.embedding());
    ServiceLifecycle life = new ServiceLifecycle("embed");
    life.own(connection);
    Path dir = modelOption.resolve(connection.config(), device, System.out);
    EmbeddingModel model = life.own(EmbeddingModel.load(dir, device));
    ServiceMetrics metrics = life.own(ServiceMetrics.start(config.metrics(), "semistream-embedding"));
    EmbeddingService service = life.own(new EmbeddingService(config.embedding(),
        new KafkaClients(connection.config().kafka()), TopicRegistry.load(config.topics().prefix()), model, metrics.registry(),
        List.of(config.learner().applicationId())));   // the learner may run elsewhere: its lag is read from the broker
    service.start();
    // The version it serves: a promotion already published is applied before the workers start.
    System.out.printf("embedding service running on %s (model %s v%d, device %s); Ctrl-C stops it%n",
        connection.config().kafka().bootstrapServers(), model.descriptor().id(), service.servingVersion(), device);
    life.awaitWhile(service::isRunning);
    if (service.failure().isPresent()) {
      System.err.println("embedding service failed: " + service.failure().get());
      life.shutdownNow();
      return 1;
    }
    life.awaitShutdown();
    return 0;
  }
}
