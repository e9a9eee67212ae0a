package io.semistream.records;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Header names of image records (topics/formats/image.md) and how to read them. */
public final class ImageHeaders {
  public static final String CONTENT_TYPE = "content-type";
  public static final String SOURCE = "source";
  public static final String EVENT_TIME = "event-time";

  private ImageHeaders() {
  }

  public static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  public static String get(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** The image's event time: the header when present and valid, else the record timestamp. */
  public static long eventTime(Headers headers, long recordTimestamp) {
    String value = get(headers, EVENT_TIME);
    if (value != null) {
      try {
        long t = Long.parseLong(value.trim());
        if (t >= 0) {
          return t;
        }
      } catch (NumberFormatException ignored) {
        // fall back to the record timestamp: a bad optional header must not lose a valid image
      }
    }
    return Math.max(0, recordTimestamp);
  }
}
