package io.semistream.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.semistream.testing.ProjectPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The monitoring files, read statically (MonitoringIT runs them against a real Prometheus). */
class AlertExpressionsTest {
  private static final Path MONITORING = ProjectPaths.root().resolve("monitoring");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void shouldFilterEveryPanelByJobAndInstanceAndUseTheRateInterval() throws Exception {
    var panels = MonitoringIT.panelExpressions();
    assertTrue(panels.size() >= 30, "found " + panels.size());
    // substitute() asserts the variables and the absence of fixed windows for each expression.
    var expanded = MonitoringIT.substitute(panels, ".*");
    assertTrue(expanded.values().stream().anyMatch(e -> e.contains(
        "max by (job, instance) (process_memory_rss_bytes{job=~\".*\",instance=~\".*\"}) - on (job, instance)")),
        "native memory is computed per instance");
    for (Path f : Files.list(MONITORING.resolve("grafana/dashboards")).toList()) {
      JsonNode vars = YAML.readTree(f.toFile()).get("templating").get("list");
      List<String> names = new ArrayList<>();
      vars.forEach(v -> names.add(v.get("name").asText()));
      assertEquals(List.of("job", "instance"), names, f.toString());
    }
  }

  @Test
  void shouldGiveEveryAlertASummaryADescriptionARunbookSectionAndAFiringTest() throws Exception {
    String runbooks = Files.readString(MONITORING.resolve("README.md"));
    String tests = Files.readString(MONITORING.resolve("alerts/tests/semistream-test.yml"));
    JsonNode groups = YAML.readTree(MONITORING.resolve("alerts/semistream.yml").toFile()).get("groups");
    int alerts = 0;
    for (JsonNode group : groups) {
      for (JsonNode rule : group.get("rules")) {
        String name = rule.get("alert").asText();
        alerts++;
        JsonNode a = rule.get("annotations");
        assertTrue(a.hasNonNull("summary") && a.hasNonNull("description"), name + " lacks summary or description");
        assertEquals("monitoring/README.md#" + name.toLowerCase(Locale.ROOT), a.path("runbook_url").asText(), name);
        assertTrue(runbooks.contains("\n### " + name + "\n"), "monitoring/README.md lacks the runbook of " + name);
        assertTrue(tests.contains("alertname: " + name + "\n        exp_alerts:\n          - exp_labels:"),
            "alerts/tests/semistream-test.yml never makes " + name + " fire");
        assertTrue(tests.contains("alertname: " + name + ", exp_alerts: []}"),
            "alerts/tests/semistream-test.yml never checks " + name + " quiet on the healthy stream");
      }
    }
    assertEquals(13, alerts);
  }

  @Test
  void shouldFindTheMetricsEveryAlertReads() throws Exception {
    var names = MonitoringIT.alertMetricNames();
    assertTrue(names.containsAll(List.of("up", "semistream_learner_state", "kafka_stream_failed_stream_threads_total",
        "semistream_model_info", "semistream_learner_deadlettered_total")), names.toString());
  }
}
