package io.semistream.web;

import io.semistream.records.Anomaly;
import io.semistream.records.ClassCandidate;
import io.semistream.records.LabelRequest;
import io.semistream.records.ModelVersion;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the web view knows, built only from what reached the topics: recent images (bounded), their latest
 * predictions, the class tables, recent anomalies, the encoder versions and the prequential accuracy (was the
 * prediction an image had right before its true label arrived?). Every method is synchronized: one reader thread
 * writes, HTTP threads read, and each call is short.
 */
final class LiveState {
  static final int RECENT = 48;
  static final int ANOMALIES = 48;
  static final int EXEMPLARS = 4;
  /** Prequential accuracy is kept per bucket of this many milliseconds of arrival time. */
  static final long BUCKET_MS = 10_000;
  static final int BUCKETS = 360;

  /** One prediction as the stream page shows it. {@code correction}: a later version changed the class. */
  record StreamItem(String imageId, Prediction prediction, boolean correction, long receivedAt) {
  }

  /** One class row: a labelled prototype, or a zero-shot one synthesized from its semantic vector. */
  record ClassView(String className, String kind, double count, long labelledCount, double pseudoWeight,
      double spread, long version, int modelVersion, List<String> exemplars) {
  }

  record AnomalyItem(String imageId, Anomaly anomaly, long receivedAt) {
  }

  /**
   * One image in the label queue: asked for by the service ({@code request}, its reason shown) or merely
   * uncertain now; {@code prediction} is null for a requested image whose prediction this view has not kept.
   */
  record QueueItem(String imageId, Prediction prediction, LabelRequest request) {
  }

  /** A table the pages show that changed: they re-read it when told. */
  enum Change {
    CLASSES, ANOMALIES, MODEL
  }

  /** A prediction not yet pushed; {@code firstSighting}: this view had no prediction for the image before. */
  private record Pending(StreamItem item, boolean firstSighting) {
  }

  /** Hits and trials of the prequential test in one bucket of arrival time. */
  record Bucket(long start, int hits, int trials) {
  }

  private final int maxImages;
  private final LinkedHashMap<String, byte[]> images = new LinkedHashMap<>();
  private final LinkedHashMap<String, Prediction> predictions = new LinkedHashMap<>();
  private final Deque<StreamItem> recent = new ArrayDeque<>();
  private final List<Pending> unsent = new ArrayList<>();
  private final TreeMap<String, Prototype> prototypes = new TreeMap<>();
  private final TreeMap<String, SynthesizedPrototype> zeroShot = new TreeMap<>();
  private final TreeMap<String, ClassCandidate> candidates = new TreeMap<>();
  /** Open label requests (answered and expired ones leave). */
  private final LinkedHashMap<String, LabelRequest> requests = new LinkedHashMap<>();
  private final Deque<AnomalyItem> anomalies = new ArrayDeque<>();
  private final TreeMap<Integer, ModelVersion> versions = new TreeMap<>();
  private final TreeMap<Long, int[]> prequential = new TreeMap<>();
  private final EnumSet<Change> changed = EnumSet.noneOf(Change.class);
  private long predictionsSeen;

  LiveState(int maxImages) {
    if (maxImages < 1) {
      throw new IllegalArgumentException("the web view must keep at least one image");
    }
    this.maxImages = maxImages;
  }

  synchronized void onImage(String id, byte[] encoded) {
    images.remove(id);
    images.put(id, encoded);
    evict(images);
  }

  synchronized void onPrediction(String id, Prediction p, long now) {
    predictionsSeen++;
    Prediction before = predictions.remove(id);
    predictions.put(id, p);
    evict(predictions);
    if (p.status() == Prediction.Status.LABELLED && before != null
        && before.status() != Prediction.Status.LABELLED) {
      int[] bucket = prequential.computeIfAbsent(now - Math.floorMod(now, BUCKET_MS), k -> new int[2]);
      bucket[0] += before.className().equals(p.className()) ? 1 : 0;
      bucket[1]++;
      changed.add(Change.MODEL);
      while (prequential.size() > BUCKETS) {
        prequential.pollFirstEntry();
      }
    }
    // A correction: a later version of the prediction names another class than the one shown before.
    boolean correction = p.version() > 1 && (before == null || !before.className().equals(p.className()));
    StreamItem item = new StreamItem(id, p, correction, now);
    unsent.add(new Pending(item, before == null));
    if (unsent.size() > RECENT) {
      unsent.remove(oldestToDrop());
    }
  }

