package io.semistream.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.records.ClassCandidate;
import io.semistream.records.LabelRequest;
import io.semistream.records.Prediction;
import io.semistream.records.Prediction.Status;
import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveStateTest {
  private final LiveState state = new LiveState(3);

  private static Prediction p(String className, Status status, double margin, long version) {
    return new Prediction(className, status == Status.LABELLED ? 1 : 0.5, margin, status, version, "m", 1, 0, null);
  }

  private static Prototype proto(String className, long labels) {
    return new Prototype(className, new double[] {1, 2}, labels, 0.5, 7, 1, "m", 1, labels, 0,
        labels == 0 ? null : new double[] {1, 2});
  }

  private static List<LiveState.StreamItem> newestFirst(List<LiveState.StreamItem> oldestFirst) {
    List<LiveState.StreamItem> out = new java.util.ArrayList<>(oldestFirst);
    java.util.Collections.reverse(out);
    return out;
  }

  @Test
  void shouldKeepOnlyTheMostRecentImagesAndTheirPredictions() {
    for (String id : List.of("a", "b", "c", "d")) {
      state.onImage(id, new byte[] {1});
      state.onPrediction(id, p("Bag", Status.PSEUDO, 0.5, 1), 0);
    }
    assertFalse(state.image("a").isPresent(), "the oldest image is dropped at the bound");
    assertFalse(state.knows("a"));
    assertTrue(state.image("d").isPresent());
    state.onImage("b", new byte[] {2});
    state.onImage("e", new byte[] {1});
    assertTrue(state.image("b").isPresent(), "an image seen again counts as recent");
    assertFalse(state.image("c").isPresent());
  }

  @Test
  void shouldScorePrequentialAccuracyWhenATrueLabelArrivesAfterAPrediction() {
    state.onPrediction("right", p("Bag", Status.PSEUDO, 0.5, 1), 5_000);
    state.onPrediction("wrong", p("Coat", Status.UNCERTAIN, 0.1, 1), 6_000);
    state.onPrediction("right", p("Bag", Status.LABELLED, 1, 2), 7_000);
    state.onPrediction("wrong", p("Shirt", Status.LABELLED, 1, 2), 12_000);
    state.onPrediction("first-labelled", p("Bag", Status.LABELLED, 1, 1), 12_500);
    state.onPrediction("right", p("Bag", Status.LABELLED, 1, 3), 13_000);
    assertEquals(List.of(new LiveState.Bucket(0, 1, 1), new LiveState.Bucket(10_000, 0, 1)), state.prequential(),
        "one trial per label that followed a prediction; labels with no earlier guess or repeated are no trial");
    assertEquals(java.util.Set.of(LiveState.Change.MODEL), state.takeChanges());
    assertEquals(java.util.Set.of(), state.takeChanges(), "each change is handed out once");
  }

  @Test
  void shouldMarkOnlyClassChangesAsCorrectionsAndHandThemOutOnce() {
    state.onPrediction("x", p("Bag", Status.PSEUDO, 0.5, 1), 0);
    state.onPrediction("x", p("Bag", Status.PSEUDO, 0.4, 2), 0);
    state.onPrediction("x", p("Coat", Status.PSEUDO, 0.4, 3), 0);
    List<LiveState.StreamItem> sent = state.drainUnsent();
    assertEquals(List.of(false, false, true), sent.stream().map(LiveState.StreamItem::correction).toList());
    assertEquals(List.of(), state.drainUnsent());
    assertEquals("Coat", state.recent().get(0).prediction().className(), "newest first");
  }

  @Test
  void shouldPushANewImageEvenWhenABurstOfCorrectionsFollowsItBeforeThePush() {
    LiveState big = new LiveState(1_000);
    for (int i = 0; i < 100; i++) {
      big.onPrediction("old-" + i, p("Bag", Status.PSEUDO, 0.5, 1), 0);
    }
    big.drainUnsent();
    big.onPrediction("new", p("Coat", Status.PSEUDO, 0.5, 1), 1);
    // The backlog re-predicted (a prototype moved): twice as many predictions as a push holds.
    for (int i = 0; i < 2 * LiveState.RECENT; i++) {
      big.onPrediction("old-" + (i % 100), p(i % 2 == 0 ? "Coat" : "Bag", Status.PSEUDO, 0.4, 2 + i), 2);
    }
    List<LiveState.StreamItem> sent = big.drainUnsent();
    assertEquals(LiveState.RECENT, sent.size());
    assertEquals("new", sent.get(0).imageId(), "the new image is kept, oldest first");
    assertEquals(2 + 2 * LiveState.RECENT - 1, sent.get(sent.size() - 1).prediction().version(),
        "then the newest repeated predictions");
    assertEquals(newestFirst(sent), big.recent(), "a reload shows what was pushed, the new image among it");
  }

  @Test
  void shouldLoadThePageWithWhatWasPushedNewestFirstAndNothingNotYetPushed() {
    LiveState big = new LiveState(1_000);
    big.onPrediction("a", p("Bag", Status.PSEUDO, 0.5, 1), 0);
    big.onPrediction("b", p("Coat", Status.PSEUDO, 0.5, 1), 0);
    assertEquals(List.of(), big.recent(), "not pushed yet: the page's live connection gets them");
    List<LiveState.StreamItem> first = big.drainUnsent();
    big.onPrediction("c", p("Bag", Status.PSEUDO, 0.5, 1), 1);
    assertEquals(List.of("b", "a"), big.recent().stream().map(LiveState.StreamItem::imageId).toList());
    for (int i = 0; i < 3; i++) {
      big.drainUnsent();
      for (int k = 0; k < LiveState.RECENT; k++) {
        big.onPrediction("d" + i + "-" + k, p("Bag", Status.PSEUDO, 0.5, 1), 2);
      }
    }
    List<LiveState.StreamItem> last = big.drainUnsent();
    assertEquals(newestFirst(last), big.recent(), "at most one push's worth, the newest");
    assertFalse(big.recent().containsAll(first));
  }

  @Test
  void shouldDropTheOldestWhenOnlyNewImagesArriveBetweenPushes() {
    LiveState big = new LiveState(1_000);
    for (int i = 0; i < LiveState.RECENT + 5; i++) {
      big.onPrediction("img-" + i, p("Bag", Status.PSEUDO, 0.5, 1), 0);
    }
    List<LiveState.StreamItem> sent = big.drainUnsent();
    assertEquals(LiveState.RECENT, sent.size());
    assertEquals("img-5", sent.get(0).imageId());
    assertEquals("img-" + (LiveState.RECENT + 4), sent.get(sent.size() - 1).imageId());
  }

  @Test
  void shouldQueueDoubtfulImagesWithTheSmallestMarginFirst() {
    LiveState big = new LiveState(10);
    String[] ids = {"sure", "doubt", "anomaly", "labelled", "no-image"};
    Status[] statuses = {Status.PSEUDO, Status.UNCERTAIN, Status.ANOMALY, Status.LABELLED, Status.UNCERTAIN};
    double[] margins = {0.9, 0.2, 0.05, 1, 0.01};
    for (int i = 0; i < ids.length; i++) {
      if (!ids[i].equals("no-image")) {
        big.onImage(ids[i], new byte[] {1});
      }
      big.onPrediction(ids[i], p("Bag", statuses[i], margins[i], 1), 0);
    }
    assertEquals(List.of("anomaly", "doubt"), big.labelQueue(5).stream().map(LiveState.QueueItem::imageId).toList(),
        "no confident, labelled or image-less entries");
    assertEquals(List.of("anomaly"), big.labelQueue(1).stream().map(LiveState.QueueItem::imageId).toList());
  }

  @Test
  void shouldPutTheServicesOpenRequestsFirstOldestFirstAndDropThemOnceAnswered() {
    LiveState big = new LiveState(10);
    for (String id : new String[] {"doubt", "asked-late", "asked-early", "asked-confident", "asked-no-image"}) {
      if (!id.equals("asked-no-image")) {
        big.onImage(id, new byte[] {1});
      }
    }
    big.onPrediction("doubt", p("Bag", Status.UNCERTAIN, 0.01, 1), 0);
    big.onPrediction("asked-confident", p("Bag", Status.PSEUDO, 0.9, 1), 0);
    big.onRequest("asked-late", request("asked-late", 20));
    big.onRequest("asked-early", request("asked-early", 10));
    big.onRequest("asked-confident", request("asked-confident", 15));
    big.onRequest("asked-no-image", request("asked-no-image", 5));
    List<LiveState.QueueItem> queue = big.labelQueue(10);
    assertEquals(List.of("asked-early", "asked-confident", "asked-late", "doubt"),
        queue.stream().map(LiveState.QueueItem::imageId).toList());
    assertEquals("between Bag and Coat (margin 0.010; Bag has 3 labels)", queue.get(0).request().detail());
    assertEquals(null, queue.get(0).prediction(), "no prediction kept for it: the request's own guess is shown");
    big.onRequest("asked-early", request("asked-early", 10).answered("Coat", 30));
    big.onRequest("asked-late", null);   // expired
    assertEquals(List.of("asked-confident", "doubt"),
        big.labelQueue(10).stream().map(LiveState.QueueItem::imageId).toList());
  }

  private static LabelRequest request(String id, long time) {
    return new LabelRequest(id, -0.01, LabelRequest.Reason.UNCERTAIN,
        "between Bag and Coat (margin 0.010; Bag has 3 labels)", "Bag", "Coat", 0.01, "m", 1, time, null, null);
  }

  @Test
  void shouldListLabelledThenZeroShotClassesWithExemplarsTrueLabelsFirst() {
    LiveState big = new LiveState(10);
    big.onPrototype("Bag", proto("Bag", 2));
    big.onPrototype("Coat", proto("Coat", 1));
    big.onZeroShot("Sandal", new SynthesizedPrototype("Sandal", new double[] {0, 1}, 0.3, "m", 1,
        List.of("Bag", "Coat"), 1, 9));
    big.onZeroShot("Coat", new SynthesizedPrototype("Coat", new double[] {0, 1}, 0.3, "m", 1,
        List.of("Bag", "Sandal"), 1, 9));
    big.onImage("p", new byte[] {1});
    big.onImage("l", new byte[] {1});
    big.onPrediction("p", p("Bag", Status.PSEUDO, 0.5, 1), 0);
    big.onPrediction("l", p("Bag", Status.LABELLED, 1, 1), 0);
    List<LiveState.ClassView> classes = big.classes();
    assertEquals(List.of("Bag:labelled", "Coat:labelled", "Sandal:zero-shot"),
        classes.stream().map(c -> c.className() + ":" + c.kind()).toList(), "a class with labels is no zero-shot one");
    assertEquals(List.of("l", "p"), classes.get(0).exemplars());
    assertEquals(List.of("Bag", "Coat", "Sandal"), big.classNames());
    big.onPrototype("Bag", null);
    assertEquals(List.of("Coat:labelled", "Sandal:zero-shot"),
        big.classes().stream().map(c -> c.className() + ":" + c.kind()).toList());
  }

  @Test
  void shouldListUnnamedCandidatesAfterTheClassesWithTheirExemplarsAndDropThemWhenNamedOrWithdrawn() {
    LiveState big = new LiveState(10);
    big.onPrototype("Bag", proto("Bag", 2));
    big.onCandidate("candidate-1", new ClassCandidate("candidate-1", new double[] {0.6, 0.8}, 0.2, 140,
        List.of("a", "b"), 1, 5, "m", 1, null, 9));
    big.onCandidate("candidate-2", new ClassCandidate("candidate-2", new double[] {1, 0}, 0.2, 120,
        List.of("c"), 1, 5, "m", 1, "Ankle boot", 9));
    List<LiveState.ClassView> classes = big.classes();
    assertEquals(List.of("Bag:labelled", "candidate-1:candidate"),
        classes.stream().map(c -> c.className() + ":" + c.kind()).toList(), "a named candidate is a class now");
    assertEquals(List.of("a", "b"), classes.get(1).exemplars());
    assertEquals(140, classes.get(1).count());
    assertEquals(Math.sqrt(5), big.typicalPrototypeNorm(1), 1e-12, "the prototypes' length draws a centroid");
    // A candidate's exemplars are images the page shows on its card: a label for them is accepted even when they
    // left the bounded thumbnail cache long ago.
    assertTrue(big.knows("a"), "an exemplar of a candidate");
    assertFalse(big.knows("z"), "an id the view never saw");
    big.onCandidate("candidate-1", null);
    assertEquals(List.of("Bag:labelled"), big.classes().stream().map(c -> c.className() + ":" + c.kind()).toList());
    assertFalse(big.knows("a"), "the candidate was withdrawn");
  }
}
