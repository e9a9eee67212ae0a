package io.semistream.cli;

import io.semistream.config.SemistreamConfig;
import io.semistream.data.AttributeTable;
import io.semistream.data.DatasetName;
import io.semistream.kafka.KafkaClients;
import io.semistream.replay.SemanticsPublisher;
import io.semistream.topics.TopicRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code semantics}: publishes a class attribute table to the compacted {@code class-semantics} topic, one record
 * per class (the zero-shot regime reads it). The shipped tables cover both data sets; {@code --file} publishes a
 * user's own table in the same form.
 */
@Command(name = "semantics", description = "Publish class attribute vectors (zero-shot) to the class-semantics topic.")
final class SemanticsCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Option(names = "--dataset", defaultValue = "fashion-mnist",
      description = "The shipped table to publish: fashion-mnist or mnist.")
  String dataset;

  @Option(names = "--file", description = "Publish this attribute table (JSON, the form of the shipped ones) instead.")
  Path file;

  @Override
  public Integer call() throws Exception {
    SemistreamConfig config = common.load();
    AttributeTable table = file != null ? AttributeTable.read(file) : AttributeTable.forDataset(DatasetName.parse(dataset));
    try (KafkaConnection connection = KafkaConnection.cluster(config, "semantics")) {
      String topic = SemanticsPublisher.publish(new KafkaClients(connection.config().kafka()),
          TopicRegistry.load(config.topics().prefix()), table);
      System.out.printf("published %d classes x %d attributes (%s) to %s%n", table.classes().size(),
          table.attributes().size(), file != null ? file : dataset, topic);
      return 0;
    }
  }
}
