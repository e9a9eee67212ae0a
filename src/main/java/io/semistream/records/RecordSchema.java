package io.semistream.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One JSON Schema of topics/schemas (packaged under {@code topics/} on the classpath), the same file operators
 * read. Inputs are checked against it at run time and everything the service writes is checked in tests, so the
 * published contract and the code cannot drift apart.
 */
public final class RecordSchema {
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Map<String, RecordSchema> LOADED = new ConcurrentHashMap<>();
  private final String resource;
  private final Schema schema;

  private RecordSchema(String resource, Schema schema) {
    this.resource = resource;
    this.schema = schema;
  }

  /** @param catalogueSchema as the catalogue names it, e.g. {@code schemas/label.schema.json} */
  public static RecordSchema of(String catalogueSchema) {
    return LOADED.computeIfAbsent(catalogueSchema, RecordSchema::load);
  }

  private static RecordSchema load(String catalogueSchema) {
    String resource = "topics/" + catalogueSchema;
    try (InputStream in = RecordSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath");
      }
      // The schemas' relative $ids resolve against where they live on the classpath.
      Schema schema = REGISTRY.getSchema(SchemaLocation.of("classpath:" + resource), JsonSerde.MAPPER.readTree(in));
      schema.initializeValidators();
      return new RecordSchema(catalogueSchema, schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return resource;
  }

  /** What is wrong with {@code value}, one line per problem (JSON path first); empty when it conforms. */
  public List<String> problems(JsonNode value) {
    return schema.validate(value).stream().map(Error::toString).toList();
  }

  public JsonNode document() {
    return schema.getSchemaNode();
  }
}
