package io.semistream.embedding;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Re-embedding the retained images after a promotion, beside the live stream instead of in front of it.
 *
 * <p>Before, the worker sought its own consumer back to the start of its partitions: every fresh image then
 * waited behind the whole retained backlog (p95 16–49 s in the Fashion eval at 150 images/s). Now the live
 * consumer stays where it is, and a second consumer reads each partition from its start up to where the live one
 * stood at the switch (the <em>stop</em> offset); each batch takes the live images first and is topped up with
 * backfill ones.
 *
 * <p>Progress is committed in the same transaction as the embeddings, as the offsets of a second consumer group
 * ({@code <group>-backfill}) whose metadata names the version and the stop offset, so a crash or a rebalance
 * continues the backfill exactly where its last transaction ended: every retained image is re-embedded once.
 * A partition whose recorded version is older than the serving one (a crash between the promotion and the first
 * commit after it) is planned again from its start. No Kafka I/O here: the worker does that.
 */
final class Backfill {
  private static final String PREFIX = "semistream-backfill";

  /** One partition's backfill: re-embed [next, stop) with {@code version}; done when next ≥ stop. */
  record Range(int version, long next, long stop) {
    Range {
      if (version < 1 || next < 0 || stop < 0) {
        throw new IllegalArgumentException("bad backfill range v" + version + " [" + next + ", " + stop + ")");
      }
    }

    boolean done() {
      return next >= stop;
    }

    OffsetAndMetadata toOffset() {
      return new OffsetAndMetadata(next, PREFIX + " v=" + version + " stop=" + stop);
    }

    /** What a committed offset of the backfill group says; null when it is none of ours (or absent). */
    static Range parse(OffsetAndMetadata committed) {
      if (committed == null || committed.metadata() == null || !committed.metadata().startsWith(PREFIX + " ")) {
        return null;
      }
      try {
        int version = 0;
        long stop = -1;
        for (String part : committed.metadata().substring(PREFIX.length() + 1).split(" ")) {
          if (part.startsWith("v=")) {
            version = Integer.parseInt(part.substring(2));
          } else if (part.startsWith("stop=")) {
            stop = Long.parseLong(part.substring(5));
          }
        }
        return new Range(version, committed.offset(), stop);
      } catch (IllegalArgumentException e) {
        return null;   // unreadable: treated like absent, as the caller decides
      }
    }
  }

  private final Map<TopicPartition, Range> ranges = new HashMap<>();
  /** The version the worker embeds with; a range recorded for another version is kept but does nothing. */
  private int servingVersion;
  /** Next offsets of backfill records in the open transaction, not yet committed. */
  private final Map<TopicPartition, Long> inFlight = new HashMap<>();
  /** Ranges whose committed record must be (re)written with the next transaction. */
  private final Set<TopicPartition> dirty = new HashSet<>();

  /**
   * A partition was assigned: resume its committed backfill, or plan one when the serving version is newer than
   * the one it records. Absent (a first start): nothing to re-embed, and the serving version is recorded with the
   * next transaction, so that a crash after a later promotion is recognised.
   *
   * @param beginning the partition's first retained offset
   * @param live where the live consumer will read next (its committed offset)
   */
  void assigned(TopicPartition tp, OffsetAndMetadata committed, int servingVersion, long beginning, long live) {
    Range previous = Range.parse(committed);
    this.servingVersion = servingVersion;
    inFlight.remove(tp);
    if (previous == null) {
      ranges.put(tp, new Range(servingVersion, live, live));
      dirty.add(tp);
    } else if (previous.version() < servingVersion) {
      ranges.put(tp, new Range(servingVersion, beginning, live));
      dirty.add(tp);
    } else {
      // The same version resumes. A newer one (this worker serves an older version than a previous owner did,
      // which the service's start prevents unless the store lacks it) stays as recorded, untouched.
      ranges.put(tp, previous);
    }
  }

  /** A promotion: every partition is re-embedded from its start up to where the live consumer stands. */
  void plan(int version, Map<TopicPartition, Long> beginnings, Map<TopicPartition, Long> livePositions) {
    servingVersion = version;
    inFlight.clear();
    livePositions.forEach((tp, live) -> {
      ranges.put(tp, new Range(version, Math.min(beginnings.getOrDefault(tp, 0L), live), live));
      dirty.add(tp);
    });
  }

  void revoked(Collection<TopicPartition> partitions) {
    partitions.forEach(tp -> {
      ranges.remove(tp);
      inFlight.remove(tp);
      dirty.remove(tp);
    });
  }

  /** The stop offset of a partition's backfill; 0 when it has none. */
  long stop(TopicPartition tp) {
    Range range = ranges.get(tp);
    return range == null ? 0 : range.stop();
  }

  /** Whether the backfill consumer's record is still to be re-embedded (it may read past the stop offset). */
  boolean wants(ConsumerRecord<?, ?> r) {
    Range range = ranges.get(new TopicPartition(r.topic(), r.partition()));
    return range != null && range.version() == servingVersion && r.offset() >= range.next() && r.offset() < range.stop();
  }

  /** Backfill records went into the open transaction. */
  void add(List<ConsumerRecord<byte[], byte[]>> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      inFlight.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
    }
  }

  /** Whether anything is left to re-embed (the open transaction counted as done). */
  boolean active() {
    return remaining() > 0;
  }

  /** Images left to re-embed on this worker, the open transaction counted as done. */
  long remaining() {
    long n = 0;
    for (var e : ranges.entrySet()) {
      if (e.getValue().version() == servingVersion) {
        n += Math.max(0, e.getValue().stop() - inFlight.getOrDefault(e.getKey(), e.getValue().next()));
      }
    }
    return n;
  }

  /** Where the backfill consumer reads next for each active partition after the last commit. */
  Map<TopicPartition, Long> committedPositions() {
    Map<TopicPartition, Long> positions = new HashMap<>();
    ranges.forEach((tp, range) -> {
      if (range.version() == servingVersion && !range.done()) {
        positions.put(tp, range.next());
      }
    });
    return positions;
  }

  /** The backfill group's offsets to commit with the open transaction: progress and newly planned ranges. */
  Map<TopicPartition, OffsetAndMetadata> offsetsToCommit() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    ranges.forEach((tp, range) -> {
      Long next = inFlight.get(tp);
      if (next != null || dirty.contains(tp)) {
        offsets.put(tp, new Range(range.version(), next == null ? range.next() : Math.max(next, range.next()),
            range.stop()).toOffset());
      }
    });
    return offsets;
  }

  /** The open transaction committed: its progress is the committed state now. */
  void committed() {
    inFlight.forEach((tp, next) -> ranges.computeIfPresent(tp,
        (k, range) -> new Range(range.version(), Math.max(next, range.next()), range.stop())));
    inFlight.clear();
    dirty.clear();
  }

  /** The open transaction aborted: its backfill records come again from the committed positions. */
  void aborted() {
    inFlight.clear();
  }
}
