package io.semistream.learning;

import io.semistream.records.JsonSerde;
import io.semistream.records.Prediction;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The {@code learner-images} store's value format: a compact binary layout, read back bit-exact, and the JSON
 * the store held before (still read, so stores and changelogs written by an earlier version restore).
 *
 * <p>Why not JSON: every record the learner handles reads and writes its image's state, and a relabel round reads
 * up to {@code relabel.max.images} states per punctuation. Printing and parsing 64 to 128 floats as decimal text
 * was the largest single item in the learner's stream thread while it stalled (README, "Where the p99 goes"), and
 * a float in text takes 10-12 bytes of changelog and RocksDB against 4 here.
 *
 * <p>Layout (big-endian): the byte {@link #MAGIC}; a byte of presence flags; then, each only when present,
 * embedding (int length, floats), reconstruction error (float), model id (string), model version (int),
 * event time (long), true label (string), pending label, contribution, prediction (see below), first seen (long),
 * novelty version (int), novelty vector (int length, floats). A string is an int byte length (-1: null) and
 * UTF-8 bytes. JSON starts with '{', which is not {@link #MAGIC}: the two never meet.
 */
public final class ImageStateSerde implements Serde<ImageState> {
  static final byte MAGIC = (byte) 0xB1;
  /** Statuses by code: append only, never reorder (codes are stored). */
  private static final Prediction.Status[] STATUSES = {Prediction.Status.LABELLED, Prediction.Status.PSEUDO,
      Prediction.Status.UNCERTAIN, Prediction.Status.ANOMALY, Prediction.Status.ZERO_SHOT};
  private static final int EMBEDDING = 1;
  private static final int PENDING = 2;
  private static final int CONTRIBUTION = 4;
  private static final int PREDICTION = 8;
  private static final int NOVELTY = 16;

  private final JsonSerde<ImageState> json = new JsonSerde<>(ImageState.class);

  @Override
  public Serializer<ImageState> serializer() {
    return (topic, state) -> state == null ? null : encode(state);
  }

  @Override
  public Deserializer<ImageState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  /** The state in the binary layout. */
  public byte[] encode(ImageState s) {
    int flags = (s.embedding() != null ? EMBEDDING : 0) | (s.pendingLabel() != null ? PENDING : 0)
        | (s.contribution() != null ? CONTRIBUTION : 0) | (s.prediction() != null ? PREDICTION : 0)
        | (s.noveltyVector() != null ? NOVELTY : 0);
    byte[][] strings = {utf8(s.modelId()), utf8(s.trueLabel())};
    byte[][] pending = s.pendingLabel() == null ? null
        : new byte[][] {utf8(s.pendingLabel().className()), utf8(s.pendingLabel().annotator())};
    byte[] contributionClass = s.contribution() == null ? null : utf8(s.contribution().className());
    Prediction p = s.prediction();
    byte[][] predictionStrings = p == null ? null
        : new byte[][] {utf8(p.className()), utf8(p.modelId()), utf8(p.seenClass()), utf8(p.zeroShotClass())};
    int size = 2 + floatsSize(s.embedding()) + 4 + size(strings) + 4 + 8 + 8 + 4 + floatsSize(s.noveltyVector())
        + (pending == null ? 0 : size(pending) + 16)
        + (contributionClass == null ? 0 : size(contributionClass) + 1 + 8)
        + (p == null ? 0 : size(predictionStrings) + 8 + 8 + 1 + 8 + 4 + 8 + 1 + 8);
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(MAGIC).put((byte) flags);
    if (s.embedding() != null) {
      putFloats(b, s.embedding());
    }
    b.putFloat(s.reconstructionError());
    putString(b, strings[0]);
    b.putInt(s.modelVersion()).putLong(s.eventTime());
    putString(b, strings[1]);
    if (pending != null) {
      putString(b, pending[0]);
      putString(b, pending[1]);
      b.putLong(s.pendingLabel().time()).putLong(s.pendingLabel().arrivedAt());
    }
    if (contributionClass != null) {
      putString(b, contributionClass);
      b.put((byte) (s.contribution().pseudo() ? 1 : 0)).putDouble(s.contribution().weight());
    }
    if (p != null) {
      putString(b, predictionStrings[0]);
      b.putDouble(p.confidence()).putDouble(p.margin()).put(statusCode(p.status())).putLong(p.version());
      putString(b, predictionStrings[1]);
      b.putInt(p.modelVersion()).putLong(p.eventTime());
      b.put((byte) (p.anomalyScore() != null ? 1 : 0)).putDouble(p.anomalyScore() != null ? p.anomalyScore() : 0);
      putString(b, predictionStrings[2]);
      putString(b, predictionStrings[3]);
    }
    b.putLong(s.firstSeen()).putInt(s.noveltyVersion());
    if (s.noveltyVector() != null) {
      putFloats(b, s.noveltyVector());
    }
    return b.array();
  }

  /** Reads either layout; throws {@link IllegalArgumentException} on anything else. */
  public ImageState decode(byte[] bytes) {
    if (bytes.length > 0 && bytes[0] == '{') {
      return json.decode(bytes);
    }
    if (bytes.length < 2 || bytes[0] != MAGIC) {
      throw new IllegalArgumentException("not an image state (neither the binary layout nor JSON)");
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
      int flags = b.get();
      if ((flags & ~(EMBEDDING | PENDING | CONTRIBUTION | PREDICTION | NOVELTY)) != 0) {
        throw new IllegalArgumentException("unknown flags " + flags);
      }
      float[] embedding = (flags & EMBEDDING) != 0 ? getFloats(b) : null;
      float error = b.getFloat();
      String modelId = getString(b);
      int modelVersion = b.getInt();
      long eventTime = b.getLong();
      String trueLabel = getString(b);
      ImageState.PendingLabel pending = (flags & PENDING) == 0 ? null
          : new ImageState.PendingLabel(getString(b), getString(b), b.getLong(), b.getLong());
      ImageState.Contribution contribution = (flags & CONTRIBUTION) == 0 ? null
          : new ImageState.Contribution(getString(b), b.get() != 0, b.getDouble());
      Prediction prediction = (flags & PREDICTION) == 0 ? null : getPrediction(b);
      long firstSeen = b.getLong();
      int noveltyVersion = b.getInt();
      float[] novelty = (flags & NOVELTY) != 0 ? getFloats(b) : null;
      if (b.hasRemaining()) {
        throw new IllegalArgumentException(b.remaining() + " bytes after the image state");
      }
      return new ImageState(embedding, error, modelId, modelVersion, eventTime, trueLabel, pending, contribution,
          prediction, firstSeen, noveltyVersion, novelty);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("image state cut short", e);
    }
  }

  private static Prediction getPrediction(ByteBuffer b) {
    String className = getString(b);
    double confidence = b.getDouble();
    double margin = b.getDouble();
    int code = b.get();
    if (code < 0 || code >= STATUSES.length) {
      throw new IllegalArgumentException("unknown prediction status " + code);
    }
    long version = b.getLong();
    String modelId = getString(b);
    int modelVersion = b.getInt();
    long eventTime = b.getLong();
    boolean scored = b.get() != 0;
    double score = b.getDouble();
    return new Prediction(className, confidence, margin, STATUSES[code], version, modelId, modelVersion, eventTime,
        scored ? score : null, getString(b), getString(b));
  }

  private static byte statusCode(Prediction.Status status) {
    for (int i = 0; i < STATUSES.length; i++) {
      if (STATUSES[i] == status) {
        return (byte) i;
      }
    }
    throw new IllegalArgumentException("no code for status " + status);
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private static int size(byte[]... strings) {
    int n = 0;
    for (byte[] s : strings) {
      n += 4 + (s == null ? 0 : s.length);
    }
    return n;
  }

  private static int floatsSize(float[] v) {
    return v == null ? 0 : 4 + 4 * v.length;
  }

  private static void putString(ByteBuffer b, byte[] s) {
    if (s == null) {
      b.putInt(-1);
    } else {
      b.putInt(s.length).put(s);
    }
  }

  private static String getString(ByteBuffer b) {
    int n = b.getInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > b.remaining()) {
      throw new IllegalArgumentException("string length " + n + " with " + b.remaining() + " bytes left");
    }
    String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
    b.position(b.position() + n);
    return s;
  }

  private static void putFloats(ByteBuffer b, float[] v) {
    b.putInt(v.length);
    b.asFloatBuffer().put(v);
    b.position(b.position() + 4 * v.length);
  }

  private static float[] getFloats(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || 4L * n > b.remaining()) {
      throw new IllegalArgumentException("vector length " + n + " with " + b.remaining() + " bytes left");
    }
    float[] v = new float[n];
    b.asFloatBuffer().get(v);
    b.position(b.position() + 4 * n);
    return v;
  }
}
