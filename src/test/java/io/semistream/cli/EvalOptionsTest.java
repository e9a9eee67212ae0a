package io.semistream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class EvalOptionsTest {
  @ParameterizedTest
  @ValueSource(strings = {"0", "-0.5", "1.5", "NaN"})
  void shouldRefuseALabelWindowOutsideZeroToOneBeforeStartingAnything(String window) {
    CommandLine cli = SemistreamCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute("eval", "--label-strategy", "active", "--label-budget", "10", "--label-window", window);
    assertEquals(CommandLine.ExitCode.USAGE, exit, err.toString());
    assertTrue(err.toString().contains("--label-window must be in (0, 1], not " + Double.parseDouble(window)),
        err.toString());
    assertTrue(out.toString().isEmpty(), "nothing ran: " + out);
  }
}
