package io.semistream.replay;

import io.semistream.data.AttributeTable;
import io.semistream.kafka.KafkaClients;
import io.semistream.records.ClassSemantics;
import io.semistream.topics.TopicRegistry;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes an attribute table to the compacted {@code class-semantics} topic: one record per class. */
public final class SemanticsPublisher {
  private SemanticsPublisher() {
  }

  /** Returns the topic's name once every record is acknowledged. */
  public static String publish(KafkaClients clients, TopicRegistry topics, AttributeTable table)
      throws InterruptedException, ExecutionException {
    var topic = topics.classSemantics();
    long now = System.currentTimeMillis();
    try (KafkaProducer<String, ClassSemantics> producer = clients.producer(new StringSerializer(),
        topic.valueSerde().serializer(), Map.of())) {
      for (var e : table.classes().entrySet()) {
        producer.send(new ProducerRecord<>(topic.name(), e.getKey(),
            new ClassSemantics(e.getKey(), e.getValue(), table.names(), now))).get();
      }
    }
    return topic.name();
  }
}
