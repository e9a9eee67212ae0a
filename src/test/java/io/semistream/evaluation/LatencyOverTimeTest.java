package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyOverTimeTest {
  private static final long START = 1_000_000;

  @Test
  @SuppressWarnings("unchecked")
  void shouldSeparateAColdStartFromTheWarmMinutesByWhenImagesWereSent() {
    List<LatencyOverTime.Sample> samples = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      samples.add(new LatencyOverTime.Sample(START + i * 100, 20_000 - i * 100));   // the first 10 s: a queue
    }
    for (int i = 0; i < 200; i++) {
      samples.add(new LatencyOverTime.Sample(START + 60_000 + i * 10, 100 + i % 100));
    }
    samples.add(new LatencyOverTime.Sample(START + 185_000, 700));   // a third minute left empty before it

    Map<String, Object> r = LatencyOverTime.report(samples, START);

    List<Map<String, Object>> minutes = (List<Map<String, Object>>) r.get("latencyByMinute");
    assertEquals(List.of(0L, 60L, 180L), minutes.stream().map(m -> m.get("fromSecond")).toList(),
        "a minute without images is left out");
    assertEquals(100, minutes.get(0).get("images"));
    assertEquals(20_000.0, minutes.get(0).get("max"));
    assertEquals(15_000.0, minutes.get(0).get("p50"));
    assertEquals(149.0, minutes.get(1).get("p50"));
    assertEquals(198.0, minutes.get(1).get("p99"));
    assertEquals(19_700.0, r.get("latencyMsP99"), "every image: the cold minute holds the top third");
    assertEquals(175.0, r.get("latencyMsP50"));
    assertEquals(201, r.get("warmImages"), "only images sent a minute or more after the start");
    assertEquals(199.0, r.get("warmLatencyMsP99"));
    assertEquals(150.0, r.get("warmLatencyMsP50"), "the 700 ms image of the third minute counts too");
  }

  @Test
  void shouldCountAnImageStampedBeforeTheStartAsColdAndReportNoWarmPartWithoutOne() {
    Map<String, Object> r = LatencyOverTime.report(
        List.of(new LatencyOverTime.Sample(START - 5, 300), new LatencyOverTime.Sample(START + 59_999, 400)), START);
    assertEquals(0, r.get("warmImages"));
    assertTrue(Double.isNaN((Double) r.get("warmLatencyMsP99")));
  }
}
