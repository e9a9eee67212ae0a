package io.semistream.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImageIdsTest {
  @Test
  void shouldAcceptAsciiAndMultiByteUtf8IdsAndRejectTheRest() {
    assertNull(ImageIds.problem("shoe-0001".getBytes(StandardCharsets.US_ASCII)));
    assertNull(ImageIds.problem("chaussure-été-ü".getBytes(StandardCharsets.UTF_8)));
    assertTrue(ImageIds.problem(new byte[0]).contains("no image id"));
    assertTrue(ImageIds.problem(null).contains("no image id"));
    assertNotNull(ImageIds.problem(new byte[] {'a', (byte) 0xC3}), "truncated two-byte sequence");
    assertNotNull(ImageIds.problem(new byte[] {(byte) 0xFF, 'a'}), "0xFF never occurs in UTF-8");
    assertNull(ImageIds.rejectReason("shoe-0001".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(RejectReason.MISSING_KEY, ImageIds.rejectReason(null));
    assertEquals(RejectReason.MISSING_KEY, ImageIds.rejectReason(new byte[0]));
    assertEquals(RejectReason.INVALID_KEY, ImageIds.rejectReason(new byte[] {'a', (byte) 0xC3}));
  }
}
