package io.semistream.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one process) running inside this JVM,
 * listening on loopback only. The data directory survives restarts: a second start on the same directory
 * finds its topics and committed data again. Used by the main job when no bootstrap servers are configured,
 * and by every {@code *IT} test.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /**
   * For a broker that serves a service rather than a test: as a real broker does (Kafka's default is 3 s), a new
   * group's first assignment waits 500 ms for every member to join. Without it (the default here, for fast tests)
   * the first of two embedding workers takes every partition and drains part of the other's backlog before the
   * rebalance, and the two then finish unevenly (README, "Two workers of one thread each").
   */
  public static final Map<String, String> SERVICE = Map.of("group.initial.rebalance.delay.ms", "500");

  private final Path dataDir;
  private final int port;
  private final KafkaRaftServer server;
  private boolean closed;

  private EmbeddedKafkaBroker(Path dataDir, int port, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
  }

  /**
   * Formats {@code dataDir} on first use, starts the broker and waits until it answers on its listener.
   *
   * @param port the client port, or 0 for a free one
   * @param overrides extra broker properties (tests use them for small segment sizes etc.)
   */
  public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) throws IOException {
    long startNanos = System.nanoTime();
    Files.createDirectories(dataDir);
    int[] free = freePorts(port == 0 ? 2 : 1, port);
    int clientPort = port == 0 ? free[1] : port;
    int controllerPort = free[0];
    Properties props = brokerProperties(dataDir.toAbsolutePath(), clientPort, controllerPort);
    overrides.forEach(props::setProperty);
    Path propsFile = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(propsFile)) {
      props.store(out, "written by semistream's embedded broker on every start");
    }
    formatIfNeeded(dataDir, propsFile);
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
    server.startup();
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, clientPort, server);
    try {
      broker.awaitReady();
    } catch (RuntimeException | IOException e) {
      broker.close();
      throw e;
    }
    LOG.info("embedded Kafka broker ready on {} in {} ms (data in {})", broker.bootstrapServers(),
        (System.nanoTime() - startNanos) / 1_000_000, dataDir);
    return broker;
  }

  public static EmbeddedKafkaBroker start(Path dataDir) throws IOException {
    return start(dataDir, 0, Map.of());
  }

  static Properties brokerProperties(Path dataDir, int clientPort, int controllerPort) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    // A static voter set: the controller's port may differ from one start to the next.
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.setProperty("log.dirs", dataDir.resolve("logs").toString());
    p.setProperty("metadata.log.dir", dataDir.resolve("metadata").toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "4");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // Keep the in-process broker small: the log cleaner's default 128 MiB dedupe buffer is not needed here.
    p.setProperty("log.cleaner.dedupe.buffer.size", "16777216");
    p.setProperty("message.max.bytes", "10485760");
    p.setProperty("replica.fetch.max.bytes", "10485760");
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", "5000");
    return p;
  }

  private static void formatIfNeeded(Path dataDir, Path propsFile) throws IOException {
    if (Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
      return;
    }
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(new String[] {"format", "--config", propsFile.toString(),
          "--cluster-id", Uuid.randomUuid().toString(), "--ignore-formatted"}, out);
    }
    if (rc != 0) {
      throw new IOException("formatting the embedded broker's storage failed: "
          + captured.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady() throws IOException {
    Properties p = new Properties();
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(p)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IOException("embedded broker did not become ready within " + READY_TIMEOUT, e);
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("embedded broker did not become ready within " + READY_TIMEOUT);
        }
        sleep(100);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
  }

  /**
   * {@code count} distinct free loopback ports, none equal to {@code avoid}. Their sockets are held open together:
   * opened and closed one after the other, the kernel may hand the same port out twice, and the broker then
   * refused to start with its client and controller listeners on one port (an eval run on 2026-12-02).
   */
  static int[] freePorts(int count, int avoid) throws IOException {
    List<ServerSocket> open = new ArrayList<>();
    try {
      int[] ports = new int[count];
      int found = 0;
      // Bounded: the open sockets' ports are distinct, so avoid can come up once at most.
      while (found < count) {
        ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        open.add(socket);
        if (socket.getLocalPort() != avoid) {
          ports[found++] = socket.getLocalPort();
        }
      }
      return ports;
    } finally {
      for (ServerSocket socket : open) {
        socket.close();
      }
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
    LOG.info("embedded Kafka broker stopped");
  }
}
