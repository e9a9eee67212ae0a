package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.records.DeadLetters;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.LearnerTesting;
import io.semistream.testing.SyntheticStream;
import io.semistream.testing.TestKafka;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner driven by kcat (librdkafka, Debian's package): a non-Java client whose default partitioner (CRC32)
 * places a key on another partition than Java's murmur2 does. Labels must still join the embeddings of their
 * images, and junk on the learner's own topics must neither stop it nor make it loop.
 */
class KcatClientIT {
  private static final Path KCAT = Path.of("/usr/bin/kcat");
  private static final int LABELS = 30;

  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir
  Path dir;

  /** {@code kcat -P} with tab-separated key and value per line (the form the hardening issue used). */
  private void kcatProduce(TestKafka kafka, String topic, List<String> lines) throws Exception {
    kcatProduceBytes(kafka, topic, String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Raw bytes, for keys that are not UTF-8. */
  private void kcatProduceBytes(TestKafka kafka, String topic, byte[] content) throws Exception {
    Path input = Files.write(dir.resolve(topic + "-" + System.nanoTime() + ".txt"), content);
    Process p = new ProcessBuilder(KCAT.toString(), "-P", "-b", kafka.bootstrapServers(), "-t", topic, "-K", "\t")
        .redirectInput(input.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("kcat.log").toFile())
        .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kcat finished");
    assertEquals(0, p.exitValue(), () -> "kcat failed: " + read(dir.resolve("kcat.log")));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Test
  void shouldJoinLabelsFromANonJavaClientAndSurviveJunkOnEveryTopic() throws Exception {
    assertTrue(Files.isExecutable(KCAT), "kcat is installed by the build (scripts/ensure-test-tools.sh)");
    TestKafka kafka = KAFKA.kafka();
    SyntheticStream stream = new SyntheticStream(3, 21);
    stream.publish(kafka.clients(), kafka.topics(), 0, 300, 0);  // embeddings only, Java client (murmur2)

    List<String> labelLines = new ArrayList<>();
    int i = 0;
    for (String id : stream.truth.keySet()) {
      if (i++ % 10 == 0 && labelLines.size() < LABELS) {
        int c = stream.truth.get(id);
        stream.labels.put(id, c);
        labelLines.add(id + "\t{\"class\":\"" + SyntheticStream.className(c) + "\",\"annotator\":\"kcat\","
            + "\"time\":1764300000000}");
      }
    }
    kcatProduce(kafka, kafka.topics().labels().name(), labelLines);
    kcatProduce(kafka, kafka.topics().prototypes().name(), List.of("junk\tthis is not json",
        "class-0\t{\"class\":\"class-0\",\"vector\":[1,2,3],\"count\":1,\"spread\":0,\"version\":1,"
            + "\"updateTime\":0,\"modelId\":\"m\",\"modelVersion\":1,\"labelledCount\":1,\"pseudoWeight\":0}"));
    kcatProduce(kafka, kafka.topics().prototypeDeltas().name(), List.of("class-1\tnot a delta"));
    kcatProduce(kafka, kafka.topics().embeddings().name(), List.of("kcat-bad\tnot an embedding"));
    kcatProduce(kafka, kafka.topics().labels().name(), List.of("bad-json\t{broken",
        "numeric-class\t{\"class\":5,\"annotator\":\"kcat\",\"time\":1}",
        "\t{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":1}"));
    java.io.ByteArrayOutputStream notUtf8 = new java.io.ByteArrayOutputStream();
    notUtf8.write(new byte[] {'i', 'd', (byte) 0xFF, '\t'});
    notUtf8.write("{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":1}\n".getBytes(StandardCharsets.UTF_8));
    kcatProduceBytes(kafka, kafka.topics().labels().name(), notUtf8.toByteArray());

    try (LearnerRuntime learner = LearnerRuntime.start(
        LearnerTesting.config(kafka, dir.resolve("state"), 0, 0), kafka.topics())) {
      Map<String, Prototype> prototypes = LearnerTesting.awaitPrototypes(kafka, stream.labelledMeans(),
          Duration.ofSeconds(90));
      assertTrue(LearnerTesting.matches(prototypes, stream.labelledMeans()),
          "every kcat label joined its image: " + prototypes.values());
      assertEquals(LABELS, prototypes.values().stream().mapToLong(Prototype::labelledCount).sum());

      List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted(kafka.topics().deadLetter().name(), 6,
          Duration.ofSeconds(30), Duration.ofSeconds(2));
      Map<String, String> reasons = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : dead) {
        String key = r.key() == null || r.key().length == 0 ? "<no key>"
            : r.key()[r.key().length - 1] == (byte) 0xFF ? "<not utf-8>" : new String(r.key(), StandardCharsets.UTF_8);
        reasons.put(key, new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8));
        assertEquals(key.startsWith("class-") ? "prototype-deltas" : key.equals("kcat-bad") ? "embeddings" : "labels",
            new String(r.headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(), StandardCharsets.UTF_8), key);
      }
      assertEquals(Map.of("class-1", "malformed-delta", "kcat-bad", "malformed-embedding",
          "bad-json", "malformed-label", "numeric-class", "malformed-label", "<no key>", "missing-key",
          "<not utf-8>", "invalid-key"), reasons, "no orphan label; every bad record dead-lettered with its reason");
      assertEquals(6, dead.size(), "each once");
      assertEquals(KafkaStreams.State.RUNNING, learner.learner().streams().state());

      HttpClient http = HttpClient.newHttpClient();
      for (String id : stream.labels.keySet()) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + learner.apiPort() + "/predictions/" + id)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), id + ": " + r.body());
        Prediction p = LearnerTesting.decode(r.body().getBytes(StandardCharsets.UTF_8));
        assertEquals(Prediction.Status.LABELLED, p.status(), id);
        assertEquals(SyntheticStream.className(stream.labels.get(id)), p.className(), id);
      }
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + learner.apiPort() + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), ready.body());
    }
  }
}
