package io.semistream.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlertExpressionsTest {
  @Test
  void shouldSplitAnAlertOnItsTopLevelComparison() {
    assertEquals(List.of("sum(rate(a[1m])) / sum(rate(b{s!=\"x\"}[1m]))", "0.05"),
        MonitoringIT.comparisonSides("sum(rate(a[1m])) / sum(rate(b{s!=\"x\"}[1m])) > 0.05"));
    assertEquals(List.of("sum(rate(a[10m]))", "0"), MonitoringIT.comparisonSides("sum(rate(a[10m])) == 0"));
    assertEquals(List.of("deriv(max(lag >= 0)[5m:15s])", "50"),
        MonitoringIT.comparisonSides("deriv(max(lag >= 0)[5m:15s]) > 50"));
    assertEquals(List.of("(x / y)", "0.6 * (z / w)"), MonitoringIT.comparisonSides("(x / y) < 0.6 * (z / w)"));
  }

  @Test
  void shouldFindExpressionsInEveryDashboardAndRule() throws Exception {
    var all = MonitoringIT.expressions();
    assertTrue(all.size() >= 30, "found " + all.size());
    assertTrue(all.contains("max(process_memory_rss_bytes)"));
  }
}
