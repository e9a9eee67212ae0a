package io.semistream.replay;

import io.semistream.terminal.ProgressBar;

import io.semistream.data.Dataset;
import io.semistream.records.ImageHeaders;
import io.semistream.records.LabelRecord;
import io.semistream.topics.TopicRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Publishes a data set to {@code images} as PNG files, and labels for a chosen fraction to {@code labels},
 * optionally delayed, at a given rate or as fast as possible. Writes the ground truth for evaluation.
 */
public final class Replayer {
  public static final String ANNOTATOR = "replay";

  /** What a replay sent. */
  public record Result(int images, long labels, long millis) {
    public double imagesPerSecond() {
      return millis == 0 ? images : images * 1000.0 / millis;
    }
  }

  private final Producer<String, byte[]> images;
  private final Producer<String, LabelRecord> labels;
  private final TopicRegistry topics;
  private final PrintStream terminal;

  public Replayer(Producer<String, byte[]> images, Producer<String, LabelRecord> labels, TopicRegistry topics,
      PrintStream terminal) {
    this.images = images;
    this.labels = labels;
    this.topics = topics;
    this.terminal = terminal;
  }

  /** Opens the two producers, replays, and closes them: the usual way to publish a data set. */
  public static Result publish(io.semistream.kafka.KafkaClients clients, TopicRegistry topics, Dataset dataset,
      ReplayOptions options, PrintStream terminal) throws IOException, InterruptedException {
    try (var images = clients.producer(topics.images().keySerde().serializer(),
             topics.images().valueSerde().serializer(), java.util.Map.of());
         var labels = clients.producer(topics.labels().keySerde().serializer(),
             topics.labels().valueSerde().serializer(), java.util.Map.of())) {
      return new Replayer(images, labels, topics, terminal).replay(dataset, options);
    }
  }

  public static String imageId(ReplayOptions options, int datasetIndex) {
    return options.idPrefix() + "-" + String.format("%05d", datasetIndex);
  }

  public Result replay(Dataset dataset, ReplayOptions options) throws IOException, InterruptedException {
    ReplayPlan plan = ReplayPlan.of(dataset, options);
    if (options.groundTruth() != null) {
      writeGroundTruth(dataset, options, plan, options.groundTruth());
    }
    String imagesTopic = topics.images().name();
    String labelsTopic = topics.labels().name();
    String source = "replay:" + dataset.name().id();
    ProgressBar bar = options.progressBar() ? ProgressBar.forOutput(terminal, "replay", "images", plan.size()) : null;
    Deque<PendingLabel> delayed = new ArrayDeque<>();
    long delayNanos = options.labelDelay().toNanos();
    long start = System.nanoTime();
    long labelsSent = 0;
    for (int i = 0; i < plan.size(); i++) {
      failIfASendFailed();
      if (options.ratePerSecond() > 0) {
        long due = start + (long) (i * 1e9 / options.ratePerSecond());
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      int index = plan.order()[i];
      String id = imageId(options, index);
      long now = System.currentTimeMillis();
      RecordHeaders headers = new RecordHeaders();
      ImageHeaders.put(headers, ImageHeaders.CONTENT_TYPE, "image/png");
      ImageHeaders.put(headers, ImageHeaders.SOURCE, source);
      ImageHeaders.put(headers, ImageHeaders.EVENT_TIME, Long.toString(now));
      images.send(new ProducerRecord<>(imagesTopic, null, now, id,
          PngEncoder.grey(dataset.imageBytes(index), dataset.side(), dataset.side()), headers), this::onSent);
      if (plan.labelled()[i]) {
        delayed.add(new PendingLabel(System.nanoTime() + delayNanos, id, dataset.className(index)));
      }
      labelsSent += sendDueLabels(delayed, labelsTopic, false);
      if (bar != null) {
        bar.update(i + 1, labelsSent + " labels");
      }
    }
    labelsSent += sendDueLabels(delayed, labelsTopic, true);
    images.flush();
    labels.flush();
    failIfASendFailed();
    if (bar != null) {
      bar.update(plan.size(), labelsSent + " labels");
      bar.finish();
    }
    return new Result(plan.size(), labelsSent, (System.nanoTime() - start) / 1_000_000);
  }

  /** The first send that failed (after the producer's own retries): the replay stops instead of losing it. */
  private final java.util.concurrent.atomic.AtomicReference<Exception> sendFailure =
      new java.util.concurrent.atomic.AtomicReference<>();

  private void onSent(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
    if (e != null) {
      sendFailure.compareAndSet(null, e);
    }
  }

  private void failIfASendFailed() throws IOException {
    Exception e = sendFailure.get();
    if (e != null) {
      throw new IOException("replay stopped: a record could not be published: " + e.getMessage(), e);
    }
  }

  private record PendingLabel(long dueNanos, String id, String className) {
  }

  private long sendDueLabels(Deque<PendingLabel> delayed, String topic, boolean drain) throws InterruptedException {
    long sent = 0;
    while (!delayed.isEmpty()) {
      PendingLabel next = delayed.peekFirst();
      long wait = next.dueNanos() - System.nanoTime();
      if (wait > 0) {
        if (!drain) {
          break;
        }
        images.flush();
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      delayed.pollFirst();
      labels.send(new ProducerRecord<>(topic, next.id(),
          new LabelRecord(next.className(), ANNOTATOR, System.currentTimeMillis())), this::onSent);
      sent++;
    }
    return sent;
  }

  /** CSV: id, class index, class name, labelled (whether a label was published for it). */
  static void writeGroundTruth(Dataset dataset, ReplayOptions options, ReplayPlan plan, Path file)
      throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      w.write("id,class_index,class_name,labelled\n");
      for (int i = 0; i < plan.size(); i++) {
        int index = plan.order()[i];
        w.write(imageId(options, index) + "," + dataset.label(index) + ",\""
            + dataset.className(index).replace("\"", "\"\"") + "\"," + plan.labelled()[i] + "\n");
      }
    }
  }
}
