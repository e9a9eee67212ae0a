package io.semistream.evaluation;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A poor man's profiler for stalls: every few milliseconds, what each thread of interest is doing (its innermost
 * frames that are not JDK internals). A latency bench asks afterwards what those threads did while a burst of slow
 * images waited, which names the stall's cause instead of guessing it.
 */
final class StackSampler implements AutoCloseable {
  /** One observation: when (System.nanoTime()), which thread, and where it was. */
  record Sample(long at, String thread, String where) {
  }

  /** Samples of where each thread was; every {@link #CPU_EVERY}th round also the whole process's CPU per thread. */
  private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
  private final List<ThreadCpu.Snapshot> cpu = Collections.synchronizedList(new ArrayList<>());
  /**
   * Rounds between CPU snapshots: reading every thread's /proc stat costs about a millisecond, so only every
   * 100 ms or so, enough to say who had the cores during a stall of a few hundred.
   */
  private static final int CPU_EVERY = 20;
  private final Thread thread;
  private volatile boolean running = true;

  private StackSampler(Predicate<String> threads, long periodMillis) {
    ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    thread = new Thread(() -> {
      long[] ids = new long[0];
      long idsAt = 0;
      long round = 0;
      while (running) {
        if (round++ % CPU_EVERY == 0) {
          cpu.add(ThreadCpu.snapshot());
        }
        long now = System.nanoTime();
        if (now - idsAt > 1_000_000_000L) {
          // Stacks of the threads of interest only: a dump of every thread stops the JVM for longer, and a
          // sampler must not make the stalls it is looking for.
          ids = Thread.getAllStackTraces().keySet().stream().filter(t -> threads.test(t.getName()))
              .mapToLong(Thread::getId).toArray();
          idsAt = now;
        }
        for (ThreadInfo info : ids.length == 0 ? new ThreadInfo[0] : bean.getThreadInfo(ids, 64)) {
          if (info != null) {
            samples.add(new Sample(now, info.getThreadName(), where(info)));
          }
        }
        try {
          Thread.sleep(periodMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "stack-sampler");
    thread.setDaemon(true);
  }

  static StackSampler start(Predicate<String> threads, long periodMillis) {
    StackSampler s = new StackSampler(threads, periodMillis);
    s.thread.start();
    return s;
  }

  /**
   * The innermost two frames that are not JDK internals, plus the innermost two frames of the project's own code
   * (the callers that matter when the innermost frames are a library's: who parses, who waits), and the state.
   */
  private static String where(ThreadInfo info) {
    StringBuilder s = new StringBuilder(info.getThreadState().toString());
    int kept = 0;
    int own = 0;
    for (StackTraceElement e : info.getStackTrace()) {
      String c = e.getClassName();
      if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) {
        continue;
      }
      boolean project = c.startsWith("io.semistream.");
      if (kept < 2 || (project && own < 2)) {
        s.append(kept == 0 ? " " : kept < 2 || own > 0 ? " < " : " ... ").append(c.substring(c.lastIndexOf('.') + 1))
            .append('.').append(e.getMethodName());
        kept++;
        own += project ? 1 : 0;
      }
      if (own == 2 && kept >= 2) {
        break;
      }
    }
    return s.toString();
  }

  /** Per thread, the most frequent places between two instants, with their share of that thread's samples. */
  String between(long from, long to, int top) {
    Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
    synchronized (samples) {
      for (Sample s : samples) {
        if (s.at() >= from && s.at() <= to) {
          counts.computeIfAbsent(s.thread(), k -> new java.util.HashMap<>()).merge(s.where(), 1, Integer::sum);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    counts.forEach((thread, places) -> {
      int total = places.values().stream().mapToInt(Integer::intValue).sum();
      out.append("\n    ").append(thread).append(" (").append(total).append(" samples):");
      places.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
          .forEach(e -> out.append(String.format("%n      %3.0f %% %s", 100.0 * e.getValue() / total, e.getKey())));
    });
    return out.toString();
  }

  /**
   * The whole process's CPU per thread name over the snapshots that enclose {@code from}..{@code to} (the
   * compilers, the broker and the trainer included, which the stack samples do not cover), or "unavailable".
   */
  String cpuBetween(long from, long to, int busiest) {
    ThreadCpu.Snapshot[] window;
    synchronized (cpu) {
      window = enclosing(cpu, from, to);
    }
    return window == null ? "unavailable" : ThreadCpu.between(window[0], window[1]).describe(busiest);
  }

  /**
   * The last snapshot at or before {@code from} (else the first) and the first at or after {@code to} (else the
   * last), from snapshots in time order; null when they do not make a window.
   */
  static ThreadCpu.Snapshot[] enclosing(List<ThreadCpu.Snapshot> snapshots, long from, long to) {
    ThreadCpu.Snapshot first = null;
    ThreadCpu.Snapshot last = null;
    for (ThreadCpu.Snapshot s : snapshots) {
      if (first == null || s.nanos() <= from) {
        first = s;
      }
      if (last == null || last.nanos() < to) {
        last = s;
      }
    }
    return first == null || last.nanos() <= first.nanos() ? null : new ThreadCpu.Snapshot[] {first, last};
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
