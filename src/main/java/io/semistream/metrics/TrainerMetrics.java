package io.semistream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.semistream.records.ModelVersion;
import io.semistream.training.OnlineTrainer;
import io.semistream.training.TrainerObserver;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The online trainer's meters: steps and image passes (throughput), losses, reservoirs, candidates by outcome. */
public final class TrainerMetrics implements MeterBinder, TrainerObserver {
  private Timer steps;
  private Counter imagePasses;
  private Counter skipped;
  private Counter restarts;
  private Counter yielded;
  private final Map<ModelVersion.Status, Counter> candidates = new EnumMap<>(ModelVersion.Status.class);
  private final AtomicLong lossMicros = new AtomicLong();
  private final AtomicLong maskPermille = new AtomicLong();
  private final AtomicLong labelled = new AtomicLong();
  private final AtomicLong heldOut = new AtomicLong();
  private final AtomicLong recent = new AtomicLong();
  private final AtomicLong servingVersion = new AtomicLong();
  private final AtomicLong heldOutAccuracyPermille = new AtomicLong(-1);

  @Override
  public void bindTo(MeterRegistry r) {
    steps = Timer.builder("semistream.trainer.step").description("Training steps (forward + backward + update)")
        .register(r);
    imagePasses = Counter.builder("semistream.trainer.image.passes")
        .description("Images passed through the network while training (throughput)").register(r);
    skipped = Counter.builder("semistream.trainer.steps.skipped")
        .description("Steps whose loss was not finite: the weights were left unchanged").register(r);
    restarts = Counter.builder("semistream.trainer.restarts")
        .description("Times the trainer's weights stopped being finite and it started again from the serving version")
        .register(r);
    yielded = Counter.builder("semistream.trainer.yielded").baseUnit("seconds")
        .description("Time the trainer waited before a step because the pipeline was behind (trainer.yield.max.lag)")
        .register(r);
    for (ModelVersion.Status s : ModelVersion.Status.values()) {
      candidates.put(s, Counter.builder("semistream.trainer.candidates")
          .tag("status", s.name().toLowerCase(java.util.Locale.ROOT))
          .description("Candidate encoder versions judged on held-out labels, by outcome").register(r));
    }
    Gauge.builder("semistream.trainer.loss", lossMicros, v -> v.get() / 1e6).description("Last step's total loss")
        .register(r);
    Gauge.builder("semistream.trainer.pseudo.label.share", maskPermille, v -> v.get() / 1e3)
        .description("Share of unlabelled images confident enough for the consistency loss, last step")
        .register(r);
    Gauge.builder("semistream.trainer.reservoir.images", labelled, AtomicLong::get).tag("reservoir", "labelled")
        .register(r);
    Gauge.builder("semistream.trainer.reservoir.images", heldOut, AtomicLong::get).tag("reservoir", "held-out")
        .register(r);
    Gauge.builder("semistream.trainer.reservoir.images", recent, AtomicLong::get).tag("reservoir", "recent")
        .register(r);
    Gauge.builder("semistream.trainer.serving.version", servingVersion, AtomicLong::get)
        .description("Encoder version the trainer last promoted (or started from)").register(r);
    Gauge.builder("semistream.trainer.heldout.accuracy", heldOutAccuracyPermille, v -> v.get() / 1e3)
        .description("Held-out accuracy of the last promoted version (-0.001 before any)").register(r);
  }

  @Override
  public void step(OnlineTrainer.Step step, long nanos) {
    if (steps != null) {
      steps.record(nanos, TimeUnit.NANOSECONDS);
      imagePasses.increment(step.imagePasses());
      if (step.skipped()) {
        skipped.increment();
      }
    }
    lossMicros.set(Math.round(step.loss() * 1e6));
    maskPermille.set(Math.round(step.maskRate() * 1e3));
  }

  @Override
  public void restarted() {
    if (restarts != null) {
      restarts.increment();
    }
  }

  @Override
  public void yielded(long nanos) {
    if (yielded != null) {
      yielded.increment(nanos / 1e9);
    }
  }

  @Override
  public void reservoirs(int labelledCount, int heldOutCount, int recentCount) {
    labelled.set(labelledCount);
    heldOut.set(heldOutCount);
    recent.set(recentCount);
  }

  @Override
  public void candidate(ModelVersion version) {
    Counter c = candidates.get(version.status());
    if (c != null) {
      c.increment();
    }
    if (version.status() == ModelVersion.Status.PROMOTED) {
      servingVersion.set(version.version());
      heldOutAccuracyPermille.set(Math.round(version.candidateAccuracy() * 1e3));
    }
  }
}
