package io.semistream.asking;

/**
 * The budget: requests that may still be published now ({@code tokens}, refilled at the per-minute rate up to
 * one round's worth, so an idle hour does not become a burst), published in all, and when it was last refilled.
 */
record AskingState(double tokens, long published, long refilledAt) {
  static final AskingState EMPTY = new AskingState(0, 0, -1);
}
