package io.semistream.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
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
  static final int MAX_ERROR_LENGTH = 1000;

  private DeadLetters() {
  }

  public static ProducerRecord<byte[], byte[]> of(String deadLetterTopic, ConsumerRecord<byte[], byte[]> source,
      RejectReason reason, String error, String stage, long now) {
    RecordHeaders headers = new RecordHeaders();
    for (Header h : source.headers()) {
      headers.add(h);
    }
    String message = error == null ? "" : error;
    if (message.length() > MAX_ERROR_LENGTH) {
      message = message.substring(0, MAX_ERROR_LENGTH);
    }
    add(headers, REASON, reason.code());
    add(headers, ERROR, message);
    add(headers, SOURCE_TOPIC, source.topic());
    add(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
    add(headers, SOURCE_OFFSET, Long.toString(source.offset()));
    add(headers, STAGE, stage);
    add(headers, TIME, Long.toString(now));
    return new ProducerRecord<>(deadLetterTopic, null, source.timestamp() >= 0 ? source.timestamp() : null,
        source.key(), source.value(), headers);
  }

  private static void add(RecordHeaders headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
