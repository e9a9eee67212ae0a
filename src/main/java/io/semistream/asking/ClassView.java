package io.semistream.asking;

/**
 * What the service keeps of a labelled class's prototype: its direction, how many true labels it rests on, and
 * its spread relative to its length (the distance unit), in one encoder version.
 */
record ClassView(String className, double[] unit, long labelledCount, int modelVersion, double spreadRatio) {
  ClassView {
    unit = unit.clone();
  }
}
