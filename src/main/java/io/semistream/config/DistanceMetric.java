package io.semistream.config;

import java.util.Arrays;
import java.util.Locale;

/** Distance between an embedding and a prototype: the configuration value, parsed once. */
public enum DistanceMetric {
  /** Euclidean distance to the class mean. */
  EUCLIDEAN,
  /** 1 − cosine similarity. */
  COSINE;

  /** The configuration spelling ({@code cosine}, {@code euclidean}). */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  static String[] keys() {
    return Arrays.stream(values()).map(DistanceMetric::key).toArray(String[]::new);
  }

  static DistanceMetric ofKey(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT));
  }
}
