package io.semistream.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.semistream.records.ClassSemantics;
import io.semistream.records.JsonSerde;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class LenientStoreSerdeTest {
  @Test
  void shouldReadJunkAsAbsentAndReportTheStoreWhileValidEntriesRoundTrip() {
    List<String> unreadable = new ArrayList<>();
    Serde<ClassSemantics> values = LenientStoreSerde.of(new JsonSerde<>(ClassSemantics.class), "semantics",
        unreadable::add);
    Serde<Long> keys = LenientStoreSerde.of(Serdes.Long(), "window", unreadable::add);

    ClassSemantics bag = new ClassSemantics("Bag", new double[] {1, 0, 0.5}, null, 1);
    byte[] bytes = values.serializer().serialize("t", bag);
    assertArrayEquals(bag.attributes(), values.deserializer().deserialize("t", bytes).attributes());
    assertEquals(7L, keys.deserializer().deserialize("t", keys.serializer().serialize("t", 7L)));
    assertEquals(List.of(), unreadable);

    assertNull(values.deserializer().deserialize("t", "not json".getBytes(StandardCharsets.UTF_8)));
    assertNull(values.deserializer().deserialize("t", "{\"class\":\"\",\"attributes\":[1],\"time\":1}"
        .getBytes(StandardCharsets.UTF_8)), "valid JSON that its record refuses");
    assertNull(keys.deserializer().deserialize("t", new byte[] {1, 2, 3}), "3 bytes are no long");
    assertEquals(List.of("semantics", "semantics", "window"), unreadable);
  }
}
