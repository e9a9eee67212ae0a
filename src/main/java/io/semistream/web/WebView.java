package io.semistream.web;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.javalin.http.sse.SseClient;
import io.semistream.config.SemistreamConfig;
import io.semistream.config.WebSettings;
import io.semistream.image.ImagePreprocessor;
import io.semistream.kafka.KafkaClients;
import io.semistream.model.ConvAutoencoder;
import io.semistream.model.ModelStore;
import io.semistream.records.LabelRecord;
import io.semistream.records.ModelVersion;
import io.semistream.records.Prediction;
import io.semistream.topics.TopicId;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live web view: plain HTML/JS/CSS from the classpath ({@code /web}), a small JSON API over a {@link LiveState}
 * that a {@link LiveFeed} fills from the topics, and one server-sent-event stream that pushes what changed once a
 * second (the pages never poll).
 *
 * <pre>
 * GET  /                                  the page (classes, live stream, anomalies, label queue, model)
 * GET  /api/classes                       classes with counts, version and exemplar image ids
 * GET  /api/prototype.png?class=C         the class prototype drawn by the decoder of its encoder version
 * GET  /api/thumbnail.png?id=I            a recent image as the model sees it
 * GET  /api/reconstruction.png?id=I       the autoencoder's reconstruction of it
 * GET  /api/stream | /api/anomalies | /api/queue | /api/model
 * GET  /api/events                        server-sent events: predictions, seen, classes, anomalies, model
 * POST /api/labels                        {imageId, class, annotator}; header X-Label-Token; JSON only
 * POST /api/candidates/name               {candidate, class, annotator}: names a class candidate by labelling
 *                                         its exemplars (the same checks as any label)
 * </pre>
 */
