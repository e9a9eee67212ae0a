package io.semistream.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.semistream.config.SemistreamConfig;
import io.semistream.config.WebSettings;
import io.semistream.data.AttributeTable;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.embedding.EmbeddingService;
import io.semistream.model.EmbeddingModel;
import io.semistream.records.JsonSerde;
import io.semistream.records.ClassCandidate;
import io.semistream.records.LabelRecord;
import io.semistream.records.Prediction;
import io.semistream.replay.PngEncoder;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.replay.SemanticsPublisher;
import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.LearnerTesting;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web view in a real browser (Debian's Chromium, headless, driven by Selenium) over the real stack: embedded
 * broker, embedding service, learner, web view. Screenshots of each page go to target/web-screenshots.
 */
class WebViewIT {
  private static final String TOKEN = "web-view-it-token-2026";
  private static final String EVIL_CLASS = "<img src=x onerror=window.pwned=1><script>window.pwned=2</script>";
  private static final String EVIL_ID = "<script>window.pwned=3</script>";
  private static final int IMAGES = 1_500;
  private static final Path SHOTS = ProjectPaths.root().resolve("target").resolve("web-screenshots");

  @TempDir
  Path dir;

  @Test
  void shouldShowWhatTheServiceLearnedLiveAndTakeALabelFromAPerson() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir)) {
      Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
      // Ankle boots are sent but never labelled: with the shipped attribute table they become a zero-shot class.
      ReplayOptions options = ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(IMAGES)
          .withLabelFraction(0.05).withHoldout(Set.of(9), Set.of());
      SemistreamConfig base = LearnerTesting.config(kafka, dir.resolve("state"), 0.2, -1);
      // The asking service on (off by default in tests): its label requests head the queue.
      SemistreamConfig config = base.withAsking(base.asking().withEnabled(true))
          .withLearner(LearnerTesting.learner(base.learner().stateDir(), Map.of(
              "learner.pseudo.weight", "0.2", "learner.embedding.dimension", "64", "learner.anomaly.window", "300",
              "learner.anomaly.warmup", "100", "learner.anomaly.recon.weight", "0.5", "learner.http.port", "-1")))
          .withModelDir(TestModels.tinyStore())
          .withWeb(new WebSettings("127.0.0.1", 0, TOKEN, 3_000));
      var topics = kafka.topics();
      try (EmbeddingModel model = EmbeddingModel.load(TestModels.tinyVersionDir(), Device.cpu());
           EmbeddingService embedder = new EmbeddingService(config.embedding(), kafka.clients(), topics, model)
               .start();
           LearnerRuntime learner = LearnerRuntime.start(config, topics);
           WebView web = WebView.start(config, kafka.clients(), topics);
           KafkaProducer<String, byte[]> producer = kafka.clients().producer(new StringSerializer(),
               new ByteArraySerializer(), Map.of())) {
        SemanticsPublisher.publish(kafka.clients(), topics, AttributeTable.forDataset(DatasetName.FASHION_MNIST));
        Replayer.publish(kafka.clients(), topics, fashion, options, System.err);
        // A class whose name is markup, learned from three true labels, and images no autoencoder of clothes
        // reconstructs well (inverted: white background), which become anomalies.
        JsonSerde<LabelRecord> labelSerde = new JsonSerde<>(LabelRecord.class);
        for (int i = 0; i < 3; i++) {
          String id = "evil-" + i;
          producer.send(new ProducerRecord<>(topics.images().name(), id, png(fashion, 2_000 + i, false)));
          producer.send(new ProducerRecord<>(topics.labels().name(), id,
              labelSerde.encode(new LabelRecord(EVIL_CLASS, "it", 1))));
        }
        for (int i = 0; i < 40; i++) {
          producer.send(new ProducerRecord<>(topics.images().name(), "inverted-" + i, png(fashion, 3_000 + i, true)));
        }
        producer.flush();

        try (Browser browser = new Browser()) {
          browser.open(web.url());
          // Classes: every class, each with a decoded prototype that loaded; the markup class shown as text.
          browser.until("11 classes with their prototype drawn", "return [...document.querySelectorAll("
              + "'.class-card img.prototype')].filter(i => i.complete && i.naturalWidth === 28).length >= 11");
          // Read in one script: the grid is re-rendered live, so element handles can go stale between calls.
          @SuppressWarnings("unchecked")
          List<String> names = (List<String>) browser.js("return [...document.querySelectorAll("
              + "'.class-card .class-name')].map(e => e.textContent)");
          assertTrue(names.contains(EVIL_CLASS), "the markup class name is shown as text: " + names);
          browser.until("the never-labelled class shown as zero-shot", "return [...document.querySelectorAll("
              + "'.class-card')].some(c => c.dataset.class === 'Ankle boot' && c.querySelector('.badge.zero-shot'))");
          browser.shot("classes", "classes");

          // Anomalies: an inverted image flagged, with its reconstruction beside it.
          browser.until("an anomaly with its reconstruction", "return [...document.querySelectorAll("
              + "'.anomaly img.reconstruction')].some(i => i.complete && i.naturalWidth === 28)");
          browser.shot("anomalies", "anomalies");

          // Live stream: new images appear without a reload (the marker set on this page survives). The list
          // shows the latest 48 predictions and a moving prototype re-labels the backlog, so a burst of corrections
          // can push a new tile out within a second: record every tile the page adds instead of sampling the list.
          browser.js("window.__seenBefore = Number(document.getElementById('seen').textContent.replace(/\\D/g, ''));"
              + "window.__samePage = 'yes'; window.__added = [];"
              + "new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => { if (n.dataset) "
              + "window.__added.push({id: n.dataset.id, text: n.querySelector('.id').textContent}); })))"
              + ".observe(document.getElementById('stream-list'), {childList: true});");
          for (int i = 0; i < 30; i++) {
            producer.send(new ProducerRecord<>(topics.images().name(), "late-" + i, png(fashion, 4_000 + i, false)));
          }
          producer.send(new ProducerRecord<>(topics.images().name(), EVIL_ID, png(fashion, 4_100, false)));
          producer.flush();
          browser.until("late images in the stream, same page", "return window.__samePage === 'yes' && "
              + "window.__added.some(a => a.id.startsWith('late-'))");
          browser.until("the predictions-seen counter moving with the stream", "return Number(document"
              + ".getElementById('seen').textContent.replace(/\\D/g, '')) >= window.__seenBefore + 31");
          browser.until("the markup image id shown as text", "return window.__added.some(a => a.text === "
              + "arguments[0])", EVIL_ID);
          browser.shot("stream", "stream");
          assertEquals(null, browser.js("return window.pwned === undefined ? null : String(window.pwned)"),
              "no markup from a class name or an image id ran");

          // Label queue: the service's own requests first, each with its reason in words.
          browser.until("a label request first in the queue, with its reason", "const first = document.querySelector("
              + "'#queue-list li'); return first !== null && first.classList.contains('requested') && first"
              + ".querySelector('.badge.asked') !== null && first.querySelector('.detail').textContent.length > 10");
          // A wrong token and a malformed label are refused on the page; a good label reaches 'labels' and the
          // prediction turns 'labelled'.
          browser.driver.findElement(By.id("annotator")).sendKeys("it-person");
          browser.driver.findElement(By.id("token")).sendKeys("not-the-token");
          String refusedToken = browser.labelFirstQueueItem(null, "Bag");
          browser.until("wrong token refused", "return [...document.querySelectorAll('#queue-list li')].some(li => "
              + "li.dataset.id === arguments[0] && li.querySelector('.message').textContent.includes("
              + "'wrong or missing label token'))", refusedToken);
          browser.driver.findElement(By.id("token")).clear();
          browser.driver.findElement(By.id("token")).sendKeys(TOKEN);
          String tooLong = "x".repeat(150);
          String malformedId = browser.labelFirstQueueItem(null, tooLong);
          browser.until("malformed label refused", "return [...document.querySelectorAll('#queue-list li')].some("
              + "li => li.dataset.id === arguments[0] && li.querySelector('.message').textContent.includes("
              + "'longer than 128 characters'))", malformedId);
          String labelledId = browser.labelFirstQueueItem(malformedId, "Bag");
          browser.until("label sent", "return [...document.querySelectorAll('#queue-list li')].some(li => "
              + "li.dataset.id === arguments[0] && li.querySelector('.message').textContent === 'sent: Bag')",
              labelledId);
          browser.shot("queue", "queue");

          List<ConsumerRecord<byte[], byte[]>> labels = kafka.readCommitted(topics.labels().name(), 1,
              Duration.ofSeconds(5), Duration.ofSeconds(1));
          List<LabelRecord> fromWeb = labels.stream()
              .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(labelledId))
              .map(r -> labelSerde.decode(r.value())).toList();
          assertEquals(1, fromWeb.size(), "exactly the page's label for " + labelledId);
          assertEquals("Bag", fromWeb.get(0).className());
          assertEquals("web:it-person", fromWeb.get(0).annotator());
          assertTrue(labels.stream().noneMatch(r -> {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            return key.equals(malformedId) || key.equals(refusedToken) && !refusedToken.equals(labelledId);
          }), "refused labels went nowhere");
          awaitLabelled(kafka, labelledId);

          // A class candidate (as the discovery service publishes one) is named on its card: each of its exemplars
          // gets the name as a true label, through the same checks as any label.
          double[] centroid = new double[64];
          centroid[0] = 1;
          List<String> exemplars = List.of("inverted-0", "inverted-1", "inverted-2");
          var candidates = topics.classCandidates();
          producer.send(new ProducerRecord<>(candidates.name(), "candidate-it", candidates.valueSerde().serializer()
              .serialize(candidates.name(), new ClassCandidate("candidate-it", centroid, 0.3, 40, exemplars,
                  1, 2, "conv-ae-64", 1, null, 3))));
          producer.flush();
          browser.until("the candidate's card with its naming form", "return [...document.querySelectorAll("
              + "'.class-card')].some(c => c.dataset.class === 'candidate-it' && c.querySelector('.name-form input'))");
          browser.js("const card = [...document.querySelectorAll('.class-card')].find(c => c.dataset.class === "
              + "'candidate-it'); const input = card.querySelector('.name-form input'); input.focus();");
          browser.driver.switchTo().activeElement().sendKeys("Odd one");
          browser.js("[...document.querySelectorAll('.class-card')].find(c => c.dataset.class === 'candidate-it')"
              + ".querySelector('.send-name').click()");
          browser.until("candidate named", "return [...document.querySelectorAll('.class-card .message.ok')].some("
              + "m => m.textContent === 'named: Odd one (3 exemplars labelled)')");
          Map<String, LabelRecord> named = new java.util.HashMap<>();
          kafka.readCommitted(topics.labels().name(), 1, Duration.ofSeconds(5), Duration.ofSeconds(1)).forEach(r -> {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (exemplars.contains(key)) {
              named.put(key, labelSerde.decode(r.value()));
            }
          });
          assertEquals(Set.copyOf(exemplars), named.keySet(), "every exemplar labelled");
          named.values().forEach(l -> {
            assertEquals("Odd one", l.className());
            assertEquals("web:it-person", l.annotator());
          });

          browser.until("model page with the versions table and prequential plot",
              "return document.getElementById('serving').textContent === 'v1'");
          browser.shot("model", "model");
        }
        assertCrossSiteAndNonJsonLabelsRefused(web.url());
      }
    }
  }

  private static void awaitLabelled(TestKafka kafka, String id) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : LearnerTesting.predictions(kafka, IMAGES, Duration.ofSeconds(3))) {
        if (new String(r.key(), StandardCharsets.UTF_8).equals(id)
            && LearnerTesting.decode(r.value()).status() == Prediction.Status.LABELLED) {
          return;
        }
      }
    }
    throw new AssertionError("the prediction of " + id + " never turned 'labelled'");
  }

  private static void assertCrossSiteAndNonJsonLabelsRefused(String url) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String body = "{\"imageId\":\"late-1\",\"class\":\"Bag\"}";
    HttpResponse<String> crossSite = post(http, url + "api/labels", "application/json", "http://evil.invalid", body);
    assertEquals(403, crossSite.statusCode(), crossSite.body());
    HttpResponse<String> form = post(http, url + "api/labels", "text/plain", null, body);
    assertEquals(415, form.statusCode(), form.body());
    // Naming a candidate passes the same guards; an unknown or already handled candidate is refused by name.
    HttpResponse<String> crossSiteName = post(http, url + "api/candidates/name", "application/json",
        "http://evil.invalid", "{\"candidate\":\"candidate-it\",\"class\":\"Bag\"}");
    assertEquals(403, crossSiteName.statusCode(), crossSiteName.body());
    HttpResponse<String> unknown = post(http, url + "api/candidates/name", "application/json", null,
        "{\"candidate\":\"candidate-none\",\"class\":\"Bag\"}");
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertTrue(unknown.body().contains("unknown class candidate 'candidate-none'"), unknown.body());
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
    JsonNode classes = JsonSerde.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "api/classes"))
        .build(), HttpResponse.BodyHandlers.ofString()).body());
    assertFalse(classes.isEmpty());
  }

  /** A POST with the label token, the given content type and (when not null) Origin header. */
  private static HttpResponse<String> post(HttpClient http, String url, String contentType, String origin,
      String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
        .header(WebView.TOKEN_HEADER, TOKEN).POST(HttpRequest.BodyPublishers.ofString(body));
    if (origin != null) {
      request.header("Origin", origin);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] png(Dataset d, int index, boolean inverted) {
    byte[] pixels = d.imageBytes(index);
    if (inverted) {
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (byte) (255 - (pixels[i] & 0xff));
      }
    }
    return PngEncoder.grey(pixels, d.side(), d.side());
  }

  /** Headless Chromium from Debian with its own chromedriver: nothing is downloaded. */
  private static final class Browser implements AutoCloseable {
    final ChromeDriver driver;

    Browser() {
      ChromeOptions options = new ChromeOptions();
      options.setBinary("/usr/bin/chromium");
      options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600");
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
      driver = new ChromeDriver(service, options);
    }

    void open(String url) {
      driver.get(url);
    }

    Object js(String script, Object... args) {
      return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    void until(String what, String script, Object... args) {
      try {
        new WebDriverWait(driver, Duration.ofSeconds(90)).pollingEvery(Duration.ofMillis(250))
            .until(d -> Boolean.TRUE.equals(js(script, args)));
      } catch (org.openqa.selenium.TimeoutException e) {
        shot("failed", "classes");
        throw new AssertionError("the page never showed: " + what, e);
      }
    }

    /**
     * Labels the first queue item other than {@code skip}: focusing it first stops the queue's live refresh (it
     * waits while a person works in it). Returns the image id.
     */
    String labelFirstQueueItem(String skip, String className) {
      for (int attempt = 0; ; attempt++) {
        try {
          until("an image in the label queue", "return document.querySelectorAll('#queue-list li').length >= 2");
          WebElement item = driver.findElements(By.cssSelector("#queue-list li")).stream()
              .filter(li -> !li.getAttribute("data-id").equals(skip)).findFirst().orElseThrow();
          String id = item.getAttribute("data-id");
          WebElement input = item.findElement(By.cssSelector("input.new-class"));
          input.click();
          if (className.equals("Bag")) {
            new Select(item.findElement(By.cssSelector("select.class-choice"))).selectByValue("Bag");
          } else {
            input.sendKeys(className);
          }
          item.findElement(By.cssSelector("button.send-label")).click();
          return id;
        } catch (StaleElementReferenceException e) {
          if (attempt >= 5) {
            throw e;
          }
        }
      }
    }

    void shot(String name, String section) {
      try {
        js("document.getElementById(arguments[0]).scrollIntoView()", section);
        Files.createDirectories(SHOTS);
        Files.move(driver.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"),
            StandardCopyOption.REPLACE_EXISTING);
      } catch (Exception e) {
        System.err.println("screenshot " + name + " failed: " + e);
      }
    }

    @Override
    public void close() {
      driver.quit();
    }
  }
}
