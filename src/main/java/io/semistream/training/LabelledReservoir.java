package io.semistream.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Labelled images, bounded per class and class-balanced: each class keeps at most {@code perClass} examples
 * (reservoir sampling beyond that, so old and new labels are equally likely to stay), and batches draw classes
 * uniformly, so a class with many labels does not drown the others. A relabelled image moves.
 */
public final class LabelledReservoir {
  /** One labelled example. */
  public record Example(String imageId, String className, float[] image) {
  }

  private final int perClass;
  private final Random random;
  private final Map<String, List<Example>> byClass = new LinkedHashMap<>();
  private final Map<String, Example> byId = new LinkedHashMap<>();
  private final Map<String, Long> seen = new LinkedHashMap<>();

  public LabelledReservoir(int perClass, long seed) {
    if (perClass < 1) {
      throw new IllegalArgumentException("perClass must be >= 1");
    }
    this.perClass = perClass;
    this.random = new Random(seed);
  }

  /** Adds or relabels {@code imageId}. */
  public void add(String imageId, String className, float[] image) {
    Example old = byId.remove(imageId);
    if (old != null) {
      byClass.get(old.className()).remove(old);
    }
    Example e = new Example(imageId, className, image);
    List<Example> list = byClass.computeIfAbsent(className, k -> new ArrayList<>());
    long n = seen.merge(className, 1L, Long::sum);
    if (list.size() < perClass) {
      list.add(e);
      byId.put(imageId, e);
    } else {
      long slot = (long) (random.nextDouble() * n);
      if (slot < perClass) {
        byId.remove(list.get((int) slot).imageId());
        list.set((int) slot, e);
        byId.put(imageId, e);
      }
    }
  }

  public int size() {
    return byId.size();
  }

  /** Classes in the order their first label arrived (the head's output index). */
  public List<String> classes() {
    return List.copyOf(byClass.keySet());
  }

  public int count(String className) {
    List<Example> list = byClass.get(className);
    return list == null ? 0 : list.size();
  }

  /** {@code n} examples: a class drawn uniformly, then an example of it; with replacement. */
  public List<Example> balancedBatch(int n, Random draw) {
    List<List<Example>> nonEmpty = byClass.values().stream().filter(l -> !l.isEmpty()).toList();
    if (nonEmpty.isEmpty()) {
      return List.of();
    }
    List<Example> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<Example> c = nonEmpty.get(draw.nextInt(nonEmpty.size()));
      out.add(c.get(draw.nextInt(c.size())));
    }
    return out;
  }

  public List<Example> all() {
    return List.copyOf(byId.values());
  }
}
