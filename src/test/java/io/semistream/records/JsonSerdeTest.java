package io.semistream.records;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
  record Vectors(float[] f, double[] d) {
  }

  /** Any bit pattern that is a finite float: subnormals, huge and tiny exponents included. */
  private static float anyFiniteFloat(Random random) {
    float f;
    do {
      f = Float.intBitsToFloat(random.nextInt());
    } while (!Float.isFinite(f));
    return f;
  }

  @Test
  void shouldReadFloatsAndDoublesToTheSameBitsAsTheJdkParses() {
    // The mapper's fast number parser must agree with Float/Double.parseFloat to the bit: prototypes are summed
    // in fixed point from parsed embeddings and compared bit for bit after restarts.
    Random random = new Random(11);
    JsonSerde<Vectors> serde = new JsonSerde<>(Vectors.class);
    for (int round = 0; round < 200; round++) {
      String[] fs = new String[16];
      String[] ds = new String[16];
      for (int i = 0; i < fs.length; i++) {
        fs[i] = switch (i % 4) {
          case 0 -> Float.toString((float) random.nextGaussian());
          case 1 -> Float.toString(anyFiniteFloat(random));
          case 2 -> String.format("%.12e", random.nextDouble() * 1e-3);   // more digits than a float holds
          default -> Integer.toString(random.nextInt(1000) - 500);
        };
        ds[i] = i % 2 == 0 ? Double.toString(random.nextGaussian()) : String.format("%.25f", random.nextDouble());
      }
      String json = "{\"f\":[" + String.join(",", fs) + "],\"d\":[" + String.join(",", ds) + "]}";
      Vectors v = serde.decode(json.getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < fs.length; i++) {
        assertEquals(Float.floatToIntBits(Float.parseFloat(fs[i])), Float.floatToIntBits(v.f()[i]), fs[i]);
        assertEquals(Double.doubleToLongBits(Double.parseDouble(ds[i])), Double.doubleToLongBits(v.d()[i]), ds[i]);
      }
    }
  }
}
