package io.semistream.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Image → first prediction latency by when the image was sent, minute by minute, and over the images sent after the
 * first minute. Why: the whole run's p95 and p99 were read as the stalls after each promotion, but on this machine
 * they were mostly the cold start. For the first 10–40 s the learner predicted 50–80 images a second while 150
 * arrived (the trainer's first steps take the cores from a JVM still compiling its code: without the trainer the
 * first minute's p99 was 1.5 s), so the first 1,500–4,000 images waited up to 20 s. That was 5–40 % of a run, more
 * than its 5 %. The minutes show where a tail comes from; "warm" compares settings without the start-up that every
 * run pays once.
 */
final class LatencyOverTime {
  /** The window, and how long after the start an image must have been sent to count as warm. */
  static final long WINDOW_MS = 60_000;

  private LatencyOverTime() {
  }

  /** One image: sent at {@code sentAt} (ms, wall clock), its first prediction {@code latencyMs} later. */
  record Sample(long sentAt, long latencyMs) {
  }

  /**
   * {@code latencyMsP50} / {@code P95} / {@code P99}: over every image. {@code latencyByMinute}: per window of sent time from {@code start}, images, p50, p99 and max (ms); windows without
   * images are left out. {@code warmLatencyMs*}: p50, p95 and p99 of the images sent at least a window after {@code start}
   * (NaN when none were).
   */
  static Map<String, Object> report(List<Sample> samples, long start) {
    Map<Long, List<Long>> windows = new TreeMap<>();
    List<Long> warm = new ArrayList<>();
    long[] all = new long[samples.size()];
    int i = 0;
    for (Sample s : samples) {
      all[i++] = s.latencyMs();
      long window = Math.max(0, s.sentAt() - start) / WINDOW_MS;
      windows.computeIfAbsent(window, w -> new ArrayList<>()).add(s.latencyMs());
      if (window > 0) {
        warm.add(s.latencyMs());
      }
    }
    List<Map<String, Object>> byMinute = new ArrayList<>();
    windows.forEach((window, latencies) -> {
      long[] ms = latencies.stream().mapToLong(Long::longValue).toArray();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("fromSecond", window * WINDOW_MS / 1000);
      row.put("images", ms.length);
      row.put("p50", Metrics.percentile(ms, 0.50));
      row.put("p99", Metrics.percentile(ms, 0.99));
      row.put("max", Metrics.percentile(ms, 1.0));
      byMinute.add(row);
    });
    long[] warmMs = warm.stream().mapToLong(Long::longValue).toArray();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("latencyMsP50", Metrics.percentile(all, 0.50));
    out.put("latencyMsP95", Metrics.percentile(all, 0.95));
    out.put("latencyMsP99", Metrics.percentile(all, 0.99));
    out.put("warmImages", warmMs.length);
    out.put("warmLatencyMsP50", Metrics.percentile(warmMs, 0.50));
    out.put("warmLatencyMsP95", Metrics.percentile(warmMs, 0.95));
    out.put("warmLatencyMsP99", Metrics.percentile(warmMs, 0.99));
    out.put("latencyByMinute", byMinute);
    return out;
  }
}
