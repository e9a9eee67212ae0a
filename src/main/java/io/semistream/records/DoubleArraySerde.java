package io.semistream.records;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Raw big-endian doubles: the anomaly window's store values (internal, never on a catalogue topic). */
public final class DoubleArraySerde implements Serde<double[]> {
  @Override
  public Serializer<double[]> serializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      ByteBuffer b = ByteBuffer.allocate(8 * data.length);
      for (double d : data) {
        b.putDouble(d);
      }
      return b.array();
    };
  }

  @Override
  public Deserializer<double[]> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      double[] out = new double[bytes.length / 8];
      ByteBuffer.wrap(bytes).asDoubleBuffer().get(out);
      return out;
    };
  }
}
