package io.semistream.cli;

import io.semistream.training.ModelBootstrap;

import ai.djl.Device;
import io.semistream.config.SemistreamConfig;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.model.DjlEngine;
import io.semistream.model.ModelStore;
import io.semistream.training.TrainingImages;
import io.semistream.image.ImagePreprocessor;
import io.semistream.kafka.KafkaClients;
import io.semistream.topics.TopicRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train}: train the autoencoder and save a new model version. */
@Command(name = "train", description = "Train the convolutional autoencoder and save a new versioned model.")
final class TrainCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "fashion-mnist or mnist.")
  String dataset;

  @Option(names = "--from-topic", description = "Train on the images published on the images topic instead.")
  boolean fromTopic;

  @Option(names = "--images", defaultValue = "70000", description = "At most this many training images.")
  int images;

  @Option(names = "--exclude-classes", split = ",", description = "Class indices kept out of training.")
  List<Integer> excludeClasses = List.of();

  @Option(names = "--epochs", defaultValue = "8")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "128")
  int batchSize;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(names = "--model-dir", description = "Versioned model directory (default: model.dir).")
  Path modelDir;

  @Override
  public Integer call() throws Exception {
    SemistreamConfig config = common.load();
    Device device = DjlEngine.startFor(config.embedding());
    ModelStore store = new ModelStore(modelDir != null ? modelDir : config.model().dir());
    List<float[]> data;
    String trainedOn;
    if (fromTopic) {
      try (KafkaConnection connection = KafkaConnection.open(config)) {
        ImagePreprocessor preprocessor = ImagePreprocessor.of(28, config.embedding());
        TrainingImages.FromTopic read = TrainingImages.fromTopic(new KafkaClients(connection.config().kafka()),
            TopicRegistry.load(config.topics().prefix()).images().name(), images, preprocessor, Duration.ofMinutes(10));
        System.out.printf("read %d images from the images topic (%d undecodable, skipped)%n",
            read.images().size(), read.rejected());
        data = read.images();
        trainedOn = "topic:images";
      }
    } else {
      DatasetName name = DatasetName.parse(dataset);
      data = TrainingImages.fromDataset(new DatasetLoader(config.dataDir()).load(name), images,
          new HashSet<>(excludeClasses), seed);
      trainedOn = name.id() + (excludeClasses.isEmpty() ? "" : " without classes " + excludeClasses);
    }
    if (data.isEmpty()) {
      System.err.println("no training images");
      return 1;
    }
    System.out.printf("training on %d images, %d epochs, batch %d, device %s%n", data.size(), epochs, batchSize,
        device);
    ModelBootstrap.train(data, epochs, batchSize, seed, trainedOn, store, device, new TerminalProgress(System.out));
    return 0;
  }

}
