package io.semistream.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.semistream.testing.ProjectPaths;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TopicRegistryTest {
  private static final Path TOPICS = ProjectPaths.root().resolve("topics");

  private static TopicCatalogue fromSourceTree() throws IOException {
    try (InputStream in = Files.newInputStream(TOPICS.resolve("catalogue.yaml"))) {
      return TopicCatalogue.parse(in);
    }
  }

  @Test
  void shouldMatchTheCatalogueInTopicsFolder() throws IOException {
    TopicCatalogue packaged = TopicRegistry.load().catalogue();
    TopicCatalogue source = fromSourceTree();
    assertEquals(source.all(), packaged.all(), "the packaged catalogue must be topics/catalogue.yaml");
    assertEquals(EnumSet.allOf(TopicId.class), packaged.all().keySet());
  }

  @Test
  void shouldHaveASchemaFileForEveryValueFormat() throws IOException {
    ObjectMapper json = new ObjectMapper();
    for (TopicSpec spec : fromSourceTree().all().values()) {
      Path schema = TOPICS.resolve(spec.valueSchema());
      assertTrue(Files.isRegularFile(schema), spec.name() + ": missing schema " + schema);
      if (spec.valueFormat().equals("json")) {
        JsonNode node = json.readTree(schema.toFile());
        assertEquals("object", node.path("type").asText(), schema + " must describe an object");
        assertTrue(node.path("required").size() > 0, schema + " must list required fields");
      }
    }
  }

  @Test
  void shouldNameEveryTopicInTheOperatorReadme() throws IOException {
    String readme = Files.readString(TOPICS.resolve("README.md"));
    for (TopicSpec spec : fromSourceTree().all().values()) {
      assertTrue(readme.contains("`" + spec.name() + "`"), "topics/README.md lacks " + spec.name());
    }
  }

  @Test
  void shouldCompactThePerClassPerModelAndPerRequestTables() {
    TopicRegistry registry = TopicRegistry.load();
    Set<String> compacted = registry.catalogue().all().values().stream()
        .filter(s -> s.cleanupPolicy().equals("compact")).map(TopicSpec::name).collect(Collectors.toSet());
    assertEquals(Set.of("prototypes", "exemplars", "class-semantics", "zero-shot-prototypes", "class-candidates",
        "label-requests", "model-versions"), compacted);
    assertEquals("compact", registry.catalogue().spec(TopicId.PROTOTYPES).effectiveConfigs().get("cleanup.policy"));
  }

  @Test
  void shouldHandOutTypedTopicsWithCatalogueNames() {
    TopicRegistry registry = TopicRegistry.load();
    assertEquals("images", registry.images().name());
    assertEquals("labels", registry.labels().name());
    assertEquals("embeddings", registry.embeddings().name());
    assertEquals("dead-letter", registry.deadLetter().name());
  }

  @Test
  void shouldPrefixEveryTopicNameAndKeepEverythingElse() {
    TopicRegistry plain = TopicRegistry.load();
    TopicRegistry prefixed = TopicRegistry.load("team-a.");
    for (TopicId id : TopicId.values()) {
      TopicSpec p = plain.catalogue().spec(id);
      TopicSpec q = prefixed.catalogue().spec(id);
      assertEquals("team-a." + p.name(), q.name());
      assertEquals(p.withName(q.name()), q, "only the name changes");
    }
    assertEquals("team-a.images", prefixed.images().name());
    assertEquals("team-a.dead-letter", prefixed.deadLetter().name());
  }

  @Test
  void shouldOverridePartitionsOfNamedTopicsOnly() {
    TopicCatalogue catalogue = TopicRegistry.load().catalogue();
    TopicCatalogue wider = catalogue.withPartitions(java.util.Map.of(TopicId.IMAGES, 12));
    assertEquals(12, wider.spec(TopicId.IMAGES).partitions());
    assertEquals(catalogue.spec(TopicId.LABELS), wider.spec(TopicId.LABELS));
    assertThrows(IllegalArgumentException.class,
        () -> catalogue.withPartitions(java.util.Map.of(TopicId.IMAGES, 0)));
  }

  @Test
  void shouldRejectACatalogueThatLacksATopicOrDisagreesOnFormat() {
    String missing = "topics:\n  - {id: images, name: images, partitions: 1, replicationFactor: 1, "
        + "cleanupPolicy: delete, retentionMs: 1, key: {format: string}, value: {format: image-bytes, schema: x}}\n";
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TopicCatalogue.parse(new ByteArrayInputStream(missing.getBytes(StandardCharsets.UTF_8))));
    assertTrue(e.getMessage().contains("lacks topic"), e.getMessage());
    String wrongFormat = missing.replace("image-bytes", "json");
    e = assertThrows(IllegalStateException.class,
        () -> TopicCatalogue.parse(new ByteArrayInputStream(wrongFormat.getBytes(StandardCharsets.UTF_8))));
    assertTrue(e.getMessage().contains("declares value format json"), e.getMessage());
  }
}
