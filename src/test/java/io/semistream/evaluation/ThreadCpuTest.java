package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
  @Test
  void shouldChargeABusyThreadsCpuToItsNameWithoutThePoolNumber() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
    CountDownLatch spun = new CountDownLatch(1);
    CountDownLatch measured = new CountDownLatch(1);
    Thread spinner = new Thread(() -> {
      var bean = ManagementFactory.getThreadMXBean();
      long until = bean.getCurrentThreadCpuTime() + 300_000_000L;
      double sink = 0;
      while (bean.getCurrentThreadCpuTime() < until) {
        sink += Math.sqrt(sink + 1);
      }
      spun.countDown();
      try {
        // Alive until measured: an ended thread's CPU leaves /proc with it.
        measured.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "spinner-7");
    ThreadCpu.Snapshot before = ThreadCpu.snapshot();
    spinner.start();
    spun.await();
    ThreadCpu.Usage usage = ThreadCpu.since(before);
    measured.countDown();
    spinner.join();

    double cpuSeconds = usage.percentByName().getOrDefault("spinner", 0.0) / 100 * usage.seconds();
    // 300 ms of its own CPU, counted in 10 ms ticks.
    assertTrue(cpuSeconds >= 0.25 && cpuSeconds <= 0.5, "spinner's CPU seconds: " + cpuSeconds + " in " + usage);
    assertTrue(usage.threads() > 1, usage.describe(3));
    assertTrue(usage.describe(3).contains("spinner "), usage.describe(3));
  }

  @Test
  void shouldAddUpOnlyTheJitCompilerThreads() {
    ThreadCpu.Usage usage = new ThreadCpu.Usage(Map.of("C2 CompilerThre", 24.0, "C1 CompilerThre", 5.0,
        "embedding-worke", 111.0, "Compiler watcher", 3.0), 121, 6.0);

    assertEquals(29.0, usage.compilers(), 1e-9);
    assertEquals(143.0, usage.total(), 1e-9);
    assertEquals("143 % of one core over 6.0 s, 121 threads (embedding-worke 111 %, C2 CompilerThre 24 %)",
        usage.describe(2));
  }
}
