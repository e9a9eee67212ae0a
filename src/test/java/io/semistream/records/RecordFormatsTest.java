package io.semistream.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordFormatsTest {
  private final EmbeddingSerde embeddings = new EmbeddingSerde();
  private final JsonSerde<LabelRecord> labels = new JsonSerde<>(LabelRecord.class);

  private static EmbeddingRecord randomEmbedding(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian() * 10;
    }
    return new EmbeddingRecord(v, r.nextFloat(), "conv-ae-64", 1 + r.nextInt(5), Math.abs(r.nextLong() >> 20));
  }

  @Test
  void shouldRoundTripEmbeddingsOfAnyDimension() {
    Random r = new Random(3);
    for (int dim : new int[] {1, 2, 64, 512, 4096}) {
      EmbeddingRecord e = randomEmbedding(r, dim);
      byte[] bytes = embeddings.serializer().serialize("embeddings", e);
      assertEquals(22 + "conv-ae-64".length() + 4 * dim, bytes.length, "documented size");
      EmbeddingRecord back = embeddings.deserializer().deserialize("embeddings", bytes);
      assertEquals(e, back);
      assertArrayEquals(e.vector(), back.vector());
    }
  }

  @Test
  void shouldWriteTheDocumentedBigEndianLayout() {
    EmbeddingRecord e = new EmbeddingRecord(new float[] {1.5f, -2f}, 0.25f, "m", 3, 1_700_000_000_000L);
    ByteBuffer b = ByteBuffer.wrap(EmbeddingSerde.encode(e));
    assertEquals(0x45, b.get());
    assertEquals(1, b.get());
    assertEquals(1_700_000_000_000L, b.getLong());
    assertEquals(0.25f, b.getFloat());
    assertEquals(3, b.getInt());
    assertEquals(1, b.getShort());
    assertEquals('m', b.get());
    assertEquals(2, b.getShort());
    assertEquals(1.5f, b.getFloat());
    assertEquals(-2f, b.getFloat());
    assertEquals(0, b.remaining());
  }

  @Test
  void shouldCarryTheNoveltyViewInLayoutTwoAndOmitItsVectorWhenTheModelIsTheNoveltyVersion() {
    float[] v = {1.5f, -2f};
    EmbeddingRecord own = new EmbeddingRecord(v, 0.25f, "m", 3, 7L, 1, new float[] {0.5f, 0.25f, -1f});
    ByteBuffer b = ByteBuffer.wrap(EmbeddingSerde.encode(own));
    assertEquals(0x45, b.get());
    assertEquals(2, b.get());
    b.position(22 + 1 + 4 * 2);
    assertEquals(1, b.getInt());
    assertEquals(3, b.getShort());
    assertEquals(0.5f, b.getFloat());
    assertEquals(0.25f, b.getFloat());
    assertEquals(-1f, b.getFloat());
    assertEquals(0, b.remaining());
    EmbeddingRecord back = EmbeddingSerde.decode(EmbeddingSerde.encode(own));
    assertEquals(own, back);
    assertArrayEquals(new float[] {0.5f, 0.25f, -1f}, back.noveltyVector());
    assertTrue(back.hasOwnNoveltyVector());

    // The serving version is the novelty version: six bytes more, and the vector is its own novelty view.
    EmbeddingRecord same = new EmbeddingRecord(v, 0.25f, "m", 1, 7L, 1, null);
    byte[] sameBytes = EmbeddingSerde.encode(same);
    assertEquals(22 + 1 + 4 * 2 + 6, sameBytes.length);
    EmbeddingRecord sameBack = EmbeddingSerde.decode(sameBytes);
    assertEquals(same, sameBack);
    assertArrayEquals(v, sameBack.noveltyVector());
    assertEquals(false, sameBack.hasOwnNoveltyVector());

    // Without a novelty view: layout 1, as before.
    EmbeddingRecord none = new EmbeddingRecord(v, 0.25f, "m", 3, 7L);
    assertEquals(1, EmbeddingSerde.encode(none)[1]);
    assertEquals(null, EmbeddingSerde.decode(EmbeddingSerde.encode(none)).noveltyVector());

    byte[] nan = EmbeddingSerde.encode(own);
    ByteBuffer.wrap(nan).putFloat(nan.length - 4, Float.NaN);
    assertTrue(assertThrows(SerializationException.class, () -> EmbeddingSerde.decode(nan)).getMessage()
        .contains("not finite"));
    byte[] cut = java.util.Arrays.copyOf(EmbeddingSerde.encode(own), EmbeddingSerde.encode(own).length - 4);
    assertThrows(SerializationException.class, () -> EmbeddingSerde.decode(cut));
    byte[] ownOfSameVersion = EmbeddingSerde.encode(own);
    ByteBuffer.wrap(ownOfSameVersion).putInt(22 + 1 + 4 * 2, 3);
    assertTrue(assertThrows(SerializationException.class, () -> EmbeddingSerde.decode(ownOfSameVersion))
        .getMessage().contains("novelty section"));
  }

  @Test
  void shouldRejectForeignTruncatedAndNonFiniteEmbeddings() {
    byte[] good = EmbeddingSerde.encode(randomEmbedding(new Random(1), 8));
    byte[] badMagic = good.clone();
    badMagic[0] = 0;
    assertTrue(assertThrows(SerializationException.class, () -> EmbeddingSerde.decode(badMagic)).getMessage()
        .contains("magic"));
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
    assertThrows(SerializationException.class, () -> EmbeddingSerde.decode(truncated));
    byte[] tooShort = java.util.Arrays.copyOf(good, 5);
    assertTrue(assertThrows(SerializationException.class, () -> EmbeddingSerde.decode(tooShort)).getMessage()
        .contains("truncated"));
    byte[] nan = good.clone();
    ByteBuffer.wrap(nan).putFloat(nan.length - 4, Float.NaN);
    assertTrue(assertThrows(SerializationException.class, () -> EmbeddingSerde.decode(nan)).getMessage()
        .contains("not finite"));
    assertThrows(IllegalArgumentException.class,
        () -> new EmbeddingRecord(new float[] {Float.POSITIVE_INFINITY}, 0, "m", 1, 0));
  }

  @Test
  void shouldReadAModelVersionAnnouncedBeforeItCarriedItsRankEvidence() {
    // Compacted model-versions keeps the last record per model for ever: one written before 2026-11-29 has no
    // candidateRanksHigher / servingRanksHigher and must still be read (as no evidence).
    String old = "{\"modelId\":\"conv-ae-64\",\"version\":3,\"parent\":1,\"status\":\"promoted\","
        + "\"labelsSeen\":504,\"candidateAccuracy\":0.78,\"servingAccuracy\":0.7,\"heldOut\":126,"
        + "\"trainedSteps\":400,\"time\":1764300000000}";
    ModelVersion v = new JsonSerde<>(ModelVersion.class).decode(old.getBytes(StandardCharsets.UTF_8));
    assertEquals(ModelVersion.Status.PROMOTED, v.status());
    assertEquals(0, v.candidateRanksHigher() + v.servingRanksHigher());
    assertEquals(-1.0, v.servingAccuracyUntrained(), "absent: does not apply, not a measured 0 %");
    ModelVersion now = new ModelVersion("conv-ae-64", 4, 3, ModelVersion.Status.REJECTED, 600, 0.8, 0.81, 120, 9,
        14, -1.0, 600, 1764300000001L);
    assertEquals(now, new JsonSerde<>(ModelVersion.class).decode(new JsonSerde<>(ModelVersion.class).encode(now)));
    assertThrows(IllegalArgumentException.class, () -> new ModelVersion("m", 2, 1, ModelVersion.Status.PROMOTED,
        10, 0.9, 0.8, 10, 8, 3, -1.0, 1, 1L), "11 rank changes on 10 held-out labels");
  }

  @Test
  void shouldRoundTripLabelsAsDocumentedJson() {
    LabelRecord label = new LabelRecord("Ankle boot", "alice", 1_700_000_000_123L);
    byte[] bytes = labels.serializer().serialize("labels", label);
    assertEquals("{\"class\":\"Ankle boot\",\"annotator\":\"alice\",\"time\":1700000000123}",
        new String(bytes, StandardCharsets.UTF_8));
    assertEquals(label, labels.deserializer().deserialize("labels", bytes));
  }

  @Test
  void shouldRejectMalformedLabels() {
    for (String bad : new String[] {
        "{not json", "{\"class\":\"\",\"annotator\":\"a\",\"time\":1}",
        "{\"class\":\"x\",\"annotator\":\"a\"}", "{\"class\":\"x\",\"annotator\":\"a\",\"time\":1,\"extra\":2}",
        "{\"class\":\"x\",\"annotator\":\"a\",\"time\":-4}", "{\"class\":\"" + "y".repeat(200)
            + "\",\"annotator\":\"a\",\"time\":1}", "{\"class\":\"x\",\"annotator\":\"a\",\"time\":1} trailing",
        "{\"class\":5,\"annotator\":\"a\",\"time\":1}", "{\"class\":true,\"annotator\":\"a\",\"time\":1}",
        "{\"class\":\"x\",\"annotator\":2.5,\"time\":1}"}) {
      SerializationException e = assertThrows(SerializationException.class,
          () -> labels.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
      assertTrue(e.getMessage().startsWith("malformed LabelRecord JSON"), e.getMessage());
    }
  }

  @Test
  void shouldKeepOriginalBytesAndAddReasonHeadersToDeadLetters() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(ImageHeaders.SOURCE, "cam-1".getBytes(StandardCharsets.UTF_8));
    ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("images", 3, 42L, 1000L, TimestampType.CREATE_TIME,
        2, 3, "id".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}, headers, java.util.Optional.empty());
    ProducerRecord<byte[], byte[]> dl = DeadLetters.of("dead-letter", source, RejectReason.UNDECODABLE_IMAGE,
        "x".repeat(5000), "embedding-service", 77L);
    assertEquals("dead-letter", dl.topic());
    assertArrayEquals(source.key(), dl.key());
    assertArrayEquals(source.value(), dl.value());
    assertEquals(1000L, dl.timestamp());
    assertEquals("undecodable-image", header(dl, DeadLetters.REASON));
    assertEquals("images", header(dl, DeadLetters.SOURCE_TOPIC));
    assertEquals("3", header(dl, DeadLetters.SOURCE_PARTITION));
    assertEquals("42", header(dl, DeadLetters.SOURCE_OFFSET));
    assertEquals("embedding-service", header(dl, DeadLetters.STAGE));
    assertEquals("77", header(dl, DeadLetters.TIME));
    assertEquals(1000, header(dl, DeadLetters.ERROR).length());
    assertEquals("cam-1", header(dl, ImageHeaders.SOURCE));
    assertEquals("undecodable-image", header(dl, DeadLetters.STREAMS_EXCEPTION));
    assertEquals("images", header(dl, DeadLetters.STREAMS_TOPIC));
    assertEquals("42", header(dl, DeadLetters.STREAMS_OFFSET));
  }

  @Test
  void shouldFallBackToTheRecordTimestampForABadEventTimeHeader() {
    RecordHeaders h = new RecordHeaders();
    assertEquals(5L, ImageHeaders.eventTime(h, 5L));
    ImageHeaders.put(h, ImageHeaders.EVENT_TIME, "123");
    assertEquals(123L, ImageHeaders.eventTime(h, 5L));
    ImageHeaders.put(h, ImageHeaders.EVENT_TIME, "yesterday");
    assertEquals(5L, ImageHeaders.eventTime(h, 5L));
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
