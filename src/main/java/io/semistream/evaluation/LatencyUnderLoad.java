package io.semistream.evaluation;

import io.semistream.config.SemistreamConfig;
import io.semistream.data.Dataset;
import io.semistream.embedding.EmbeddingService;
import io.semistream.kafka.KafkaClients;
import io.semistream.kafka.TopicTail;
import io.semistream.learning.LearnerService;
import io.semistream.model.EmbeddingModel;
import io.semistream.replay.PngEncoder;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.topics.TopicRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Latency under a controlled load: image produced → its first prediction visible to a {@code read_committed}
 * reader, the whole pipeline (embedded broker, embedding service, learner) in this process and on one clock.
 * The maximum rate is measured first (a flood, start of the first send to the last prediction seen, then paced probes
 * below it down to the highest rate that builds no queue: {@link SustainableRate}); then images are produced at fixed
 * fractions of it, evenly spaced, and each image's latency is taken from the moment its
 * record was handed to the producer ({@code linger.ms=0}: the producer does not wait to fill batches).
 */
public final class LatencyUnderLoad {
  /** One load level: the rate asked for and achieved, and the latency quantiles in milliseconds. */
  public record Load(int percent, double askedRate, double achievedRate, int images, double p50Ms, double p99Ms,
      double maxMs, int missing, Hops hops, double compilersPercent) {
  }

  /**
   * Where the time went: image produced → its embedding visible ({@code read_committed}: the embedding service's
   * batch and transaction), embedding visible → prediction visible (the learner's two transactions), the share
   * of the slowest 1 % of images' time spent in the learner's hop, and the JVM's stop-the-world pauses during the
   * load (how many, the longest).
   */
  public record Hops(double embeddingP50Ms, double embeddingP99Ms, double learnerP50Ms, double learnerP99Ms,
      double slowestInLearnerPercent, int gcPauses, double gcLongestMs) {
  }

  /**
   * The maximum rate (images/s end to end the pipeline keeps up with, {@link SustainableRate}), the warm flood's
   * rate it was probed down from, and every load level's result.
   */
  public record Result(double maxRate, double floodRate, List<Load> loads) {
  }

  private static final int WARM_UP_IMAGES = 2_000;
  private static final int FLOOD_IMAGES = 4_000;
  private static final long LOAD_IMAGES_SEED = 7;
  /** Up to four minutes: on two cores the JIT took about three (the compilers at ~50 % of one core meanwhile). */
  private static final int SETTLE_PASSES = 24;
  private static final Duration SETTLE_PASS = Duration.ofSeconds(10);
  /** The compilers' share of one core over a settling pass below which the JIT counts as settled. */
  private static final double SETTLED_COMPILERS_PERCENT = 5;

  private LatencyUnderLoad() {
  }

