package io.semistream.evaluation;

import io.semistream.config.SemistreamConfig;
import io.semistream.data.Dataset;
import io.semistream.embedding.EmbeddingService;
import io.semistream.kafka.BoundedStateMemory;
import io.semistream.kafka.KafkaClients;
import io.semistream.kafka.TopicTail;
import io.semistream.model.EmbeddingModel;
import io.semistream.records.LabelRecord;
import io.semistream.replay.PngEncoder;
import io.semistream.replay.Replayer;
import io.semistream.serving.LearnerRuntime;
import io.semistream.topics.TopicRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A soak: the data set replayed in a loop in a shuffled order (fresh image ids each time, 1 in {@code labelEvery}
 * images labelled right after it) through the whole pipeline in this process (embedded broker, embedding service,
 * learner with its zero-shot, discovery and asking services), for a given number of images, while the process' memory
 * is sampled: resident set, heap committed, heap live after the last collection, and the rest (native: PyTorch,
 * RocksDB, thread stacks, the broker's memory maps). At most {@code window} images are in flight (produced, no
 * prediction yet), so the soak runs at the pipeline's own pace rather than building a backlog in Kafka.
 */
public final class Soak {
  /** One memory sample, taken after {@code images} images were produced and {@code predicted} had a prediction. */
  public record Sample(double seconds, long images, long predicted, long rssBytes, long heapCommittedBytes,
      long heapLiveBytes, long directBytes, long stateStoreBytes) {
    public long nativeBytes() {
      return rssBytes - heapCommittedBytes;
    }
  }

  /** The samples and the spread of each measure after the warm-up (max − min over the mean, in percent). */
  public record Result(List<Sample> samples, long warmUpImages, double seconds) {
    public List<Sample> afterWarmUp() {
      return samples.stream().filter(s -> s.images() >= warmUpImages).toList();
    }

    /** (max − min) / mean of a measure after the warm-up, in percent: "flat within ±x %" is x = half of it. */
    public double spreadPercent(java.util.function.ToLongFunction<Sample> measure) {
      List<Sample> after = afterWarmUp();
      if (after.isEmpty()) {
        return Double.NaN;
      }
      long min = after.stream().mapToLong(measure).min().orElse(0);
      long max = after.stream().mapToLong(measure).max().orElse(0);
      double mean = after.stream().mapToLong(measure).average().orElse(0);
      return mean == 0 ? Double.NaN : 100.0 * (max - min) / mean;
    }

    /** Least-squares slope of a measure against images after the warm-up, in bytes per 100,000 images. */
    public double slopePer100k(java.util.function.ToLongFunction<Sample> measure) {
      List<Sample> after = afterWarmUp();
      int n = after.size();
      if (n < 2) {
        return Double.NaN;
      }
      double mx = after.stream().mapToLong(Sample::images).average().orElse(0);
      double my = after.stream().mapToLong(measure).average().orElse(0);
      double sxy = 0;
      double sxx = 0;
      for (Sample s : after) {
        sxy += (s.images() - mx) * (measure.applyAsLong(s) - my);
        sxx += (s.images() - mx) * (s.images() - mx);
      }
      return sxx == 0 ? Double.NaN : 100_000 * sxy / sxx;
    }

