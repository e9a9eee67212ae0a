package io.semistream.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU this process spent between two snapshots, per thread name (Linux {@code /proc/self/task}), native threads
 * included: PyTorch's OpenMP team and the in-process broker's threads, which a JVM thread bean does not see. The bench
 * uses it to show who shares the two cores with the forward pass, and that nothing of a closed service keeps running.
 */
public final class ThreadCpu {
  private static final Path TASKS = Path.of("/proc/self/task");
  /** Linux's USER_HZ; the same on every mainstream architecture. */
  private static final double TICKS_PER_SECOND = 100;

  /** User + system ticks per thread name at one moment, and how many threads there were. */
  public record Snapshot(Map<String, Long> ticks, int threads, long nanos) {}

  private ThreadCpu() {}

  public static Snapshot snapshot() {
    Map<String, Long> ticks = new HashMap<>();
    int[] threads = {0};
    try (Stream<Path> tasks = Files.list(TASKS)) {
      tasks.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int close = stat.lastIndexOf(')');
          // Pool members differ only in trailing digits: group them.
          String name = stat.substring(stat.indexOf('(') + 1, close).replaceAll("[-_ ]?\\d+$", "");
          String[] fields = stat.substring(close + 2).split(" ");
          // After the name: state is field 3 of stat(5), utime 14 and stime 15, so indices 11 and 12 here.
          ticks.merge(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
          threads[0]++;
        } catch (IOException | RuntimeException e) {
          // The thread ended between listing and reading it.
        }
      });
    } catch (IOException e) {
      // Not Linux: an empty snapshot, reported as unavailable.
    }
    return new Snapshot(ticks, threads[0], System.nanoTime());
  }

  /** CPU (% of one core) per thread name over a window, and the thread count at its end. */
  public record Usage(Map<String, Double> percentByName, int threads, double seconds) {
    public double total() {
      return percentByName.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The JIT's compiler threads (HotSpot names them "C1 CompilerThread0", "C2 CompilerThread0", ...). */
    public double compilers() {
      return percentByName.entrySet().stream().filter(e -> e.getKey().matches("C\\d CompilerThre.*"))
          .mapToDouble(Map.Entry::getValue).sum();
    }

    /** The whole, the thread count and the {@code busiest} names. */
    public String describe(int busiest) {
      if (threads == 0) {
        return "thread CPU: unavailable (no /proc/self/task)";
      }
      String top = percentByName.entrySet().stream().filter(e -> e.getValue() >= 0.5)
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(busiest)
          .map(e -> String.format(Locale.ROOT, "%s %.0f %%", e.getKey(), e.getValue()))
          .collect(Collectors.joining(", "));
      return String.format(Locale.ROOT, "%.0f %% of one core over %.1f s, %d threads%s", total(), seconds, threads,
          top.isEmpty() ? "" : " (" + top + ")");
    }
  }

  /** What the process spent since {@code before}. */
  public static Usage since(Snapshot before) {
    return between(before, snapshot());
  }

  /** What the process spent from {@code before} to {@code now}. */
  public static Usage between(Snapshot before, Snapshot now) {
    double seconds = (now.nanos() - before.nanos()) / 1e9;
    Map<String, Double> used = new HashMap<>();
    // A group whose member ended in the window can come out negative: count it as nothing.
    now.ticks().forEach((name, t) -> used.put(name,
        percent(Math.max(0, t - before.ticks().getOrDefault(name, 0L)), seconds)));
    return new Usage(used, now.threads(), seconds);
  }

  private static double percent(long ticks, double seconds) {
    return 100 * ticks / TICKS_PER_SECOND / seconds;
  }
}
