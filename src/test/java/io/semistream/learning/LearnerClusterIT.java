package io.semistream.learning;

import io.semistream.records.Prediction;
import io.semistream.records.Prototype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.LearnerTesting;
import io.semistream.testing.SyntheticStream;
import io.semistream.testing.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerClusterIT {
  private static final int IMAGES = 3_000;
  @TempDir
  Path dir;

  private Map<String, Prototype> runWith(int instances, Path base, List<LearnerRuntime> keep) throws Exception {
    TestKafka kafka = TestKafka.start(base.resolve("kafka"));
    SyntheticStream stream = new SyntheticStream(5, 7);
    stream.publish(kafka.clients(), kafka.topics(), 0, IMAGES, 0.1);
    try {
      for (int i = 0; i < instances; i++) {
        keep.add(LearnerRuntime.start(LearnerTesting.config(kafka, base.resolve("state-" + i), 0, 0),
            kafka.topics()));
      }
      Map<String, Prototype> view = LearnerTesting.awaitPrototypes(kafka, stream.labelledMeans(),
          Duration.ofSeconds(90));
      assertTrue(LearnerTesting.matches(view, stream.labelledMeans()), "prototypes equal the batch means: got "
          + view.values() + ", expected classes " + stream.labelledMeans().keySet());
      if (instances > 1) {
        for (LearnerRuntime r : keep) {
          assertFalse(r.learner().streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty(),
              "every instance owns some of the 4 partitions");
        }
        queryAcrossInstances(kafka, keep.get(0), stream);
      }
      return view;
    } finally {
      keep.forEach(LearnerRuntime::close);
      keep.clear();
      kafka.close();
    }
  }

  /** Asking one instance for any image answers with the owner's prediction. */
  private void queryAcrossInstances(TestKafka kafka, LearnerRuntime any, SyntheticStream stream) throws Exception {
    List<ConsumerRecord<byte[], byte[]>> committed = LearnerTesting.predictions(kafka, IMAGES, Duration.ofSeconds(60));
    Map<String, Prediction> latest = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : committed) {
      Prediction p = LearnerTesting.decode(r.value());
      latest.merge(new String(r.key(), StandardCharsets.UTF_8), p, (a, b) -> b.version() >= a.version() ? b : a);
    }
    assertEquals(stream.truth.keySet(), latest.keySet(), "every image has a prediction");
    HttpClient http = HttpClient.newHttpClient();
    int checked = 0;
    for (String id : stream.truth.keySet()) {
      if (checked++ >= 40) {
        break;
      }
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + any.apiPort() + "/predictions/" + id)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), id + ": " + response.body());
      Prediction served = LearnerTesting.decode(response.body().getBytes(StandardCharsets.UTF_8));
      assertEquals(latest.get(id).className(), served.className(), id);
    }
  }

  @Test
  void shouldGiveTheSamePrototypesWithTwoInstancesAsWithOne() throws Exception {
    List<LearnerRuntime> runtimes = new java.util.ArrayList<>();
    Map<String, Prototype> one = runWith(1, dir.resolve("one"), runtimes);
    Map<String, Prototype> two = runWith(2, dir.resolve("two"), runtimes);
    assertEquals(one.keySet(), two.keySet());
    for (String c : one.keySet()) {
      assertEquals(one.get(c).labelledCount(), two.get(c).labelledCount(), c);
      double[] a = one.get(c).vector();
      double[] b = two.get(c).vector();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-9, c + " dim " + i);
      }
    }
  }
}
