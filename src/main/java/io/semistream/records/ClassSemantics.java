package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The semantic (attribute) vector of a class, for zero-shot recognition (topics/schemas/class-semantics.schema.json).
 * Key on the compacted {@code class-semantics} topic: the class name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClassSemantics(
    @JsonProperty(value = "class", required = true) String className,
    @JsonProperty(value = "attributes", required = true) double[] attributes,
    @JsonProperty("names") List<String> names,
    @JsonProperty(value = "time", required = true) long time) {

  public ClassSemantics {
    if (className == null || className.isBlank()) {
      throw new IllegalArgumentException("class semantics: class must not be empty");
    }
    if (attributes == null || attributes.length == 0) {
      throw new IllegalArgumentException("class semantics of " + className + ": no attributes");
    }
    for (double a : attributes) {
      if (!Double.isFinite(a)) {
        throw new IllegalArgumentException("class semantics of " + className + ": attribute values must be finite");
      }
    }
    if (names != null && names.size() != attributes.length) {
      throw new IllegalArgumentException("class semantics of " + className + ": " + names.size() + " names for "
          + attributes.length + " attributes");
    }
    attributes = attributes.clone();
    names = names == null ? null : List.copyOf(names);
    if (time < 0) {
      throw new IllegalArgumentException("class semantics time must be >= 0");
    }
  }

  @Override
  public double[] attributes() {
    return attributes.clone();
  }
}
