package io.semistream.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.semistream.config.SemistreamConfig;
import io.semistream.data.DatasetLoader;
import io.semistream.model.DjlEngine;
import io.semistream.model.EmbeddingModel;
import io.semistream.evaluation.PrequentialEval;
import io.semistream.records.JsonSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eval}: prequential evaluation of the whole pipeline on a replayed data set. */
@Command(name = "eval", description = "Run the whole pipeline on a fresh embedded broker over a replayed data set "
    + "and report accuracy, pseudo-labels, anomalies, throughput and latency.")
final class EvalCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Mixin
  ReplayCommand.ReplayFlags replay;

  @Mixin
  ModelOption modelOption;

  @Option(names = "--zero-shot-classes", split = ",",
      description = "Class indices never labelled whose semantic vectors (the data set's attribute table) are "
          + "published: recognised zero-shot; the report adds their top-1 and the generalised (seen + unseen) scores.")
  java.util.Set<Integer> zeroShotClasses = java.util.Set.of();

  @Option(names = "--json", description = "Also write the report as JSON here.")
  Path json;

  @Option(names = "--timeout", defaultValue = "PT15M", description = "Give up after this long (ISO-8601).")
  Duration timeout;

  @Option(names = "--quiet", defaultValue = "PT12S",
      description = "Done once every image has a prediction and none changed for this long ...")
  Duration quiet;

  @Option(names = "--settle", defaultValue = "PT30S",
      description = "... or at the latest this long after the last image got its first prediction.")
  Duration settle;

  @Override
  public Integer call() throws Exception {
    SemistreamConfig config = common.load();
    Device device = DjlEngine.startFor(config.embedding());
    Path dir = modelOption.resolve(config, device, System.out);
    var options = replay.options(false);
    java.util.Set<Integer> unlabelled = new java.util.TreeSet<>(options.unlabelledClasses());
    unlabelled.addAll(zeroShotClasses);
    options = options.withHoldout(unlabelled, options.unsentClasses());
    try (EmbeddingModel model = EmbeddingModel.load(dir, device)) {
      Map<String, Object> report = new PrequentialEval(config, model, System.out).run(
          new DatasetLoader(config.dataDir()).load(options.dataset()), options, zeroShotClasses, timeout, quiet, settle);
      String text = JsonSerde.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
      System.out.println(text);
      if (json != null) {
        if (json.getParent() != null) {
          Files.createDirectories(json.getParent());
        }
        Files.writeString(json, text);
      }
    }
    return 0;
  }
}
