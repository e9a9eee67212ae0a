package io.semistream.training;

import io.semistream.model.ModelDescriptor;
import io.semistream.records.ModelVersion;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Which version a (re)starting trainer serves. A promotion is announced on {@code model-versions} first and named
 * by the store's pointer second; a crash between the two leaves the pointer one promotion behind the topic, which
 * every embedding service already follows. So the newer of the two wins: the pointer's version, or the newest
 * version of the same model the topic announced as promoted, provided the store holds it complete.
 */
final class ServingAfterRestart {
  private ServingAfterRestart() {
  }

  /**
   * @param pointer the version the store names (its descriptor)
   * @param announced every announcement on the topic, any model, any order
   * @param complete whether the store holds a version complete (its descriptor written last, atomically)
   */
  static int version(ModelDescriptor pointer, List<ModelVersion> announced, IntPredicate complete) {
    int serving = pointer.version();
    for (ModelVersion v : announced) {
      if (v.status() == ModelVersion.Status.PROMOTED && v.modelId().equals(pointer.id()) && v.version() > serving
          && complete.test(v.version())) {
        serving = v.version();
      }
    }
    return serving;
  }
}
