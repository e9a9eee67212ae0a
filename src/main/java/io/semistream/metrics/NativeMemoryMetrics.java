package io.semistream.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident set size of the process (Linux /proc). PyTorch's native memory is invisible to the JVM's own
 * meters, so RSS minus the heap is how a leak of native arrays shows up.
 */
public final class NativeMemoryMetrics implements MeterBinder {
  private static final Path STATUS = Path.of("/proc/self/status");

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("process.memory.rss", NativeMemoryMetrics::rssBytes)
        .description("Resident set size of the process (heap, native libraries, PyTorch tensors)")
        .baseUnit("bytes").register(registry);
  }

  static double rssBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Double.parseDouble(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
