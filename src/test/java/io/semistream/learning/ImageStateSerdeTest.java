package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.records.JsonSerde;
import io.semistream.records.Prediction;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The learner's per-image state format: bit-exact round trips, the JSON of earlier versions, junk refused. */
class ImageStateSerdeTest {
  private final ImageStateSerde serde = new ImageStateSerde();

  private static float[] vector(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static String maybe(Random r, String s) {
    return r.nextBoolean() ? s : null;
  }

  /** A state with each optional part present or not, and strings from plain to non-ASCII. */
  private static ImageState random(Random r) {
    Prediction prediction = r.nextBoolean() ? null : new Prediction("Ankle boot", r.nextDouble(),
        r.nextDouble(), Prediction.Status.values()[r.nextInt(Prediction.Status.values().length)], 1 + r.nextInt(9),
        maybe(r, "conv-ae-64"), r.nextInt(5), r.nextLong(), r.nextBoolean() ? null : r.nextGaussian(),
        maybe(r, "T-shirt/top"), maybe(r, "Ünseen – 靴"));
    int novelty = r.nextInt(3);
    return new ImageState(r.nextBoolean() ? vector(r, 64) : null, r.nextFloat(), maybe(r, "conv-ae-64"),
        r.nextInt(7), r.nextLong(), maybe(r, "Sneaker"),
        r.nextBoolean() ? null : new ImageState.PendingLabel("Bag", maybe(r, "ann"), r.nextLong(), r.nextLong()),
        r.nextBoolean() ? null : new ImageState.Contribution("Coat", r.nextBoolean(), r.nextDouble()),
        prediction, r.nextLong(), novelty, novelty == 2 && r.nextBoolean() ? vector(r, 64) : null);
  }

  private static void assertSame(ImageState want, ImageState got) {
    assertArrayEquals(want.embedding(), got.embedding());
    assertArrayEquals(want.noveltyVector(), got.noveltyVector());
    assertEquals(Float.floatToRawIntBits(want.reconstructionError()),
        Float.floatToRawIntBits(got.reconstructionError()));
    assertEquals(want.modelId(), got.modelId());
    assertEquals(want.modelVersion(), got.modelVersion());
    assertEquals(want.eventTime(), got.eventTime());
    assertEquals(want.trueLabel(), got.trueLabel());
    assertEquals(want.pendingLabel(), got.pendingLabel());
    assertEquals(want.contribution(), got.contribution());
    assertEquals(want.prediction(), got.prediction());
    assertEquals(want.firstSeen(), got.firstSeen());
    assertEquals(want.noveltyVersion(), got.noveltyVersion());
  }

  @Test
  void shouldReadBackEveryStateBitExact() {
    Random r = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      ImageState s = random(r);
      assertSame(s, serde.decode(serde.encode(s)));
    }
  }

  @Test
  void shouldKeepNonFiniteAndSignedZeroFloatsAsTheyWere() {
    float[] odd = {Float.NaN, -0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE};
    ImageState s = new ImageState(odd, Float.NaN, "m", 1, 0, null, null, null, null, 0);
    float[] back = serde.decode(serde.encode(s)).embedding();
    for (int i = 0; i < odd.length; i++) {
      assertEquals(Float.floatToRawIntBits(odd[i]), Float.floatToRawIntBits(back[i]));
    }
  }

  @Test
  void shouldStillReadTheJsonThatEarlierVersionsStored() {
    JsonSerde<ImageState> json = new JsonSerde<>(ImageState.class);
    Random r = new Random(11);
    for (int i = 0; i < 200; i++) {
      ImageState s = random(r);
      assertSame(s, serde.decode(json.encode(s)));
    }
  }

  @Test
  void shouldBeSmallerThanTheJsonItReplaces() {
    Random r = new Random(3);
    ImageState s = new ImageState(vector(r, 64), 0.1f, "conv-ae-64", 2, 1L, null, null,
        new ImageState.Contribution("Coat", true, 0.2), new Prediction("Coat", 0.9, 0.5, Prediction.Status.PSEUDO,
            1, "conv-ae-64", 2, 1L, 0.3), 1L, 1, vector(r, 64));
    int binary = serde.encode(s).length;
    int text = new JsonSerde<>(ImageState.class).encode(s).length;
    assertTrue(binary * 2 < text, binary + " bytes against " + text);
  }

  @Test
  void shouldRefuseBytesThatAreNeitherLayoutWithAClearMessage() {
    ImageState s = random(new Random(5));
    byte[] good = serde.encode(s);
    byte[] cut = Arrays.copyOf(good, good.length - 1);
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    byte[] flags = good.clone();
    flags[1] = (byte) 0x40;
    byte[] hugeVector = {ImageStateSerde.MAGIC, 1, 0x7f, 0, 0, 0};
    byte[] negativeString = {ImageStateSerde.MAGIC, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe};
    assertTrue(assertThrows(IllegalArgumentException.class, () -> serde.decode(cut)).getMessage()
        .contains("cut short"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> serde.decode(longer)).getMessage()
        .contains("after the image state"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> serde.decode(flags)).getMessage()
        .contains("unknown flags"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> serde.decode(hugeVector)).getMessage()
        .contains("vector length"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> serde.decode(negativeString)).getMessage()
        .contains("string length"));
    assertThrows(IllegalArgumentException.class, () -> serde.decode(new byte[] {1, 2, 3}));
    assertThrows(IllegalArgumentException.class, () -> serde.decode(new byte[0]));
  }

  @Test
  void shouldAnswerRandomBytesWithAnErrorNeverAnotherException() {
    Random r = new Random(13);
    byte[] good = serde.encode(random(r));
    for (int i = 0; i < 5_000; i++) {
      byte[] junk = good.clone();
      for (int k = 0; k < 3; k++) {
        junk[1 + r.nextInt(junk.length - 1)] = (byte) r.nextInt(256);
      }
      try {
        serde.decode(junk);
      } catch (IllegalArgumentException expected) {
        // refused: fine; anything else fails the test
      }
    }
  }
}
