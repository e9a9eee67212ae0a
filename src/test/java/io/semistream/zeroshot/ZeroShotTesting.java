package io.semistream.zeroshot;

import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import java.util.Map;
import java.util.SortedMap;

/** What the zero-shot service must publish for given tables: its own pure function, for tests in other packages. */
public final class ZeroShotTesting {
  private ZeroShotTesting() {
  }

  public static SortedMap<String, SynthesizedPrototype> expected(Map<String, double[]> semantics,
      Map<String, Prototype> prototypes, double lambda) {
    return new ZeroShotSynthesizer(lambda).synthesize(semantics, prototypes, 0);
  }
}
