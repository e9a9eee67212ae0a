package io.semistream.embedding;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.semistream.model.EmbeddingModel;
import java.util.List;

/**
 * {@code semistream_model_info{model,version,device} 1}: the encoder version this service serves right now. A
 * hot swap replaces the series (the old version's series disappears), so dashboards and the model-changed
 * alert see the switch instead of the version the process started with.
 */
final class ServedModelInfo {
  private final MultiGauge gauge;

  ServedModelInfo(MeterRegistry registry) {
    this.gauge = MultiGauge.builder("semistream.model.info").description("The model being served (value is always 1)")
        .register(registry);
  }

  void serving(EmbeddingModel model) {
    serving(model.descriptor().id(), model.descriptor().version(), model.device().isGpu() ? "gpu" : "cpu");
  }

  void serving(String model, int version, String device) {
    gauge.register(List.of(MultiGauge.Row.of(Tags.of("model", model, "version", Integer.toString(version),
        "device", device), 1)), true);
  }
}
