package io.semistream.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code semistream_learner_state{state}}: 1 for the Kafka Streams state the learner is in, 0 for the others
 * (Prometheus' state-set pattern, seven bounded tag values). {@code KafkaStreamsMetrics} exports only numeric
 * client metrics, and Streams' own {@code state} metric is a string, so without this an operator cannot alert
 * on a learner that is REBALANCING for too long or has gone to ERROR while its process is still up.
 */
public final class StreamsStateMetrics implements MeterBinder {
  private final Supplier<KafkaStreams.State> state;

  public StreamsStateMetrics(Supplier<KafkaStreams.State> state) {
    this.state = state;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (KafkaStreams.State s : KafkaStreams.State.values()) {
      Gauge.builder("semistream.learner.state", () -> state.get() == s ? 1 : 0)
          .tag("state", s.name().toLowerCase(Locale.ROOT))
          .description("1 for the Kafka Streams state the learner is in, 0 for the others").register(registry);
    }
  }
}
