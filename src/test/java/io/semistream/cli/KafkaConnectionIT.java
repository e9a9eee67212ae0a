package io.semistream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.KafkaClients;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionIT {
  @Test
  void shouldStartTheMainJobsBrokerWithAGroupJoinDelaySoThatTwoWorkersShareTheFirstAssignment(@TempDir Path dir)
      throws Exception {
    SemistreamConfig config = SemistreamConfig.fromMap(Map.of("broker.data.dir", dir.resolve("kafka").toString(),
        "broker.port", "0"));
    try (KafkaConnection connection = KafkaConnection.open(config);
         Admin admin = new KafkaClients(connection.config().kafka()).admin()) {
      assertTrue(connection.embedded(), "no bootstrap servers given: the embedded broker");
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
      Config described = admin.describeConfigs(List.of(broker)).all().get().get(broker);
      assertEquals("500", described.get("group.initial.rebalance.delay.ms").value());
    }
  }
}
