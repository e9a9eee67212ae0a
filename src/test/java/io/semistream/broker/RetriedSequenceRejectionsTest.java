package io.semistream.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Through the project's own log4j2.xml: what reaches the appenders of the loggers the filters sit on. */
class RetriedSequenceRejectionsTest {
  private static final String BROKER = "kafka.server.ReplicaManager";
  private static final String STREAMS_CONFIG = "org.apache.kafka.streams.StreamsConfig";
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final List<String> logged = new ArrayList<>();
  private final AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
    @Override
    public void append(LogEvent event) {
      logged.add(event.getLevel() + " " + event.getMessage().getFormattedMessage()
          + (event.getThrown() == null ? "" : ": " + event.getThrown().getMessage()));
    }
  };

  @BeforeEach
  void attach() {
    capture.start();
    context.getConfiguration().getLoggerConfig(BROKER).addAppender(capture, Level.ALL, null);
    context.getConfiguration().getLoggerConfig(STREAMS_CONFIG).addAppender(capture, Level.ALL, null);
  }

  @AfterEach
  void detach() {
    context.getConfiguration().getLoggerConfig(BROKER).removeAppender("capture");
    context.getConfiguration().getLoggerConfig(STREAMS_CONFIG).removeAppender("capture");
    capture.stop();
  }

  @Test
  void shouldDropOnlyTheBrokersRefusalsThatTheProducerRetries() {
    var broker = LogManager.getLogger(BROKER);
    broker.error("Error processing append operation on partition p-0", new OutOfOrderSequenceException(
        "Invalid sequence number for producer 3 at offset 36 in partition p-0: 35 (incoming seq. number). "
            + RetriedSequenceRejections.MARK + "."));
    broker.error("Error processing append operation on partition p-1", new OutOfOrderSequenceException(
        "Out of order sequence number for producer 1 at offset 5 in partition p-1: 51 (incoming seq. number), 49 "
            + "(current end sequence number)"));
    broker.error("Error processing append operation on partition p-2", new IllegalStateException(
        RetriedSequenceRejections.MARK));
    broker.warn("a warning");
    assertEquals(List.of(
        "ERROR Error processing append operation on partition p-1: Out of order sequence number for producer 1 at "
            + "offset 5 in partition p-1: 51 (incoming seq. number), 49 (current end sequence number)",
        "ERROR Error processing append operation on partition p-2: " + RetriedSequenceRejections.MARK,
        "WARN a warning"), logged);
  }

  @Test
  void shouldDropOnlyTheStreamsWarningAboutASettingEveryApplicationTurnsOn() {
    var streamsConfig = LogManager.getLogger(STREAMS_CONFIG);
    streamsConfig.warn("Processing exception handler is not enabled for the GlobalThread. It's recommended to set "
        + "`processing.exception.handler.global.enabled` to true to enable it.");
    streamsConfig.warn("Some other configuration warning");
    assertEquals(List.of("WARN Some other configuration warning"), logged);
  }
}
