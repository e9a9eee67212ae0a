package io.semistream.cli;

import ai.djl.Device;
import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.KafkaClients;
import io.semistream.metrics.ServiceMetrics;
import io.semistream.metrics.TrainerMetrics;
import io.semistream.image.ImagePreprocessor;
import io.semistream.model.ConvAutoencoder;
import io.semistream.model.DjlEngine;
import io.semistream.model.ModelStore;
import io.semistream.topics.TopicRegistry;
import io.semistream.training.ModelBootstrap;
import io.semistream.training.TrainerService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code trainer}: run only the online trainer (encoder versions from the stream), until stopped. */
@Command(name = "trainer", description = "Run the online trainer: learns the encoder from images and labels, "
    + "promotes better versions (model-versions topic).")
final class TrainerCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Override
  public Integer call() throws Exception {
    SemistreamConfig config = common.load();
    KafkaConnection connection = KafkaConnection.cluster(config, "trainer");
    Device device = DjlEngine.startFor(config.embedding());
    ServiceLifecycle life = new ServiceLifecycle("trainer");
    life.own(connection);
    ModelBootstrap.latestOrTrain(connection.config(), device, new TerminalProgress(System.out));
    ServiceMetrics metrics = life.own(ServiceMetrics.start(config.metrics(), "semistream-trainer"));
    TrainerMetrics observer = new TrainerMetrics();
    observer.bindTo(metrics.registry());
    TrainerService trainer = life.own(new TrainerService(config.trainer(),
        ImagePreprocessor.of(ConvAutoencoder.SIDE, config.embedding()), new KafkaClients(connection.config().kafka()), TopicRegistry.load(config.topics().prefix()), new ModelStore(config.model().dir()),
        device, observer).start());
    System.out.printf("online trainer running on %s (models in %s); Ctrl-C stops it%n",
        connection.config().kafka().bootstrapServers(), config.model().dir());
    life.awaitWhile(trainer::isRunning);
    if (trainer.failure() != null) {
      System.err.println("online trainer failed: " + trainer.failure());
      life.shutdownNow();
      return 1;
    }
    life.awaitShutdown();
    return 0;
  }
}
