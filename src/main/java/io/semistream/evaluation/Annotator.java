package io.semistream.evaluation;

import io.semistream.kafka.KafkaClients;
import io.semistream.kafka.TopicTail;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.LabelRequest;
import io.semistream.topics.TopicRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A simulated person answering the service's label requests for the eval: each open request on {@code
 * label-requests} gets its true class on {@code labels} after {@code delay}, unless the class is one the eval
 * holds out (a person would not know its name: the request stays open until it expires).
 */
final class Annotator implements AutoCloseable {
  static final String NAME = "eval-annotator";
  private final Map<String, String> truth;
  private final Set<String> unknownClasses;
  private final Duration delay;
  private final Producer<String, LabelRecord> producer;
  private final String labelsTopic;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "eval-annotator");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> seen = Collections.synchronizedSet(new HashSet<>());
  /** Image ids answered, in the order the labels were sent. */
  private final List<String> answered = Collections.synchronizedList(new ArrayList<>());
  private final List<String> refused = Collections.synchronizedList(new ArrayList<>());
  private final TopicTail requests;

  /** @param truth image id to class name; @param unknownClasses names the person cannot give */
  Annotator(KafkaClients clients, TopicRegistry topics, Map<String, String> truth, Set<String> unknownClasses,
      Duration delay) {
    this.truth = truth;
    this.unknownClasses = unknownClasses;
    this.delay = delay;
    this.labelsTopic = topics.labels().name();
    this.producer = clients.producer(topics.labels().keySerde().serializer(), topics.labels().valueSerde()
        .serializer(), Map.of());
    JsonSerde<LabelRequest> serde = new JsonSerde<>(LabelRequest.class);
    this.requests = new TopicTail(clients, topics.labelRequests().name(), true, (id, value) -> {
      if (id != null && value != null) {
        onRequest(id, serde.decode(value));
      }
    });
  }

  private void onRequest(String id, LabelRequest request) {
    if (!request.open() || !seen.add(id)) {
      return;
    }
    String className = truth.get(id);
    if (className == null || unknownClasses.contains(className)) {
      refused.add(id);
      return;
    }
    timer.schedule(() -> {
      producer.send(new ProducerRecord<>(labelsTopic, id, new LabelRecord(className, NAME,
          System.currentTimeMillis())));
      answered.add(id);
    }, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  List<String> answered() {
    synchronized (answered) {
      return List.copyOf(answered);
    }
  }

  int requestsSeen() {
    return seen.size();
  }

  int refused() {
    return refused.size();
  }

  @Override
  public void close() throws InterruptedException {
    timer.shutdown();
    timer.awaitTermination(10, TimeUnit.SECONDS);
    producer.flush();
    producer.close();
    requests.close();
  }
}