public final class WebView implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebView.class);
  static final String TOKEN_HEADER = "X-Label-Token";
  static final int QUEUE = 24;
  private static final String SECURITY_POLICY = "default-src 'self'; img-src 'self'; script-src 'self'; "
      + "style-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

  private final WebSettings settings;
  private final LiveState state;
  private final LiveFeed feed;
  private final ModelImages pictures;
  private final KafkaProducer<String, byte[]> producer;
  private final LabelSubmission labels;
  private final ObjectMapper json = new ObjectMapper();
  private final Set<SseClient> listeners = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "web-events");
    t.setDaemon(true);
    return t;
  });
  private final Javalin app;

  private WebView(WebSettings settings, KafkaClients clients, TopicRegistry topics, ModelStore models,
      ImagePreprocessor preprocessor, int maxLabelBytes) {
    this.settings = settings;
    this.state = new LiveState(settings.thumbnails());
    this.pictures = new ModelImages(models, preprocessor, Device.cpu());
    this.producer = settings.labellingEnabled()
        ? clients.producer(new StringSerializer(), new ByteArraySerializer(), Map.of()) : null;
    this.labels = producer == null ? null : new LabelSubmission(producer, topics.labels().name(),
        topics.json(TopicId.LABELS, LabelRecord.class), maxLabelBytes, state::knows);
    this.feed = new LiveFeed(clients, topics, state, settings.thumbnails());
    this.app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.jetty.host = settings.host();
      config.jetty.port = settings.port();
      config.staticFiles.add("/web", Location.CLASSPATH);
      config.routes.before(ctx -> {
        ctx.header("Content-Security-Policy", SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
      });
      config.routes.get("/api/classes", ctx -> send(ctx, state.classes()));
      config.routes.get("/api/prototype.png", this::prototype);
      config.routes.get("/api/thumbnail.png", this::thumbnail);
      config.routes.get("/api/reconstruction.png", this::reconstruction);
      config.routes.get("/api/stream", ctx -> send(ctx, state.recent()));
      config.routes.get("/api/anomalies", ctx -> send(ctx, state.anomalies()));
      config.routes.get("/api/queue", ctx -> send(ctx, Map.of("labelling", settings.labellingEnabled(),
          "classes", state.classNames(), "items", state.labelQueue(QUEUE))));
      config.routes.get("/api/model", ctx -> send(ctx, model()));
      config.routes.post("/api/labels", this::label);
      config.routes.post("/api/candidates/name", this::nameCandidate);
      config.routes.sse("/api/events", client -> {
        client.keepAlive();
        listeners.add(client);
        client.onClose(() -> listeners.remove(client));
        client.sendEvent("hello", "{}");
      });
    });
    app.start();
    pusher.scheduleWithFixedDelay(this::push, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Starts the view on the configured address ({@code web.*}); its state fills from the topics at once. Prototypes
   * are drawn with the encoders in {@code model.dir}; labels obey the learner's {@code learner.max.label.bytes}.
   */
  public static WebView start(SemistreamConfig config, KafkaClients clients, TopicRegistry topics) {
    return new WebView(config.web(), clients, topics, new ModelStore(config.model().dir()),
        ImagePreprocessor.of(ConvAutoencoder.SIDE, config.embedding()),
        config.learner().retention().maxLabelBytes());
  }

  public int port() {
    return app.port();
  }

  /** The address to print: the bind host, or loopback when bound to every interface. */
  public String url() {
    String host = settings.host().equals("0.0.0.0") ? "127.0.0.1" : settings.host();
    return "http://" + host + ":" + port() + "/";
  }

  private void prototype(Context ctx) {
    String name = ctx.queryParam("class");
    Optional<byte[]> png = Optional.empty();
    if (name != null) {
      var real = state.prototype(name).filter(p -> p.labelledCount() > 0 || state.zeroShotPrototype(name).isEmpty());
      if (real.isPresent()) {
        png = pictures.decoded("p/" + name + "/" + real.get().version(), real.get().vectorView(),
            real.get().modelVersion());
      } else if (state.zeroShotPrototype(name).isPresent()) {
        var z = state.zeroShotPrototype(name).get();
        png = pictures.decoded("z/" + name + "/" + z.updateTime(), z.vector(), z.modelVersion());
      } else if (state.candidate(name).isPresent()) {
        // The centroid is a unit direction; the decoder draws points at the prototypes' typical length.
        var c = state.candidate(name).get();
        double[] v = c.centroid();
        double norm = state.typicalPrototypeNorm(c.modelVersion());
        for (int i = 0; i < v.length; i++) {
          v[i] *= norm;
        }
        png = pictures.decoded("c/" + name + "/" + c.updateTime(), v, c.modelVersion());
      }
    }
    sendPng(ctx, png, "no prototype (or no encoder to draw it) for that class");
  }

  private void thumbnail(Context ctx) {
    String id = ctx.queryParam("id");
    Optional<byte[]> png = id == null ? Optional.empty()
        : state.image(id).flatMap(bytes -> pictures.thumbnail(id, bytes));
    sendPng(ctx, png, "image not kept by the web view (only the most recent " + settings.thumbnails() + " are)");
  }

  private void reconstruction(Context ctx) {
    String id = ctx.queryParam("id");
    Optional<byte[]> png = Optional.empty();
    if (id != null) {
      Optional<byte[]> bytes = state.image(id);
      Optional<Prediction> p = state.prediction(id);
      if (bytes.isPresent() && p.isPresent()) {
        png = pictures.reconstruction(id, bytes.get(), p.get().modelVersion());
      }
    }
    sendPng(ctx, png, "no reconstruction: image or its prediction not kept, or encoder not in the store");
  }

  private Map<String, Object> model() {
    List<ModelVersion> versions = state.versions();
    int serving = versions.stream().filter(v -> v.status() == ModelVersion.Status.PROMOTED)
        .mapToInt(ModelVersion::version).max().orElse(1);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("serving", serving);
    out.put("versions", versions);
    out.put("prequential", state.prequential());
    out.put("bucketMs", LiveState.BUCKET_MS);
    out.put("predictionsSeen", state.predictionsSeen());
    out.put("unreadableRecords", feed.skipped());
    return out;
  }

  private void label(Context ctx) {
    JsonNode body = acceptedWrite(ctx, "{imageId, class, annotator}");
    if (body == null) {
      return;
    }
    try {
      LabelRecord sent = labels.submit(text(body, "imageId"), text(body, "class"), text(body, "annotator"),
          System.currentTimeMillis());
      ctx.status(202);
      send(ctx, Map.of("imageId", text(body, "imageId"), "label", sent));
    } catch (LabelSubmission.Refused e) {
      error(ctx, 400, e.getMessage());
    } catch (IllegalStateException e) {
      error(ctx, 503, e.getMessage());
    }
  }

  /**
   * Names a class candidate: one true label per exemplar the discovery service chose (its most typical members,
   * shown on the candidate's card), so the class starts from several of them. The discovery service adopts the
   * candidate on the first of them, as for a label given to one exemplar; the learner seeds the class from the
   * cluster. The name is checked as any label's class is, before anything is sent.
   */
  private void nameCandidate(Context ctx) {
    JsonNode body = acceptedWrite(ctx, "{candidate, class, annotator}");
    if (body == null) {
      return;
    }
    String id = text(body, "candidate");
    var candidate = id == null ? Optional.<io.semistream.records.ClassCandidate>empty() : state.candidate(id);
    if (candidate.isEmpty()) {
      error(ctx, 404, "unknown class candidate '" + id + "' (named already, withdrawn, or never seen here)");
      return;
    }
    if (candidate.get().adoptedAs() != null) {
      error(ctx, 409, "class candidate '" + id + "' is named already: '" + candidate.get().adoptedAs() + "'");
      return;
    }
    List<String> exemplars = candidate.get().exemplars();
    if (exemplars == null || exemplars.isEmpty()) {
      error(ctx, 409, "class candidate '" + id + "' has no exemplars to label");
      return;
    }
    List<String> labelled = new java.util.ArrayList<>();
    try {
      for (String exemplar : exemplars) {
        labels.submit(exemplar, text(body, "class"), text(body, "annotator"), System.currentTimeMillis());
        labelled.add(exemplar);
      }
      ctx.status(202);
      send(ctx, Map.of("candidate", id, "class", text(body, "class").strip(), "labelled", labelled));
    } catch (LabelSubmission.Refused e) {
      error(ctx, 400, e.getMessage() + (labelled.isEmpty() ? "" : " (after labelling " + labelled + ")"));
    } catch (IllegalStateException e) {
      error(ctx, 503, e.getMessage() + (labelled.isEmpty() ? "" : " (after labelling " + labelled + ")"));
    }
  }

  /**
   * The guards of every write: labelling on (a token configured), same-origin, JSON, the token; then the body as a
   * JSON object. Null when refused (the response is written).
   */
  private JsonNode acceptedWrite(Context ctx, String shape) {
    if (labels == null) {
      error(ctx, 403, "labelling is off: start the service with web.label.token set");
      return null;
    }
    // Cross-site requests: a page elsewhere cannot send this JSON with a custom header without a CORS preflight,
    // which this server never grants; a browser that does send an Origin must name this server.
    String origin = ctx.header("Origin");
    String host = ctx.header("Host");
    if (origin != null && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
      error(ctx, 403, "cross-site label refused (Origin " + origin + ")");
      return null;
    }
    String contentType = ctx.contentType();
    if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      error(ctx, 415, "labels are sent as application/json");
      return null;
    }
    String token = ctx.header(TOKEN_HEADER);
    if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
        settings.labelToken().getBytes(StandardCharsets.UTF_8))) {
      error(ctx, 403, "wrong or missing label token");
      return null;
    }
    JsonNode body;
    try {
      body = json.readTree(ctx.bodyAsBytes());
    } catch (java.io.IOException e) {
      error(ctx, 400, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
      return null;
    }
    if (body == null || !body.isObject()) {
      error(ctx, 400, "malformed label: expected a JSON object " + shape);
      return null;
    }
    return body;
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    return n == null || !n.isTextual() ? null : n.asText();
  }

  /** Once a second: the new predictions, and a nudge for each table that changed (pages re-read those). */
  private void push() {
    try {
      List<LiveState.StreamItem> fresh = state.drainUnsent();
      Set<LiveState.Change> changes = state.takeChanges();
      if (listeners.isEmpty()) {
        return;
      }
      String predictions = fresh.isEmpty() ? null : json.writeValueAsString(fresh);
      // The page's "predictions seen" counter moves with the stream, not only when the model table changes.
      String seen = fresh.isEmpty() ? null : json.writeValueAsString(Map.of("predictionsSeen", state.predictionsSeen()));
      for (SseClient c : listeners) {
        if (c.terminated()) {
          listeners.remove(c);
          continue;
        }
        if (predictions != null) {
          c.sendEvent("predictions", predictions);
          c.sendEvent("seen", seen);
        }
        for (LiveState.Change change : changes) {
          c.sendEvent(change.name().toLowerCase(java.util.Locale.ROOT), "{}");
        }
      }
    } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
      LOG.warn("web view: pushing events failed: {}", e.toString());
    }
  }

  private void send(Context ctx, Object body) {
    try {
      ctx.contentType("application/json").result(json.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  private void sendPng(Context ctx, Optional<byte[]> png, String missing) {
    if (png.isPresent()) {
      ctx.header("Cache-Control", "max-age=60").contentType("image/png").result(png.get());
    } else {
      error(ctx, 404, missing);
    }
  }

  private void error(Context ctx, int status, String message) {
    ctx.status(status);
    send(ctx, Map.of("error", message));
  }

  @Override
  public void close() {
    pusher.shutdownNow();
    listeners.forEach(SseClient::close);
    app.stop();
    feed.close();
    if (producer != null) {
      producer.close();
    }
    pictures.close();
  }
}
