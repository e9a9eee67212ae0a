package io.semistream.cli;

import io.semistream.training.ModelBootstrap;

import ai.djl.Device;
import io.semistream.config.SemistreamConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model}: a version directory, or by default the newest under model.dir (trained first if none). */
final class ModelOption {
  @Option(names = "--model", description = "A model version directory (default: newest under model.dir).")
  Path versionDir;

  Path resolve(SemistreamConfig config, Device device, PrintStream terminal) throws IOException {
    return versionDir != null ? versionDir : ModelBootstrap.latestOrTrain(config, device, new TerminalProgress(terminal));
  }
}
