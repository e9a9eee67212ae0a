package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import io.semistream.image.ImagePreprocessor;
import io.semistream.model.DjlEngine;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ImageEmbedding;
import io.semistream.records.DeadLetters;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.ImageHeaders;
import io.semistream.replay.PngEncoder;
import io.semistream.testing.TestModels;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchEmbedderTest {
  private static final TopicRegistry TOPICS = TopicRegistry.load();
  private static final long INLINE_PIXELS = 512L * 512;
  private static EmbeddingModel model;
  private static Predictor<float[][], List<ImageEmbedding>> predictor;

  @BeforeAll
  static void load() throws Exception {
    DjlEngine.start(2);
    model = EmbeddingModel.load(TestModels.tinyVersionDir(), Device.cpu());
    predictor = model.newPredictor();
  }

  @AfterAll
  static void close() {
    predictor.close();
    model.close();
  }

  private static BatchEmbedder lane(Lane lane) {
    return new BatchEmbedder(new ImagePreprocessor(28, 1 << 20, 4096), TOPICS, new EmbeddingStats(),
        EmbeddingWorker.STAGE, lane == Lane.REGULAR ? TOPICS.imagesLarge().name() : null, INLINE_PIXELS);
  }

  private static ConsumerRecord<byte[], byte[]> image(String topic, long offset, String id, byte[] png) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(ImageHeaders.EVENT_TIME, Long.toString(5_000 + offset).getBytes(StandardCharsets.UTF_8));
    headers.add(ImageHeaders.SOURCE, "cam-7".getBytes(StandardCharsets.UTF_8));
    return new ConsumerRecord<>(topic, 2, offset, 1_000 + offset, TimestampType.CREATE_TIME, id.length(),
        png.length, id.getBytes(StandardCharsets.UTF_8), png, headers, Optional.empty());
  }

  private static byte[] small(long seed) {
    byte[] pixels = new byte[28 * 28];
    new Random(seed).nextBytes(pixels);
    return PngEncoder.grey(pixels, 28, 28);
  }

  private static String key(ProducerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  @Test
  void shouldForwardABigImageUnchangedAndEmbedTheSmallOnesAroundItAtOnce() {
    byte[] big = PngEncoder.grey(new byte[600 * 600], 600, 600);   // 360,000 pixels > 262,144
    byte[] edge = PngEncoder.grey(new byte[512 * 512], 512, 512);  // exactly the bound: in line
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(image("images", 10, "a", small(1)),
        image("images", 11, "big", big), image("images", 12, "edge", edge), image("images", 13, "b", small(2)));

    BatchEmbedder.Outcome outcome = lane(Lane.REGULAR).embed(batch, predictor, model.descriptor());

    assertEquals(3, outcome.embedded());
    assertEquals(1, outcome.forwarded());
    List<ProducerRecord<byte[], byte[]>> out = outcome.records();
    assertEquals(List.of("images-large", "embeddings", "embeddings", "embeddings"),
        out.stream().map(ProducerRecord::topic).toList());
    assertEquals(List.of("big", "a", "edge", "b"), out.stream().map(BatchEmbedderTest::key).toList());
    ProducerRecord<byte[], byte[]> forwarded = out.get(0);
    ConsumerRecord<byte[], byte[]> source = batch.get(1);
    assertArrayEquals(source.value(), forwarded.value());
    assertEquals(source.timestamp(), forwarded.timestamp());
    assertEquals(Arrays.asList(source.headers().toArray()), Arrays.asList(forwarded.headers().toArray()));
    assertEquals(5_010L, EmbeddingSerde.decode(out.get(1).value()).eventTime());
  }

  @Test
  void shouldAttachTheNoveltyViewFromASecondForwardPassOrSayTheVectorIsItsOwnView() {
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(image("images", 10, "a", small(1)),
        image("images", 11, "b", small(2)));
    // The served version is not the novelty version: a second, encoder-only pass (here of the same weights, so
    // its vectors must equal the full forward pass's embeddings) gives each image its view.
    BatchEmbedder.Outcome outcome = lane(Lane.REGULAR).embed(batch, predictor, model.descriptor(), model::encode,
        model.descriptor().version() + 1);
    assertEquals(2, outcome.embedded());
    for (ProducerRecord<byte[], byte[]> r : outcome.records()) {
      EmbeddingRecord e = EmbeddingSerde.decode(r.value());
      assertEquals(model.descriptor().version() + 1, e.noveltyVersion());
      assertTrue(e.hasOwnNoveltyVector());
      assertArrayEquals(e.vector(), e.noveltyVector(), 1e-5f);
    }
    // The served version is the novelty version: no second pass, the vector is the view.
    BatchEmbedder.Outcome same = lane(Lane.REGULAR).embed(batch, predictor, model.descriptor(), null,
        model.descriptor().version());
    EmbeddingRecord e = EmbeddingSerde.decode(same.records().get(0).value());
    assertEquals(false, e.hasOwnNoveltyVector());
    assertArrayEquals(e.vector(), e.noveltyVector());
    assertEquals(22 + model.descriptor().id().length() + 4 * e.dimension() + 6, same.records().get(0).value().length);
  }

  @Test
  void shouldDecodeBigImagesInTheLargeLaneAndDeadLetterOnesWhoseBodyIsBroken() {
    byte[] big = PngEncoder.grey(new byte[600 * 600], 600, 600);
    byte[] headerOnly = Arrays.copyOf(big, 60);   // the header says 600x600; the pixels never come
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(image("images-large", 0, "big", big),
        image("images-large", 1, "broken", headerOnly));

    BatchEmbedder.Outcome regular = lane(Lane.REGULAR).embed(
        List.of(image("images", 0, "broken", headerOnly)), predictor, model.descriptor());
    BatchEmbedder.Outcome large = lane(Lane.LARGE).embed(batch, predictor, model.descriptor());

    // The regular lane trusts the header (it cannot know the body is broken without decoding it) ...
    assertEquals(List.of("images-large"), regular.records().stream().map(ProducerRecord::topic).toList());
    // ... the large lane decodes it and dead-letters it with the same rule as any broken image.
    assertEquals(1, large.embedded());
    assertEquals(0, large.forwarded());
    List<ProducerRecord<byte[], byte[]>> out = large.records();
    assertEquals(List.of("dead-letter", "embeddings"), out.stream().map(ProducerRecord::topic).toList());
    assertEquals(List.of("broken", "big"), out.stream().map(BatchEmbedderTest::key).toList());
    assertEquals("undecodable-image",
        new String(out.get(0).headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8));
    assertEquals("images-large",
        new String(out.get(0).headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(), StandardCharsets.UTF_8));
  }

  @Test
  void shouldDecodeEveryImageInLineWhenTheLaneIsOff() {
    BatchEmbedder noLane = new BatchEmbedder(new ImagePreprocessor(28, 1 << 20, 4096), TOPICS,
        new EmbeddingStats(), EmbeddingWorker.STAGE, null, 1);
    BatchEmbedder.Outcome outcome = noLane.embed(List.of(image("images", 0, "a", small(3)),
        image("images", 1, "big", PngEncoder.grey(new byte[600 * 600], 600, 600))), predictor, model.descriptor());
    assertEquals(2, outcome.embedded());
    assertEquals(List.of("embeddings", "embeddings"), outcome.records().stream().map(ProducerRecord::topic).toList());
  }
}
