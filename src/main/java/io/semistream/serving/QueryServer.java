package io.semistream.serving;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.semistream.records.JsonSerde;
import io.semistream.learning.ImageState;
import io.semistream.learning.LearnerStores;
import io.semistream.records.Prototype;
import io.semistream.learning.RecentAnomalies;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The read-only query API over the learner's interactive queries, working across instances: a key lives on one
 * instance (found through Kafka Streams' metadata) and is fetched from it over HTTP; recent anomalies are
 * gathered from every instance; prototypes are in every instance's global store.
 *
 * <pre>
 * GET /health                 200 while the learner is alive
 * GET /ready                  200 once it is RUNNING and holds at least one usable prototype, else 503
 * GET /classes                [{class, count, labelledCount, pseudoWeight, version}]
 * GET /prototypes/{class}     the prototype, or 404
 * GET /predictions/{imageId}  the current prediction, or 404
 * GET /anomalies?limit=N      the most recent anomalies of all instances, newest first
 * </pre>
 */
public final class QueryServer implements AutoCloseable {
  private static final String LOCAL = "local=true";
  private final KafkaStreams streams;
  private final HostInfo self;
  private final HttpServer server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private QueryServer(KafkaStreams streams, HostInfo self, HttpServer server) {
    this.streams = streams;
    this.self = self;
    this.server = server;
  }

  /** Binds {@code server} (already bound, so that its port can go into application.server first). */
  public static QueryServer start(KafkaStreams streams, HttpServer server, String advertisedHost) {
    HostInfo self = new HostInfo(advertisedHost, server.getAddress().getPort());
    QueryServer q = new QueryServer(streams, self, server);
    server.createContext("/", q::handle);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "query-api");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return q;
  }

  /** Binds the HTTP server; port 0 picks a free one. */
  public static HttpServer bind(String host, int port) throws IOException {
    return HttpServer.create(new InetSocketAddress(host, port), 0);
  }

  public int port() {
    return self.port();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        send(exchange, 405, Map.of("error", "read-only API: GET only"));
        return;
      }
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      boolean local = query != null && query.contains(LOCAL);
      try {
        route(exchange, path, query, local);
      } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
        send(exchange, 503, Map.of("error", "state not queryable yet: " + e.getMessage()));
      } catch (IllegalArgumentException e) {
        send(exchange, 400, Map.of("error", e.getMessage()));
      } catch (IOException | InterruptedException e) {
        send(exchange, 502, Map.of("error", "another instance did not answer: " + e.getMessage()));
      }
    }
  }

  private void route(HttpExchange ex, String path, String query, boolean local)
      throws IOException, InterruptedException {
    KafkaStreams.State state = streams.state();
    if (path.equals("/health")) {
      boolean alive = state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED;
      send(ex, alive ? 200 : 503, Map.of("status", alive ? "UP" : "DOWN", "state", state.name()));
    } else if (path.equals("/ready")) {
      // Ready means: predictions can be made. RUNNING alone is not enough (a learner whose prototypes are all
      // unusable, or that has none yet, answers nothing); liveness is /health.
      long classes = state == KafkaStreams.State.RUNNING ? prototypes().approximateNumEntries() : 0;
      boolean ready = classes > 0;
      send(ex, ready ? 200 : 503, Map.of("ready", ready, "state", state.name(), "classes", classes,
          "reason", ready ? "" : state != KafkaStreams.State.RUNNING ? "learner is " + state.name()
              : "no usable prototype yet: no class can be predicted"));
    } else if (path.equals("/classes")) {
      List<Map<String, Object>> classes = new ArrayList<>();
      try (KeyValueIterator<String, Prototype> it = prototypes().all()) {
        it.forEachRemaining(kv -> {
          Map<String, Object> c = new LinkedHashMap<>();
          c.put("class", kv.key);
          c.put("count", kv.value.count());
          c.put("labelledCount", kv.value.labelledCount());
          c.put("pseudoWeight", kv.value.pseudoWeight());
          c.put("version", kv.value.version());
          classes.add(c);
        });
      }
      classes.sort(Comparator.comparing(c -> (String) c.get("class")));
      send(ex, 200, classes);
    } else if (path.startsWith("/prototypes/")) {
      Prototype p = prototypes().get(decode(path.substring("/prototypes/".length())));
      sendOrNotFound(ex, p, "no prototype for that class");
    } else if (path.startsWith("/predictions/")) {
      prediction(ex, decode(path.substring("/predictions/".length())), local);
    } else if (path.equals("/anomalies")) {
      anomalies(ex, limit(query), local);
    } else {
      send(ex, 404, Map.of("error", "unknown path " + path));
    }
  }

  private void prediction(HttpExchange ex, String id, boolean local) throws IOException, InterruptedException {
    KeyQueryMetadata meta = streams.queryMetadataForKey(LearnerStores.IMAGES, id,
        Serdes.String().serializer());
    if (!local && meta != null && meta != KeyQueryMetadata.NOT_AVAILABLE && !meta.activeHost().equals(self)) {
      HttpResponse<byte[]> r = forward(meta.activeHost(), "/predictions/" + encode(id) + "?" + LOCAL);
      sendRaw(ex, r.statusCode(), r.body());
      return;
    }
    ReadOnlyKeyValueStore<String, ImageState> images = streams.store(StoreQueryParameters.fromNameAndType(
        LearnerStores.IMAGES, QueryableStoreTypes.keyValueStore()));
    ImageState s = images.get(id);
    sendOrNotFound(ex, s == null ? null : s.prediction(), "no prediction for that image id");
  }

  private void anomalies(HttpExchange ex, int limit, boolean local) throws IOException, InterruptedException {
    List<Map<String, Object>> all = new ArrayList<>(localAnomalies());
    if (!local) {
      for (StreamsMetadata m : streams.streamsMetadataForStore(LearnerStores.RECENT_ANOMALIES)) {
        if (!m.hostInfo().equals(self)) {
          HttpResponse<byte[]> r = forward(m.hostInfo(), "/anomalies?limit=" + limit + "&" + LOCAL);
          if (r.statusCode() == 200) {
            all.addAll(JsonSerde.MAPPER.readValue(r.body(), new TypeReference<List<Map<String, Object>>>() { }));
          }
        }
      }
    }
    all.sort(Comparator.comparingLong((Map<String, Object> a) ->
        ((Number) ((Map<?, ?>) a.get("anomaly")).get("eventTime")).longValue()).reversed());
    send(ex, 200, all.subList(0, Math.min(limit, all.size())));
  }

  private List<Map<String, Object>> localAnomalies() {
    ReadOnlyKeyValueStore<Long, RecentAnomalies> store = streams.store(StoreQueryParameters.fromNameAndType(
        LearnerStores.RECENT_ANOMALIES, QueryableStoreTypes.keyValueStore()));
    List<Map<String, Object>> out = new ArrayList<>();
    try (KeyValueIterator<Long, RecentAnomalies> it = store.all()) {
      it.forEachRemaining(kv -> {
        if (kv.key != null && kv.value != null && kv.key >= 0 && kv.value.anomaly() != null) {   // junk: null
          out.add(JsonSerde.MAPPER.convertValue(kv.value, new TypeReference<Map<String, Object>>() { }));
        }
      });
    }
    return out;
  }

  private ReadOnlyKeyValueStore<String, Prototype> prototypes() {
    return streams.store(StoreQueryParameters.fromNameAndType(LearnerStores.PROTOTYPES,
        QueryableStoreTypes.keyValueStore()));
  }

  private HttpResponse<byte[]> forward(HostInfo host, String pathAndQuery) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port()
        + pathAndQuery)).timeout(Duration.ofSeconds(5)).GET().build();
    return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static int limit(String query) {
    if (query != null) {
      for (String part : query.split("&")) {
        if (part.startsWith("limit=")) {
          int n = Integer.parseInt(part.substring(6));
          if (n < 1 || n > 10_000) {
            throw new IllegalArgumentException("limit must be 1..10000");
          }
          return n;
        }
      }
    }
    return 50;
  }

  private static String decode(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("missing id");
    }
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void sendOrNotFound(HttpExchange ex, Object body, String message) throws IOException {
    if (body == null) {
      send(ex, 404, Map.of("error", message));
    } else {
      send(ex, 200, body);
    }
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    sendRaw(ex, status, JsonSerde.MAPPER.writeValueAsBytes(body));
  }

  private static void sendRaw(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
