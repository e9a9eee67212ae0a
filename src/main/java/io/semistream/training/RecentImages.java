package io.semistream.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The most recent unlabelled images, bounded (a ring): consistency training learns from the stream as it is
 * now, and memory stays flat however long the stream runs.
 */
public final class RecentImages {
  private final float[][] ring;
  private long added;

  public RecentImages(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1");
    }
    ring = new float[capacity][];
  }

  public void add(float[] image) {
    ring[(int) (added % ring.length)] = image;
    added++;
  }

  public int size() {
    return (int) Math.min(added, ring.length);
  }

  public long added() {
    return added;
  }

  /** {@code n} images drawn uniformly with replacement (empty when there are none). */
  public List<float[]> sample(int n, Random draw) {
    int size = size();
    List<float[]> out = new ArrayList<>(n);
    for (int i = 0; size > 0 && i < n; i++) {
      out.add(ring[draw.nextInt(size)]);
    }
    return out;
  }
}
