package io.semistream.cli;

import io.semistream.config.SemistreamConfig;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.kafka.KafkaClients;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.topics.TopicRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code replay}: publish a data set as PNG images plus a sparse fraction of labels. */
@Command(name = "replay", description = "Publish a data set to the images topic (PNG) with sparse labels.")
final class ReplayCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Mixin
  ReplayFlags flags;

  @Override
  public Integer call() throws Exception {
    SemistreamConfig config = common.load();
    try (KafkaConnection connection = KafkaConnection.cluster(config, "replay")) {
      if (connection.embedded()) {
        System.err.println("note: no --bootstrap-servers given: replaying into the embedded broker in "
            + config.broker().dataDir());
      }
      Replayer.Result result = run(connection.config(), flags.options(true));
      System.out.printf("replayed %d images and %d labels in %.1f s (%.0f images/s)%n", result.images(),
          result.labels(), result.millis() / 1000.0, result.imagesPerSecond());
      return 0;
    }
  }

  static Replayer.Result run(SemistreamConfig config, ReplayOptions options) throws Exception {
    return Replayer.publish(new KafkaClients(config.kafka()), TopicRegistry.load(config.topics().prefix()),
        new DatasetLoader(config.dataDir()).load(options.dataset()), options, System.err);
  }

  /** The replay flags, shared with {@code run}. */
  static final class ReplayFlags {
    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "fashion-mnist or mnist.")
    String dataset;

    @Option(names = "--limit", defaultValue = "0", description = "At most this many images (0: all).")
    int limit;

    @Option(names = "--rate", defaultValue = "0", description = "Images per second (0: as fast as possible).")
    double rate;

    @Option(names = "--label-fraction", defaultValue = "0.01", description = "Fraction of images that get labels.")
    double labelFraction;

    @Option(names = "--stratified", defaultValue = "true", negatable = true,
        description = "Label the same fraction of each class (default), or --no-stratified for a random draw.")
    boolean stratified;

    @Option(names = "--label-delay", defaultValue = "PT0S",
        description = "Publish each label this long after its image (ISO-8601, e.g. PT30S).")
    Duration labelDelay;

    @Option(names = "--holdout-unlabelled", split = ",", description = "Class indices sent but never labelled.")
    List<Integer> unlabelled = List.of();

    @Option(names = "--holdout-unsent", split = ",", description = "Class indices never sent.")
    List<Integer> unsent = List.of();

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--id-prefix", description = "Prefix of image ids (default: the data set's name).")
    String idPrefix;

    @Option(names = "--ground-truth", description = "Write id,class,labelled as CSV here.")
    Path groundTruth;

    ReplayOptions options(boolean progressBar) {
      DatasetName name = DatasetName.parse(dataset);
      return new ReplayOptions(name, limit, rate, labelFraction, stratified, labelDelay, new HashSet<>(unlabelled),
          new HashSet<>(unsent), seed, idPrefix != null ? idPrefix : name.id(), groundTruth, progressBar);
    }
  }
}
