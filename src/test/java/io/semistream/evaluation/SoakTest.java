package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SoakTest {
  private static final long MIB = 1 << 20;

  private static Soak.Sample at(long images, long rssMiB, long heapMiB) {
    return new Soak.Sample(images / 100.0, images, images, rssMiB * MIB, heapMiB * MIB, heapMiB * MIB / 2, 0, 0);
  }

  @Test
  void shouldJudgeFlatnessOnlyAfterTheWarmUp() {
    Soak.Result r = new Soak.Result(List.of(at(0, 100, 50), at(50_000, 400, 200), at(100_000, 1000, 600),
        at(200_000, 1100, 600), at(300_000, 1000, 600)), 100_000, 3000);

    assertEquals(3, r.afterWarmUp().size(), "samples before the warm-up's end are left out");
    assertEquals(100.0 * (1100 - 1000) / ((1000 + 1100 + 1000) / 3.0), r.spreadPercent(Soak.Sample::rssBytes), 1e-9);
    assertEquals(0, r.slopePer100k(Soak.Sample::rssBytes), 1e-6, "up and back down again: no trend");
    assertEquals(400 * MIB, r.afterWarmUp().get(0).nativeBytes(), "native = resident - heap committed");
    assertEquals(100, r.imagesPerSecond(), 1e-9);
  }

  @Test
  void shouldReportAGrowingMeasureAsATrendPerHundredThousandImages() {
    Soak.Result r = new Soak.Result(List.of(at(0, 100, 100), at(100_000, 200, 100), at(200_000, 300, 100),
        at(300_000, 400, 100)), 0, 3000);

    assertEquals(100 * MIB, r.slopePer100k(Soak.Sample::rssBytes), 1e-3);
    assertEquals(0, r.spreadPercent(Soak.Sample::heapCommittedBytes), 1e-9);
    assertTrue(r.spreadPercent(Soak.Sample::rssBytes) > 100, "300 MiB of growth around a 250 MiB mean");
  }

  @Test
  void shouldDrawEveryMeasureAsALine() {
    String svg = Soak.svg(new Soak.Result(List.of(at(0, 100, 50), at(1000, 120, 60)), 0, 10));
    assertEquals(4, svg.split("<polyline").length - 1);
    assertTrue(svg.startsWith("<svg") && svg.trim().endsWith("</svg>"));
  }
}
