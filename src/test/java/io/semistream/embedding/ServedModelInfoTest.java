package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServedModelInfoTest {
  @Test
  void shouldReplaceTheServedVersionsSeriesOnASwitch() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ServedModelInfo info = new ServedModelInfo(registry);
    info.serving("conv-ae-64", 1, "cpu");
    info.serving("conv-ae-64", 2, "cpu");
    List<Gauge> series = List.copyOf(registry.find("semistream.model.info").gauges());
    assertEquals(1, series.size(), "only the version served now");
    assertEquals("2", series.get(0).getId().getTag("version"));
    assertEquals(1.0, series.get(0).value());
  }
}
