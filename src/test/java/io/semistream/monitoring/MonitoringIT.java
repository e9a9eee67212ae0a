package io.semistream.monitoring;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.semistream.config.LearnerSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.model.EmbeddingModel;
import io.semistream.embedding.EmbeddingService;
import io.semistream.records.JsonSerde;
import io.semistream.metrics.Observability;
import io.semistream.metrics.MetricsServer;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian package) scrapes the service with monitoring/prometheus.yml and the alert rules:
 * every PromQL expression of every dashboard panel and every alert rule must parse and return data, and the
 * anomaly-spike alert must fire when a burst of a never-seen class is replayed.
 */
class MonitoringIT {
  private static final String SHARE = "sum(rate(semistream_learner_anomalies_total[1m])) / "
      + "sum(rate(semistream_learner_predictions_total{status!=\"labelled\"}[1m]))";
  private static final Path MONITORING = ProjectPaths.root().resolve("monitoring");
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir
  Path dir;

  @Test
  void shouldServeDataForEveryDashboardAndAlertExpressionAndFireTheAnomalySpikeAlert() throws Exception {
    requireTool("/usr/bin/prometheus");
    requireTool("/usr/bin/promtool");
    try (TestKafka kafka = TestKafka.start(dir)) {
      var registry = Observability.prometheusRegistry("semistream");
      SemistreamConfig base = kafka.config();
      SemistreamConfig config = base.withLearner(SemistreamConfig.fromMap(Map.of(
          "learner.application.id", "monitoring-it", "learner.state.dir", dir.resolve("state").toString(),
          "learner.relabel.interval.ms", "1000", "learner.prototype.refresh.ms", "100",
          "learner.http.port", "-1")).learner());
      Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
      try (MetricsServer metrics = MetricsServer.start(registry, "127.0.0.1", 0);
           EmbeddingModel model = EmbeddingModel.load(TestModels.tinyVersionDir(), Device.cpu());
           EmbeddingService embedder = new EmbeddingService(config.embedding(), kafka.clients(), kafka.topics(),
               model, registry).start();
           LearnerRuntime learner = LearnerRuntime.start(config, kafka.topics(), registry)) {
        Path promConfig = prometheusConfig(metrics.port());
        assertEquals(0, run("/usr/bin/promtool", "check", "config", promConfig.toString()));
        assertEquals(0, run("/usr/bin/promtool", "check", "rules", MONITORING.resolve("alerts/semistream.yml")
            .toString()));
        int promPort = freePort();
        Process prometheus = new ProcessBuilder("/usr/bin/prometheus", "--config.file=" + promConfig,
            "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
            .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        String prom = "http://127.0.0.1:" + promPort;
        try {
          awaitReady(prom);
          // Classes 0-8 only, 5 % labelled: the learner warms up on familiar images.
          replay(kafka, fashion, ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(4_000)
              .withLabelFraction(0.05).withHoldout(Set.of(), Set.of(9)).withIdPrefix("warm"));
          Set<String> expressions = expressions();
          assertTrue(expressions.size() >= 30, "dashboards and alerts hold " + expressions.size() + " expressions");
          List<String> noData = awaitData(prom, expressions, Duration.ofSeconds(90));
          assertEquals(List.of(), noData, "expressions without data; see " + dir.resolve("prometheus.log"));
          assertFalse(alertFiring(prom, "SemistreamAnomalyRateSpike"), "no anomaly spike on familiar images");

          // A burst of a class the learner has never seen.
          replay(kafka, fashion, ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(2_500)
              .withLabelFraction(0).withHoldout(Set.of(), Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8)).withIdPrefix("burst"));
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
          boolean fired = false;
          while (!fired && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            fired = alertFiring(prom, "SemistreamAnomalyRateSpike");
            System.err.println("anomaly share over 1m: " + query(prom, SHARE).get("data").get("result"));
          }
          assertTrue(fired, "the anomaly-spike alert fires; share now: " + query(prom,
              "sum(rate(semistream_learner_anomalies_total[1m])) / sum(rate(semistream_learner_predictions_total"
                  + "{status!=\"labelled\"}[1m]))"));
        } finally {
          prometheus.destroy();
          prometheus.waitFor(20, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static void requireTool(String path) {
    assertTrue(Files.isExecutable(Path.of(path)), path + " is missing: the build installs Debian's prometheus "
        + "package when /usr/bin/promtool is absent (Maven profile install-test-tools); run mvn -B verify as root");
  }

  private Path prometheusConfig(int metricsPort) throws IOException {
    String yaml = Files.readString(MONITORING.resolve("prometheus.yml"))
        .replace("scrape_interval: 5s", "scrape_interval: 1s")
        .replace("evaluation_interval: 5s", "evaluation_interval: 1s")
        .replace("alerts/*.yml", MONITORING.resolve("alerts").toAbsolutePath() + "/*.yml")
        .replace("- embedding:9400\n          - learner:9400", "- 127.0.0.1:" + metricsPort);
    assertTrue(yaml.contains("127.0.0.1:" + metricsPort), "the test must point monitoring/prometheus.yml at us");
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, yaml);
    return file;
  }

  /** Every panel target of every dashboard, and both sides of every alert comparison. */
  static Set<String> expressions() throws IOException {
    Set<String> out = new LinkedHashSet<>();
    try (var files = Files.list(MONITORING.resolve("grafana/dashboards"))) {
      for (Path f : files.sorted().toList()) {
        for (JsonNode panel : JsonSerde.MAPPER.readTree(f.toFile()).get("panels")) {
          for (JsonNode target : panel.get("targets")) {
            out.add(target.get("expr").asText());
          }
        }
      }
    }
    JsonNode rules = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(
            MONITORING.resolve("alerts/semistream.yml").toFile());
    for (JsonNode group : rules.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        out.addAll(comparisonSides(rule.get("expr").asText()));
      }
    }
    return out;
  }

  /** An alert fires only when its comparison holds; each side must still return data on its own. */
  static List<String> comparisonSides(String expr) {
    int depth = 0;
    for (int i = expr.length() - 1; i >= 0; i--) {
      char c = expr.charAt(i);
      if (c == ')' || c == ']' || c == '}') {
        depth++;
      } else if (c == '(' || c == '[' || c == '{') {
        depth--;
      } else if (depth == 0) {
        for (String op : List.of(" >= ", " <= ", " == ", " != ", " > ", " < ")) {
          if (expr.startsWith(op, i - op.length() + 1)) {
            int at = i - op.length() + 1;
            return List.of(expr.substring(0, at).trim(), expr.substring(at + op.length()).trim());
          }
        }
      }
    }
    return List.of(expr);
  }

  private List<String> awaitData(String prom, Set<String> expressions, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> missing = new ArrayList<>(expressions);
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      List<String> still = new ArrayList<>();
      for (String e : missing) {
        JsonNode r = query(prom, e);
        assertEquals("success", r.get("status").asText(), "does not parse: " + e + " -> " + r);
        JsonNode result = r.get("data").get("result");
        boolean hasData = r.get("data").get("resultType").asText().equals("scalar") || result.size() > 0;
        if (!hasData) {
          still.add(e);
        }
      }
      missing = still;
      if (!missing.isEmpty()) {
        Thread.sleep(2_000);
      }
    }
    return missing;
  }

  private JsonNode query(String prom, String expr) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prom + "/api/v1/query?query="
        + URLEncoder.encode(expr, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return JsonSerde.MAPPER.readTree(r.body());
  }

  private boolean alertFiring(String prom, String name) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prom + "/api/v1/alerts")).build(),
        HttpResponse.BodyHandlers.ofString());
    for (JsonNode alert : JsonSerde.MAPPER.readTree(r.body()).get("data").get("alerts")) {
      if (alert.get("labels").get("alertname").asText().equals(name) && alert.get("state").asText().equals("firing")) {
        return true;
      }
    }
    return false;
  }

  private void awaitReady(String prom) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(prom + "/-/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("prometheus did not become ready; see " + dir.resolve("prometheus.log"));
  }

  private static void replay(TestKafka kafka, Dataset d, ReplayOptions options) throws Exception {
    Replayer.publish(kafka.clients(), kafka.topics(), d, options, System.err);
  }

  private int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(
        dir.resolve("promtool-" + System.nanoTime() + ".log").toFile()).start();
    return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
