package io.semistream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
 * test Kafka's {@code find-hanging} uses: a transaction is aborted only when it has stayed open, unchanged (same
 * producer, epoch and first offset), for longer than {@code minAge}, which exceeds every producer's transaction
 * timeout (a live transaction is ended by its coordinator within its timeout), and its coordinator runs no
 * transaction of that producer under that epoch. An abort marker on a live transaction is the worst thing this can
 * do: the transaction's other partitions and its consumed offsets still commit, and its output here is lost for
 * good. A rule of "open on two checks 3 s apart" did exactly that once, on a transaction that was still running
 * after a broker restart.
 */
public final class HangingTransactions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);

  /** One open transaction as a partition's leader reports it. */
  record Open(TopicPartition partition, long producerId, int producerEpoch, long firstOffset, int coordinatorEpoch) {
    Key key() {
      return new Key(partition, producerId);
    }
  }

  /** A partition can hold open transactions of several producers at once. */
  record Key(TopicPartition partition, long producerId) {
  }

  /** An open transaction and when this watchdog first saw it open (monotonic clock, ns). */
  record Sighting(Open open, long firstSeenNanos) {
  }

  /** What the transaction coordinator says about a producer id now: nothing, or a state and an epoch. */
  record Coordinator(String transactionalId, TransactionState state, int producerEpoch) {
  }

  private final Admin admin;
  private final Predicate<String> topics;
  private final long minAgeNanos;
  private final ScheduledExecutorService timer;
  private final AtomicLong aborted = new AtomicLong();
  private final OrphanedEmbeddings orphans;
  /** Aborted ranges of {@code orphans}' topic still to restore (a restore that failed is tried again). */
  private final List<Open> toRestore = new ArrayList<>();
  private Map<Key, Sighting> sightings = Map.of();

  /**
   * Checks every {@code interval} the partitions of the topics {@code topics} accepts.
   *
   * @param interval how often to look; 0 or less: never (the watchdog is off)
   * @param minAge how long a transaction must stay open, unchanged, before it can count as hanging
   * @param orphans restores what an aborted transaction held on its topic (embeddings); null: none
   */
  public HangingTransactions(KafkaClients clients, Predicate<String> topics, Duration interval, Duration minAge,
      OrphanedEmbeddings orphans) {
    this.admin = clients.admin();
    this.topics = topics;
    this.minAgeNanos = minAge.toNanos();
    this.orphans = orphans;
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
   * The sightings after a check at {@code nowNanos} that found {@code open}: a transaction seen before, unchanged,
   * keeps the time it was first seen; a new or changed one starts its clock now; one no longer open is forgotten.
   */
  static Map<Key, Sighting> update(Map<Key, Sighting> before, Collection<Open> open, long nowNanos) {
    Map<Key, Sighting> after = new HashMap<>();
    for (Open o : open) {
      Sighting seen = before.get(o.key());
      after.put(o.key(), seen != null && seen.open().equals(o) ? seen : new Sighting(o, nowNanos));
    }
    return after;
  }

  /** Whether a transaction open this long may be a hanging one: only past {@code minAgeNanos}. */
  static boolean oldEnough(Sighting sighting, long nowNanos, long minAgeNanos) {
    return nowNanos - sighting.firstSeenNanos() >= minAgeNanos;
  }

  /**
   * Whether the coordinator's answer leaves {@code open} as a hanging transaction: the coordinator does not know the
   * producer, or has moved on from that transaction, and is not ending it itself.
   */
  static boolean unknownToCoordinator(Open open, Optional<Coordinator> coordinator) {
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
    return s != TransactionState.ONGOING || coordinator.get().producerEpoch() != open.producerEpoch();
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
    restorePending();
    List<TopicPartition> partitions = new ArrayList<>();
    Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    List<String> ours = names.stream().filter(topics).toList();
    admin.describeTopics(ours).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, d) ->
        d.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
    List<Open> open = openTransactions(partitions);
    long now = System.nanoTime();   // when the answer came: each sighting is timed the same way
    sightings = update(sightings, open, now);
    int count = 0;
    for (Sighting sighting : List.copyOf(sightings.values())) {
      Open candidate = sighting.open();
      if (!oldEnough(sighting, now, minAgeNanos)) {
        continue;
      }
      Optional<Coordinator> coordinator = coordinator(candidate.producerId());
      // Asked after the coordinator: if its markers had landed in between, the partition would show it closed.
      boolean stillOpen = openTransactions(List.of(candidate.partition())).contains(candidate);
      if (stillOpen && unknownToCoordinator(candidate, coordinator)) {
        admin.abortTransaction(new AbortTransactionSpec(candidate.partition(), candidate.producerId(),
            (short) candidate.producerEpoch(), candidate.coordinatorEpoch())).all().get(30, TimeUnit.SECONDS);
        aborted.incrementAndGet();
        count++;
        LOG.warn("aborted a hanging transaction on {} (producer {} epoch {}, open since offset {}, for at least {} s): "
            + "its coordinator {}, and readers of the partition were blocked behind it", candidate.partition(),
            candidate.producerId(), candidate.producerEpoch(), candidate.firstOffset(),
            (now - sighting.firstSeenNanos()) / 1_000_000_000L,
            coordinator.map(c -> "holds " + c.transactionalId() + " in " + c.state() + " at epoch "
                + c.producerEpoch()).orElse("does not know the producer"));
        if (orphans != null && candidate.partition().topic().equals(orphans.topic())) {
          toRestore.add(candidate);
        }
      }
    }
    restorePending();
    return count;
  }

  private void restorePending() {
    while (!toRestore.isEmpty()) {
      Open open = toRestore.get(0);
      orphans.restore(open.partition(), open.firstOffset());   // throws: kept, tried again at the next check
      toRestore.remove(0);
    }
  }

  private List<Open> openTransactions(List<TopicPartition> partitions) throws Exception {
    DescribeProducersResult producers = admin.describeProducers(partitions);
    List<Open> open = new ArrayList<>();
    producers.all().get(30, TimeUnit.SECONDS).forEach((tp, d) -> {
      for (ProducerState s : d.activeProducers()) {
        if (s.currentTransactionStartOffset().isPresent()) {
          open.add(new Open(tp, s.producerId(), s.producerEpoch(), s.currentTransactionStartOffset().getAsLong(),
              s.coordinatorEpoch().orElse(-1)));
        }
      }
    });
    return open;
  }

  private Optional<Coordinator> coordinator(long producerId) throws Exception {
    List<TransactionListing> listings = new ArrayList<>(admin.listTransactions(new ListTransactionsOptions()
        .filterProducerIds(Set.of(producerId))).all().get(30, TimeUnit.SECONDS));
    if (listings.isEmpty()) {
      return Optional.empty();
    }
    String id = listings.get(0).transactionalId();
    TransactionDescription d = admin.describeTransactions(List.of(id)).all().get(30, TimeUnit.SECONDS).get(id);
    return Optional.of(new Coordinator(id, d.state(), d.producerEpoch()));
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
