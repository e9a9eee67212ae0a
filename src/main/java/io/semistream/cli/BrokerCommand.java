package io.semistream.cli;

import io.semistream.broker.EmbeddedKafkaBroker;
import io.semistream.config.SemistreamConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code broker}: run the embedded single-node KRaft broker on its own, for multi-process local setups. */
@Command(name = "broker", description = "Run the embedded single-node KRaft Kafka broker until stopped.")
final class BrokerCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Option(names = "--port", defaultValue = "9092", description = "Client port on 127.0.0.1.")
  int port;

  @Override
  public Integer call() throws Exception {
    SemistreamConfig config = common.load();
    ServiceLifecycle life = new ServiceLifecycle("broker");
    EmbeddedKafkaBroker broker = life.own(EmbeddedKafkaBroker.start(config.broker().dataDir(), port,
        EmbeddedKafkaBroker.SERVICE));
    System.out.println("Kafka broker on " + broker.bootstrapServers() + " (data in " + broker.dataDir()
        + "); Ctrl-C stops it");
    life.awaitShutdown();
    return 0;
  }
}
