package io.semistream.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.semistream.config.DeviceChoice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine the way semistream needs it: offline (the native library comes from the Maven
 * artifact, never a download), with explicit intra-op threads, and on the GPU when one is visible.
 */
public final class DjlEngine {
  private static final Logger LOG = LoggerFactory.getLogger(DjlEngine.class);
  public static final String ENGINE = "PyTorch";

  private DjlEngine() {
  }

  /**
   * Must run before anything touches DJL: thread counts are read once, when the engine loads.
   * Values already given with -D win.
   */
  public static synchronized Engine start(int intraOpThreads) {
    System.setProperty("ai.djl.offline", "true");
    System.getProperties().putIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(intraOpThreads));
    System.getProperties().putIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    if (!"PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"))) {
      LOG.warn("OMP_WAIT_POLICY is not PASSIVE: OpenMP threads will spin and can collapse throughput "
          + "(start through ./semistream, which sets it)");
    }
    return Engine.getEngine(ENGINE);
  }

  /** Starts the engine with the embedding settings' threads and returns the device they ask for. */
  public static Device startFor(io.semistream.config.EmbeddingSettings settings) {
    return device(start(settings.effectiveIntraOpThreads()), settings.device());
  }

  /** The device for {@code choice}; GPU when asked for one that DJL does not see is a clear error. */
  public static Device device(Engine engine, DeviceChoice choice) {
    int gpus = engine.getGpuCount();
    return switch (choice) {
      case CPU -> Device.cpu();
      case GPU -> {
        if (gpus == 0) {
          throw new IllegalStateException("embedding.device=gpu but DJL sees no GPU (PyTorch flavour: "
              + engine.getVersion() + "); use auto or cpu");
        }
        yield Device.gpu();
      }
      case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
    };
  }

  /**
   * Gradient recording is per thread in PyTorch and on by default in threads other than the one that loaded
   * the engine: inference threads switch it off so forward passes build no autograd graph.
   */
  public static void disableGradientsOnThisThread() {
    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
  }

  /** Runs {@code pass} with gradient recording off on this thread, then restores the thread's setting. */
  public static <T> T withoutGradients(java.util.function.Supplier<T> pass) {
    boolean recording = ai.djl.pytorch.jni.JniUtils.isGradMode();
    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    try {
      return pass.get();
    } finally {
      ai.djl.pytorch.jni.JniUtils.setGradMode(recording);
    }
  }
}
