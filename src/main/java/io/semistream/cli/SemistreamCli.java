package io.semistream.cli;

import io.semistream.config.InvalidConfigurationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: every capability is a subcommand; {@code main} only parses and dispatches. */
// scope INHERIT: every subcommand (embed, learn, topics apply, ...) answers --help and --version too.
@Command(name = "semistream", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
    version = "semistream 0.1.0",
    description = "Label-efficient learning on live image streams (Kafka + DJL).",
    subcommands = {RunCommand.class, TopicsCommand.class, ReplayCommand.class, TrainCommand.class,
        EmbedCommand.class, BrokerCommand.class, BenchCommand.class, EvalCommand.class, LearnCommand.class,
        TrainerCommand.class, SemanticsCommand.class})
public final class SemistreamCli implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SemistreamCli());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof InvalidConfigurationException) {
        commandLine.getErr().println(e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
