package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.model.ModelDescriptor;
import io.semistream.records.ModelVersion;
import io.semistream.records.ModelVersion.Status;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServingAfterRestartTest {
  private static ModelDescriptor pointer(int version) {
    return new ModelDescriptor("conv-ae-64", version, "conv-ae", 28, 64, 0, 1, "test", 0, Double.NaN, 0, "now", 1, 0,
        Double.NaN);
  }

  private static ModelVersion announced(String model, int version, int parent, Status status) {
    return new ModelVersion(model, version, parent, status, 100, 0.8, 0.7, 30, 4, 1, -1.0, 600, 1L);
  }

  @Test
  void shouldServeAPromotionTheTopicAnnouncedWhenTheCrashCameBeforeTheStoreNamedIt() {
    List<ModelVersion> topic = List.of(announced("conv-ae-64", 2, 1, Status.PROMOTED),
        announced("conv-ae-64", 3, 2, Status.REJECTED), announced("conv-ae-64", 4, 2, Status.PROMOTED));
    assertEquals(4, ServingAfterRestart.version(pointer(2), topic, v -> true));
  }

  @Test
  void shouldKeepThePointerWhenTheTopicHasNothingNewerPromotedOrTheVersionIsNotInTheStore() {
    List<ModelVersion> topic = List.of(announced("conv-ae-64", 2, 1, Status.PROMOTED),
        announced("conv-ae-64", 3, 2, Status.REJECTED), announced("other-model", 9, 1, Status.PROMOTED),
        announced("conv-ae-64", 5, 2, Status.PROMOTED));
    assertEquals(2, ServingAfterRestart.version(pointer(2), topic.subList(0, 3), v -> true));
    assertEquals(2, ServingAfterRestart.version(pointer(2), topic, v -> !Set.of(5).contains(v)),
        "a promoted version whose files the store lacks (another store, or a half-written one) is not served");
    assertEquals(3, ServingAfterRestart.version(pointer(3), topic.subList(0, 2), v -> true),
        "never backwards");
    assertEquals(1, ServingAfterRestart.version(pointer(1), List.of(), v -> true));
  }
}
