package io.siamese.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.SiameseModel;
import io.siamese.core.cli.EmbedCommand;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import io.siamese.data.ImageReader;
import io.siamese.data.LabeledDataset;
import io.siamese.losses.ContrastiveLoss;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The binaryFile path: the embed command's preprocessing, bad images, never a dead executor. */
class ImageEmbeddingTest {
  private static final int BATCH = 8;
  private static SparkSession spark;
  private static Path model;
  private static Path good;

  @BeforeAll
  static void setUp() throws IOException {
    spark = TestSpark.session();
    model = TestSpark.exportConv4(21);
    good = Files.createDirectories(TestSpark.scratch().resolve("images-" + System.nanoTime()));
    LabeledDataset glyphs = TestSpark.glyphs(12, 4, 9);
    for (int i = 0; i < glyphs.size(); i++) {
      // Dark ink on a light page at 40x40 (so the reader inverts and resizes), in three formats
      // and two colour models.
      String format = i % 3 == 0 ? "png" : i % 3 == 1 ? "bmp" : "gif";
      BufferedImage img = page(glyphs.features(i), 28, 40, i % 2 == 0 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
      if (format.equals("gif")) {
        img = page(glyphs.features(i), 28, 40, BufferedImage.TYPE_BYTE_GRAY);
      }
      assertTrue(ImageIO.write(img, format, good.resolve(String.format("glyph-%03d.%s", i, format)).toFile()));
    }
  }

  /** The glyph scaled up by nearest neighbour to {@code side}, ink dark on a white page. */
  private static BufferedImage page(float[] glyph, int size, int side, int type) {
    BufferedImage img = new BufferedImage(side, side, type);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        float v = glyph[(y * size / side) * size + (x * size / side)];
        int g = Math.round(255 * (1 - v));
        img.setRGB(x, y, 0xFF000000 | g << 16 | g << 8 | g);
      }
    }
    return img;
  }

  @Test
  void imagesGetExactlyTheEmbedCommandsEmbeddings() throws IOException {
    assertSameAsEmbedCommand(model, SparkEmbedder.builder(model).batchSize(BATCH).build(), "dark");
  }

  @Test
  void aReaderOfOnesOwnReplacesTheCommandsPreprocessing() throws IOException {
    // Light ink on a dark page: the command's --ink light, given here as a reader.
    ImageReader light = ImageReader.builder(ExampleShape.image(28, 28, 1)).invert(false).build();
    assertSameAsEmbedCommand(model, SparkEmbedder.builder(model).batchSize(BATCH).imageReader(light).build(), "light");
    // A reader for another shape is refused once the executor knows the model's.
    SparkEmbedder wrong = SparkEmbedder.builder(model).imageReader(ImageReader.of(ExampleShape.image(32, 32, 1))).build();
    SparkException e =
        assertThrows(SparkException.class, () -> wrong.embedImages(spark.read().format("binaryFile").load(good.toString()), "embedding").rows().count());
    assertTrue(e.getMessage().contains("32x32x1") && e.getMessage().contains("28x28x1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SparkEmbedder.builder(model).darkInk(true).imageReader(light).build());
  }

  @Test
  void theModelsOwnPreprocessingIsUsedAsTheCommandUsesIt() throws IOException {
    // A model that kept its reader (light ink, no inversion): both the command without --ink and
    // embedImages without settings read with it.
    Path kept = TestSpark.scratch().resolve("with-reader-" + System.nanoTime());
    try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 8)).loss(ContrastiveLoss.similarIsOne(1.0)).seed(22).build()) {
      m.setPreprocessing(ImageReader.builder(ExampleShape.image(28, 28, 1)).invert(false).build());
      m.exportSavedModel(kept);
    }
    assertSameAsEmbedCommand(kept, SparkEmbedder.builder(kept).batchSize(BATCH).build(), null);
    // darkInk(true) contradicts it: refused, as the command refuses --ink dark.
    SparkEmbedder contradicting = SparkEmbedder.builder(kept).darkInk(true).build();
    SparkException e =
        assertThrows(SparkException.class, () -> contradicting.embedImages(spark.read().format("binaryFile").load(good.toString()), "embedding").rows().count());
    assertTrue(e.getMessage().contains("contradicts the model's preprocessing"), e.getMessage());
  }

  /** {@code ink} null: the command without {@code --ink}. */
  private static void assertSameAsEmbedCommand(Path model, SparkEmbedder embedder, String ink) throws IOException {
    Dataset<Row> files = spark.read().format("binaryFile").load(good.toString()).repartition(3);
    EmbeddingJob job = embedder.embedImages(files, "embedding");
    List<Row> rows = job.rows().withColumn("pid", functions.spark_partition_id()).collectAsList();
    assertEquals(48, rows.size());
    assertFalse(List.of(job.rows().columns()).contains("content"), "the image bytes are not carried on");
    // The oracle: the embed command itself, fed the files of each Spark batch in Spark's order.
    Map<Integer, List<String>> partitions = new TreeMap<>();
    for (Row r : rows) {
      partitions.computeIfAbsent(r.getInt(r.fieldIndex("pid")), p -> new ArrayList<>()).add(r.getString(r.fieldIndex("path")));
    }
    Map<String, float[]> expected = new HashMap<>();
    for (List<String> uris : partitions.values()) {
      for (int from = 0; from < uris.size(); from += BATCH) {
        expected.putAll(embedCommand(model, uris.subList(from, Math.min(uris.size(), from + BATCH)), ink));
      }
    }
    for (Row r : rows) {
      String uri = r.getString(r.fieldIndex("path"));
      assertArrayEquals(expected.get(uri), TestSpark.floats(r, "embedding"), uri);
    }
  }

  /** Runs the embed command on the files behind {@code uris} in one batch; embeddings by URI. */
  private static Map<String, float[]> embedCommand(Path model, List<String> uris, String ink) throws IOException {
    Path tsv = Files.createTempFile(TestSpark.scratch(), "embed-", ".tsv");
    Files.delete(tsv);
    List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--out", tsv.toString(), "--batch", String.valueOf(BATCH)));
    if (ink != null) {
      args.addAll(List.of("--ink", ink));
    }
    Map<String, String> uriOf = new HashMap<>();
    for (String uri : uris) {
      String file = Path.of(java.net.URI.create(uri)).toString();
      args.add(file);
      uriOf.put(file, uri);
    }
    EmbedCommand.main(args.toArray(new String[0]));
    Map<String, float[]> out = new HashMap<>();
    for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
      String[] parts = line.split("\t");
      String[] values = parts[1].split(",");
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = Float.parseFloat(values[i]);
      }
      out.put(uriOf.get(parts[0]), f);
    }
    assertEquals(uris.size(), out.size());
    return out;
  }

  /** A directory with two good images and three bad ones: junk bytes, a truncated PNG, a PNG whose header claims 100000 x 100000 pixels. */
  private static Path badImages() throws IOException {
    Path dir = Files.createDirectories(TestSpark.scratch().resolve("bad-images-" + System.nanoTime()));
    Files.copy(good.resolve("glyph-000.png"), dir.resolve("a-good.png"));
    Files.copy(good.resolve("glyph-001.bmp"), dir.resolve("b-good.bmp"));
    byte[] junk = new byte[3000];
    new java.util.Random(1).nextBytes(junk);
    Files.write(dir.resolve("c-junk.png"), junk);
    byte[] png = Files.readAllBytes(good.resolve("glyph-003.png"));
    Files.write(dir.resolve("d-truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));
    Files.write(dir.resolve("e-huge.png"), hugePng());
    return dir;
  }

  /** A well-formed PNG signature and IHDR (correct CRC) claiming 100000 x 100000 8-bit gray pixels, then one tiny IDAT and IEND. */
  private static byte[] hugePng() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    out.write(ByteBuffer.allocate(4).putInt(data.length).array());
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  @Test
  void aCorruptImageFailsTheJobNamingTheFile() throws IOException {
    Path dir = badImages();
    SparkEmbedder embedder = SparkEmbedder.builder(model).build();
    for (String bad : List.of("c-junk.png", "d-truncated.png", "e-huge.png")) {
      Dataset<Row> files = spark.read().format("binaryFile").option("pathGlobFilter", "{a-good.png," + bad + "}").load(dir.toString());
      assertEquals(2, files.count());
      SparkException e = assertThrows(SparkException.class, () -> embedder.embedImages(files, "embedding").rows().count(), bad);
      // ImageReader's message names the image by the row's path, and so does ours.
      assertTrue(e.getMessage().contains("image file:") && e.getMessage().contains(bad + " "), e.getMessage());
      assertTrue(e.getMessage().contains("cannot embed the row at partition "), e.getMessage());
      if (bad.equals("e-huge.png")) {
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
      }
    }
    // The executor is alive: a good job right after runs.
    assertEquals(48, embedder.embedImages(spark.read().format("binaryFile").load(good.toString()), "embedding").rows().count());
  }

  @Test
  void skippedCorruptImagesGetANullEmbeddingAndACount() throws IOException {
    Path dir = badImages();
    SparkEmbedder embedder = SparkEmbedder.builder(model).skipBadRows().build();
    EmbeddingJob job = embedder.embedImages(spark.read().format("binaryFile").load(dir.toString()), "embedding");
    List<Row> rows = job.rows().collectAsList();
    assertEquals(5, rows.size());
    assertEquals(3, job.skippedRows());
    assertEquals(2, job.embeddedRows());
    for (Row r : rows) {
      String path = r.getString(r.fieldIndex("path"));
      String error = r.getString(r.fieldIndex("embedding_error"));
      if (path.contains("good")) {
        assertNull(error, path);
        assertEquals(8, TestSpark.floats(r, "embedding").length);
      } else {
        assertTrue(r.isNullAt(r.fieldIndex("embedding")), path);
        assertTrue(error.contains(path.substring(path.lastIndexOf('/') + 1)) && error.contains("image "), error);
      }
    }
  }

  @Test
  void missingBinaryFileColumnsAreRefused() {
    SparkEmbedder embedder = SparkEmbedder.builder(model).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> embedder.embedImages(TestSpark.glyphRows(TestSpark.glyphs(2, 2, 1), 1), "embedding"));
    assertTrue(e.getMessage().contains("path"), e.getMessage());
  }
}
