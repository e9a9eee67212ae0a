package io.semistream.training;

import io.semistream.data.Dataset;
import io.semistream.image.ImagePreprocessor;
import io.semistream.records.RejectedRecordException;
import io.semistream.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Where training images come from: a data set, or what has been published on the images topic. */
public final class TrainingImages {
  private TrainingImages() {
  }

  /** Up to {@code count} images of {@code dataset}, seeded shuffle, skipping {@code excludedClasses}. */
  public static List<float[]> fromDataset(Dataset dataset, int count, Set<Integer> excludedClasses, long seed) {
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < dataset.size(); i++) {
      if (!excludedClasses.contains(dataset.label(i))) {
        indices.add(i);
      }
    }
    java.util.Collections.shuffle(indices, new Random(seed));
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < Math.min(count, indices.size()); i++) {
      out.add(dataset.imageAsFloats(indices.get(i)));
    }
    return out;
  }

  /** What reading a topic gave: the decoded images and how many records could not be used. */
  public record FromTopic(List<float[]> images, int rejected) {
  }

  /**
   * Reads the committed images on {@code topic} (from the beginning up to the end offsets at call time, at most
   * {@code max}), decoded exactly as the embedding service does. Undecodable records are counted and skipped.
   */
  public static FromTopic fromTopic(KafkaClients clients, String topic, int max, ImagePreprocessor preprocessor,
      Duration timeout) {
    List<float[]> images = new ArrayList<>();
    int rejected = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of())) {
      List<TopicPartition> partitions = KafkaClients.assignAll(consumer, topic);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (images.size() < max && System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (images.size() >= max) {
            break;
          }
          try {
            images.add(preprocessor.preprocess(r.value()));
          } catch (RejectedRecordException e) {
            rejected++;
          }
        }
      }
    }
    return new FromTopic(images, rejected);
  }
}
