package io.semistream.broker;

import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * Drops the broker's ERROR lines for one rejection that is part of normal operation, not a fault (log4j2.xml puts it
 * on {@code kafka.server.ReplicaManager}). With transactions v2 (KIP-890) a producer starts each transaction under
 * a new epoch, and until the batch with sequence 0 is written the broker refuses the batches pipelined behind it
 * ("Expected sequence 0 for transactions v2 idempotent producer with no existing state", KAFKA-18202) with a
 * retriable error; the producer sends them again and they are written. The broker logs every refusal as an ERROR
 * with the partition: eleven of them on an ordinary start of {@code ./semistream run}, none of which a user can act
 * on. Every other error of the broker, and every other out-of-order sequence, is still logged.
 */
@Plugin(name = "RetriedSequenceRejections", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE)
public final class RetriedSequenceRejections extends AbstractFilter {
  static final String MARK = "Expected sequence 0 for transactions v2 idempotent producer with no existing state";

  private RetriedSequenceRejections() {
    super(Result.DENY, Result.NEUTRAL);
  }

  @PluginFactory
  public static RetriedSequenceRejections create() {
    return new RetriedSequenceRejections();
  }

  @Override
  public Result filter(LogEvent event) {
    Throwable t = event.getThrown();
    return t instanceof OutOfOrderSequenceException && t.getMessage() != null && t.getMessage().contains(MARK)
        ? onMatch : onMismatch;
  }
}
