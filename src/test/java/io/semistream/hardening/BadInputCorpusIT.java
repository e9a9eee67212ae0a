package io.semistream.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semistream.config.SemistreamConfig;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.embedding.EmbeddingService;
import io.semistream.model.EmbeddingModel;
import io.semistream.records.DeadLetters;
import io.semistream.replay.PngEncoder;
import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardening campaign's bad-input corpus, produced with kcat (librdkafka) as a non-Java user would: every
 * kind of bad record on every topic the services read, interleaved with valid images and labels. Each bad record
 * goes to {@code dead-letter} once with its reason and source topic (or is skipped with a metric where the
 * catalogue says so), both services stay alive and ready, and every valid image gets its prediction.
 */
class BadInputCorpusIT {
  private static final Path KCAT = Path.of("/usr/bin/kcat");
  private static final int VALID = 40;
  private static final int DIM = 64;

  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir
  Path dir;
  private int files;

  /**
   * One kind of bad (or unusual) record; {@code outcome} is a dead-letter reason, "accepted" (predicted),
   * "skipped" (ignored and counted) or "kept" (a valid record that only changes a table).
   */
  private record Kind(String name, String topic, String key, byte[] value, String outcome) {
  }

  @Test
  void shouldDeadLetterEveryKindOfBadInputWithItsReasonAndPredictEveryValidImage() throws Exception {
    assertTrue(Files.isExecutable(KCAT), "kcat is installed by the build (scripts/ensure-test-tools.sh)");
    TestKafka kafka = KAFKA.kafka();
    var t = kafka.topics();
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    byte[] png = PngEncoder.grey(fashion.imageBytes(0), 28, 28);
    byte[] noise = new byte[300 * 300];
    new Random(3).nextBytes(noise);
    String longClass = "c".repeat(129);

    List<Kind> kinds = List.of(
        new Kind("img-empty", t.images().name(), "img-empty", new byte[0], "empty-image"),
        new Kind("img-null", t.images().name(), "img-null", null, "empty-image"),
        new Kind("img-random", t.images().name(), "img-random", Arrays.copyOf(noise, 5000), "undecodable-image"),
        new Kind("img-truncated", t.images().name(), "img-truncated", Arrays.copyOf(png, png.length / 2),
            "undecodable-image"),
        new Kind("img-svg", t.images().name(), "img-svg", utf8("<svg xmlns='http://www.w3.org/2000/svg' "
            + "width='28' height='28'><rect width='28' height='28'/></svg>"), "undecodable-image"),
        new Kind("img-webp", t.images().name(), "img-webp", webpHeader(), "undecodable-image"),
        new Kind("img-oversized", t.images().name(), "img-oversized", PngEncoder.grey(noise, 300, 300),
            "oversized-image"),
        new Kind("img-too-wide", t.images().name(), "img-too-wide", PngEncoder.grey(new byte[5000], 5000, 1),
            "image-too-large"),
        new Kind("img-many-pixels", t.images().name(), "img-many-pixels", blankPng(4096, 4096), "image-too-large"),
        new Kind("img-no-key", t.images().name(), null, png, "missing-key"),
        new Kind("img-jpeg-colour", t.images().name(), "img-jpeg-colour", encoded("jpg", 28, 28,
            BufferedImage.TYPE_3BYTE_BGR), "accepted"),
        new Kind("img-png-56", t.images().name(), "img-png-56", encoded("png", 56, 56, BufferedImage.TYPE_BYTE_GRAY),
            "accepted"),
        new Kind("img-gif", t.images().name(), "img-gif", encoded("gif", 28, 28, BufferedImage.TYPE_BYTE_INDEXED),
            "accepted"),
        // Big images take the slow lane (images-large); records written there directly meet the same rules.
        new Kind("img-big", t.images().name(), "img-big", blankPng(600, 600),
            "accepted"),
        new Kind("large-random", t.imagesLarge().name(), "large-random", Arrays.copyOf(noise, 3000),
            "undecodable-image"),
        new Kind("large-many-pixels", t.imagesLarge().name(), "large-many-pixels", blankPng(4096, 4096),
            "image-too-large"),
        new Kind("large-no-key", t.imagesLarge().name(), null, png, "missing-key"),
        new Kind("large-small-image", t.imagesLarge().name(), "large-small-image", png, "accepted"),
        new Kind("label-not-json", t.labels().name(), "label-not-json", utf8("{broken"), "malformed-label"),
        new Kind("label-numeric-class", t.labels().name(), "label-numeric-class",
            utf8("{\"class\":5,\"annotator\":\"kcat\",\"time\":1}"), "malformed-label"),
        new Kind("label-no-annotator", t.labels().name(), "label-no-annotator", utf8("{\"class\":\"Bag\",\"time\":1}"),
            "malformed-label"),
        new Kind("label-extra-field", t.labels().name(), "label-extra-field",
            utf8("{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":1,\"confidence\":0.9}"), "malformed-label"),
        new Kind("label-negative-time", t.labels().name(), "label-negative-time",
            utf8("{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":-5}"), "malformed-label"),
        new Kind("label-long-class", t.labels().name(), "label-long-class",
            utf8("{\"class\":\"" + longClass + "\",\"annotator\":\"kcat\",\"time\":1}"), "malformed-label"),
        new Kind("label-array", t.labels().name(), "label-array", utf8("[\"Bag\"]"), "malformed-label"),
        new Kind("label-null", t.labels().name(), "label-null", null, "malformed-label"),
        new Kind("label-no-key", t.labels().name(), null, utf8("{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":1}"),
            "missing-key"),
        new Kind("label-unknown-id", t.labels().name(), "label-unknown-id",
            utf8("{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":1}"), "orphan-label"),
        new Kind("emb-garbage", t.embeddings().name(), "emb-garbage", utf8("not an embedding"),
            "malformed-embedding"),
        new Kind("emb-nan", t.embeddings().name(), "emb-nan", embedding(DIM, Float.NaN), "malformed-embedding"),
        new Kind("emb-wrong-dimension", t.embeddings().name(), "emb-wrong-dimension", embedding(3, 0.5f),
            "malformed-embedding"),
        new Kind("emb-null", t.embeddings().name(), "emb-null", null, "malformed-embedding"),
        new Kind("proto-not-json", t.prototypes().name(), "proto-not-json", utf8("this is not json"), "skipped"),
        new Kind("proto-wrong-dimension", t.prototypes().name(), "proto-wrong-dimension", utf8("{\"class\":"
            + "\"proto-wrong-dimension\",\"vector\":[1,2,3],\"count\":1,\"spread\":0,\"version\":1,\"updateTime\":0,"
            + "\"modelId\":\"m\",\"modelVersion\":1,\"labelledCount\":1,\"pseudoWeight\":0,\"labelledVector\":null}"),
            "skipped"),
        new Kind("exemplar-not-json", t.exemplars().name(), "exemplar-not-json", utf8("{broken"), "skipped"),
        new Kind("exemplar-wrong-dimension", t.exemplars().name(), "exemplar-wrong-dimension", utf8("{\"class\":"
            + "\"Bag\",\"vector\":[1,2,3],\"modelId\":\"m\",\"modelVersion\":1,\"updateTime\":0}"), "skipped"),
        new Kind("exemplar-nan", t.exemplars().name(), "exemplar-nan", utf8("{\"class\":\"Bag\",\"vector\":"
            + "[NaN,1,2],\"modelId\":\"m\",\"modelVersion\":1,\"updateTime\":0}"), "skipped"),
        // The anomalies topic is the learner's output and the discovery service's input: any client can write it.
        new Kind("anomaly-not-json", t.anomalies().name(), "anomaly-not-json", utf8("{broken"), "malformed-anomaly"),
        new Kind("anomaly-wrong-dimension", t.anomalies().name(), "anomaly-wrong-dimension", utf8("{\"score\":5,"
            + "\"threshold\":2,\"reconstructionError\":0.1,\"prototypeDistance\":1,\"nearestClass\":\"Bag\","
            + "\"eventTime\":1,\"embedding\":[1,2,3],\"modelId\":\"m\",\"modelVersion\":1}"), "malformed-anomaly"),
        new Kind("anomaly-no-key", t.anomalies().name(), null, utf8("{broken"), "missing-key"),
        new Kind("delta-not-json", t.prototypeDeltas().name(), "delta-not-json", utf8("not a delta"),
            "malformed-delta"),
        new Kind("delta-wrong-dimension", t.prototypeDeltas().name(), "delta-wrong-dimension", utf8(
            "{\"className\":\"delta-wrong-dimension\",\"pseudo\":false,\"weight\":1,\"embedding\":[1,2],"
                + "\"modelId\":\"m\",\"modelVersion\":1,\"time\":1}"), "malformed-delta"),
        new Kind("model-version-junk", t.modelVersions().name(), "conv-ae-64", utf8("{\"version\":\"two\"}"),
            "skipped"),
        new Kind("sem-valid", t.classSemantics().name(), "sem-valid",
            utf8("{\"class\":\"sem-valid\",\"attributes\":[1,0,0.5],\"time\":1}"), "kept"),
        new Kind("sem-not-json", t.classSemantics().name(), "sem-not-json", utf8("{broken"), "malformed-semantics"),
        new Kind("sem-nan", t.classSemantics().name(), "sem-nan",
            utf8("{\"class\":\"sem-nan\",\"attributes\":[1,NaN,0],\"time\":1}"), "malformed-semantics"),
        new Kind("sem-wrong-length", t.classSemantics().name(), "sem-wrong-length",
            utf8("{\"class\":\"sem-wrong-length\",\"attributes\":[1,0],\"time\":1}"), "malformed-semantics"),
        new Kind("sem-key-mismatch", t.classSemantics().name(), "sem-key-mismatch",
            utf8("{\"class\":\"Bag\",\"attributes\":[1,0,0],\"time\":1}"), "malformed-semantics"),
        new Kind("zero-shot-prototype-junk", t.zeroShotPrototypes().name(), "zero-shot-prototype-junk",
            utf8("this is not json"), "skipped"),
        new Kind("candidate-junk", t.classCandidates().name(), "candidate-junk", utf8("this is not json"), "skipped"),
        new Kind("candidate-wrong-dimension", t.classCandidates().name(), "candidate-wrong-dimension", utf8("{\"id\":"
            + "\"candidate-wrong-dimension\",\"centroid\":[1,0],\"spread\":0.1,\"size\":5,\"exemplars\":[],"
            + "\"firstSeen\":1,\"lastSeen\":2,\"modelId\":\"m\",\"modelVersion\":1,\"adoptedAs\":\"Bag\","
            + "\"updateTime\":3}"), "skipped"));

    // The label whose image never comes goes first: orphans are found in stream time (record timestamps, so
    // that a replay decides the same), which the labels at the end move past learner.label.wait.ms.
    long orphanSent = System.currentTimeMillis();
    Kind orphan = kinds.stream().filter(k -> k.outcome().equals("orphan-label")).findFirst().orElseThrow();
    produce(kafka, orphan.topic(), orphan.key(), orphan.value());
    // Valid images before, between and after the bad ones; all of them labelled afterwards.
    List<String> validIds = new ArrayList<>();
    int next = 0;
    for (Kind k : kinds) {
      if (k == orphan) {
        continue;
      }
      for (int i = 0; i < 2 && next < VALID; i++, next++) {
        String id = "ok-" + next;
        produce(kafka, t.images().name(), id, PngEncoder.grey(fashion.imageBytes(next), 28, 28));
        validIds.add(id);
      }
      produce(kafka, k.topic(), k.key(), k.value());
      if (k.outcome().equals("accepted")) {
        validIds.add(k.key());
      }
    }
    // Keys that are not UTF-8 need kcat's line mode (raw bytes before the tab).
    produceRawKey(kafka, t.images().name(), "x");
    produceRawKey(kafka, t.labels().name(), "{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":1}");
    // (A key-less semantic vector cannot exist: the broker refuses key-less records on a compacted topic.)
    produceRawKey(kafka, t.classSemantics().name(), "{\"class\":\"Bag\",\"attributes\":[1,0,0],\"time\":1}");
    Thread.sleep(Math.max(0, orphanSent + 6_000 - System.currentTimeMillis()));
    for (int i = 0; i < VALID; i++) {
      produce(kafka, t.labels().name(), "ok-" + i, utf8("{\"class\":\"" + fashion.className(i)
          + "\",\"annotator\":\"kcat\",\"time\":1764300000000}"));
    }
    int expectedDead = (int) kinds.stream().filter(k -> k.outcome().contains("-")).count() + 3;

    SemistreamConfig base = kafka.config();
    Map<String, String> keys = new HashMap<>(Map.of("learner.application.id", "corpus-it",
        "learner.state.dir", dir.resolve("state").toString(), "learner.embedding.dimension", Integer.toString(DIM),
        "learner.label.wait.ms", "5000", "learner.relabel.interval.ms", "500", "learner.prototype.refresh.ms", "100",
        "learner.http.port", "0", "embedding.max.image.bytes", Integer.toString(64 * 1024)));
    SemistreamConfig config = SemistreamConfig.fromMap(keys).withBootstrapServers(kafka.bootstrapServers());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (EmbeddingModel model = EmbeddingModel.load(TestModels.tinyVersionDir(), Device.cpu());
         EmbeddingService embedder = new EmbeddingService(config.embedding(), kafka.clients(), t, model).start();
         LearnerRuntime learner = LearnerRuntime.start(config, t, registry)) {
      HttpClient http = HttpClient.newHttpClient();
      List<String> unpredicted = new ArrayList<>(validIds);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      while (!unpredicted.isEmpty() && System.nanoTime() < deadline) {
        List<String> still = new ArrayList<>();
        for (String id : unpredicted) {
          if (get(http, learner.apiPort(), "/predictions/" + id).statusCode() != 200) {
            still.add(id);
          }
        }
        unpredicted = still;
        if (!unpredicted.isEmpty()) {
          Thread.sleep(1_000);
        }
      }
      assertEquals(List.of(), unpredicted, "every valid image (and accepted format) gets a prediction");
      // Orphans are found in stream time, which only records move: the embeddings of the images above may carry
      // timestamps later than every label, so a few later images advance each partition's stream time past
      // learner.label.wait.ms (5 s), as live traffic would.
      Thread.sleep(6_000);
      // The services' own internal topics take any client's bytes too (they exist once the services run): the
      // learner's re-keyed inputs and the zero-shot service's one-partition inputs.
      String embeddingsByImage = "corpus-it-embeddings-by-image-repartition";
      String labelsByImage = "corpus-it-labels-by-image-repartition";
      String semanticsOneTask = "corpus-it-zeroshot-semantics-repartition";
      String prototypesOneTask = "corpus-it-zeroshot-prototypes-repartition";
      String anomaliesToCluster = "corpus-it-discovery-anomalies-repartition";
      String labelsToCluster = "corpus-it-discovery-labels-repartition";
      String prototypesToCluster = "corpus-it-discovery-prototypes-repartition";
      String embeddingsToAsk = "corpus-it-asking-embeddings-repartition";
      String labelsToAsk = "corpus-it-asking-labels-repartition";
      String prototypesToAsk = "corpus-it-asking-prototypes-repartition";
      try (var admin = kafka.clients().admin()) {
        assertTrue(admin.listTopics().names().get().containsAll(List.of(embeddingsByImage, labelsByImage,
            semanticsOneTask, prototypesOneTask, anomaliesToCluster, labelsToCluster, prototypesToCluster,
            embeddingsToAsk, labelsToAsk, prototypesToAsk)), "the internal topics are named as this test expects");
      }
      List<Kind> internal = List.of(
          new Kind("internal-emb-junk", embeddingsByImage, "internal-emb-junk", utf8("junk"), "malformed-embedding"),
          new Kind("internal-emb-no-key", embeddingsByImage, null, embedding(DIM, 0.5f), "missing-key"),
          new Kind("internal-label-junk", labelsByImage, "internal-label-junk", utf8("{broken"), "malformed-label"),
          new Kind("internal-label-no-key", labelsByImage, null,
              utf8("{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":1}"), "missing-key"),
          new Kind("internal-sem-junk", semanticsOneTask, "internal-sem-junk", utf8("{broken"), "malformed-semantics"),
          new Kind("internal-sem-no-key", semanticsOneTask, null,
              utf8("{\"class\":\"Bag\",\"attributes\":[1,0,0],\"time\":1}"), "missing-key"),
          new Kind("internal-proto-junk", prototypesOneTask, "internal-proto-junk", utf8("junk"), "skipped"),
          new Kind("internal-proto-no-key", prototypesOneTask, null, utf8("junk"), "skipped"),
          new Kind("internal-anomaly-junk", anomaliesToCluster, "internal-anomaly-junk", utf8("junk"),
              "malformed-anomaly"),
          new Kind("internal-anomaly-no-key", anomaliesToCluster, null, utf8("junk"), "missing-key"),
          new Kind("internal-cluster-label-junk", labelsToCluster, "internal-cluster-label-junk", utf8("[]"),
              "skipped"),
          new Kind("internal-cluster-proto-junk", prototypesToCluster, null, utf8("junk"), "skipped"),
          // The asking service: what reaches its internal topics without passing its own gate is dead-lettered.
          new Kind("internal-ask-emb-junk", embeddingsToAsk, "internal-ask-emb-junk", utf8("junk"),
              "malformed-embedding"),
          new Kind("internal-ask-emb-no-key", embeddingsToAsk, null, embedding(DIM, 0.5f), "missing-key"),
          new Kind("internal-ask-label-junk", labelsToAsk, "internal-ask-label-junk", utf8("[]"), "malformed-label"),
          new Kind("internal-ask-proto-junk", prototypesToAsk, "internal-ask-proto-junk", utf8("junk"),
              "malformed-prototype"));
      for (Kind k : internal) {
        produce(kafka, k.topic(), k.key(), k.value());
      }
      kinds = new ArrayList<>(kinds);
      kinds.addAll(internal);
      expectedDead += (int) internal.stream().filter(k -> k.outcome().contains("-")).count();
      for (int i = 0; i < 24; i++) {
        produce(kafka, t.images().name(), "late-" + i, PngEncoder.grey(fashion.imageBytes(VALID + i), 28, 28));
      }

      List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted(t.deadLetter().name(), expectedDead,
          Duration.ofSeconds(60), Duration.ofSeconds(3));
      Map<String, String> got = new TreeMap<>();
      for (ConsumerRecord<byte[], byte[]> r : dead) {
        String source = header(r, DeadLetters.SOURCE_TOPIC);
        String id = r.key() == null || r.key().length == 0 ? source + ":<no key>"
            : r.key()[r.key().length - 1] == (byte) 0xFF ? source + ":<not utf-8>"
            : new String(r.key(), StandardCharsets.UTF_8);
        assertEquals(null, got.put(id, header(r, DeadLetters.REASON)), "dead-lettered once: " + id);
      }
      Map<String, String> expected = new TreeMap<>();
      for (Kind k : kinds) {
        if (k.outcome().contains("-")) {
          expected.put(k.key() == null ? k.topic() + ":<no key>" : k.key(), k.outcome());
        }
      }
      expected.put(t.images().name() + ":<not utf-8>", "invalid-key");
      expected.put(t.labels().name() + ":<not utf-8>", "invalid-key");
      expected.put(t.classSemantics().name() + ":<not utf-8>", "invalid-key");
      assertEquals(expected, got);
      assertEquals(expectedDead, dead.size());
      assertTrue(kinds.size() + 3 >= 25, "the corpus holds at least 25 kinds");

      assertEquals(2.0, skipped(registry, "prototypes"), "both junk prototypes skipped and counted");
      assertEquals(1.0, skipped(registry, "zero-shot-prototypes"), "the junk synthesized prototype skipped");
      assertEquals(2.0, skipped(registry, "class-candidates"), "both junk candidates skipped");
      assertEquals(3.0, skipped(registry, "exemplars"), "the junk, the 3-dimensional and the NaN exemplar skipped");
      assertEquals(4.0, registry.get("semistream.zeroshot.prototypes.skipped").counter().count(),
          "the zero-shot service skips the junk prototypes too (two on prototypes, two on its internal topic)");
      assertEquals(5.0, registry.get("semistream.zeroshot.rejected").tag("reason", "malformed-semantics").counter()
          .count());
      assertEquals(1.0, registry.get("semistream.zeroshot.rejected").tag("reason", "missing-key").counter().count());
      assertEquals(KafkaStreams.State.RUNNING, learner.zeroShot().streams().state());
      assertEquals(3.0, registry.get("semistream.discovery.rejected").tag("reason", "malformed-anomaly").counter()
          .count(), "junk and wrongly sized anomalies, and junk on the discovery service's internal topic");
      assertEquals(KafkaStreams.State.RUNNING, learner.discovery().streams().state());
      assertEquals(KafkaStreams.State.RUNNING, learner.asking().streams().state());
      assertEquals(1.0, registry.get("semistream.asking.rejected").tag("reason", "malformed-embedding").counter()
          .count(), "junk on its internal embeddings topic (junk on embeddings itself is the learner's to reject)");
      long lateDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int i = 0; i < 24; i++) {
        while (get(http, learner.apiPort(), "/predictions/late-" + i).statusCode() != 200
            && System.nanoTime() < lateDeadline) {
          Thread.sleep(200);
        }
        assertEquals(200, get(http, learner.apiPort(), "/predictions/late-" + i).statusCode(),
            "images after the internal junk are predicted: late-" + i);
      }
      assertTrue(embedder.isRunning(), "the embedding service survives (and the junk model version is skipped)");
      assertEquals(KafkaStreams.State.RUNNING, learner.learner().streams().state());
      assertEquals(200, get(http, learner.apiPort(), "/ready").statusCode());
      System.err.printf("bad-input corpus: %d kinds (%d dead-lettered, %d skipped, %d accepted), %d valid images "
          + "predicted%n", kinds.size() + 3, expectedDead,
          kinds.stream().filter(k -> k.outcome().equals("skipped") || k.outcome().equals("kept")).count(),
          kinds.stream().filter(k -> k.outcome().equals("accepted")).count(), validIds.size());
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * One record per kcat run: the value from a file, the key as given. kcat sends no message for an empty file, so
   * empty and NULL values go through its line mode ({@code key<TAB>} and an empty rest; -Z makes that NULL).
   */
  private void produce(TestKafka kafka, String topic, String key, byte[] value) throws Exception {
    if (value == null || value.length == 0) {
      Path line = Files.write(dir.resolve("msg-" + files++), utf8(key + "\t\n"));
      List<String> cmd = new ArrayList<>(List.of(KCAT.toString(), "-P", "-b", kafka.bootstrapServers(), "-t", topic,
          "-K", "\t"));
      if (value == null) {
        cmd.add("-Z");   // an empty value is sent as NULL: a tombstone
      }
      run(cmd, line);
      return;
    }
    Path file = Files.write(dir.resolve("msg-" + files++), value);
    List<String> cmd = new ArrayList<>(List.of(KCAT.toString(), "-P", "-b", kafka.bootstrapServers(), "-t", topic));
    if (key != null) {
      cmd.addAll(List.of("-k", key));
    }
    cmd.add(file.toString());
    run(cmd, null);
  }

  /** A key ending in byte 0xFF (not UTF-8), through kcat's key-delimiter line mode. */
  private void produceRawKey(TestKafka kafka, String topic, String value) throws Exception {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    line.write(new byte[] {'i', 'd', (byte) 0xFF, '\t'});
    line.write((value + "\n").getBytes(StandardCharsets.UTF_8));
    Path file = Files.write(dir.resolve("raw-" + files++), line.toByteArray());
    run(List.of(KCAT.toString(), "-P", "-b", kafka.bootstrapServers(), "-t", topic, "-K", "\t"), file);
  }

  private void run(List<String> cmd, Path input) throws Exception {
    Path log = dir.resolve("kcat.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    if (input != null) {
      pb.redirectInput(input.toFile());
    }
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kcat finished");
    assertEquals(0, p.exitValue(), () -> "kcat " + cmd + " failed: " + read(log));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** The learner's count of records it could not use on one of the topics it reads into global stores. */
  private static double skipped(MeterRegistry registry, String topic) {
    return registry.get("semistream.learner.global.records.skipped").tag("topic", topic).counter().count();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The first bytes of a WebP file: a format Java's ImageIO does not read. */
  private static byte[] webpHeader() {
    byte[] b = new byte[64];
    System.arraycopy(utf8("RIFF"), 0, b, 0, 4);
    System.arraycopy(utf8("WEBPVP8 "), 0, b, 8, 8);
    return b;
  }

  private static byte[] blankPng(int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY), "png", out);
    return out.toByteArray();
  }

  private static byte[] encoded(String format, int width, int height, int type) throws IOException {
    BufferedImage image = new BufferedImage(width, height, type);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, (x * 9 % 256) << 16 | (y * 9 % 256) << 8 | 128);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), "ImageIO writes " + format);
    return out.toByteArray();
  }

  /** The embedding-f32-v1 layout (topics/formats/embedding-f32-v1.md) with every component {@code value}. */
  private static byte[] embedding(int dimension, float value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(0x45);
    out.writeByte(1);
    out.writeLong(1764300000000L);
    out.writeFloat(0.1f);
    out.writeInt(1);
    byte[] id = utf8("conv-ae-64");
    out.writeShort(id.length);
    out.write(id);
    out.writeShort(dimension);
    for (int i = 0; i < dimension; i++) {
      out.writeFloat(value);
    }
    return bytes.toByteArray();
  }
}
