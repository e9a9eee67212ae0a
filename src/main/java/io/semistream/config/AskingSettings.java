package io.semistream.config;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Active learning: which images the service asks a person to label, how fast, and how many in all. Distances are
 * between unit vectors and scaled by the labelled classes' own spread, as discovery's are.
 *
 * @param strategy what makes an image worth a label once two classes have labels
 * @param perMinute requests published per minute at most (a person's pace), spent evenly
 * @param total requests published in all (0: no limit), e.g. a labelling budget
 * @param maxOutstanding requests open (unanswered, unexpired) at once: nobody wants a queue of thousands
 * @param intervalMs how often the service picks requests (wall clock)
 * @param pool recent unlabelled images it chooses from
 * @param sampleOneIn one image in this many (by a hash of its id, the same for every client) joins the pool:
 *     the service then reads a fraction of the stream
 * @param diversity a request lies at least this many class spreads from every open, answered or withdrawn one
 * @param balance weight of class balance: a class with many labels already yields to one with few
 * @param ttlMs an unanswered request is withdrawn after this long
 */
public record AskingSettings(boolean enabled, Strategy strategy, double perMinute, long total, int maxOutstanding,
    long intervalMs, int pool, int sampleOneIn, double diversity, double balance, long ttlMs) {
  /** What makes an image worth a label, once two classes have labels. */
  public enum Strategy {
    /**
     * Typical images of dense regions (the mean similarity to their nearest pool neighbours): with a learner that
     * classifies by class means, a label is worth most where it moves a mean toward where the class's images lie.
     */
    TYPICAL("typical"),
    /** The smallest margin between the two nearest prototypes: the label decides between them. */
    UNCERTAIN("uncertain"),
    /**
     * Greedy coverage (ProbCover): the image whose neighbourhood holds the most pool images no request is near yet.
     * Labels spread over the space the stream fills, without asking the early prototypes which class an image is.
     */
    COVERING("covering");

    private final String key;

    Strategy(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    static Strategy of(String key) {
      for (Strategy s : values()) {
        if (s.key.equals(key)) {
          return s;
        }
      }
      throw new IllegalArgumentException(STRATEGY + " must be typical, uncertain or covering, not '" + key + "'");
    }
  }

  public static final String ENABLED = "asking.enabled";
  public static final String STRATEGY = "asking.strategy";
  public static final String PER_MINUTE = "asking.budget.per.minute";
  public static final String TOTAL = "asking.budget.total";
  public static final String MAX_OUTSTANDING = "asking.max.outstanding";
  public static final String INTERVAL_MS = "asking.interval.ms";
  public static final String POOL = "asking.pool.size";
  public static final String SAMPLE = "asking.sample.one.in";
  public static final String DIVERSITY = "asking.diversity";
  public static final String BALANCE = "asking.balance";
  public static final String TTL_MS = "asking.request.ttl.ms";

  public AskingSettings {
    if (strategy == null || !(perMinute > 0) || !Double.isFinite(perMinute) || total < 0 || maxOutstanding < 1 || intervalMs < 10
        || pool < 2 || sampleOneIn < 1 || !(diversity >= 0) || !Double.isFinite(diversity) || !(balance >= 0)
        || !Double.isFinite(balance) || ttlMs < 1) {
      throw new IllegalArgumentException("asking: a strategy, requests per minute > 0, total >= 0, max outstanding >= 1, "
          + "interval >= 10 ms, pool >= 2, sample one in >= 1, diversity and balance >= 0 and finite, ttl >= 1 ms");
    }
  }

  static void define(ConfigDef def) {
    def.define(ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
            "Run the active-learning service with every learner: it publishes label requests on label-requests.")
        .define(STRATEGY, Type.STRING, "covering", ConfigDef.ValidString.in("typical", "uncertain", "covering"), Importance.MEDIUM,
            "What makes an image worth a label once two classes have labels: typical (dense regions no request "
                + "covers yet), uncertain (smallest margin between the two nearest prototypes) or covering (the "
                + "image whose asking.diversity neighbourhood holds the most pool images no request is near).")
        .define(PER_MINUTE, Type.DOUBLE, 30.0, Range.between(0.001, 1_000_000.0), Importance.MEDIUM,
            "Label requests published per minute at most (a person's pace).")
        .define(TOTAL, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
            "Label requests published in all (a labelling budget); 0: no limit.")
        .define(MAX_OUTSTANDING, Type.INT, 20, Range.between(1, 100_000), Importance.MEDIUM,
            "Requests open (unanswered, not expired) at once; no new one while this many wait.")
        .define(INTERVAL_MS, Type.LONG, 1_000L, Range.between(10, 3_600_000), Importance.LOW,
            "How often the service picks requests (wall clock).")
        .define(POOL, Type.INT, 2_000, Range.between(2, 1_000_000), Importance.LOW,
            "Recent unlabelled images the service chooses from (bounded memory).")
        .define(SAMPLE, Type.INT, 1, Range.between(1, 1_000_000), Importance.LOW,
            "One image in this many (by a hash of its id) joins the pool; more reads a smaller share of the stream.")
        .define(DIVERSITY, Type.DOUBLE, 0.6, Range.between(0.0, 100.0), Importance.LOW,
            "A request lies at least this many class spreads from every open, answered or withdrawn request "
                + "(no near-duplicates).")
        .define(BALANCE, Type.DOUBLE, 1.0, Range.between(0.0, 1_000.0), Importance.LOW,
            "Weight of class balance: images of classes with fewer labels go first.")
        .define(TTL_MS, Type.LONG, 3_600_000L, Range.atLeast(1), Importance.LOW,
            "An unanswered request is withdrawn after this long.");
  }

  static AskingSettings read(ParsedValues v) {
    try {
      return new AskingSettings(v.bool(ENABLED), Strategy.of(v.string(STRATEGY)), v.decimal(PER_MINUTE),
          v.longValue(TOTAL), v.integer(MAX_OUTSTANDING), v.longValue(INTERVAL_MS), v.integer(POOL), v.integer(SAMPLE), v.decimal(DIVERSITY), v.decimal(BALANCE),
          v.longValue(TTL_MS));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigurationException(List.of(e.getMessage()));
    }
  }

  public AskingSettings withEnabled(boolean on) {
    return new AskingSettings(on, strategy, perMinute, total, maxOutstanding, intervalMs, pool, sampleOneIn,
        diversity, balance, ttlMs);
  }

  public AskingSettings withBudget(double newPerMinute, long newTotal, int newMaxOutstanding) {
    return new AskingSettings(enabled, strategy, newPerMinute, newTotal, newMaxOutstanding, intervalMs, pool,
        sampleOneIn, diversity, balance, ttlMs);
  }

  public AskingSettings withRequestTtl(long newTtlMs) {
    return new AskingSettings(enabled, strategy, perMinute, total, maxOutstanding, intervalMs, pool, sampleOneIn,
        diversity, balance, newTtlMs);
  }

  public AskingSettings withStrategy(Strategy newStrategy) {
    return new AskingSettings(enabled, newStrategy, perMinute, total, maxOutstanding, intervalMs, pool, sampleOneIn,
        diversity, balance, ttlMs);
  }

  /** Whether {@code imageId} is in the sample (a hash every client computes the same way). */
  public boolean sampled(String imageId) {
    return sampleOneIn == 1 || Math.floorMod(imageId.hashCode() * 0x9E3779B1, sampleOneIn) == 0;
  }
}
