package io.semistream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class HelpOptionTest {
  @ParameterizedTest
  @ValueSource(strings = {"run", "embed", "learn", "trainer", "broker", "topics", "topics apply", "replay", "train", "bench",
      "eval"})
  void shouldPrintUsageAndExitZeroForHelpOnEveryCommand(String command) {
    CommandLine cli = SemistreamCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    String[] args = (command + " --help").split(" ");
    assertEquals(0, cli.execute(args), err.toString());
    assertTrue(out.toString().startsWith("Usage: semistream " + command), out.toString());
    assertTrue(err.toString().isEmpty(), err.toString());
  }
}
