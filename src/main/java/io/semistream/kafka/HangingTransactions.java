package io.semistream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts hanging transactions (KIP-664) on the partitions the pipeline writes and reads.
 *
 * <p>Why: after the broker was SIGKILLed and restarted, a partition can keep a transaction open that its coordinator
 * no longer knows (measured: 4 of 8 broker-kill runs). Its last stable offset then never advances, so every
 * {@code read_committed} reader of that partition waits forever: a learner restoring a changelog stalled for good,
 * and only an operator running {@code kafka-transactions.sh abort} freed it. This does that step itself, with the
 * same test Kafka's {@code find-hanging} uses, made stricter: a partition's open transaction is aborted only when it
 * was seen open, unchanged (same producer, epoch and first offset), on two checks at least one interval apart, and
 * on the second check the coordinator holds no running transaction of that producer with that epoch. A live
 * transaction is always known to its coordinator under its own epoch, so it is never touched.
 */
public final class HangingTransactions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);

  /** One open transaction as a partition's leader reports it. */
  record Open(TopicPartition partition, long producerId, int producerEpoch, long firstOffset, int coordinatorEpoch) {
  }

  /** What the transaction coordinator says about a producer id now: nothing, or a state and an epoch. */
  record Coordinator(TransactionState state, int producerEpoch) {
  }

  private final Admin admin;
  private final Predicate<String> topics;
  private final ScheduledExecutorService timer;
  private final AtomicLong aborted = new AtomicLong();
  private Map<TopicPartition, Open> seenBefore = Map.of();

  /**
   * Checks every {@code interval} the partitions of the topics {@code topics} accepts.
   *
   * @param interval how far apart the two sightings must be; 0 or less: never checks (the watchdog is off)
   */
  public HangingTransactions(KafkaClients clients, Predicate<String> topics, Duration interval) {
    this.admin = clients.admin();
    this.topics = topics;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hanging-transactions");
      t.setDaemon(true);
      return t;
    });
    if (interval.toMillis() > 0) {
      timer.scheduleWithFixedDelay(this::checkQuietly, interval.toMillis(), interval.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** Hanging transactions aborted so far. */
  public long aborted() {
    return aborted.get();
  }

  /**
   * Whether {@code now} is a hanging transaction: the same one was open at the previous check, and the coordinator
   * holds no running transaction of its producer under its epoch.
   */
  static boolean hanging(Open before, Open now, Optional<Coordinator> coordinator) {
    if (before == null || !before.equals(now)) {
      return false;
    }
    if (coordinator.isEmpty()) {
      return true;
    }
    TransactionState s = coordinator.get().state();
    if (s == TransactionState.PREPARE_COMMIT || s == TransactionState.PREPARE_ABORT
        || s == TransactionState.PREPARE_EPOCH_FENCE) {
      // The coordinator is writing the markers that end this producer's transaction itself. With transaction
      // version 2 (Kafka 4's default) it does so under the next epoch, so "another epoch" does not mean another
      // transaction here: an abort marker written before its commit marker would undo a committed transaction in
      // this partition (its consumed offsets committed, its writes here lost).
      return false;
    }
    return s != TransactionState.ONGOING || coordinator.get().producerEpoch() != now.producerEpoch();
  }

  private void checkQuietly() {
    try {
      check();
    } catch (Exception e) {
      // The broker may be down or restarting: that is when this matters most, so keep checking.
      LOG.debug("hanging-transaction check failed: {}", e.toString());
    }
  }

  /** One check: returns the transactions aborted by it. */
  synchronized int check() throws Exception {
    List<TopicPartition> partitions = new ArrayList<>();
    Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    List<String> ours = names.stream().filter(topics).toList();
    admin.describeTopics(ours).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, d) ->
        d.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
    DescribeProducersResult producers = admin.describeProducers(partitions);
    Map<TopicPartition, Open> open = new HashMap<>();
    producers.all().get(30, TimeUnit.SECONDS).forEach((tp, d) -> {
      for (ProducerState s : d.activeProducers()) {
        if (s.currentTransactionStartOffset().isPresent()) {
          open.put(tp, new Open(tp, s.producerId(), s.producerEpoch(), s.currentTransactionStartOffset().getAsLong(),
              s.coordinatorEpoch().orElse(-1)));
        }
      }
    });
    int count = 0;
    for (Open now : open.values()) {
      Open before = seenBefore.get(now.partition());
      if (before != null && before.equals(now) && hanging(before, now, coordinator(now.producerId()))) {
        admin.abortTransaction(new AbortTransactionSpec(now.partition(), now.producerId(),
            (short) now.producerEpoch(), now.coordinatorEpoch())).all().get(30, TimeUnit.SECONDS);
        aborted.incrementAndGet();
        count++;
        LOG.warn("aborted a hanging transaction on {} (producer {} epoch {}, open since offset {}): its coordinator "
            + "no longer runs it, and readers of the partition were blocked behind it", now.partition(),
            now.producerId(), now.producerEpoch(), now.firstOffset());
      }
    }
    seenBefore = open;
    return count;
  }

  private Optional<Coordinator> coordinator(long producerId) throws Exception {
    List<TransactionListing> listings = new ArrayList<>(admin.listTransactions(new ListTransactionsOptions()
        .filterProducerIds(Set.of(producerId))).all().get(30, TimeUnit.SECONDS));
    if (listings.isEmpty()) {
      return Optional.empty();
    }
    String id = listings.get(0).transactionalId();
    TransactionDescription d = admin.describeTransactions(List.of(id)).all().get(30, TimeUnit.SECONDS).get(id);
    return Optional.of(new Coordinator(d.state(), d.producerEpoch()));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
