package io.semistream.kafka;

import java.lang.management.ManagementFactory;
import java.util.function.DoubleSupplier;

/**
 * The machine's recent CPU load over all cores (0 to 1), as the JVM reports it (container-aware), sampled at most
 * once per period and shared by every caller: the JVM computes the load since its previous call, so one sampler
 * with a steady period gives a steady window. NaN where the JVM cannot tell. What decides whether a transaction
 * commits early: a commit's cost is CPU, on both sides of the connection, and only a busy machine pays for it.
 */
public final class MachineCpuLoad implements DoubleSupplier {
  /** One per process: every stream thread and worker reads the same sample. */
  public static final MachineCpuLoad SHARED = new MachineCpuLoad(100);

  private final com.sun.management.OperatingSystemMXBean os;
  private final long periodNanos;
  private long sampledAt;
  private double load = Double.NaN;

  private MachineCpuLoad(long periodMs) {
    this.os = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean o
        ? o : null;
    this.periodNanos = periodMs * 1_000_000L;
    this.sampledAt = System.nanoTime() - periodNanos;
  }

  @Override
  public synchronized double getAsDouble() {
    long now = System.nanoTime();
    if (os != null && now - sampledAt >= periodNanos) {
      double sample = os.getCpuLoad();
      load = sample >= 0 && sample <= 1 ? sample : Double.NaN;
      sampledAt = now;
    }
    return load;
  }
}
