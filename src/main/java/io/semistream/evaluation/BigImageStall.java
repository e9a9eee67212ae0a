package io.semistream.evaluation;

import io.semistream.broker.EmbeddedKafkaBroker;
import io.semistream.config.EmbeddingSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.data.Dataset;
import io.semistream.embedding.EmbeddingService;
import io.semistream.kafka.KafkaClients;
import io.semistream.kafka.TopicTail;
import io.semistream.model.EmbeddingModel;
import io.semistream.replay.PngEncoder;
import io.semistream.topics.TopicApplier;
import io.semistream.topics.TopicRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Issue 13's cheap denial of service, measured: a burst of big images (2048×2048 colour PNGs with alpha, the most
 * pixels the default limits accept, compressed to a small fraction of a byte per pixel) produced just ahead of small ones, through a warm
 * embedding service on an embedded broker, with the slow lane on and off side by side. Reported: when the last
 * small image's embedding became visible to a read_committed reader, and when the last big one's did, both from
 * the moment the burst was handed to the producer.
 */
public final class BigImageStall {
  /** One setting's outcome, the median of {@link #ROUNDS} bursts; times in milliseconds from a burst's start. */
  public record Run(String setting, int big, int small, double lastSmallMs, double lastBigMs) {
  }

  static final int ROUNDS = 3;

  private BigImageStall() {
  }

  /**
   * Three settings on their own topics, one service each: no big images (the floor), the lane as configured, and
   * the lane off ({@code embedding.large.image.pixels=0}).
   */
  public static List<Run> run(SemistreamConfig config, EmbeddingModel model, Dataset data, int bigCount,
      int smallCount, PrintStream out) throws Exception {
    byte[] big = bigPng(2048, 2048);
    Path work = Files.createTempDirectory("semistream-stall");
    List<Run> runs = new ArrayList<>();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"))) {
      SemistreamConfig live = config.withBootstrapServers(broker.bootstrapServers());
      KafkaClients clients = new KafkaClients(live.kafka());
      long configured = live.embedding().largeImagePixels();
      record Setting(String name, long limit, int big) {
      }
      List<Setting> settings = List.of(new Setting("no big images", configured, 0),
          new Setting("slow lane on (> " + configured + " px)", configured, bigCount),
          new Setting("slow lane off", 0, bigCount));
      for (int i = 0; i < settings.size(); i++) {
        Setting setting = settings.get(i);
        EmbeddingSettings embedding = live.embedding().withLargeImagePixels(setting.limit())
            .withIds("stall-" + i, "stall-" + i);
        TopicRegistry topics = TopicRegistry.load(config.topics().prefix() + "stall-" + i + ".");
        try (Admin admin = clients.admin()) {
          new TopicApplier(admin).apply(topics.catalogue().all().values(), 0);
        }
        Run r = measure(setting.name(), clients, topics, embedding, model, data, big, setting.big(), smallCount);
        runs.add(r);
        out.printf("%s: %d big images (%,d bytes each) then %d small: last small embedded after %,.0f ms, last big "
            + "after %,.0f ms (medians of %d)%n", r.setting(), r.big(), big.length, smallCount, r.lastSmallMs(),
            r.lastBigMs(), ROUNDS);
      }
    } finally {
      WorkDirectory.delete(work);
    }
    return runs;
  }

  private static Run measure(String name, KafkaClients clients, TopicRegistry topics, EmbeddingSettings settings,
      EmbeddingModel model, Dataset data, byte[] big, int bigCount, int smallCount) throws Exception {
    Map<String, Long> seen = new ConcurrentHashMap<>();
    double[] lastSmall = new double[ROUNDS];
    double[] lastBig = new double[ROUNDS];
    try (EmbeddingService service = new EmbeddingService(settings, clients, topics, model).start();
         TopicTail embeddings = new TopicTail(clients, topics.embeddings().name(), true,
             (id, value) -> seen.putIfAbsent(id, System.nanoTime()));
         KafkaProducer<String, byte[]> producer = clients.producer(new StringSerializer(), new ByteArraySerializer(),
             Map.of("linger.ms", 0))) {
      // Warm: the consumer groups joined, the model and the decoders ran once.
      for (int i = 0; i < 64; i++) {
        producer.send(new ProducerRecord<>(topics.images().name(), "warm-" + i,
            PngEncoder.grey(data.imageBytes(i), 28, 28)));
      }
      producer.send(new ProducerRecord<>(topics.images().name(), "warm-big", big));
      await(seen, "warm-", 65, service);
      byte[][] small = new byte[smallCount][];
      for (int i = 0; i < smallCount; i++) {
        small[i] = PngEncoder.grey(data.imageBytes(100 + i), 28, 28);
      }
      for (int round = 0; round < ROUNDS; round++) {
        String bigPrefix = round + "-big-";
        String smallPrefix = round + "-small-";
        long start = System.nanoTime();
        for (int i = 0; i < bigCount; i++) {
          producer.send(new ProducerRecord<>(topics.images().name(), bigPrefix + i, big));
        }
        for (int i = 0; i < smallCount; i++) {
          producer.send(new ProducerRecord<>(topics.images().name(), smallPrefix + i, small[i]));
        }
        producer.flush();
        await(seen, bigPrefix, bigCount, service);
        await(seen, smallPrefix, smallCount, service);
        lastSmall[round] = lastMs(seen, smallPrefix, start);
        lastBig[round] = bigCount == 0 ? Double.NaN : lastMs(seen, bigPrefix, start);
      }
    }
    return new Run(name, bigCount, smallCount, median(lastSmall), median(lastBig));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static void await(Map<String, Long> seen, String prefix, int count, EmbeddingService service)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (seen.keySet().stream().filter(k -> k.startsWith(prefix)).count() < count) {
      if (System.nanoTime() > deadline || service.failure().isPresent()) {
        throw new IllegalStateException("embeddings of '" + prefix + "*' did not all arrive: "
            + service.failure().map(Throwable::toString).orElse("timeout"));
      }
      Thread.sleep(2);
    }
  }

  private static double lastMs(Map<String, Long> seen, String prefix, long start) {
    return seen.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).max()
        .orElseThrow() / 1e6 - start / 1e6;
  }

  /**
   * A colour image with alpha: coloured blocks on a grid, so it compresses to about what the attacker sent (a few
   * hundred kB for millions of pixels), while every row still has to be inflated and unfiltered.
   */
  static byte[] bigPng(int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_4BYTE_ABGR);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        boolean grid = x % 64 == 0 || y % 64 == 0;
        int a = grid ? 255 : 128 + (x >> 6) * 4;
        image.setRGB(x, y, grid ? 0xFFFFFFFF : a << 24 | (x >> 6) * 8 << 16 | (y >> 6) * 8 << 8 | 64);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(image, "png", bytes);
    return bytes.toByteArray();
  }
}
