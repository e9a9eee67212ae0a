package io.semistream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Single-role commands join a cluster; without one they say so instead of starting a private broker. */
class ClusterOnlyCommandsTest {
  @ParameterizedTest
  @ValueSource(strings = {"embed", "learn", "trainer", "replay", "topics apply"})
  void shouldAskForBootstrapServersInsteadOfStartingAPrivateBroker(String command) {
    CommandLine cli = SemistreamCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute((command + " -D metrics.port=-1").split(" ")));
    assertTrue(err.toString().contains("joins a running Kafka cluster: give --bootstrap-servers"), err.toString());
  }
}
