package io.semistream.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.semistream.records.ClassSemantics;
import io.semistream.topics.TopicRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AttributeTableTest {
  @Test
  void shouldShipADocumentedTableForEveryClassOfBothDataSetsWithDistinctVectors() {
    var serde = TopicRegistry.load().classSemantics().valueSerde();
    for (DatasetName d : DatasetName.values()) {
      AttributeTable table = AttributeTable.forDataset(d);
      assertEquals(d.id(), table.dataset());
      assertEquals(Set.copyOf(d.classNames()), table.classes().keySet(), d + ": one vector per class");
      assertTrue(table.attributes().size() >= 10, d + ": attributes " + table.attributes().size());
      Set<List<Double>> distinct = new HashSet<>();
      for (var e : table.classes().entrySet()) {
        assertTrue(distinct.add(java.util.Arrays.stream(e.getValue()).boxed().toList()),
            d + ": " + e.getKey() + " has the same vector as another class, so no attribute tells them apart");
        ClassSemantics record = new ClassSemantics(e.getKey(), e.getValue(), table.names(), 1);
        // Written and read through the catalogue's serde: the schema accepts it.
        ClassSemantics read = serde.deserializer().deserialize("", serde.serializer().serialize("", record));
        assertArrayEquals(e.getValue(), read.attributes(), 0);
        assertEquals(table.names(), read.names());
      }
    }
  }

  @Test
  void shouldRejectTablesAndRecordsThatCannotDescribeAClass() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String attributes = "\"attributes\":[{\"name\":\"a\",\"definition\":\"A.\"},{\"name\":\"b\",\"definition\":\"B.\"}]";
    assertThrows(IllegalArgumentException.class, () -> AttributeTable.parse(json.readTree(
        "{" + attributes + ",\"classes\":{\"x\":[1]}}")), "wrong length");
    assertThrows(IllegalArgumentException.class, () -> AttributeTable.parse(json.readTree(
        "{" + attributes + ",\"classes\":{\"x\":[1,\"yes\"]}}")), "not a number");
    assertThrows(IllegalArgumentException.class, () -> AttributeTable.parse(json.readTree(
        "{\"attributes\":[{\"name\":\"a\"}],\"classes\":{\"x\":[1]}}")), "no definition");
    assertThrows(IllegalArgumentException.class, () -> new ClassSemantics("x", new double[] {1, Double.NaN}, null, 1));
    var serde = TopicRegistry.load().classSemantics().valueSerde().deserializer();
    for (String bad : List.of("{\"class\":\"x\",\"attributes\":[],\"time\":1}",
        "{\"class\":\"x\",\"attributes\":[\"1\"],\"time\":1}", "{\"class\":\"x\",\"attributes\":[1],\"time\":-1}",
        "{\"class\":\"x\",\"attributes\":[1,2],\"names\":[\"a\"],\"time\":1}")) {
      assertThrows(SerializationException.class, () -> serde.deserialize("", bad.getBytes()), bad);
    }
  }
}
