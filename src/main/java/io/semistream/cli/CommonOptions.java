package io.semistream.cli;

import io.semistream.config.SemistreamConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command shares: where the configuration comes from and a few common overrides. */
public final class CommonOptions {
  @Option(names = {"-c", "--config"}, description = "Properties file (see config/semistream.properties).")
  Path configFile;

  @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers; none: the embedded broker.")
  String bootstrapServers;

  @Option(names = {"-D", "--set"}, description = "Override one configuration key, e.g. -D embedding.batch.size=32.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** File, then environment (SEMISTREAM_*), then -D overrides, then --bootstrap-servers; validated once. */
  public SemistreamConfig load() {
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    overrides.forEach((k, v) -> env.put(SemistreamConfig.ENV_PREFIX + k.toUpperCase().replace('.', '_'), v));
    SemistreamConfig config = SemistreamConfig.load(configFile, env);
    return bootstrapServers == null ? config : config.withBootstrapServers(bootstrapServers);
  }
}
