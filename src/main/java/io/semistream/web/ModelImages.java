package io.semistream.web;

import ai.djl.Device;
import io.semistream.image.ImagePreprocessor;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ModelStore;
import io.semistream.records.RejectedRecordException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pictures the web view draws with the model: a prototype decoded by the autoencoder's decoder (what the model
 * thinks the class looks like), an image's reconstruction, and thumbnails of images as the model sees them.
 *
 * <p>A prototype lives in the embedding space of one encoder version, so it is decoded by that version's decoder,
 * loaded from the model store on demand; one version is held at a time (the view asks for the serving one almost
 * always). Rendered pictures are cached with a bound.
 */
final class ModelImages implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelImages.class);
  private static final int CACHE = 1024;

  private final ModelStore store;
  private final ImagePreprocessor preprocessor;
  private final Device device;
  private final Map<String, byte[]> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
      return size() > CACHE;
    }
  };
  private EmbeddingModel loaded;

  ModelImages(ModelStore store, ImagePreprocessor preprocessor, Device device) {
    this.store = store;
    this.preprocessor = preprocessor;
    this.device = device;
  }

  /** The image as the model sees it ({@code side × side} grey), or empty when it cannot be decoded. */
  Optional<byte[]> thumbnail(String imageId, byte[] encoded) {
    return cached("t/" + imageId + "/" + encoded.length + "/" + java.util.Arrays.hashCode(encoded), () -> {
      try {
        return Optional.of(Pictures.png(preprocessor.preprocess(encoded)));
      } catch (RejectedRecordException e) {
        return Optional.empty();
      }
    });
  }

  /** {@code vector} decoded by encoder version {@code modelVersion}; empty when that version is not in the store. */
  Optional<byte[]> decoded(String key, double[] vector, int modelVersion) {
    return cached("d/" + modelVersion + "/" + key, () -> withModel(modelVersion, m -> {
      float[] v = new float[vector.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) vector[i];
      }
      return Pictures.png(m.decode(new float[][] {v})[0]);
    }));
  }

  /** The reconstruction of an image by encoder version {@code modelVersion}. */
  Optional<byte[]> reconstruction(String imageId, byte[] encoded, int modelVersion) {
    return cached("r/" + modelVersion + "/" + imageId + "/" + java.util.Arrays.hashCode(encoded), () -> {
      float[] pixels;
      try {
        pixels = preprocessor.preprocess(encoded);
      } catch (RejectedRecordException e) {
        return Optional.empty();
      }
      return withModel(modelVersion, m -> Pictures.png(m.reconstruct(new float[][] {pixels})[0]));
    });
  }

  private interface Render {
    Optional<byte[]> render();
  }

  private Optional<byte[]> cached(String key, Render render) {
    synchronized (cache) {
      byte[] hit = cache.get(key);
      if (hit != null) {
        return Optional.of(hit);
      }
    }
    Optional<byte[]> made = render.render();
    made.ifPresent(bytes -> {
      synchronized (cache) {
        cache.put(key, bytes);
      }
    });
    return made;
  }

  /** Runs {@code use} on encoder {@code version} while holding it: a switch to another version waits for it. */
  private synchronized <T> Optional<T> withModel(int version, Function<EmbeddingModel, T> use) {
    if (loaded == null || loaded.descriptor().version() != version) {
      Path dir = store.versionDir(version);
      if (!Files.isDirectory(dir)) {
        return Optional.empty();
      }
      try {
        EmbeddingModel next = EmbeddingModel.load(dir, device);
        if (loaded != null) {
          loaded.close();
        }
        loaded = next;
      } catch (IOException | RuntimeException e) {
        LOG.warn("web view: cannot load encoder v{} from {}: {}", version, dir, e.getMessage());
        return Optional.empty();
      }
    }
    return Optional.of(use.apply(loaded));
  }

  @Override
  public synchronized void close() {
    if (loaded != null) {
      loaded.close();
      loaded = null;
    }
  }
}
