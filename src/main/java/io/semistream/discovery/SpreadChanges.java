package io.semistream.discovery;

import io.semistream.vectors.Vectors;
import io.semistream.kafka.ChangedValues;
import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;

/**
 * What discovery takes from a {@code prototypes} record: a labelled class's spread in an encoder version. A record
 * matters when it has another version or labelled count, or moves the spread ratio by more than {@link
 * #TOLERANCE}; the filter keeps the rest (pseudo-label updates, nearly all of them) out of the one-task topic
 * (repartitioning them all made MonitoringIT see the embedding latency alert pending).
 */
final class SpreadChanges {
  static final double TOLERANCE = 0.02;

  private SpreadChanges() {
  }

  static ChangedValues<Prototype> filter(JsonSerde<Prototype> serde) {
    return new ChangedValues<>(serde, SpreadChanges::spreadMoved);
  }

  static boolean spreadMoved(Prototype before, Prototype after) {
    return before.modelVersion() != after.modelVersion() || before.labelledCount() != after.labelledCount()
        || Math.abs(ratio(after) - ratio(before)) > TOLERANCE * ratio(before);
  }

  private static double ratio(Prototype p) {
    double n = Vectors.norm(p.vectorView());
    return n > 0 ? p.spread() / n : 0;
  }
}
