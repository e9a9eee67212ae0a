package io.semistream.zeroshot;

import io.semistream.kafka.ChangedValues;
import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import java.util.Arrays;

/**
 * What the synthesizer takes from a {@code prototypes} record: the true-label part. Almost every record on that
 * topic is a pseudo-label update that leaves the labelled mean alone; the filter keeps those out of the one-task
 * topic.
 */
final class LabelledMeanChanges {
  private LabelledMeanChanges() {
  }

  static ChangedValues<Prototype> filter(JsonSerde<Prototype> serde) {
    return new ChangedValues<>(serde, LabelledMeanChanges::labelledPartChanged);
  }

  static boolean labelledPartChanged(Prototype before, Prototype after) {
    return before.modelVersion() != after.modelVersion() || before.labelledCount() != after.labelledCount()
        || !before.className().equals(after.className())
        || !Arrays.equals(before.labelledVectorView(), after.labelledVectorView());
  }
}
