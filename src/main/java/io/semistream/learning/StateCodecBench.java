package io.semistream.learning;

import io.semistream.records.JsonSerde;
import io.semistream.records.Prediction;
import java.util.Random;

/**
 * What reading and writing one image's learner state costs, JSON (the earlier format) and the binary layout of
 * {@link ImageStateSerde}, measured side by side in one run, alternating, on the state of a typical image: a 64-d
 * embedding, a 64-d novelty view of its own (after a promotion), a pseudo contribution and a prediction.
 */
public final class StateCodecBench {
  /** Microseconds per state of each way, and the encoded sizes. */
  public record Result(double jsonEncodeMicros, double jsonDecodeMicros, double binaryEncodeMicros,
      double binaryDecodeMicros, int jsonBytes, int binaryBytes) {
  }

  private StateCodecBench() {
  }

  public static Result run(int states, int rounds) {
    Random r = new Random(1);
    ImageState[] input = new ImageState[states];
    for (int i = 0; i < states; i++) {
      input[i] = new ImageState(vector(r), r.nextFloat(), "conv-ae-64", 3, 1_764_300_000_000L + i, null, null,
          new ImageState.Contribution("Sneaker", true, 0.2), new Prediction("Sneaker", r.nextDouble(),
              r.nextDouble(), Prediction.Status.PSEUDO, 2, "conv-ae-64", 3, 1_764_300_000_000L + i, r.nextGaussian()),
          1_764_300_000_000L + i, 1, vector(r));
    }
    JsonSerde<ImageState> json = new JsonSerde<>(ImageState.class);
    ImageStateSerde binary = new ImageStateSerde();
    byte[][] jsonBytes = new byte[states][];
    byte[][] binaryBytes = new byte[states][];
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    long sink = 0;
    // Rounds alternate the four ways, so that a slower minute of the machine hits them alike; the best round counts
    // (the least disturbed by the JIT and by other processes).
    for (int round = 0; round < rounds; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < states; i++) {
        jsonBytes[i] = json.encode(input[i]);
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < states; i++) {
        sink += json.decode(jsonBytes[i]).modelVersion();
      }
      long t2 = System.nanoTime();
      for (int i = 0; i < states; i++) {
        binaryBytes[i] = binary.encode(input[i]);
      }
      long t3 = System.nanoTime();
      for (int i = 0; i < states; i++) {
        sink += binary.decode(binaryBytes[i]).modelVersion();
      }
      long t4 = System.nanoTime();
      long[] took = {t1 - t0, t2 - t1, t3 - t2, t4 - t3};
      for (int k = 0; k < 4; k++) {
        best[k] = Math.min(best[k], took[k] / 1e3 / states);
      }
    }
    if (sink == 42) {
      System.out.print("");
    }
    return new Result(best[0], best[1], best[2], best[3], jsonBytes[0].length, binaryBytes[0].length);
  }

  private static float[] vector(Random r) {
    float[] v = new float[64];
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) r.nextGaussian();
    }
    return v;
  }
}
