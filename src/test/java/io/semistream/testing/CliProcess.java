package io.semistream.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * A semistream command in a JVM of its own (this test's class path), so that a crash test can SIGKILL it; its
 * output goes to {@code log}.
 */
public final class CliProcess {
  private CliProcess() {
  }

  public static Process start(Path log, String maxHeap, String... arguments) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + maxHeap, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
        "io.semistream.cli.SemistreamCli"));
    cmd.addAll(List.of(arguments));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * Reads {@code counter} until it has brought nothing for a second: after a kill, everything the killed process
   * committed is then counted, so that a campaign's next target is the next process' own work.
   */
  public static long drain(Consumer<byte[], byte[]> counter) {
    long n = 0;
    for (int quiet = 0; quiet < 10; ) {
      int polled = counter.poll(Duration.ofMillis(100)).count();
      n += polled;
      quiet = polled == 0 ? quiet + 1 : 0;
    }
    return n;
  }
}
