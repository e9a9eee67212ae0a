package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class StackSamplerTest {
  private static void holdStill(CountDownLatch release) throws InterruptedException {
    release.await();
  }

  @Test
  void shouldTellWhereTheWatchedThreadSpentTheInterval() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Thread watched = new Thread(() -> {
      try {
        holdStill(release);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "watched-thread");
    watched.start();
    for (int i = 0; i < 500 && watched.getState() != Thread.State.WAITING; i++) {
      Thread.sleep(2);   // parked in holdStill before sampling starts: every sample then sees the same place
    }
    long beforeStart = System.nanoTime();
    try (StackSampler sampler = StackSampler.start(name -> name.equals("watched-thread"), 2)) {
      long from = System.nanoTime();
      Thread.sleep(300);
      String report = sampler.between(from, System.nanoTime(), 3);
      assertTrue(report.contains("watched-thread ("), report);
      assertTrue(report.contains("100 % WAITING StackSamplerTest.holdStill < StackSamplerTest.lambda$"),
          "the place and its caller in the project's code: " + report);
      assertTrue(!report.contains("stack-sampler"), "only the watched threads: " + report);
      // The sampler may take its first sample before `from` (it starts sampling at once), never before it started.
      assertTrue(sampler.between(0, beforeStart - 1, 3).isEmpty(), "nothing before the sampler started");
    } finally {
      release.countDown();
      watched.join();
    }
  }

  private static ThreadCpu.Snapshot at(long nanos) {
    return new ThreadCpu.Snapshot(Map.of(), 1, nanos);
  }

  @Test
  void shouldTakeTheCpuWindowFromTheSnapshotsThatEncloseTheInterval() {
    ThreadCpu.Snapshot a = at(100);
    ThreadCpu.Snapshot b = at(200);
    ThreadCpu.Snapshot c = at(300);
    ThreadCpu.Snapshot d = at(400);
    List<ThreadCpu.Snapshot> snapshots = List.of(a, b, c, d);
    assertArrayEquals(new ThreadCpu.Snapshot[] {b, d}, StackSampler.enclosing(snapshots, 250, 350));
    assertArrayEquals(new ThreadCpu.Snapshot[] {b, c}, StackSampler.enclosing(snapshots, 200, 300), "exact hits");
    assertArrayEquals(new ThreadCpu.Snapshot[] {a, d}, StackSampler.enclosing(snapshots, 50, 500),
        "beyond either end: the outermost snapshots");
    assertNull(StackSampler.enclosing(List.of(a), 50, 500), "one snapshot is no window");
    assertNull(StackSampler.enclosing(List.of(), 50, 500));
  }

  @Test
  void shouldReportTheProcessCpuWhileSampling() throws Exception {
    try (StackSampler sampler = StackSampler.start(name -> false, 5)) {
      long from = System.nanoTime();
      Thread.sleep(400);   // 80 rounds: at least three CPU snapshots
      String cpu = sampler.cpuBetween(from, System.nanoTime(), 5);
      assertTrue(cpu.matches("\\d+ % of one core over \\d\\.\\d s, \\d+ threads.*"), cpu);
    }
  }
}