  public static Result run(SemistreamConfig config, EmbeddingModel model, Dataset data, List<Integer> percents,
      Duration perLoad, PrintStream out) throws Exception {
    Path work = Files.createTempDirectory("semistream-latency");
    try (LocalKafka kafka = LocalKafka.start(config, work)) {
      SemistreamConfig live = kafka.withLearner("semistream-latency", work.resolve("streams"));
      KafkaClients clients = kafka.clients();
      TopicRegistry topics = kafka.topics();
      Map<String, Long> seen = new ConcurrentHashMap<>();
      // Predictions seen per phase ("load50-", ...): waiting for a phase must not scan every id seen so far (a
      // few hundred thousand after the settling passes) twenty times a second beside the measurement.
      Map<String, AtomicInteger> seenPerPhase = new ConcurrentHashMap<>();
      Map<String, Long> embedded = new ConcurrentHashMap<>();
      try (GcPauses gc = GcPauses.listen();
           StackSampler sampler = StackSampler.start(name -> name.endsWith("StreamThread-1")
               || name.equals("embedding-worker-0"), 5);
           EmbeddingService embedder = new EmbeddingService(live.embedding(), clients, topics, model).start();
           LearnerService learner = new LearnerService(live, topics, null).start();
           TopicTail predictions = new TopicTail(clients, topics.predictions().name(), true,
               (id, value) -> {
                 if (seen.putIfAbsent(id, System.nanoTime()) == null) {
                   seenPerPhase.computeIfAbsent(phase(id), k -> new AtomicInteger()).incrementAndGet();
                 }
               });
           TopicTail embeddings = new TopicTail(clients, topics.embeddings().name(),
               (id, value) -> embedded.putIfAbsent(id, System.nanoTime()));
           KafkaProducer<String, byte[]> producer = clients.producer(new StringSerializer(),
               new ByteArraySerializer(), Map.of("linger.ms", 0))) {
        if (!learner.awaitRunning(Duration.ofSeconds(60))) {
          throw new IllegalStateException("learner did not start: " + learner.streams().state());
        }
        // Labelled warm-up: a prediction needs prototypes, and the JIT and the engine warm up meanwhile.
        Replayer.publish(clients, topics, data, ReplayOptions.defaults(data.name()).withLimit(WARM_UP_IMAGES)
            .withLabelFraction(0.05).withIdPrefix("warm"), out);
        awaitSeen(seenPerPhase, "warm-", WARM_UP_IMAGES * 9 / 10, Duration.ofSeconds(180));
        // Every class, as a stream has them (the data sets are sorted by class: until 2026-11-30 the flood and the
        // loads were 500 images of one class, whose pseudo-labels pulled one prototype only).
        int[] order = data.shuffledIndices(LOAD_IMAGES_SEED);
        byte[][] images = new byte[500][];
        for (int i = 0; i < images.length; i++) {
          images[i] = PngEncoder.grey(data.imageBytes(order[i]), data.side(), data.side());
        }
        String topic = topics.images().name();
        Map<String, Long> sent = new ConcurrentHashMap<>();
        Sender sender = new Sender(producer, topic, images, sent);
        double coldRate = flood(sender, seen, seenPerPhase, "flood-");
        // A fresh process runs the broker's and the clients' code through the JIT for minutes: measured cold, the
        // compilers take up to half a core in the middle of a load (the bench printed their share during the
        // slowest image's wait). A service that has run for a while pays that no more, so the loads are measured
        // after paced passes at half the cold maximum have let the compilers settle, as JMH warms up before it
        // measures; each load still reports the compilers' share, so an unsettled one shows.
        for (int pass = 1; pass <= SETTLE_PASSES; pass++) {
          String prefix = "settle" + pass + "-";
          ThreadCpu.Snapshot before = ThreadCpu.snapshot();
          int count = (int) Math.max(100, coldRate / 2 * SETTLE_PASS.toMillis() / 1000.0);
          sender.paced(prefix, coldRate / 2, count);
          awaitSeen(seenPerPhase, prefix, count, Duration.ofSeconds(120));
          double compilers = ThreadCpu.since(before).compilers();
          double[] lat = sortedLatencies(prefix, count, sent, seen);
          out.printf("latency: settling pass %d (%,d images at half the cold maximum): p50 %.0f ms, p99 %.0f ms; JIT "
              + "compilers at %.0f %% of one core%n", pass, count, quantile(lat, 0.5), quantile(lat, 0.99), compilers);
          if (compilers < SETTLED_COMPILERS_PERCENT) {
            break;
          }
        }
        double floodRate = flood(sender, seen, seenPerPhase, "flood-warm-");
        out.printf("latency: flood %,.0f images/s end to end (%,d images as fast as they could be sent; %,.0f before "
            + "the settling passes)%n", floodRate, FLOOD_IMAGES, coldRate);
        double maxRate = sustainable(sender, floodRate, sent, seen, seenPerPhase, out);
        out.printf("latency: maximum %,.0f images/s end to end, the highest probe that kept up (%.0f %% of the flood)"
            + "%n", maxRate, 100 * maxRate / floodRate);
        List<Load> loads = new ArrayList<>();
        for (int percent : percents) {
          double rate = maxRate * percent / 100.0;
          int count = (int) Math.max(100, rate * perLoad.toMillis() / 1000.0);
          String prefix = "load" + percent + "-";
          gc.reset();
          ThreadCpu.Snapshot cpuBefore = ThreadCpu.snapshot();
          double commitsBefore = learnerCommits(learner.streams());
          Sender.Span span = sender.paced(prefix, rate, count);
          long start = span.start();
          long last = span.last();
          awaitSeen(seenPerPhase, prefix, count, Duration.ofSeconds(120));
          ThreadCpu.Usage cpu = ThreadCpu.since(cpuBefore);
          double[] lat = sortedLatencies(prefix, count, sent, seen);
          int n = lat.length;
          Hops hops = hops(prefix, count, sent, embedded, seen, quantile(lat, 0.99), gc);
          Load load = new Load(percent, rate, count / Math.max(1e-9, (last - start) / 1e9), count,
              quantile(lat, 0.5), quantile(lat, 0.99), n == 0 ? Double.NaN : lat[n - 1], count - n, hops,
              cpu.compilers());
          loads.add(load);
          out.printf("latency: %3d %% load (%,.0f images/s asked, %,.0f sent): p50 %.0f ms, p99 %.0f ms, max %.0f ms"
              + " over %,d images%s%n", percent, rate, load.achievedRate(), load.p50Ms(), load.p99Ms(), load.maxMs(),
              count, load.missing() == 0 ? "" : "; " + load.missing() + " never predicted");
          out.printf("latency: %3d %%: image -> embedding p50 %.0f / p99 %.0f ms, embedding -> prediction p50 %.0f / "
              + "p99 %.0f ms; the slowest 1 %% spent %.0f %% of their time in the learner's hop; %d GC pause(s), "
              + "longest %.0f ms%n", percent, hops.embeddingP50Ms(), hops.embeddingP99Ms(), hops.learnerP50Ms(),
              hops.learnerP99Ms(), hops.slowestInLearnerPercent(), hops.gcPauses(), hops.gcLongestMs());
          double commits = learnerCommits(learner.streams()) - commitsBefore;
          out.printf("latency: %3d %%: the learner committed %,.0f times (%.0f per second; early commits while the "
              + "CPUs are idle: learner.commit.idle.*)%n", percent, commits, commits / Math.max(1e-9, cpu.seconds()));
          out.println("latency: " + percent + " %: CPU from the first send to the last prediction: " + cpu.describe(8));
          out.println("latency: " + percent + " %: images at or above p99, by when they were sent: "
              + slowBursts(prefix, count, sent, seen, start, load.p99Ms()));
          out.println("latency: " + percent + " %: what the service threads did while the slowest image waited: "
              + whileSlowestWaited(prefix, count, sent, seen, load.p99Ms(), sampler));
          out.println("latency: " + percent + " %: the learner's stream threads, longest in the last minute: "
              + streamThreadMaxima(learner.streams()));
        }
        return new Result(maxRate, floodRate, loads);
      }
    } finally {
      WorkDirectory.delete(work);
    }
  }

