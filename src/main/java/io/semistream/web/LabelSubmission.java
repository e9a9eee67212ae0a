package io.semistream.web;

import io.semistream.records.ImageIds;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The web view's only write: a label a person gave, checked as the learner checks any label (image id, record
 * rules, size) plus one check only the view can make: that it showed this image. A label that fails is refused
 * with the reason and goes nowhere else; one that passes is on {@code labels} (acknowledged by the broker) before
 * the person is told so.
 */
final class LabelSubmission {
  static final String ANNOTATOR_PREFIX = "web:";

  /** Why a label was refused, in words for the page. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final JsonSerde<LabelRecord> serde;
  private final int maxLabelBytes;
  private final Predicate<String> known;

  LabelSubmission(Producer<String, byte[]> producer, String topic, JsonSerde<LabelRecord> serde, int maxLabelBytes,
      Predicate<String> known) {
    this.producer = producer;
    this.topic = topic;
    this.serde = serde;
    this.maxLabelBytes = maxLabelBytes;
    this.known = known;
  }

  /** Validates and sends; returns the record as written. */
  LabelRecord submit(String imageId, String className, String annotator, long now) throws Refused {
    if (imageId == null || imageId.isEmpty()) {
      throw new Refused("no image id");
    }
    String problem = ImageIds.problem(imageId.getBytes(StandardCharsets.UTF_8));
    if (problem != null) {
      throw new Refused(problem);
    }
    if (!known.test(imageId)) {
      throw new Refused("unknown image id '" + imageId + "': the web view has not seen it (or no longer keeps it)");
    }
    String name = className == null ? "" : className.strip();
    String who = ANNOTATOR_PREFIX + (annotator == null || annotator.isBlank() ? "anonymous" : annotator.strip());
    LabelRecord label;
    try {
      label = new LabelRecord(name, who, now);
    } catch (IllegalArgumentException e) {
      throw new Refused(e.getMessage());
    }
    byte[] value = serde.encode(label);
    if (value.length > maxLabelBytes) {
      throw new Refused("label of " + value.length + " bytes exceeds learner.max.label.bytes=" + maxLabelBytes);
    }
    try {
      producer.send(new ProducerRecord<>(topic, imageId, value)).get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending the label", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the broker did not take the label: " + e.getMessage(), e);
    }
    return label;
  }
}
