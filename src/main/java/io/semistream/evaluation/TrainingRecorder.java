package io.semistream.evaluation;

import io.semistream.records.ModelVersion;
import io.semistream.training.OnlineTrainer;
import io.semistream.training.TrainerObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the online trainer did during an evaluation: versions judged and promoted (when), training throughput. */
final class TrainingRecorder implements TrainerObserver {
  private final long start;
  private final List<Map<String, Object>> versions = new ArrayList<>();
  private long steps;
  private long imagePasses;
  private long trainingNanos;
  private long yieldedNanos;
  private long yields;
  private double lastMaskRate;
  private float lastLoss;

  TrainingRecorder(long start) {
    this.start = start;
  }

  @Override
  public synchronized void step(OnlineTrainer.Step step, long nanos) {
    steps++;
    imagePasses += step.imagePasses();
    trainingNanos += nanos;
    lastMaskRate = step.maskRate();
    lastLoss = step.loss();
  }

  @Override
  public synchronized void yielded(long nanos) {
    yields++;
    yieldedNanos += nanos;
  }

  @Override
  public synchronized void candidate(ModelVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", v.version());
    m.put("status", v.status().name().toLowerCase(java.util.Locale.ROOT));
    m.put("atSeconds", (System.currentTimeMillis() - start) / 1000.0);
    m.put("afterSteps", v.trainedSteps());
    m.put("labelsSeen", v.labelsSeen());
    m.put("heldOutAccuracy", v.candidateAccuracy());
    m.put("servingHeldOutAccuracy", v.servingAccuracy());
    m.put("heldOut", v.heldOut());
    versions.add(m);
  }

  synchronized Map<String, Object> report(int finalVersion) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("steps", steps);
    r.put("imagePasses", imagePasses);
    r.put("imagePassesPerSecondWhileTraining", trainingNanos == 0 ? 0 : imagePasses / (trainingNanos / 1e9));
    r.put("yieldedToThePipeline", yields);
    r.put("yieldedSeconds", yieldedNanos / 1e9);
    r.put("lastLoss", lastLoss);
    r.put("lastPseudoLabelShare", lastMaskRate);
    r.put("versions", List.copyOf(versions));
    r.put("servingVersionAtEnd", finalVersion);
    return r;
  }
}
