package io.siamese.core.cli;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import io.siamese.data.ImageReader;
import io.siamese.losses.ContrastiveLoss;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbedCommandTest {
  @TempDir Path tmp;

  /** A 105x105 drawing in Omniglot's style: black strokes on white. */
  private Path drawing(String name, int seed) throws Exception {
    BufferedImage img = new BufferedImage(105, 105, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 105, 105);
    g.setColor(Color.BLACK);
    g.setStroke(new java.awt.BasicStroke(4));
    g.drawLine(10 + seed * 7, 20, 90, 80 - seed * 5);
    g.drawOval(30, 30 + seed * 3, 40, 30);
    g.dispose();
    Path p = tmp.resolve(name);
    ImageIO.write(img, "png", p.toFile());
    return p;
  }

  @Test
  void writesOneLineperFileWithTheExportedEncodersEmbedding() throws Exception {
    ExampleShape shape = ExampleShape.image(28, 28, 1);
    Path export = tmp.resolve("export");
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      files.add(drawing("char" + i + ".png", i));
    }
    Path list = Files.write(tmp.resolve("list.txt"), files.subList(2, 5).stream().map(Path::toString).toList());
    float[][] expected = new float[5][];
    try (SiameseModel m =
        SiameseModel.builder().encoder(EncoderSpec.conv4(shape, 8)).loss(ContrastiveLoss.similarIsOne()).seed(3).build()) {
      m.exportSavedModel(export);
      for (int i = 0; i < 5; i++) {
        expected[i] = m.embed(ImageReader.builder(shape).invert(true).build().read(files.get(i)));
      }
    }
    Path out = tmp.resolve("embeddings.tsv");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    int n =
        EmbedCommand.run(
            new String[] {"--model", export.toString(), "--out", out.toString(), "--batch", "2",
                files.get(0).toString(), files.get(1).toString(), "@" + list},
            new PrintStream(console, true, StandardCharsets.UTF_8));
    assertEquals(5, n);
    List<String> lines = Files.readAllLines(out);
    assertEquals(5, lines.size());
    for (int i = 0; i < 5; i++) {
      String[] parts = lines.get(i).split("\t");
      assertEquals(files.get(i).toString(), parts[0]);
      String[] values = parts[1].split(",");
      float[] actual = new float[values.length];
      for (int k = 0; k < values.length; k++) {
        actual[k] = Float.parseFloat(values[k]);
      }
      assertArrayEquals(expected[i], actual, 1e-6f);
    }
  }

  @Test
  void aBadFileIsNamedAndNoOutputIsLeft() throws Exception {
    ExampleShape shape = ExampleShape.image(28, 28, 1);
    Path export = tmp.resolve("export2");
    try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(shape, 4)).loss(ContrastiveLoss.similarIsOne()).build()) {
      m.exportSavedModel(export);
    }
    Path good = drawing("good.png", 1);
    Path bad = Files.write(tmp.resolve("bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Path out = tmp.resolve("out.tsv");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertMessage(
        IllegalArgumentException.class,
        () -> EmbedCommand.run(new String[] {"--model", export.toString(), "--out", out.toString(), good.toString(), bad.toString()}, quiet),
        "bad.png");
    assertFalse(Files.exists(out));
    assertFalse(Files.exists(tmp.resolve("out.tsv.part")));
    assertMessage(IllegalArgumentException.class, () -> EmbedCommand.run(new String[] {"--out", out.toString(), good.toString()}, quiet), "--model and --out are required");
    assertMessage(
        IllegalArgumentException.class,
        () -> EmbedCommand.run(new String[] {"--model", tmp.toString(), "--out", out.toString(), good.toString()}, quiet),
        "holds no SavedModel");
  }

  private static Path export(Path dir, ExampleShape shape) {
    try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(shape, 4)).loss(ContrastiveLoss.similarIsOne()).seed(1).build()) {
      m.exportSavedModel(dir);
    }
    return dir;
  }

  private static float[] parse(String line) {
    String[] values = line.substring(line.lastIndexOf('\t') + 1).split(",");
    float[] out = new float[values.length];
    for (int k = 0; k < values.length; k++) {
      out[k] = Float.parseFloat(values[k]);
    }
    return out;
  }

  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @Test
  void hostileAndDamagedImagesAreNamedOrSkippedAndCounted() throws Exception {
    ExampleShape shape = ExampleShape.image(28, 28, 1);
    Path export = export(tmp.resolve("e"), shape);
    Path good = drawing("good.png", 1);
    // A PNG header that declares 20000 x 20000 pixels: refused from the header, nothing decoded.
    byte[] png = Files.readAllBytes(good);
    java.nio.ByteBuffer.wrap(png).putInt(16, 20000).putInt(20, 20000);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(png, 12, 17);
    java.nio.ByteBuffer.wrap(png).putInt(29, (int) crc.getValue());
    Path huge = Files.write(tmp.resolve("huge.png"), png);
    // A JPEG cut in half: ImageIO would fill the rest with grey.
    BufferedImage photo = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        photo.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 80);
      }
    }
    Path full = tmp.resolve("full.jpg");
    ImageIO.write(photo, "jpg", full.toFile());
    byte[] jpg = Files.readAllBytes(full);
    Path cut = Files.write(tmp.resolve("cut.jpg"), java.util.Arrays.copyOf(jpg, jpg.length / 2));
    Path out = tmp.resolve("out.tsv");
    assertMessage(IllegalArgumentException.class,
        () -> EmbedCommand.run(new String[] {"--model", export.toString(), "--out", out.toString(), good.toString(), huge.toString()}, QUIET),
        "huge.png");
    assertMessage(IllegalArgumentException.class,
        () -> EmbedCommand.run(new String[] {"--model", export.toString(), "--out", out.toString(), cut.toString()}, QUIET),
        "cut.jpg");
    assertFalse(Files.exists(out));
    assertFalse(Files.exists(tmp.resolve("out.tsv.part")));
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    int n = EmbedCommand.run(
        new String[] {"--model", export.toString(), "--out", out.toString(), "--skip-bad", good.toString(), huge.toString(), cut.toString()},
        new PrintStream(console, true, StandardCharsets.UTF_8));
    assertEquals(1, n);
    assertEquals(1, Files.readAllLines(out).size());
    String report = console.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("skipped 2 unreadable files") && report.contains("huge.png") && report.contains("cut.jpg"), report);
  }

  @Test
  void aTransparentBackgroundIsPaperNotInk() throws Exception {
    ExampleShape shape = ExampleShape.image(28, 28, 1);
    Path export = export(tmp.resolve("e"), shape);
    BufferedImage clear = new BufferedImage(105, 105, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = clear.createGraphics();
    g.setColor(Color.BLACK);
    g.setStroke(new java.awt.BasicStroke(4));
    g.drawLine(10, 20, 90, 80);
    g.dispose();
    Path transparent = tmp.resolve("transparent.png");
    ImageIO.write(clear, "png", transparent.toFile());
    BufferedImage white = new BufferedImage(105, 105, BufferedImage.TYPE_INT_RGB);
    Graphics2D w = white.createGraphics();
    w.setColor(Color.WHITE);
    w.fillRect(0, 0, 105, 105);
    w.drawImage(clear, 0, 0, null);
    w.dispose();
    Path opaque = tmp.resolve("opaque.png");
    ImageIO.write(white, "png", opaque.toFile());
    Path out = tmp.resolve("alpha.tsv");
    EmbedCommand.run(new String[] {"--model", export.toString(), "--out", out.toString(), transparent.toString(), opaque.toString()}, QUIET);
    List<String> lines = Files.readAllLines(out);
    assertArrayEquals(parse(lines.get(1)), parse(lines.get(0)), 1e-6f);
  }

  @Test
  void namesWithTabsAreEscapedAListMayStartWithAByteOrderMarkAndOutputErrorsSayWhy() throws Exception {
    ExampleShape shape = ExampleShape.image(28, 28, 1);
    Path export = export(tmp.resolve("e"), shape);
    Path tabbed = drawing("a\tb.png", 2);
    Path list = tmp.resolve("list.txt");
    Files.write(list, ("\uFEFF" + tabbed + "\n").getBytes(StandardCharsets.UTF_8));
    Path out = tmp.resolve("t.tsv");
    EmbedCommand.run(new String[] {"--model", export.toString(), "--out", out.toString(), "@" + list}, QUIET);
    List<String> lines = Files.readAllLines(out);
    assertEquals(1, lines.size());
    assertEquals(2, lines.get(0).split("\t").length);
    assertEquals(EmbedCommand.escape(tabbed.toString()), lines.get(0).split("\t")[0]);
    assertTrue(lines.get(0).startsWith(tmp.resolve("a\\tb.png").toString()), lines.get(0));
    assertMessage(IllegalArgumentException.class,
        () -> EmbedCommand.run(new String[] {"--model", export.toString(), "--out", tmp.toString(), tabbed.toString()}, QUIET),
        "--out " + tmp + " is a directory");
    assertFalse(Files.exists(tmp.resolveSibling(tmp.getFileName() + ".part")));
    Path nowhere = tmp.resolve("no-such-folder").resolve("x.tsv");
    assertMessage(java.io.UncheckedIOException.class,
        () -> EmbedCommand.run(new String[] {"--model", export.toString(), "--out", nowhere.toString(), tabbed.toString()}, QUIET),
        "could not write " + nowhere + ": no such file or directory: " + nowhere + ".part");
  }

  @Test
  void aColourModelReadsRgbAndAgreesWithTheReaderAndTheModelValueForValue() throws Exception {
    ExampleShape shape = ExampleShape.image(32, 32, 3);
    ImageReader reader = ImageReader.builder(shape).normalize(new double[] {0.5, 0.4, 0.3}, new double[] {0.25, 0.25, 0.25}).build();
    Path export = tmp.resolve("colour");
    BufferedImage img = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 48; x++) {
        img.setRGB(x, y, (x * 5) << 16 | (y * 6) << 8 | ((x + y) * 2));
      }
    }
    Path file = tmp.resolve("colour.png");
    ImageIO.write(img, "png", file.toFile());
    float[] expected;
    try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(shape, 4)).loss(ContrastiveLoss.similarIsOne()).build()) {
      m.setPreprocessing(reader);
      m.exportSavedModel(export);
      expected = m.embed(reader.read(file));
    }
    Path out = tmp.resolve("colour.tsv");
    EmbedCommand.run(new String[] {"--model", export.toString(), "--out", out.toString(), file.toString()}, QUIET);
    assertArrayEquals(expected, parse(Files.readAllLines(out).get(0)), 1e-6f);
    assertMessage(IllegalArgumentException.class,
        () -> EmbedCommand.run(new String[] {"--model", export.toString(), "--out", out.toString(), "--ink", "dark", file.toString()}, QUIET),
        "--ink contradicts the model's preprocessing");
  }
}
