package io.semistream.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real embedded broker (Kafka 4.4 KRaft, in-process) for all tests of an IT class, with the catalogue's
 * topics created:
 *
 * <pre>
 *   &#64;RegisterExtension
 *   static final KafkaBroker KAFKA = new KafkaBroker();
 *   ... KAFKA.kafka().clients() ...
 * </pre>
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {
  private Path dir;
  private TestKafka kafka;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("semistream-" + context.getRequiredTestClass().getSimpleName() + "-");
    kafka = TestKafka.start(dir);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (kafka != null) {
        kafka.close();
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  /** The running broker; only valid inside the IT class's tests. */
  public TestKafka kafka() {
    if (kafka == null) {
      throw new IllegalStateException("the broker starts before all tests of the class: register it as a static "
          + "@RegisterExtension field");
    }
    return kafka;
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
