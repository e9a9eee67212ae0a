package io.semistream.evaluation;

import io.semistream.data.Dataset;
import io.semistream.records.Prediction;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.ReplayPlan;
import io.semistream.replay.Replayer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every replayed image as one CSV row: its true class, whether it was labelled (by the plan or on request) or of a
 * held-out class, the final prediction (class, confidence, margin, status, encoder version) and the final
 * embedding. Why: questions the report does not answer (is another confidence rule a better ranking? which classes
 * get confused?) can then be studied offline on the same run instead of paying for another eval.
 */
final class PerImageCsv {
  private PerImageCsv() {
  }

  static void write(Path file, Dataset d, ReplayOptions o, ReplayPlan plan, PredictionLog log)
      throws IOException {
    write(file, d, o, plan, log.latest, log.latestEmbeddings, log.embeddingVersion);
  }

  /**
   * @param latest each image's final prediction (by image id)
   * @param embeddings each image's final embedding
   * @param versions the encoder version of each final embedding
   */
  static void write(Path file, Dataset d, ReplayOptions o, ReplayPlan plan, Map<String, Prediction> latest,
      Map<String, float[]> embeddings, Map<String, Integer> versions) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      w.write("position,index,class,labelled,heldOut,predicted,status,confidence,margin,anomalyScore,"
          + "embeddingVersion,embedding\n");
      for (int i = 0; i < plan.size(); i++) {
        int idx = plan.order()[i];
        String id = Replayer.imageId(o, idx);
        Prediction p = latest.get(id);
        float[] e = embeddings.get(id);
        StringBuilder row = new StringBuilder();
        row.append(i).append(',').append(idx).append(',').append(d.label(idx)).append(',')
            .append(plan.labelled()[i] ? 1 : 0).append(',').append(o.unlabelledClasses().contains(d.label(idx)) ? 1 : 0)
            .append(',');
        if (p == null) {
          row.append(",,,,,");
        } else {
          row.append(d.classNames().indexOf(p.className())).append(',').append(p.status()).append(',')
              .append(p.confidence()).append(',').append(p.margin()).append(',')
              .append(p.anomalyScore() == null ? "" : p.anomalyScore()).append(',');
        }
        row.append(e == null ? "" : versions.get(id)).append(',');
        if (e != null) {
          for (int k = 0; k < e.length; k++) {
            row.append(k == 0 ? "" : " ").append(e[k]);
          }
        }
        w.write(row.append('\n').toString());
      }
    }
  }
}
