package io.semistream.topics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The parsed topics/catalogue.yaml, checked to cover exactly the topics the code knows. */
public final class TopicCatalogue {
  public static final String RESOURCE = "topics/catalogue.yaml";

  private final Map<TopicId, TopicSpec> specs;

  private TopicCatalogue(Map<TopicId, TopicSpec> specs) {
    this.specs = Map.copyOf(specs);
  }

  /** The catalogue packaged with the code (copied from topics/ by the build). */
  public static TopicCatalogue load() {
    try (InputStream in = TopicCatalogue.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath");
      }
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TopicCatalogue parse(InputStream yaml) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    Map<TopicId, TopicSpec> specs = new EnumMap<>(TopicId.class);
    for (JsonNode node : root.path("topics")) {
      TopicId id = TopicId.byCatalogueId(required(node, "id").asText());
      Map<String, String> configs = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : node.path("configs").properties()) {
        configs.put(e.getKey(), e.getValue().asText());
      }
      TopicSpec spec = new TopicSpec(id, required(node, "name").asText(), required(node, "partitions").asInt(),
          (short) required(node, "replicationFactor").asInt(), required(node, "cleanupPolicy").asText(),
          required(node, "retentionMs").asLong(), configs, required(node.path("key"), "format").asText(),
          required(node.path("value"), "format").asText(), node.path("value").path("schema").asText(null));
      if (!spec.valueFormat().equals(id.valueFormat())) {
        throw new IllegalStateException("topic " + spec.name() + " declares value format " + spec.valueFormat()
            + " but the code reads and writes " + id.valueFormat());
      }
      if (specs.put(id, spec) != null) {
        throw new IllegalStateException("topic id " + id.catalogueId() + " appears twice in the catalogue");
      }
    }
    for (TopicId id : TopicId.values()) {
      if (!specs.containsKey(id)) {
        throw new IllegalStateException("the catalogue lacks topic " + id.catalogueId());
      }
    }
    return new TopicCatalogue(specs);
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalStateException("catalogue entry " + node + " lacks '" + field + "'");
    }
    return value;
  }

  /** The same topics named {@code prefix + name}: one deployment's topics on a shared cluster. */
  public TopicCatalogue withPrefix(String prefix) {
    Map<TopicId, TopicSpec> prefixed = new EnumMap<>(TopicId.class);
    specs.forEach((id, spec) -> prefixed.put(id, spec.withName(prefix + spec.name())));
    return new TopicCatalogue(prefixed);
  }

  /** The same topics with other partition counts (`topics apply --partitions id=n`) for topics not yet created. */
  public TopicCatalogue withPartitions(Map<TopicId, Integer> partitions) {
    Map<TopicId, TopicSpec> changed = new EnumMap<>(specs);
    partitions.forEach((id, n) -> changed.put(id, specs.get(id).withPartitions(n)));
    return new TopicCatalogue(changed);
  }

  public TopicSpec spec(TopicId id) {
    return specs.get(id);
  }

  public Map<TopicId, TopicSpec> all() {
    return new EnumMap<>(specs);
  }
}
