package io.semistream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The exporter's features a Prometheus server relies on, on a loopback port. */
class MetricsServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("semistream.test.images.in").increment(3);
    // A supplier gauge is held strongly: registry.gauge(name, 7.0) keeps only a weak reference to the boxed value,
    // which a garbage collection between registration and scrape turns into NaN (it failed a CI run that way).
    io.micrometer.core.instrument.Gauge.builder("semistream.test.backlog.size", () -> 7.0).register(registry);
    return registry;
  }

  private HttpResponse<byte[]> get(int port, String path, String header, String value) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (header != null) {
      request.header(header, value);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void shouldServeTextOpenMetricsGzipAndFilterByName() throws Exception {
    try (MetricsServer server = MetricsServer.start(registry(), "127.0.0.1", 0)) {
      HttpResponse<byte[]> text = get(server.port(), "/metrics", null, null);
      assertEquals(200, text.statusCode());
      assertTrue(text.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
      String body = new String(text.body(), StandardCharsets.UTF_8);
      assertTrue(body.contains("semistream_test_images_in_total 3.0"), body);
      assertTrue(body.contains("semistream_test_backlog_size 7.0"), body);

      HttpResponse<byte[]> open = get(server.port(), "/metrics", "Accept",
          "application/openmetrics-text; version=1.0.0");
      assertTrue(open.headers().firstValue("Content-Type").orElseThrow().startsWith("application/openmetrics-text"));
      assertTrue(new String(open.body(), StandardCharsets.UTF_8).endsWith("# EOF\n"));

      HttpResponse<byte[]> gzip = get(server.port(), "/metrics", "Accept-Encoding", "gzip");
      assertEquals("gzip", gzip.headers().firstValue("Content-Encoding").orElseThrow());
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
        assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("semistream_test_images_in_total"));
      }

      String filtered = new String(get(server.port(), "/metrics?name[]=semistream_test_backlog_size", null, null)
          .body(), StandardCharsets.UTF_8);
      assertTrue(filtered.contains("semistream_test_backlog_size 7.0"), filtered);
      assertFalse(filtered.contains("semistream_test_images_in"), filtered);
    }
  }
}
