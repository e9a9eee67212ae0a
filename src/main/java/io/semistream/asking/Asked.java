package io.semistream.asking;

import io.semistream.records.LabelRequest;

/** A published request and the direction of its image: later requests keep their distance from it. */
record Asked(LabelRequest request, double[] unit) {
}
