package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.EmbeddingSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.image.ImagePreprocessor;
import io.semistream.image.LargeImageException;
import org.junit.jupiter.api.Test;

class BigImageStallTest {
  @Test
  void shouldBurstWithTheBiggestImageTheDefaultsAcceptAndTheSlowLaneTakes() throws Exception {
    EmbeddingSettings defaults = SemistreamConfig.defaults().embedding();
    byte[] big = BigImageStall.bigPng(2048, 2048);
    assertTrue(big.length <= defaults.maxImageBytes(), big.length + " bytes");
    assertEquals(defaults.maxImagePixels(), 2048L * 2048, "as many pixels as embedding.max.image.pixels allows");
    ImagePreprocessor pre = ImagePreprocessor.of(28, defaults);
    assertEquals(28 * 28, pre.preprocess(big).length, "decodable");
    assertEquals(2048L * 2048, assertThrows(LargeImageException.class,
        () -> pre.preprocess(big, defaults.inlinePixelLimit())).pixels());
  }
}
