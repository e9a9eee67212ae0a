package io.semistream.discovery;

import io.semistream.vectors.Vectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.DiscoverySettings;
import io.semistream.records.ClassCandidate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CandidateTrackerTest {
  private final DiscoverySettings settings = new DiscoverySettings(true, 1.0, 1.5, 100, 1.0, 300, 5000);
  private final CandidateTracker tracker = new CandidateTracker(settings);
  private long next = 1;

  private static StreamClusterer.Cluster cluster(double x, double weight, double spread, String... exemplars) {
    return new StreamClusterer.Cluster(Vectors.unit(new double[] {1, x, 0}), spread, weight, (long) weight,
        List.of(exemplars), 10, 20);
  }

  private CandidateTracker.Outcome track(Map<String, ClassCandidate> existing, StreamClusterer.Cluster... clusters) {
    return tracker.track(List.of(clusters), existing, 0.4, "m", 1, 99, () -> next++);
  }

  @Test
  void shouldPublishOnlyADenseClusterAsTightAsAClass() {
    CandidateTracker.Outcome o = track(Map.of(), cluster(0, 150, 0.3, "a"), cluster(5, 99, 0.1, "b"),
        cluster(-5, 500, 0.41, "c"));
    assertEquals(1, o.publish().size(), "too small, and too wide, are not candidates");
    ClassCandidate c = o.publish().get(0);
    assertEquals("candidate-1", c.id());
    assertEquals(List.of("a"), c.exemplars());
    assertEquals(150, c.size());
    assertEquals(List.of(), o.withdraw());
  }

  @Test
  void shouldKeepTheIdWhileTheClusterStaysAboveHalfTheMinimumThenWithdrawIt() {
    ClassCandidate c = track(Map.of(), cluster(0, 150, 0.3, "a")).publish().get(0);
    Map<String, ClassCandidate> existing = new HashMap<>(Map.of(c.id(), c));
    CandidateTracker.Outcome grown = track(existing, cluster(0.05, 200, 0.3, "a", "b"));
    assertEquals(c.id(), grown.publish().get(0).id());
    assertEquals(200, grown.publish().get(0).size());
    assertEquals(List.of(), track(existing, cluster(0, 151, 0.3, "a")).publish(), "no news, no record");
    assertEquals(List.of(), track(existing, cluster(0, 60, 0.3, "a")).withdraw(), "hysteresis: above half");
    assertEquals(List.of(c.id()), track(existing, cluster(0, 40, 0.3, "a")).withdraw());
    assertEquals(List.of(c.id()), track(existing).withdraw(), "no cluster left at all");
  }

  @Test
  void shouldKeepAnAdoptedCandidateAsItWasNamed() {
    ClassCandidate c = track(Map.of(), cluster(0, 150, 0.3, "a")).publish().get(0).adopted("Ankle boot", 5);
    CandidateTracker.Outcome o = track(Map.of(c.id(), c));
    assertEquals(List.of(), o.withdraw());
    assertEquals(List.of(), track(Map.of(c.id(), c), cluster(0, 400, 0.3, "z")).publish());
  }

  @Test
  void shouldMatchEachClusterToTheNearestCandidateWithinTheLink() {
    ClassCandidate near = track(Map.of(), cluster(0, 150, 0.3, "a")).publish().get(0);
    ClassCandidate far = track(Map.of(), cluster(-3, 150, 0.3, "f")).publish().get(0);
    CandidateTracker.Outcome o = track(Map.of(near.id(), near, far.id(), far), cluster(0.1, 300, 0.3, "n"),
        cluster(-3, 300, 0.3, "g"));
    assertEquals(2, o.publish().size());
    assertEquals(near.id(), o.publish().get(0).id());
    assertEquals(far.id(), o.publish().get(1).id());
    assertTrue(o.withdraw().isEmpty());
  }
}
