package io.semistream.learning;

import io.semistream.records.Anomaly;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of a task's ring of recent anomalies (the store behind the query API's /anomalies). */
public record RecentAnomalies(@JsonProperty("imageId") String imageId, Anomaly anomaly) {
  /** Entries kept per stream task. */
  public static final int CAPACITY = 200;
  static final long NEXT_SLOT_KEY = -1L;
}