  /**
   * Which pending prediction to drop when more than {@link #RECENT} arrived between two pushes: the oldest one
   * for an image this view had a prediction for before, else the oldest. Why: when a prototype moves, the
   * learner re-predicts its backlog, and a burst larger than one push used to drop every new image before the
   * page saw it (WebViewIT, 4 of 14 runs beside a busy neighbour); the live stream must show new images arriving.
   * The page-load list, {@link #recent()}, is what was pushed, so a reload shows what the open page showed.
   */
  private int oldestToDrop() {
    for (int i = 0; i < unsent.size(); i++) {
      if (!unsent.get(i).firstSighting()) {
        return i;
      }
    }
    return 0;
  }

  synchronized void onPrototype(String className, Prototype p) {
    if (p == null) {
      prototypes.remove(className);
    } else {
      prototypes.put(className, p);
    }
    changed.add(Change.CLASSES);
  }

  synchronized void onZeroShot(String className, SynthesizedPrototype p) {
    if (p == null) {
      zeroShot.remove(className);
    } else {
      zeroShot.put(className, p);
    }
    changed.add(Change.CLASSES);
  }

  synchronized void onCandidate(String id, ClassCandidate c) {
    if (c == null) {
      candidates.remove(id);
    } else {
      candidates.put(id, c);
    }
    changed.add(Change.CLASSES);
  }

  synchronized void onRequest(String imageId, LabelRequest r) {
    requests.remove(imageId);
    if (r != null && r.open()) {
      requests.put(imageId, r);
      evict(requests);
    }
  }

  synchronized Optional<ClassCandidate> candidate(String id) {
    return Optional.ofNullable(candidates.get(id));
  }

  /** The median length of the prototypes of encoder {@code modelVersion} (a candidate's centroid is a direction). */
  synchronized double typicalPrototypeNorm(int modelVersion) {
    double[] norms = prototypes.values().stream().filter(p -> p.modelVersion() == modelVersion)
        .mapToDouble(p -> Math.sqrt(java.util.Arrays.stream(p.vectorView()).map(x -> x * x).sum())).sorted()
        .toArray();
    return norms.length == 0 ? 1 : norms[norms.length / 2];
  }

  synchronized void onAnomaly(String id, Anomaly a, long now) {
    anomalies.removeIf(item -> item.imageId().equals(id));
    anomalies.addFirst(new AnomalyItem(id, a, now));
    while (anomalies.size() > ANOMALIES) {
      anomalies.removeLast();
    }
    changed.add(Change.ANOMALIES);
  }

  synchronized void onModelVersion(ModelVersion v) {
    versions.put(v.version(), v);
    changed.add(Change.MODEL);
  }

  synchronized Optional<byte[]> image(String id) {
    return Optional.ofNullable(images.get(id));
  }

  /** An image the page may have shown: a recent one, or an exemplar on a class candidate's card. */
  synchronized boolean knows(String id) {
    return images.containsKey(id) || predictions.containsKey(id)
        || candidates.values().stream().anyMatch(c -> c.exemplars() != null && c.exemplars().contains(id));
  }

  synchronized Optional<Prediction> prediction(String id) {
    return Optional.ofNullable(predictions.get(id));
  }

  /**
   * The last {@link #RECENT} predictions pushed, newest first: what a page open all along shows. Why not simply
   * the newest predictions: during a relabel burst those are all re-predictions of old images, and a reload then
   * showed only corrections while the open page showed the new images too. Predictions not pushed yet are not
   * here: the page's live connection gets them with the next push, and would otherwise show them twice.
   */
  synchronized List<StreamItem> recent() {
    return List.copyOf(recent);
  }

  /**
   * The predictions that arrived since the last call, oldest first: at most {@link #RECENT}, first sightings of
   * an image kept over repeated predictions when more arrived. They become the page-load list's newest.
   */
  synchronized List<StreamItem> drainUnsent() {
    List<StreamItem> out = unsent.stream().map(Pending::item).toList();
    unsent.clear();
    out.forEach(recent::addFirst);
    while (recent.size() > RECENT) {
      recent.removeLast();
    }
    return out;
  }

  /** The tables that changed since the last call. */
  synchronized Set<Change> takeChanges() {
    Set<Change> out = EnumSet.copyOf(changed);
    changed.clear();
    return out;
  }

  synchronized long predictionsSeen() {
    return predictionsSeen;
  }

  synchronized Optional<Prototype> prototype(String className) {
    return Optional.ofNullable(prototypes.get(className));
  }

  synchronized Optional<SynthesizedPrototype> zeroShotPrototype(String className) {
    return Optional.ofNullable(zeroShot.get(className));
  }

