package io.semistream.records;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Builds dead-letter records as documented in topics/formats/dead-letter.md. */
public final class DeadLetters {
  public static final String REASON = "dlq.reason";
  public static final String ERROR = "dlq.error";
  public static final String SOURCE_TOPIC = "dlq.source.topic";
  public static final String SOURCE_PARTITION = "dlq.source.partition";
  public static final String SOURCE_OFFSET = "dlq.source.offset";
  public static final String STAGE = "dlq.stage";
  public static final String TIME = "dlq.time";
  /**
   * Where a record first entered semistream ({@code topic:partition:offset}), carried across the learner's
   * internal re-keying so that a dead letter names the topic a user wrote to, not an internal one.
   */
  public static final String ORIGIN = "semistream.origin";
  /**
   * The same facts under the header names Kafka Streams' own dead-letter queue uses (KIP-1034), so tools built
   * for Streams' DLQ read ours: the reason code stands in for the exception class name.
   */
  public static final String STREAMS_EXCEPTION = "__streams.errors.exception";
  public static final String STREAMS_MESSAGE = "__streams.errors.message";
  public static final String STREAMS_TOPIC = "__streams.errors.topic";
  public static final String STREAMS_PARTITION = "__streams.errors.partition";
  public static final String STREAMS_OFFSET = "__streams.errors.offset";
  static final int MAX_ERROR_LENGTH = 1000;

  private DeadLetters() {
  }

  /** Where a rejected record was read. */
  public record Origin(String topic, int partition, long offset) {
    public Origin {
      topic = topic == null ? "" : topic;
    }

    String encode() {
      return partition + ":" + offset + ":" + topic;
    }

    /** The origin recorded in {@code headers}, else {@code fallback}. */
    public static Origin of(Headers headers, Origin fallback) {
      Header h = headers.lastHeader(ORIGIN);
      if (h == null || h.value() == null) {
        return fallback;
      }
      String[] parts = new String(h.value(), StandardCharsets.UTF_8).split(":", 3);
      try {
        return parts.length == 3 ? new Origin(parts[2], Integer.parseInt(parts[0]), Long.parseLong(parts[1]))
            : fallback;
      } catch (NumberFormatException e) {
        return fallback;
      }
    }

    /** Records this origin in {@code headers} (replacing any earlier one). */
    public void writeTo(Headers headers) {
      headers.remove(ORIGIN);
      headers.add(ORIGIN, encode().getBytes(StandardCharsets.UTF_8));
    }
  }

  public static ProducerRecord<byte[], byte[]> of(String deadLetterTopic, ConsumerRecord<byte[], byte[]> source,
      RejectReason reason, String error, String stage, long now) {
    Headers headers = headers(source.headers(), new Origin(source.topic(), source.partition(), source.offset()),
        reason, error, stage, now);
    return new ProducerRecord<>(deadLetterTopic, null, source.timestamp() >= 0 ? source.timestamp() : null,
        source.key(), source.value(), headers);
  }

  /**
   * The headers of a dead letter: the original ones (minus semistream's internal origin marker) plus the reason,
   * the error, the origin (from the marker when the record crossed an internal topic) and the stage.
   */
  public static Headers headers(Iterable<Header> original, Origin origin, RejectReason reason, String error,
      String stage, long now) {
    RecordHeaders headers = new RecordHeaders();
    for (Header h : original) {
      headers.add(h);
    }
    Origin where = Origin.of(headers, origin);
    headers.remove(ORIGIN);
    String message = error == null ? "" : error;
    if (message.length() > MAX_ERROR_LENGTH) {
      message = message.substring(0, MAX_ERROR_LENGTH);
    }
    add(headers, REASON, reason.code());
    add(headers, ERROR, message);
    add(headers, SOURCE_TOPIC, where.topic());
    add(headers, SOURCE_PARTITION, Integer.toString(where.partition()));
    add(headers, SOURCE_OFFSET, Long.toString(where.offset()));
    add(headers, STAGE, stage);
    add(headers, TIME, Long.toString(now));
    add(headers, STREAMS_EXCEPTION, reason.code());
    add(headers, STREAMS_MESSAGE, message);
    add(headers, STREAMS_TOPIC, where.topic());
    add(headers, STREAMS_PARTITION, Integer.toString(where.partition()));
    add(headers, STREAMS_OFFSET, Long.toString(where.offset()));
    return headers;
  }

  private static void add(RecordHeaders headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
