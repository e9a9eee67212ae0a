package io.semistream.replay;

import io.semistream.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Which images a replay sends, in which order, and which of them get labels: a pure function of the data set
 * and the options (seeded), so the ground truth and the published stream always agree.
 */
public record ReplayPlan(int[] order, boolean[] labelled) {

  public static ReplayPlan of(Dataset dataset, ReplayOptions options) {
    Random random = new Random(options.seed());
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < dataset.size(); i++) {
      if (!options.unsentClasses().contains(dataset.label(i))) {
        candidates.add(i);
      }
    }
    java.util.Collections.shuffle(candidates, random);
    int n = options.limit() == 0 ? candidates.size() : Math.min(options.limit(), candidates.size());
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = candidates.get(i);
    }
    boolean[] labelled = new boolean[n];
    int classes = dataset.classNames().size();
    if (options.stratified()) {
      // The same fraction of each class (rounded, at least one where the fraction is positive): the first
      // k sent images of each class in the shuffled order get labels.
      int[] perClass = new int[classes];
      for (int i = 0; i < n; i++) {
        perClass[dataset.label(order[i])]++;
      }
      int[] quota = new int[classes];
      for (int c = 0; c < classes; c++) {
        quota[c] = options.labelFraction() <= 0 ? 0
            : (int) Math.max(1, Math.round(perClass[c] * options.labelFraction()));
      }
      for (int i = 0; i < n; i++) {
        int c = dataset.label(order[i]);
        if (!options.unlabelledClasses().contains(c) && quota[c] > 0) {
          labelled[i] = true;
          quota[c]--;
        }
      }
    } else {
      for (int i = 0; i < n; i++) {
        labelled[i] = !options.unlabelledClasses().contains(dataset.label(order[i]))
            && random.nextDouble() < options.labelFraction();
      }
    }
    return new ReplayPlan(order, labelled);
  }

  public int size() {
    return order.length;
  }

  public long labelCount() {
    long count = 0;
    for (boolean b : labelled) {
      if (b) {
        count++;
      }
    }
    return count;
  }
}