  /**
   * Every class: labelled prototypes first, then the zero-shot ones that have no labelled prototype yet, each with
   * up to {@link #EXEMPLARS} recent images predicted as that class (true labels first, then by confidence); then
   * the class candidates no one has named yet, with the exemplars the discovery service chose.
   */
  synchronized List<ClassView> classes() {
    Map<String, List<Map.Entry<String, Prediction>>> members = new HashMap<>();
    for (var e : predictions.entrySet()) {
      Prediction.Status s = e.getValue().status();
      if (images.containsKey(e.getKey()) && (s == Prediction.Status.LABELLED || s == Prediction.Status.PSEUDO
          || s == Prediction.Status.ZERO_SHOT)) {
        members.computeIfAbsent(e.getValue().className(), k -> new ArrayList<>()).add(e);
      }
    }
    Comparator<Map.Entry<String, Prediction>> best = Comparator
        .<Map.Entry<String, Prediction>>comparingInt(e -> e.getValue().status() == Prediction.Status.LABELLED ? 0 : 1)
        .thenComparing(e -> -e.getValue().confidence());
    List<ClassView> out = new ArrayList<>();
    for (Prototype p : prototypes.values()) {
      out.add(new ClassView(p.className(), "labelled", p.count(), p.labelledCount(), p.pseudoWeight(), p.spread(),
          p.version(), p.modelVersion(), exemplars(members.get(p.className()), best)));
    }
    for (SynthesizedPrototype z : zeroShot.values()) {
      Prototype real = prototypes.get(z.className());
      if (real == null || real.labelledCount() == 0) {
        out.removeIf(c -> c.className().equals(z.className()));
        out.add(new ClassView(z.className(), "zero-shot", 0, 0, 0, z.spread(), z.updateTime(), z.modelVersion(),
            exemplars(members.get(z.className()), best)));
      }
    }
    for (ClassCandidate c : candidates.values()) {
      if (c.adoptedAs() == null) {
        out.add(new ClassView(c.id(), "candidate", c.size(), 0, 0, c.spread(), c.updateTime(), c.modelVersion(),
            c.exemplars().stream().limit(EXEMPLARS).toList()));
      }
    }
    return out;
  }

  private static List<String> exemplars(List<Map.Entry<String, Prediction>> members,
      Comparator<Map.Entry<String, Prediction>> best) {
    if (members == null) {
      return List.of();
    }
    return members.stream().sorted(best).limit(EXEMPLARS).map(Map.Entry::getKey).toList();
  }

  /**
   * The images the service most needs a person for: first its open label requests (oldest first: a person works
   * through them in order), then recent images without a true label whose prediction is uncertain, an anomaly or
   * zero-shot, smallest margin first (the nearest two classes are hardest to tell apart). Only images whose
   * thumbnail this view holds: a person must see what they label.
   */
  synchronized List<QueueItem> labelQueue(int limit) {
    List<QueueItem> out = new ArrayList<>();
    requests.values().stream().filter(r -> images.containsKey(r.imageId()))
        .sorted(Comparator.comparingLong(LabelRequest::requestTime).thenComparing(LabelRequest::imageId))
        .forEach(r -> out.add(new QueueItem(r.imageId(), predictions.get(r.imageId()), r)));
    List<QueueItem> uncertain = new ArrayList<>();
    for (var e : predictions.entrySet()) {
      Prediction.Status s = e.getValue().status();
      if (images.containsKey(e.getKey()) && !requests.containsKey(e.getKey()) && (s == Prediction.Status.UNCERTAIN
          || s == Prediction.Status.ANOMALY || s == Prediction.Status.ZERO_SHOT)) {
        uncertain.add(new QueueItem(e.getKey(), e.getValue(), null));
      }
    }
    uncertain.sort(Comparator.comparingDouble((QueueItem i) -> i.prediction().margin())
        .thenComparing(QueueItem::imageId));
    out.addAll(uncertain);
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }

  synchronized List<AnomalyItem> anomalies() {
    return List.copyOf(anomalies);
  }

  synchronized List<ModelVersion> versions() {
    return List.copyOf(versions.values());
  }

  synchronized List<Bucket> prequential() {
    List<Bucket> out = new ArrayList<>();
    prequential.forEach((start, b) -> out.add(new Bucket(start, b[0], b[1])));
    return out;
  }

  /** The class names a person may choose from: labelled and zero-shot ones. */
  synchronized List<String> classNames() {
    TreeMap<String, Boolean> names = new TreeMap<>();
    prototypes.keySet().forEach(n -> names.put(n, true));
    zeroShot.keySet().forEach(n -> names.put(n, true));
    return List.copyOf(names.keySet());
  }

  private void evict(LinkedHashMap<String, ?> map) {
    Iterator<String> oldest = map.keySet().iterator();
    while (map.size() > maxImages && oldest.hasNext()) {
      oldest.next();
      oldest.remove();
    }
  }
}
