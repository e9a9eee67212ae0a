package io.semistream.cli;

import io.semistream.broker.EmbeddedKafkaBroker;
import io.semistream.config.SemistreamConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.broker().dataDir(), port, Map.of());
    CountDownLatch stopped = new CountDownLatch(1);
    // The JVM exits when the hooks finish: the hook itself must do the clean shutdown.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.close();
      stopped.countDown();
    }, "broker-shutdown"));
    System.out.println("Kafka broker on " + broker.bootstrapServers() + " (data in " + broker.dataDir()
        + "); Ctrl-C stops it");
    stopped.await();
    return 0;
  }
}
