package io.semistream.embedding;

import io.semistream.config.EmbeddingSettings;
import io.semistream.topics.TopicRegistry;

/**
 * The embedding service's two lanes. Decode cost grows with pixels: a 4-megapixel PNG takes ~100 ms, a 28×28 one
 * ~0.2 ms, so a sender of big images would hold up every small image batched behind them. The regular lane reads
 * only the header of a big image and forwards it, unchanged, to {@code images-large}; the large lane decodes those
 * on its own workers, consumer group and transactions.
 */
enum Lane {
  REGULAR, LARGE;

  String topic(TopicRegistry topics) {
    return this == REGULAR ? topics.images().name() : topics.imagesLarge().name();
  }

  String groupId(EmbeddingSettings settings) {
    return this == REGULAR ? settings.groupId() : settings.groupId() + "-large";
  }

  String transactionalId(EmbeddingSettings settings, int index) {
    return settings.transactionalIdPrefix() + (this == REGULAR ? "-" : "-large-") + index;
  }

  /** Where big images go from this lane: the large lane decodes everything it gets. */
  String forwardTopic(TopicRegistry topics) {
    return this == REGULAR ? topics.imagesLarge().name() : null;
  }

  /**
   * After a promotion only the regular lane re-reads its topic from the start: re-reading {@code images} forwards
   * every retained big image again, so the large lane re-reading {@code images-large} too would embed them twice.
   */
  boolean seeksOnSwitch(EmbeddingSettings settings) {
    return this == REGULAR && settings.reembedOnSwitch();
  }

  String threadName(int index) {
    return this == REGULAR ? "embedding-worker-" + index : "embedding-large-worker-" + index;
  }
}
