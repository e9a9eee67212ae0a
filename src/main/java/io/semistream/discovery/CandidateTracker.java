package io.semistream.discovery;

import io.semistream.vectors.Vectors;
import io.semistream.config.DiscoverySettings;
import io.semistream.records.ClassCandidate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Turns the clusters of one moment into changes of the published candidates: a cluster that is dense ({@code
 * minSize}) and as tight as a labelled class ({@code maxSpread}) becomes a candidate; it keeps its id while a
 * cluster stays within {@code link} of it and holds at least half the minimum (hysteresis: a candidate does not
 * blink in and out around the threshold); it is withdrawn when none does. An adopted candidate is history (a
 * person named it) and stays as it was named. Pure.
 */
final class CandidateTracker {
  /** Candidates to (re)publish and ids to withdraw. */
  record Outcome(List<ClassCandidate> publish, List<String> withdraw) {
  }

  private final DiscoverySettings settings;

  CandidateTracker(DiscoverySettings settings) {
    this.settings = settings;
  }

  boolean qualifies(StreamClusterer.Cluster c, double scale) {
    return c.weight() >= settings.minSize() && c.spread() <= settings.maxSpread() * scale;
  }

  Outcome track(List<StreamClusterer.Cluster> clusters, Map<String, ClassCandidate> existing, double scale,
      String modelId, int modelVersion, long now, LongSupplier nextId) {
    List<ClassCandidate> publish = new ArrayList<>();
    Set<String> matched = new HashSet<>();
    for (StreamClusterer.Cluster c : clusters) {
      ClassCandidate match = nearest(c, existing, matched, scale);
      if (match != null && c.weight() >= settings.minSize() / 2.0) {
        matched.add(match.id());
        if (match.adoptedAs() != null) {
          continue;
        }
        ClassCandidate updated = new ClassCandidate(match.id(), c.centroid(), c.spread(), c.count(), c.exemplars(),
            Math.min(match.firstSeen(), c.firstSeen()), Math.max(match.lastSeen(), c.lastSeen()), modelId,
            modelVersion, null, now);
        if (materially(match, updated, scale)) {
          publish.add(updated);
        }
      } else if (qualifies(c, scale)) {
        publish.add(new ClassCandidate("candidate-" + nextId.getAsLong(), c.centroid(), c.spread(), c.count(),
            c.exemplars(), c.firstSeen(), c.lastSeen(), modelId, modelVersion, null, now));
      }
    }
    List<String> withdraw = existing.values().stream()
        .filter(e -> !matched.contains(e.id()) && e.adoptedAs() == null).map(ClassCandidate::id).sorted().toList();
    return new Outcome(publish, withdraw);
  }

  /** The unmatched candidate nearest {@code c}, if within the link distance. */
  private ClassCandidate nearest(StreamClusterer.Cluster c, Map<String, ClassCandidate> existing, Set<String> matched,
      double scale) {
    ClassCandidate best = null;
    double bestDistance = settings.link() * scale;
    for (ClassCandidate e : existing.values()) {
      if (matched.contains(e.id())) {
        continue;
      }
      double d = Vectors.distance(c.centroid(), e.centroid());
      if (d <= bestDistance) {
        bestDistance = d;
        best = e;
      }
    }
    return best;
  }

  /** Worth a record: grew by a tenth, other exemplars, or moved by a tenth of the radius. */
  private boolean materially(ClassCandidate before, ClassCandidate after, double scale) {
    return after.size() >= before.size() * 1.1 || !after.exemplars().equals(before.exemplars())
        || Vectors.distance(before.centroid(), after.centroid()) > 0.1 * settings.radius() * scale;
  }
}
