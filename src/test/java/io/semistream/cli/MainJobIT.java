package io.semistream.cli;

import io.semistream.model.ModelStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainJobIT {

  @Test
  void shouldRunTheWholePipelineOnTheEmbeddedBrokerWhenNoBootstrapServersAreGiven(@TempDir Path dir)
      throws Exception {
    Path groundTruth = dir.resolve("gt.csv");
    // The main job's trainer writes into its model store: give it a copy of the shared test model.
    Path models = dir.resolve("models");
    new ModelStore(models).importVersion(TestModels.tinyVersionDir());
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      rc = SemistreamCli.commandLine().execute("run", "--limit", "300", "--exit-when-done",
          "--ground-truth", groundTruth.toString(),
          "-D", "broker.data.dir=" + dir.resolve("kafka"), "-D", "broker.port=0", "-D", "model.dir=" + models,
          "-D", "metrics.port=0", "-D", "web.port=0", "-D", "topics.prefix=main-job.", "-D", "learner.state.dir=" + dir.resolve("streams"), "-D", "learner.relabel.interval.ms=500",
          "-D", "data.dir=" + ProjectPaths.dataDir());
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    original.print(out);
    assertEquals(0, rc, out);
    assertTrue(out.contains("embedded single-node KRaft broker"), out);
    assertTrue(out.contains("topics: created: main-job."), "every catalogue topic carries topics.prefix: " + out);
    assertTrue(out.contains(" -t main-job.labels "), out);
    assertTrue(out.contains("  send a label:   printf") && out.contains("kcat -C -b 127.0.0.1:"), out);
    assertTrue(out.contains("done: 300 images embedded, every one has a prediction; 0 dead-lettered"), out);
    assertTrue(out.contains("learner: exactly-once Kafka Streams app"), out);
    assertTrue(out.contains("web view: http://127.0.0.1:") && out.contains("labelling off: set web.label.token"),
        out);
    assertEquals(301, Files.readAllLines(groundTruth).size());
    assertTrue(Files.exists(dir.resolve("kafka").resolve("server.properties")));
  }
}
