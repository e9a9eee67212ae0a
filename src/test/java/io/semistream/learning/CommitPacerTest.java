package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.LearnerSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.MachineCpuLoad;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** When a learner task asks for a commit before the interval: output waiting, the idle interval up, idle CPUs. */
class CommitPacerTest {
  private double load = 0.3;
  private final CommitPacer pacer = new CommitPacer(new LearnerSettings.Commit(200, 20, 0.7), () -> load);

  @Test
  void shouldAskAtMostOncePerIdleIntervalAndOnlyWithOutputWaiting() {
    assertFalse(pacer.commitNow(1_000), "nothing processed, nothing to commit");
    pacer.processed();
    assertTrue(pacer.commitNow(1_000));
    pacer.processed();
    assertFalse(pacer.commitNow(1_019), "19 ms after the last request");
    assertTrue(pacer.commitNow(1_020), "the punctuator's turn: the record of 1,019 still waits");
    assertFalse(pacer.commitNow(1_100), "that request covered it");
  }

  @Test
  void shouldLeaveBusyOrUnknownCpusToTheCommitInterval() {
    pacer.processed();
    load = 0.7;
    assertTrue(pacer.commitNow(0), "at the limit still early");
    pacer.processed();
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
    assertEquals(new LearnerSettings.Commit(200, 20, 0.7), defaults.learner().commit());
    assertTrue(defaults.learner().commit().early());
    assertEquals(20L, LearnerService.streamsProperties(defaults, null).get(StreamsConfig.POLL_MS_CONFIG),
        "an idle thread wakes for its early-commit punctuator");
    SemistreamConfig off = SemistreamConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:9",
        "learner.commit.idle.interval.ms", "0"));
    assertFalse(off.learner().commit().early());
    assertEquals(null, LearnerService.streamsProperties(off, null).get(StreamsConfig.POLL_MS_CONFIG),
        "Kafka Streams' own poll.ms");
    assertFalse(LearnerSettings.Commit.every(50).early());
    assertFalse(new LearnerSettings.Commit(50, 50, 0.7).early(), "an idle interval as long as the interval");
  }

  @Test
  void shouldRefuseALoadLimitOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> new LearnerSettings.Commit(200, 20, 1.5));
    assertThrows(RuntimeException.class, () -> SemistreamConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:9",
        "learner.commit.idle.max.cpu", "-0.1")));
  }

  @Test
  void shouldReadTheMachinesLoadAsAFractionOrNaN() {
    double sample = MachineCpuLoad.SHARED.getAsDouble();
    assertTrue(Double.isNaN(sample) || (sample >= 0 && sample <= 1), "load " + sample);
  }
}
