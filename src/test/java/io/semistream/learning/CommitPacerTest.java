package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.LearnerSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.MachineCpuLoad;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** When a learner task asks for a commit before the interval: output waiting, the idle interval up, idle CPUs. */
class CommitPacerTest {
  private double load = 0.3;
  private final CommitPacer pacer = new CommitPacer(new LearnerSettings.Commit(200, 20, 0.7, 1_000), () -> load);

  @Test
  void shouldAskAtMostOncePerIdleIntervalAndOnlyWithOutputWaiting() {
    assertFalse(pacer.commitNow(1_000), "nothing processed, nothing to commit");
    pacer.processed(990, 1_000);
    assertTrue(pacer.commitNow(1_000));
    pacer.processed(990, 1_000);
    assertFalse(pacer.commitNow(1_019), "19 ms after the last request");
    assertTrue(pacer.commitNow(1_020), "the punctuator's turn: the record of 1,019 still waits");
    assertFalse(pacer.commitNow(1_100), "that request covered it");
  }

  @Test
  void shouldLeaveABacklogToTheCommitIntervalUntilAFreshRecordComes() {
    pacer.processed(0, 5_000);
    assertFalse(pacer.commitNow(5_000), "a record 5 s old: the learner is behind (a backlog, a backfill)");
    pacer.relabelled();
    assertFalse(pacer.commitNow(5_100), "a relabel round does not tell whether it caught up");
    pacer.processed(5_150, 6_150);
    assertTrue(pacer.commitNow(6_150), "1 s old is still fresh: caught up");
    pacer.processed(-1, 7_000);
    assertTrue(pacer.commitNow(7_000), "no timestamp says nothing about a backlog");
    pacer.relabelled();
    assertTrue(pacer.commitNow(7_100), "a relabel round's output at a learner that keeps up");
  }

  @Test
  void shouldCountALearnerWithNothingLeftToProcessAsCaughtUp() {
    pacer.processed(0, 5_000);
    assertFalse(pacer.tick(5_020), "a stale record since the last tick: still working off a backlog");
    assertTrue(pacer.tick(5_040), "nothing processed between two ticks: drained, its output goes out now");
    pacer.processed(0, 6_000);
    assertFalse(pacer.tick(6_020));
    pacer.processed(0, 6_030);
    assertFalse(pacer.tick(6_040), "stale records keep coming between the ticks");
    pacer.processed(6_045, 6_050);
    assertTrue(pacer.commitNow(6_050), "a fresh one says it caught up");
  }

  @Test
  void shouldNotTakeOneThreadsTasksTickingBackToBackForADrainedInput() {
    pacer.processed(0, 5_000);
    assertFalse(pacer.tick(5_020), "the first task's tick: a stale record since the last one");
    assertFalse(pacer.tick(5_020), "the second task's tick at the same instant: nothing processed between them, "
        + "yet nothing could have been");
    assertFalse(pacer.tick(5_029), "still within half an interval of the last counted tick");
    assertTrue(pacer.tick(5_040), "a whole interval without a record: drained");
  }

  @Test
  void shouldShareOnePacerAmongTheTasksOfAStreamThreadAndNoneAcrossThreads() throws InterruptedException {
    Supplier<CommitPacer> pacers = CommitPacer.perStreamThread(new LearnerSettings.Commit(200, 20, 0.7, 1_000),
        () -> 0.3);
    CommitPacer taskA = pacers.get();
    CommitPacer taskB = pacers.get();
    taskA.processed(990, 1_000);
    assertTrue(taskA.commitNow(1_000));
    taskB.processed(995, 1_005);
    assertFalse(taskB.commitNow(1_005), "task A's request 5 ms ago commits task B's output too: one transaction");
    assertTrue(taskB.commitNow(1_020), "an idle interval later");
    AtomicReference<CommitPacer> otherThreads = new AtomicReference<>();
    Thread other = new Thread(() -> otherThreads.set(pacers.get()));
    other.start();
    other.join();
    assertNotSame(taskA, otherThreads.get(), "another stream thread commits its own transaction");
    otherThreads.get().processed(1_000, 1_005);
    assertTrue(otherThreads.get().commitNow(1_005));
  }

  @Test
  void shouldLeaveBusyOrUnknownCpusToTheCommitInterval() {
    pacer.processed(990, 1_000);
    load = 0.7;
    assertTrue(pacer.commitNow(0), "at the limit still early");
    pacer.processed(990, 1_000);
    load = 0.71;
    assertFalse(pacer.commitNow(100));
    load = Double.NaN;
    assertFalse(pacer.commitNow(200), "a load the JVM cannot tell is no reason to commit early");
    load = 0.1;
    assertTrue(pacer.commitNow(300), "the records processed while busy still wait for a commit");
  }

  @Test
  void shouldCommitEarlyByDefaultAndNeverWithAZeroIdleInterval() {
    SemistreamConfig defaults = SemistreamConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:9"));
    assertEquals(new LearnerSettings.Commit(200, 20, 0.7, 1_000), defaults.learner().commit());
    assertTrue(defaults.learner().commit().early());
    assertEquals(20L, LearnerService.streamsProperties(defaults, null).get(StreamsConfig.POLL_MS_CONFIG),
        "an idle thread wakes for its early-commit punctuator");
    SemistreamConfig off = SemistreamConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:9",
        "learner.commit.idle.interval.ms", "0"));
    assertFalse(off.learner().commit().early());
    assertEquals(null, LearnerService.streamsProperties(off, null).get(StreamsConfig.POLL_MS_CONFIG),
        "Kafka Streams' own poll.ms");
    assertFalse(LearnerSettings.Commit.every(50).early());
    assertFalse(new LearnerSettings.Commit(50, 50, 0.7, 1_000).early(), "an idle interval as long as the interval");
  }

  @Test
  void shouldRefuseALoadLimitOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> new LearnerSettings.Commit(200, 20, 1.5, 1_000));
    assertThrows(IllegalArgumentException.class, () -> new LearnerSettings.Commit(200, 20, 0.7, -1));
    assertThrows(RuntimeException.class, () -> SemistreamConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:9",
        "learner.commit.idle.max.cpu", "-0.1")));
  }

  @Test
  void shouldReadTheMachinesLoadAsAFractionOrNaN() {
    double sample = MachineCpuLoad.SHARED.getAsDouble();
    assertTrue(Double.isNaN(sample) || (sample >= 0 && sample <= 1), "load " + sample);
  }
}