  /** Sends the load images, each id's send time recorded. */
  private record Sender(KafkaProducer<String, byte[]> producer, String topic, byte[][] images, Map<String, Long> sent) {
    /** From the first send to the last, nanoTime. */
    record Span(long start, long last) {
    }

    void send(String id, int i) {
      sent.put(id, System.nanoTime());
      producer.send(new ProducerRecord<>(topic, id, images[i % images.length]));
    }

    /** {@code count} images evenly spaced at {@code rate} per second. */
    Span paced(String prefix, double rate, int count) {
      long start = System.nanoTime();
      long last = start;
      for (int i = 0; i < count; i++) {
        long due = start + (long) (i * 1e9 / rate);
        long now;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(Math.min(due - now, 200_000));
        }
        send(prefix + i, i);
        last = System.nanoTime();
      }
      return new Span(start, last);
    }
  }

  /** {@link #FLOOD_IMAGES} as fast as they can be sent: images/s from the first send to the last prediction. */
  private static double flood(Sender sender, Map<String, Long> seen, Map<String, AtomicInteger> seenPerPhase,
      String prefix) throws InterruptedException {
    long start = System.nanoTime();
    for (int i = 0; i < FLOOD_IMAGES; i++) {
      sender.send(prefix + i, i);
    }
    sender.producer().flush();
    awaitSeen(seenPerPhase, prefix, FLOOD_IMAGES, Duration.ofSeconds(300));
    long end = seen.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(Map.Entry::getValue).max().orElse(System.nanoTime());
    return FLOOD_IMAGES / ((end - start) / 1e9);
  }

  /**
   * Paced probes at falling shares of the flood's rate, {@link SustainableRate#PROBE_SECONDS} each, every probe
   * drained before the next: the first that kept up gives the maximum, else the lowest probed.
   */
  private static double sustainable(Sender sender, double floodRate, Map<String, Long> sent, Map<String, Long> seen,
      Map<String, AtomicInteger> seenPerPhase, PrintStream out) throws InterruptedException {
    double rate = floodRate;
    for (int percent : SustainableRate.PROBE_PERCENTS) {
      rate = floodRate * percent / 100.0;
      int count = (int) Math.max(100, rate * SustainableRate.PROBE_SECONDS);
      String prefix = "probe" + percent + "-";
      sender.paced(prefix, rate, count);
      awaitSeen(seenPerPhase, prefix, count, Duration.ofSeconds(120));
      double[] inOrder = latenciesInSendOrder(prefix, count, sent, seen);
      boolean keptUp = SustainableRate.keptUp(inOrder);
      int q = count / 4;
      double[] first = Arrays.copyOfRange(inOrder, 0, q);
      double[] last = Arrays.copyOfRange(inOrder, count - q, count);
      Arrays.sort(first);
      Arrays.sort(last);
      out.printf("latency: probe at %d %% of the flood (%,.0f images/s): median %.0f ms in the first quarter, %.0f ms "
          + "in the last: %s%n", percent, rate, quantile(first, 0.5), quantile(last, 0.5),
          keptUp ? "kept up" : "a queue grew");
      if (keptUp) {
        return rate;
      }
    }
    return rate;
  }

  /** One phase's latencies (ms) in the order its images were sent, NaN for an image never predicted. */
  private static double[] latenciesInSendOrder(String prefix, int count, Map<String, Long> sent,
      Map<String, Long> seen) {
    double[] ms = new double[count];
    for (int i = 0; i < count; i++) {
      Long at = seen.get(prefix + i);
      ms[i] = at == null ? Double.NaN : (at - sent.get(prefix + i)) / 1e6;
    }
    return ms;
  }

  /**
   * When the slowest images were sent, as bursts ("12.3 s: 14 images, up to 553 ms"): stalls that recur at a
   * fixed period point at a periodic task (a punctuation, a check, a commit), scattered ones at load.
   */
  static String slowBursts(String prefix, int count, Map<String, Long> sent, Map<String, Long> seen, long start,
      double p99Ms) {
    StringBuilder s = new StringBuilder();
    double burstStart = Double.NaN;
    double lastAt = Double.NaN;
    int inBurst = 0;
    double worst = 0;
    for (int i = 0; i <= count; i++) {
      Long done = i < count ? seen.get(prefix + i) : null;
      double at = i < count ? (sent.get(prefix + i) - start) / 1e9 : Double.NaN;
      double ms = done == null ? Double.NaN : (done - sent.get(prefix + i)) / 1e6;
      boolean slow = ms >= p99Ms;
      if (inBurst > 0 && (i == count || (slow && at - lastAt > 0.25))) {
        s.append(String.format("%s%.1f s: %d, up to %.0f ms", s.length() == 0 ? "" : "; ", burstStart, inBurst, worst));
        inBurst = 0;
        worst = 0;
      }
      if (slow) {
        if (inBurst == 0) {
          burstStart = at;
        }
        inBurst++;
        lastAt = at;
        worst = Math.max(worst, ms);
      }
    }
    return s.toString();
  }

  /** The stack samples from the slowest image's send to its prediction (none when no image reached p99). */
  static String whileSlowestWaited(String prefix, int count, Map<String, Long> sent, Map<String, Long> seen, double p99Ms,
      StackSampler sampler) {
    long from = Long.MAX_VALUE;
    long to = Long.MIN_VALUE;
    double worst = 0;
    for (int i = 0; i < count; i++) {
      Long done = seen.get(prefix + i);
      if (done != null && (done - sent.get(prefix + i)) / 1e6 > worst) {
        worst = (done - sent.get(prefix + i)) / 1e6;
        from = sent.get(prefix + i);
        to = done;
      }
    }
    return worst < p99Ms ? "none" : String.format("the slowest image (%.0f ms)", worst)
        + sampler.between(from, to, 6) + "\n    CPU meanwhile: " + sampler.cpuBetween(from, to, 10);
  }

  /** Kafka Streams' own count of the learner's commits, over its stream threads. */
  static double learnerCommits(KafkaStreams streams) {
    double total = 0;
    for (var e : streams.metrics().entrySet()) {
      if (e.getKey().group().equals("stream-thread-metrics") && e.getKey().name().equals("commit-total")
          && e.getValue().metricValue() instanceof Double v && Double.isFinite(v)) {
        total += v;
      }
    }
    return total;
  }

  /**
   * Kafka Streams' own per-thread maxima (ms, over its sample windows: about the last minute): which of poll,
   * process, punctuate and commit held a stream thread longest, the candidates for a stall.
   */
  static String streamThreadMaxima(KafkaStreams streams) {
    Map<String, Double> max = new TreeMap<>();
    streams.metrics().forEach((name, metric) -> {
      if (name.group().equals("stream-thread-metrics") && name.name().endsWith("-latency-max")
          && metric.metricValue() instanceof Double v && Double.isFinite(v)) {
        max.merge(name.name().replace("-latency-max", ""), v, Math::max);
      }
    });
    StringBuilder s = new StringBuilder();
    max.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(String.format("%s %.0f ms", k, v)));
    return s.toString();
  }

  /** The two hops' quantiles for one load's images, and which hop the slowest ones (at or above p99) lost in. */
  static Hops hops(String prefix, int count, Map<String, Long> sent, Map<String, Long> embedded,
      Map<String, Long> predicted, double p99Ms, GcPauses gc) {
    double[] first = new double[count];
    double[] second = new double[count];
    int n = 0;
    double slowTotal = 0;
    double slowInLearner = 0;
    for (int i = 0; i < count; i++) {
      String id = prefix + i;
      Long e = embedded.get(id);
      Long p = predicted.get(id);
      if (e == null || p == null) {
        continue;
      }
      first[n] = (e - sent.get(id)) / 1e6;
      second[n] = (p - e) / 1e6;
      if (first[n] + second[n] >= p99Ms) {
        slowTotal += first[n] + second[n];
        slowInLearner += second[n];
      }
      n++;
    }
    double[] a = Arrays.copyOf(first, n);
    double[] b = Arrays.copyOf(second, n);
    Arrays.sort(a);
    Arrays.sort(b);
    return new Hops(quantile(a, 0.5), quantile(a, 0.99), quantile(b, 0.5), quantile(b, 0.99),
        slowTotal == 0 ? Double.NaN : 100 * slowInLearner / slowTotal, gc.count(), gc.longestMs());
  }

  /** The latencies (ms, sorted) of the images of one phase that were predicted. */
  private static double[] sortedLatencies(String prefix, int count, Map<String, Long> sent, Map<String, Long> seen) {
    double[] ms = new double[count];
    int n = 0;
    for (int i = 0; i < count; i++) {
      Long at = seen.get(prefix + i);
      if (at != null) {
        ms[n++] = (at - sent.get(prefix + i)) / 1e6;
      }
    }
    double[] lat = Arrays.copyOf(ms, n);
    Arrays.sort(lat);
    return lat;
  }

  /** The phase an id belongs to: everything up to its last '-' ("load50-17" is in "load50-"). */
  static String phase(String id) {
    return id.substring(0, id.lastIndexOf('-') + 1);
  }

  private static void awaitSeen(Map<String, AtomicInteger> seenPerPhase, String prefix, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && seenPerPhase.getOrDefault(prefix, new AtomicInteger()).get() < count) {
      Thread.sleep(50);
    }
  }


  /** The nearest-rank quantile of sorted values; NaN when there are none. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The result as an SVG line chart (p50 and p99 against load), for the README. */
  public static String svg(Result r) {
    int w = 560;
    int h = 320;
    int left = 60;
    int bottom = 40;
    double maxMs = r.loads().stream().mapToDouble(Load::p99Ms).filter(Double::isFinite).max().orElse(1) * 1.1;
    int plotW = w - left - 20;
    int plotH = h - bottom - 30;
    StringBuilder s = SvgFrame.open(w, h, left, bottom, 30, plotW, String.format(
        "image → prediction visible (read_committed), ms; maximum %,.0f images/s (flood %,.0f)", r.maxRate(),
        r.floodRate()));
    for (int t = 0; t <= 4; t++) {
      double v = maxMs * t / 4;
      int y = (int) (h - bottom - plotH * t / 4.0);
      s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n", left - 6, y + 4, v));
    }
    String[] colours = {"#1f77b4", "#d62728"};
    String[] names = {"p50", "p99"};
    for (int series = 0; series < 2; series++) {
      StringBuilder points = new StringBuilder();
      for (Load l : r.loads()) {
        double v = series == 0 ? l.p50Ms() : l.p99Ms();
        int x = (int) (left + plotW * l.percent() / 100.0);
        int y = (int) (h - bottom - plotH * Math.min(1, v / maxMs));
        points.append(x).append(',').append(y).append(' ');
        if (series == 0) {
          s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d %%</text>%n", x, h - bottom + 16,
              l.percent()));
        }
      }
      s.append(String.format("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
          colours[series], points.toString().trim()));
      s.append(String.format("<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", left + plotW - 40, 40 + 16 * series,
          colours[series], names[series]));
    }
    s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">load, %% of the maximum</text>%n",
        left + plotW / 2, h - 6));
    s.append("</svg>\n");
    return s.toString();
  }
}
