package io.siamese.core.cli;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
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
        expected[i] = m.embed(EmbedCommand.readImage(files.get(i), shape, true));
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
  void readImageInvertsDarkInkAndAveragesAreas() throws Exception {
    Path p = drawing("x.png", 0);
    float[] ink = EmbedCommand.readImage(p, ExampleShape.image(105, 105, 1), true);
    float[] page = EmbedCommand.readImage(p, ExampleShape.image(105, 105, 1), false);
    // Corner (0, 0) is white paper: ink 0 when inverted, 1 as it is.
    assertEquals(0f, ink[0], 1e-6f);
    assertEquals(1f, page[0], 1e-6f);
    double sumInk = 0;
    for (float v : ink) {
      sumInk += v;
    }
    float[] small = EmbedCommand.readImage(p, ExampleShape.image(35, 35, 1), true);
    double sumSmall = 0;
    for (float v : small) {
      sumSmall += v;
    }
    // Area averaging by 3x3 blocks keeps the total ink, divided by the block area.
    assertEquals(sumInk / 9, sumSmall, 1e-3);
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
}
