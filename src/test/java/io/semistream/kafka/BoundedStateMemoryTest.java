package io.semistream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.SemistreamConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedStateMemoryTest {
  static {
    RocksDB.loadLibrary();
  }

  private static Options storeOptions() {
    Options options = new Options();
    options.setTableFormatConfig(new BlockBasedTableConfig());
    return options;
  }

  @Test
  void shouldPutEveryStoreOfTheProcessUnderOneCacheThatAlsoHoldsWriteBuffersIndexesAndFilters() {
    BoundedStateMemory setter = new BoundedStateMemory();
    Map<String, Object> configs = Map.of(BoundedStateMemory.BYTES, Long.toString(64L << 20));
    try (Options images = storeOptions(); Options prototypes = storeOptions()) {
      setter.setConfig("learner-images", images, configs);
      setter.setConfig("learner-prototypes", prototypes, configs);

      assertNotNull(images.writeBufferManager(), "write buffers are charged to the cache");
      assertSame(images.writeBufferManager(), prototypes.writeBufferManager(), "one budget for every store");
      BlockBasedTableConfig table = (BlockBasedTableConfig) images.tableFormatConfig();
      assertTrue(table.cacheIndexAndFilterBlocks(), "indexes and filters count against the budget too");
      assertEquals(64L << 20, BoundedStateMemory.budget());
    }
  }

  @Test
  void shouldLeaveRocksDbDefaultsWithoutABudget() {
    try (Options options = storeOptions()) {
      new BoundedStateMemory().setConfig("store", options, Map.of());
      assertNull(options.writeBufferManager());
    }
  }

  @Test
  void shouldConfigureEveryStreamsApplicationWithTheLearnersStateMemoryBudget(@org.junit.jupiter.api.io.TempDir
      Path dir) {
    SemistreamConfig config = SemistreamConfig.fromMap(Map.of("learner.state.memory.mb", "32", "bootstrap.servers", "127.0.0.1:9"));
    Properties p = StreamsProperties.exactlyOnce(config, "app", dir);
    assertEquals(BoundedStateMemory.class, p.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
    assertEquals(Long.toString(32L << 20), p.get(BoundedStateMemory.BYTES));

    Properties off = StreamsProperties.exactlyOnce(SemistreamConfig.fromMap(Map.of("learner.state.memory.mb", "0", "bootstrap.servers", "127.0.0.1:9")),
        "app", dir);
    assertNull(off.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
  }
}
