package io.semistream.cli;

import io.semistream.image.ImagePreprocessor;

import io.semistream.metrics.TrainerMetrics;
import io.semistream.model.ModelStore;
import io.semistream.training.TrainerService;

import io.semistream.training.ModelBootstrap;

import ai.djl.Device;
import io.semistream.config.SemistreamConfig;
import io.semistream.model.DjlEngine;
import io.semistream.model.EmbeddingModel;
import io.semistream.embedding.EmbeddingService;
import io.semistream.embedding.EmbeddingStats;
import io.semistream.kafka.KafkaClients;
import io.semistream.metrics.ServiceMetrics;
import io.semistream.replay.Replayer;
import io.semistream.serving.LearnerRuntime;
import io.semistream.topics.TopicApplier;
import io.semistream.topics.TopicRegistry;
import io.semistream.web.WebView;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main job: Kafka (embedded unless configured), topics, a model (trained on first run), the embedding
 * service, and a Fashion-MNIST replay, with a status line every two seconds.
 */
@Command(name = "run", description = "Run the whole pipeline: broker, topics, model, embedding service, learner, "
    + "replay.")
final class RunCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Mixin
  ReplayCommand.ReplayFlags replay;

  @Option(names = "--no-replay", description = "Only run the services; publish nothing.")
  boolean noReplay;

  @Option(names = "--exit-when-done", description = "Stop once the replay has been fully embedded.")
  boolean exitWhenDone;

  @Option(names = "--ground-truth-file", defaultValue = "data/run/ground-truth.csv", hidden = true)
  Path groundTruthDefault;

  @Override
  public Integer call() throws Exception {
    long startNanos = System.nanoTime();
    PrintStream out = System.out;
    SemistreamConfig config = common.load();
    Device device = DjlEngine.startFor(config.embedding());
    KafkaConnection connection = KafkaConnection.open(config);
    SemistreamConfig live = connection.config();
    TopicRegistry topics = TopicRegistry.load(config.topics().prefix());
    KafkaClients clients = new KafkaClients(live.kafka());
    EmbeddingModel model;
    try {
      String servers = live.kafka().bootstrapServers();
      out.println("kafka: " + servers + (connection.embedded()
          ? " (embedded single-node KRaft broker, data in " + config.broker().dataDir() + ")" : ""));
      out.println("  send a label:   printf 'IMAGE_ID\\t{\"class\":\"Bag\",\"annotator\":\"me\",\"time\":0}\\n' | kcat -P -b "
          + servers + " -t " + topics.labels().name() + " -K '\\t'");
      out.println("  read results:   kcat -C -b " + servers + " -t " + topics.predictions().name()
          + " -X isolation.level=read_committed -f '%k %s\\n'");
      out.println("  console tools:  kafka-console-consumer.sh --bootstrap-server " + servers + " --topic "
          + topics.predictions().name() + " --isolation-level read_committed --property print.key=true");
      try (Admin admin = clients.admin()) {
        TopicApplier.Report report = new TopicApplier(admin).apply(topics.catalogue().all().values(),
            config.topics().replicationFactor());
        out.print("topics: " + report.summary().replace("\n", "\n        ").stripTrailing() + "\n");
      }
      model = EmbeddingModel.load(ModelBootstrap.latestOrTrain(live, device, new TerminalProgress(out)), device);
    } catch (Exception | Error e) {
      connection.close();   // the broker's threads would otherwise keep the JVM alive after the error
      throw e;
    }
    ServiceLifecycle life = new ServiceLifecycle("semistream");
    life.own(connection);
    life.own(model);
    ServiceMetrics metrics = life.own(ServiceMetrics.start(config.metrics(), "semistream"));
    EmbeddingService service = life.own(new EmbeddingService(config.embedding(), clients, topics, model,
        metrics.registry(), List.of(live.learner().applicationId())));
    LearnerRuntime learner = life.own(LearnerRuntime.start(live, topics, metrics.registry()));
    PipelineMonitor monitor = life.own(new PipelineMonitor(clients, topics));
    WebView web = config.web().enabled() ? life.own(WebView.start(live, clients, topics)) : null;
    TrainerService trainer = null;
    if (config.trainer().enabled()) {
      TrainerMetrics trainerMetrics = new TrainerMetrics();
      trainerMetrics.bindTo(metrics.registry());
      trainer = life.own(new TrainerService(config.trainer(),
          ImagePreprocessor.of(model.descriptor().inputSide(), config.embedding()), clients, topics,
          new ModelStore(config.model().dir()),
          device, trainerMetrics, live.pipelineGroups()).start());   // shares these cores: yields while behind
    }
    service.start();
    out.printf("embedding service: %d worker(s), batch %d, max wait %d ms, model %s v%d on %s%n",
        config.embedding().threads(), config.embedding().batchSize(), config.embedding().maxWaitMs(),
        model.descriptor().id(), model.descriptor().version(), device);
    out.printf("learner: exactly-once Kafka Streams app '%s'; query API %s%n", config.learner().applicationId(),
        learner.apiPort() < 0 ? "off" : "http://127.0.0.1:" + learner.apiPort()
            + "/ (classes, prototypes/{class}, predictions/{id}, anomalies, health, ready)");
    out.printf("online trainer: %s%n", trainer == null ? "off (trainer.enabled=false)"
        : "on; candidates every " + config.trainer().candidateEverySteps() + " steps, promoted when better on "
            + "held-out labels (model-versions topic)");
    out.printf("web view: %s%n", web == null ? "off (web.port=-1)" : web.url() + " (classes, live stream, "
        + "anomalies, label queue, model; labelling " + (config.web().labellingEnabled() ? "on" : "off: set "
        + "web.label.token") + ")");
    out.printf("metrics: %s%n", metrics.port() < 0 ? "off" : "http://" + config.metrics().host() + ":"
        + metrics.port() + "/metrics (Prometheus)");
    out.printf("ready in %.1f s%n", (System.nanoTime() - startNanos) / 1e9);

    CompletableFuture<Replayer.Result> replayed = noReplay ? null : CompletableFuture.supplyAsync(() -> {
      try {
        var options = replay.options(false);
        if (options.groundTruth() == null) {
          options = options.withGroundTruth(groundTruthDefault);
        }
        out.printf("replay: %s, %s images, label fraction %.3f%s, ground truth in %s%n", options.dataset().id(),
            options.limit() == 0 ? "all" : Integer.toString(options.limit()), options.labelFraction(),
            options.stratified() ? " (stratified)" : "", options.groundTruth());
        return ReplayCommand.run(live, options);
      } catch (Exception e) {
        throw new IllegalStateException("replay failed: " + e.getMessage(), e);
      }
    });
    int rc = statusLoop(out, service, monitor, replayed);
    if (exitWhenDone || rc != 0) {
      life.shutdownNow();
      return rc;
    }
    life.awaitShutdown();
    return 0;
  }

  /** Prints a status line every 2 s; returns when the replay is fully processed (or never, if not exiting). */
  private int statusLoop(PrintStream out, EmbeddingService service, PipelineMonitor monitor,
      CompletableFuture<Replayer.Result> replayed) throws InterruptedException {
    EmbeddingStats stats = service.stats();
    long lastCount = 0;
    long lastNanos = System.nanoTime();
    boolean reported = false;
    while (true) {
      Thread.sleep(2_000);
      if (service.failure().isPresent()) {
        out.println("embedding service failed: " + service.failure().get());
        return 1;
      }
      long now = System.nanoTime();
      long count = monitor.embedded();
      double rate = (count - lastCount) / ((now - lastNanos) / 1e9);
      lastCount = count;
      lastNanos = now;
      out.printf("status: images in %,d | embedded %,d (%.0f/s) | dead-letter %d | %s%n", stats.imagesIn(), count,
          rate, stats.deadLettered(), monitor.learnerLine());
      if (replayed != null && replayed.isDone()) {
        Replayer.Result result;
        try {
          result = replayed.join();
        } catch (java.util.concurrent.CompletionException e) {
          out.println(e.getCause().getMessage());
          return 1;
        }
        if (!reported) {
          out.printf("replay: published %,d images and %,d labels in %.1f s%n", result.images(), result.labels(),
              result.millis() / 1000.0);
          reported = true;
        }
        long expected = result.images() - stats.deadLettered();
        if (stats.imagesIn() >= result.images() && count >= expected && monitor.imagesWithPrediction() >= expected) {
          out.printf("done: %,d images embedded, every one has a prediction; %d dead-lettered; last embedding %s%n",
              count, stats.deadLettered(), monitor.embeddingLine());
          if (exitWhenDone) {
            return 0;
          }
          replayed = null;
          out.println("services keep running; Ctrl-C stops them");
        }
      }
    }
  }
}
