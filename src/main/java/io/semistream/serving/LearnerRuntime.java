package io.semistream.serving;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.semistream.config.SemistreamConfig;
import io.semistream.asking.AskingObserver;
import io.semistream.asking.AskingService;
import io.semistream.discovery.DiscoveryObserver;
import io.semistream.discovery.DiscoveryService;
import io.semistream.kafka.HangingTransactions;
import io.semistream.kafka.KafkaClients;
import io.semistream.kafka.OrphanedEmbeddings;
import io.semistream.learning.LearnerObserver;
import io.semistream.learning.LearnerService;
import io.semistream.metrics.AskingMetrics;
import io.semistream.metrics.DiscoveryMetrics;
import io.semistream.metrics.LearnerMetrics;
import io.semistream.metrics.StreamsStateMetrics;
import io.semistream.metrics.ZeroShotMetrics;
import io.semistream.topics.TopicRegistry;
import io.semistream.zeroshot.ZeroShotObserver;
import io.semistream.zeroshot.ZeroShotService;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** The learner plus its query API: the HTTP port is bound first so it can be advertised as application.server. */
public final class LearnerRuntime implements AutoCloseable {
  private final LearnerService learner;
  private final QueryServer api;
  private final KafkaStreamsMetrics streamsMetrics;
  private final ZeroShotService zeroShot;
  private final DiscoveryService discovery;
  private final AskingService asking;
  private final HangingTransactions hanging;

  private LearnerRuntime(LearnerService learner, QueryServer api, KafkaStreamsMetrics streamsMetrics,
      ZeroShotService zeroShot, DiscoveryService discovery, AskingService asking, HangingTransactions hanging) {
    this.learner = learner;
    this.asking = asking;
    this.hanging = hanging;
    this.zeroShot = zeroShot;
    this.discovery = discovery;
    this.api = api;
    this.streamsMetrics = streamsMetrics;
  }

  public static LearnerRuntime start(SemistreamConfig config, TopicRegistry topics) throws IOException {
    return start(config, topics, null);
  }

  /** With {@code registry}: the learner's meters and Kafka Streams metrics are exported. */
  public static LearnerRuntime start(SemistreamConfig config, TopicRegistry topics, MeterRegistry registry)
      throws IOException {
    int port = config.learner().api().httpPort();
    String host = config.learner().api().httpHost();
    HttpServer http = port >= 0 ? QueryServer.bind(host, port) : null;
    // Bound to every interface (a container): other instances reach this one by its host name.
    String advertised = host.equals("0.0.0.0") ? java.net.InetAddress.getLocalHost().getHostName() : host;
    String applicationServer = http == null ? null : advertised + ":" + http.getAddress().getPort();
    LearnerObserver observer = LearnerObserver.NONE;
    if (registry != null) {
      LearnerMetrics metrics = new LearnerMetrics(config.learner().api().metricsMaxClasses());
      metrics.bindTo(registry);
      observer = metrics;
    }
    LearnerService learner = new LearnerService(config, topics, applicationServer, observer);
    KafkaStreamsMetrics streamsMetrics = null;
    if (registry != null) {
      streamsMetrics = new KafkaStreamsMetrics(learner.streams());
      streamsMetrics.bindTo(registry);
      new StreamsStateMetrics(learner.streams()::state).bindTo(registry);
    }
    ZeroShotService zeroShot = null;
    if (config.learner().zeroShot().enabled()) {
      ZeroShotObserver zeroShotObserver = ZeroShotObserver.NONE;
      if (registry != null) {
        ZeroShotMetrics zeroShotMetrics = new ZeroShotMetrics();
        zeroShotMetrics.bindTo(registry);
        zeroShotObserver = zeroShotMetrics;
      }
      zeroShot = new ZeroShotService(config, topics, zeroShotObserver).start();
    }
    DiscoveryService discovery = null;
    if (config.discovery().enabled()) {
      DiscoveryObserver discoveryObserver = DiscoveryObserver.NONE;
      if (registry != null) {
        DiscoveryMetrics discoveryMetrics = new DiscoveryMetrics();
        discoveryMetrics.bindTo(registry);
        discoveryObserver = discoveryMetrics;
      }
      discovery = new DiscoveryService(config, topics, discoveryObserver).start();
    }
    AskingService asking = null;
    if (config.asking().enabled()) {
      AskingObserver askingObserver = AskingObserver.NONE;
      if (registry != null) {
        AskingMetrics askingMetrics = new AskingMetrics();
        askingMetrics.bindTo(registry);
        askingObserver = askingMetrics;
      }
      asking = new AskingService(config, topics, askingObserver).start();
    }
    HangingTransactions hanging = watchHangingTransactions(config, topics, registry);
    learner.start();
    QueryServer api = http == null ? null : QueryServer.start(learner.streams(), http, advertised);
    return new LearnerRuntime(learner, api, streamsMetrics, zeroShot, discovery, asking, hanging);
  }