    public double imagesPerSecond() {
      return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).predicted() / seconds;
    }
  }

  private static final String PREFIX = "soak-";
  private static final long ORDER_SEED = 11;

  private Soak() {
  }

  public static Result run(SemistreamConfig config, EmbeddingModel model, Dataset data, long images, int labelEvery,
      int window, Duration sampleEvery, PrintStream out) throws Exception {
    return run(config, model, data, images, labelEvery, window, sampleEvery, false, out);
  }

  /** With {@code externalBroker}: against the (fresh) broker of {@code bootstrap.servers}, not an embedded one. */
  public static Result run(SemistreamConfig config, EmbeddingModel model, Dataset data, long images, int labelEvery,
      int window, Duration sampleEvery, boolean externalBroker, PrintStream out) throws Exception {
    if (images <= 0 || labelEvery <= 0 || window <= 0) {
      throw new IllegalArgumentException("images, label spacing and window must be positive");
    }
    Path work = Files.createTempDirectory("semistream-soak");
    try (LocalKafka kafka = LocalKafka.start(config, work, externalBroker)) {
      SemistreamConfig live = kafka.withLearner("semistream-soak", work.resolve("streams"));
      KafkaClients clients = kafka.clients();
      TopicRegistry topics = kafka.topics();
      // One bit per image: 1,000,000 images cost 125 kB here, so the bench does not grow with the soak.
      BitSet seen = new BitSet();
      AtomicLong predicted = new AtomicLong();
      byte[][] pngs = new byte[data.size()][];
      for (int i = 0; i < pngs.length; i++) {
        pngs[i] = PngEncoder.grey(data.imageBytes(i), data.side(), data.side());
      }
      try (EmbeddingService embedder = new EmbeddingService(live.embedding(), clients, topics, model).start();
           LearnerRuntime learner = LearnerRuntime.start(live, topics);
           TopicTail predictions = new TopicTail(clients, topics.predictions().name(), false,
               (id, value) -> markSeen(id, seen, predicted));
           KafkaProducer<String, byte[]> imageProducer = clients.producer(
               topics.images().keySerde().serializer(), topics.images().valueSerde().serializer(), Map.of());
           KafkaProducer<String, LabelRecord> labelProducer = clients.producer(
               topics.labels().keySerde().serializer(), topics.labels().valueSerde().serializer(), Map.of())) {
        if (!learner.learner().awaitRunning(Duration.ofSeconds(60))) {
          throw new IllegalStateException("learner did not start: " + learner.learner().streams().state());
        }
        // Each loop in one seeded shuffled order: the data sets are sorted by class, and a stream of 7,000 images
        // of one class, then the next, is not a stream (the soak ran that way until 2026-11-30).
        int[] order = data.shuffledIndices(ORDER_SEED);
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        long nextSample = start;
        AtomicLong failures = new AtomicLong();
        for (long n = 0; n < images; n++) {
          while (n - predicted.get() >= window) {
            LockSupport.parkNanos(1_000_000);
            nextSample = sampleIfDue(start, nextSample, sampleEvery, n, predicted, samples, out);
            if (System.nanoTime() - start > Duration.ofHours(6).toNanos()) {
              throw new IllegalStateException("soak stalled: " + predicted.get() + " of " + n + " predicted");
            }
          }
          int index = order[(int) (n % data.size())];
          String id = PREFIX + n;
          imageProducer.send(new ProducerRecord<>(topics.images().name(), id, pngs[index]),
              (m, e) -> count(e, failures));
          if (n % labelEvery == 0) {
            labelProducer.send(new ProducerRecord<>(topics.labels().name(), id,
                new LabelRecord(data.className(index), Replayer.ANNOTATOR, System.currentTimeMillis())),
                (m, e) -> count(e, failures));
          }
          nextSample = sampleIfDue(start, nextSample, sampleEvery, n + 1, predicted, samples, out);
        }
        imageProducer.flush();
        labelProducer.flush();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (predicted.get() < images && System.nanoTime() < deadline) {
          LockSupport.parkNanos(10_000_000);
        }
        samples.add(sample(start, images, predicted.get()));
        if (failures.get() > 0 || predicted.get() < images) {
          throw new IllegalStateException("soak incomplete: " + failures.get() + " sends failed, "
              + (images - predicted.get()) + " images never predicted");
        }
        return new Result(samples, images / 10, (System.nanoTime() - start) / 1e9);
      }
    } finally {
      WorkDirectory.delete(work);
    }
  }

  private static void markSeen(String id, BitSet seen, AtomicLong predicted) {
    if (id == null || !id.startsWith(PREFIX)) {
      return;
    }
    int n;
    try {
      n = Integer.parseInt(id.substring(PREFIX.length()));
    } catch (NumberFormatException e) {
      return;
    }
    if (!seen.get(n)) {   // only the tail's thread writes the set
      seen.set(n);
      predicted.incrementAndGet();
    }
  }

  private static void count(Exception e, AtomicLong failures) {
    if (e != null) {
      failures.incrementAndGet();
    }
  }

  private static long sampleIfDue(long start, long nextSample, Duration every, long images, AtomicLong predicted,
      List<Sample> samples, PrintStream out) {
    long now = System.nanoTime();
    if (now < nextSample) {
      return nextSample;
    }
    Sample s = sample(start, images, predicted.get());
    samples.add(s);
    out.printf("soak: %6.0f s  %,10d images  %,10d predicted  RSS %,6d MiB  heap committed %,6d MiB  live %,6d MiB"
        + "  native %,6d MiB (RocksDB %,d MiB)%n", s.seconds(), s.images(), s.predicted(), s.rssBytes() >> 20,
        s.heapCommittedBytes() >> 20, s.heapLiveBytes() >> 20, s.nativeBytes() >> 20, s.stateStoreBytes() >> 20);
    return now + every.toNanos();
  }

  static Sample sample(long start, long images, long predicted) {
    long heapCommitted = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    // Live heap: what the heap pools held right after their last collection (the usage between collections is
    // mostly garbage waiting for the next one, a saw-tooth that says nothing about leaks).
    long live = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
        live += pool.getCollectionUsage().getUsed();
      }
    }
    long direct = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      // "mapped" counts whole memory-mapped files (the broker's indexes), not what of them is resident.
      if (pool.getName().equals("direct")) {
        direct += pool.getMemoryUsed();
      }
    }
    return new Sample((System.nanoTime() - start) / 1e9, images, predicted, residentBytes(), heapCommitted, live,
        direct, BoundedStateMemory.usage());
  }

  /** VmRSS of this process from /proc (Linux); 0 where it cannot be read. */
  static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /** The samples as an SVG line chart (MiB against images produced), for the README. */
  public static String svg(Result r) {
    int w = 640;
    int h = 340;
    int left = 70;
    int bottom = 40;
    int plotW = w - left - 150;
    int plotH = h - bottom - 40;
    long maxImages = r.samples().stream().mapToLong(Sample::images).max().orElse(1);
    double maxMiB = r.samples().stream().mapToLong(Sample::rssBytes).max().orElse(1) / 1048576.0 * 1.1;
    StringBuilder s = SvgFrame.open(w, h, left, bottom, 40, plotW, String.format(
        "memory (MiB) against images through the pipeline; %,.0f images/s", r.imagesPerSecond()));
    for (int t = 0; t <= 4; t++) {
      int y = (int) (h - bottom - plotH * t / 4.0);
      s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n", left - 6, y + 4,
          maxMiB * t / 4));
      int x = (int) (left + plotW * t / 4.0);
      s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%,d</text>%n", x, h - bottom + 16,
          maxImages * t / 4));
    }
    String[] names = {"resident (RSS)", "native (RSS − heap)", "heap committed", "heap live after GC"};
    String[] colours = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"};
    List<java.util.function.ToLongFunction<Sample>> measures = List.of(Sample::rssBytes, Sample::nativeBytes,
        Sample::heapCommittedBytes, Sample::heapLiveBytes);
    for (int m = 0; m < measures.size(); m++) {
      StringBuilder points = new StringBuilder();
      for (Sample sample : r.samples()) {
        int x = (int) (left + plotW * sample.images() / (double) maxImages);
        int y = (int) (h - bottom - plotH * Math.min(1, measures.get(m).applyAsLong(sample) / 1048576.0 / maxMiB));
        points.append(x).append(',').append(y).append(' ');
      }
      s.append(String.format("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
          colours[m], points.toString().trim()));
      s.append(String.format("<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", left + plotW + 8, 60 + 18 * m,
          colours[m], names[m]));
    }
    s.append("</svg>\n");
    return s.toString();
  }
}
