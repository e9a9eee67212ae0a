package io.semistream.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A documented attribute table: each attribute with a one-sentence definition, each class with its vector. The
 * project ships one per data set (resources {@code semantics/<dataset>.json}); users write their own in the same
 * form and publish it with {@code semantics --file}.
 */
public record AttributeTable(String dataset, List<Attribute> attributes, Map<String, double[]> classes) {
  public record Attribute(String name, String definition) {
    public Attribute {
      if (name == null || name.isBlank() || definition == null || definition.isBlank()) {
        throw new IllegalArgumentException("every attribute needs a name and a one-sentence definition");
      }
    }
  }

  public AttributeTable {
    attributes = List.copyOf(attributes);
    if (attributes.isEmpty() || classes.isEmpty()) {
      throw new IllegalArgumentException("an attribute table needs attributes and classes");
    }
    int width = attributes.size();
    Map<String, double[]> copy = new LinkedHashMap<>();
    classes.forEach((name, v) -> {
      if (v.length != width) {
        throw new IllegalArgumentException("class " + name + " has " + v.length + " values for " + width
            + " attributes");
      }
      for (double x : v) {
        if (!Double.isFinite(x)) {
          throw new IllegalArgumentException("class " + name + " has a value that is not a finite number");
        }
      }
      copy.put(name, v.clone());
    });
    classes = java.util.Collections.unmodifiableMap(copy);
  }

  /** The table shipped for {@code dataset}. */
  public static AttributeTable forDataset(DatasetName dataset) {
    String resource = "semantics/" + dataset.id() + ".json";
    try (InputStream in = AttributeTable.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath");
      }
      return parse(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static AttributeTable read(Path file) throws IOException {
    return parse(new ObjectMapper().readTree(Files.readAllBytes(file)));
  }

  static AttributeTable parse(JsonNode root) {
    List<Attribute> attributes = new ArrayList<>();
    for (JsonNode a : root.path("attributes")) {
      attributes.add(new Attribute(a.path("name").asText(null), a.path("definition").asText(null)));
    }
    Map<String, double[]> classes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.path("classes").properties()) {
      double[] v = new double[e.getValue().size()];
      for (int i = 0; i < v.length; i++) {
        JsonNode x = e.getValue().get(i);
        if (!x.isNumber()) {
          throw new IllegalArgumentException("class " + e.getKey() + ": value " + i + " is not a number");
        }
        v[i] = x.asDouble();
      }
      classes.put(e.getKey(), v);
    }
    return new AttributeTable(root.path("dataset").asText(""), attributes, classes);
  }

  public List<String> names() {
    return attributes.stream().map(Attribute::name).toList();
  }
}
