package io.semistream.replay;

import io.semistream.data.DatasetName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * What a replay publishes.
 *
 * @param limit at most this many images (0: the whole data set), taken in a seeded shuffled order
 * @param ratePerSecond images per second, 0 for as fast as possible
 * @param labelFraction fraction of sent images that get a label
 * @param stratified label the same fraction of every class (rounded), instead of a plain random draw
 * @param labelDelay labels are published this long after their image (0: right after it)
 * @param unlabelledClasses class indices that are sent but never labelled (held out for anomaly/novelty evaluation)
 * @param unsentClasses class indices that are never sent at all
 * @param groundTruth where to write the ground-truth CSV, or null
 */
public record ReplayOptions(
    DatasetName dataset, int limit, double ratePerSecond, double labelFraction, boolean stratified,
    Duration labelDelay, Set<Integer> unlabelledClasses, Set<Integer> unsentClasses, long seed, String idPrefix,
    Path groundTruth, boolean progressBar) {

  public ReplayOptions {
    if (dataset == null) {
      throw new IllegalArgumentException("dataset is required");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0");
    }
    if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be >= 0 (0: as fast as possible)");
    }
    if (!(labelFraction >= 0 && labelFraction <= 1)) {
      throw new IllegalArgumentException("label fraction must be in [0, 1], got " + labelFraction);
    }
    if (labelDelay == null || labelDelay.isNegative()) {
      throw new IllegalArgumentException("label delay must be >= 0");
    }
    int classes = dataset.classNames().size();
    for (int c : unlabelledClasses) {
      if (c < 0 || c >= classes) {
        throw new IllegalArgumentException("held-out class " + c + " is not in 0.." + (classes - 1));
      }
    }
    for (int c : unsentClasses) {
      if (c < 0 || c >= classes) {
        throw new IllegalArgumentException("unsent class " + c + " is not in 0.." + (classes - 1));
      }
    }
    if (idPrefix == null || idPrefix.isBlank()) {
      throw new IllegalArgumentException("id prefix must not be empty");
    }
    unlabelledClasses = Set.copyOf(unlabelledClasses);
    unsentClasses = Set.copyOf(unsentClasses);
  }

  public static ReplayOptions defaults(DatasetName dataset) {
    return new ReplayOptions(dataset, 0, 0, 0.01, true, Duration.ZERO, Set.of(), Set.of(), 42, dataset.id(), null,
        false);
  }

  public ReplayOptions withLimit(int newLimit) {
    return new ReplayOptions(dataset, newLimit, ratePerSecond, labelFraction, stratified, labelDelay,
        unlabelledClasses, unsentClasses, seed, idPrefix, groundTruth, progressBar);
  }

  public ReplayOptions withLabelFraction(double fraction) {
    return new ReplayOptions(dataset, limit, ratePerSecond, fraction, stratified, labelDelay, unlabelledClasses,
        unsentClasses, seed, idPrefix, groundTruth, progressBar);
  }

  public ReplayOptions withGroundTruth(Path file) {
    return new ReplayOptions(dataset, limit, ratePerSecond, labelFraction, stratified, labelDelay,
        unlabelledClasses, unsentClasses, seed, idPrefix, file, progressBar);
  }

  public ReplayOptions withHoldout(Set<Integer> unlabelled, Set<Integer> unsent) {
    return new ReplayOptions(dataset, limit, ratePerSecond, labelFraction, stratified, labelDelay, unlabelled,
        unsent, seed, idPrefix, groundTruth, progressBar);
  }

  public ReplayOptions withIdPrefix(String prefix) {
    return new ReplayOptions(dataset, limit, ratePerSecond, labelFraction, stratified, labelDelay,
        unlabelledClasses, unsentClasses, seed, prefix, groundTruth, progressBar);
  }

  public ReplayOptions withRate(double imagesPerSecond) {
    return new ReplayOptions(dataset, limit, imagesPerSecond, labelFraction, stratified, labelDelay,
        unlabelledClasses, unsentClasses, seed, idPrefix, groundTruth, progressBar);
  }
}
