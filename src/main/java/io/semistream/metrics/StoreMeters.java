package io.semistream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The one meter both Streams services share for state: store names are fixed in code, so the tag is bounded. */
final class StoreMeters {
  private StoreMeters() {
  }

  static void unreadable(MeterRegistry registry, String store) {
    Counter.builder("semistream.store.entries.unreadable").tag("store", store)
        .description("State store entries that could not be decoded (junk written to a changelog), read as absent")
        .register(registry).increment();
  }
}