  /**
   * The pipeline's topics (the catalogue's and the learner's and zero-shot service's internal ones) watched for
   * transactions a broker crash left hanging, which would stall the learner's read_committed inputs for good.
   */
  private static HangingTransactions watchHangingTransactions(SemistreamConfig config, TopicRegistry topics,
      MeterRegistry registry) {
    Set<String> catalogue = new HashSet<>();
    topics.catalogue().all().keySet().forEach(id -> catalogue.add(topics.name(id)));
    String learnerPrefix = config.learner().applicationId() + "-";
    // The zero-shot, discovery and asking services' application ids start with the learner's.
    KafkaClients clients = new KafkaClients(config.kafka());
    OrphanedEmbeddings orphans = new OrphanedEmbeddings(clients, topics.embeddings().name());
    HangingTransactions hanging = new HangingTransactions(clients,
        t -> catalogue.contains(t) || t.startsWith(learnerPrefix),
        Duration.ofMillis(config.learner().retention().hangingTransactionCheckMs()),
        Duration.ofMillis(config.learner().retention().hangingTransactionMinAgeMs()), orphans);
    if (registry != null) {
      FunctionCounter.builder("semistream.kafka.hanging.transactions.aborted", hanging,
              HangingTransactions::aborted)
          .description("transactions left open by a broker crash and unknown to their coordinator, aborted so that "
              + "read_committed readers of their partitions move on")
          .register(registry);
      FunctionCounter.builder("semistream.kafka.hanging.transactions.restored", orphans, OrphanedEmbeddings::restored)
          .description("embeddings an aborted hanging transaction held that no later commit replaced, written again "
              + "(their coordinator had committed them; the marker never reached the partition)")
          .register(registry);
    }
    return hanging;
  }

  /** Transactions the watchdog has aborted as hanging since start. */
  public long hangingTransactionsAborted() {
    return hanging.aborted();
  }

  public LearnerService learner() {
    return learner;
  }

  /** The zero-shot service started with the learner; null when {@code learner.zeroshot.enabled} is false. */
  public ZeroShotService zeroShot() {
    return zeroShot;
  }

  /** The discovery service started with the learner; null when {@code discovery.enabled} is false. */
  public DiscoveryService discovery() {
    return discovery;
  }

  /** The active-learning service started with the learner; null when {@code asking.enabled} is false. */
  public AskingService asking() {
    return asking;
  }

  /** The query API's port, or -1 when it is off. */
  public int apiPort() {
    return api == null ? -1 : api.port();
  }

  @Override
  public void close() {
    if (api != null) {
      api.close();
    }
    learner.close();
    if (zeroShot != null) {
      zeroShot.close();
    }
    if (discovery != null) {
      discovery.close();
    }
    if (asking != null) {
      asking.close();
    }
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    hanging.close();
  }
}
