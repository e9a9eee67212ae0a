package io.semistream.records;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Image ids are record keys in UTF-8. A key that is not valid UTF-8 cannot be an id: decoding it leniently
 * replaces bad bytes by U+FFFD, so two different ids would merge into one prediction history.
 */
public final class ImageIds {
  private ImageIds() {
  }

  /** The dead-letter reason for a record with this key, or null when the key is an image id. */
  public static RejectReason rejectReason(byte[] key) {
    if (problem(key) == null) {
      return null;
    }
    return key == null || key.length == 0 ? RejectReason.MISSING_KEY : RejectReason.INVALID_KEY;
  }

  /** Why {@code key} is no image id, or null when it is one. */
  public static String problem(byte[] key) {
    if (key == null || key.length == 0) {
      return "record has no image id (key)";
    }
    if (isAscii(key)) {
      return null;   // the usual id, checked without allocating a decoder on this per-record path
    }
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key));
      return null;
    } catch (CharacterCodingException e) {
      return "key is not valid UTF-8 (" + key.length + " bytes): ids must be text, and lenient decoding would "
          + "merge distinct ids";
    }
  }

  private static boolean isAscii(byte[] key) {
    for (byte b : key) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }
}
