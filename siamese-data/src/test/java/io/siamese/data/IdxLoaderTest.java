package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxLoaderTest {
  @TempDir Path dir;

  /** An unsigned-byte IDX file: magic 00 00 08 rank, big-endian dims, then the data. */
  static byte[] idx(int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x0800 | dims.length);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(data);
    out.flush();
    return bytes.toByteArray();
  }

  static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(plain);
    }
    return bytes.toByteArray();
  }

  private Path file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  /** Five 3x2 images of random bytes (covering 0 and 255) and labels 0..9. */
  private byte[] pixels;

  private byte[] labels;

  private void makeData() {
    SplittableRandom rng = new SplittableRandom(4);
    pixels = new byte[5 * 3 * 2];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) rng.nextInt(256);
    }
    pixels[0] = 0;
    pixels[1] = (byte) 255;
    labels = new byte[] {3, 0, 9, 3, 7};
  }

  private void checkData(LabeledDataset d) {
    assertEquals(5, d.size());
    assertEquals(ExampleShape.image(3, 2, 1), d.shape());
    assertArrayEquals(new int[] {3, 0, 9, 3, 7}, d.labels());
    for (int i = 0; i < 5; i++) {
      float[] f = d.features(i);
      for (int k = 0; k < 6; k++) {
        assertEquals((pixels[i * 6 + k] & 0xff) / 255.0, f[k], 1e-7);
      }
    }
    assertEquals(0f, d.features(0)[0]);
    assertEquals(1f, d.features(0)[1]);
  }

  @Test
  void readsPlainAndGzippedFilesWhateverTheirNames() throws IOException {
    makeData();
    byte[] images = idx(new int[] {5, 3, 2}, pixels);
    byte[] labelBytes = idx(new int[] {5}, labels);
    checkData(IdxLoader.load(file("img", images), file("lab", labelBytes)));
    checkData(IdxLoader.load(file("img.gz", gzip(images)), file("lab.gz", gzip(labelBytes))));
    // Gzip is detected from the bytes, not the name; mixed plain and gzipped works too.
    checkData(IdxLoader.load(file("img.idx", gzip(images)), file("lab.idx", labelBytes)));
  }

  @Test
  void rankTwoImagesBecomeVectors() throws IOException {
    makeData();
    LabeledDataset d =
        IdxLoader.load(
            file("v", idx(new int[] {5, 6}, pixels)), file("l", idx(new int[] {5}, labels)));
    assertEquals(ExampleShape.vector(6), d.shape());
  }

  @Test
  void rejectsTruncatedFilesPlainAndGzipped() throws IOException {
    makeData();
    byte[] images = idx(new int[] {5, 3, 2}, pixels);
    Path labelFile = file("lab", idx(new int[] {5}, labels));
    Path cut = file("cut-images", Arrays.copyOf(images, images.length - 4));
    assertThrowsWithMessage(
        IOException.class,
        () -> IdxLoader.load(cut, labelFile),
        "IDX file",
        "cut-images is truncated",
        "need 30 bytes of data, it holds 26");
    Path cutHeader = file("cut-header", Arrays.copyOf(images, 6));
    assertThrowsWithMessage(
        IOException.class, () -> IdxLoader.load(cutHeader, labelFile), "cut-header is truncated");
    byte[] gz = gzip(images);
    Path cutGz = file("cut.gz", Arrays.copyOf(gz, gz.length - 12));
    assertThrowsWithMessage(IOException.class, () -> IdxLoader.load(cutGz, labelFile), "cut.gz");
    Path longer = file("longer", Arrays.copyOf(images, images.length + 1));
    assertThrowsWithMessage(
        IOException.class,
        () -> IdxLoader.load(longer, labelFile),
        "longer continues past the 30 bytes");
  }

  @Test
  void rejectsBadMagicTypeRankAndCounts() throws IOException {
    makeData();
    Path labelFile = file("lab", idx(new int[] {5}, labels));
    byte[] images = idx(new int[] {5, 3, 2}, pixels);
    byte[] badMagic = images.clone();
    badMagic[0] = 0x12;
    assertThrowsWithMessage(
        IOException.class,
        () -> IdxLoader.load(file("bad", badMagic), labelFile),
        "bad is not an IDX file: magic number 0x12000803");
    byte[] floats = images.clone();
    floats[2] = 0x0D;
    assertThrowsWithMessage(
        IOException.class,
        () -> IdxLoader.load(file("floats", floats), labelFile),
        "floats has element type 0x0d; only unsigned bytes");
    assertThrowsWithMessage(
        IOException.class, () -> IdxLoader.load(labelFile, labelFile), "images file", "has rank 1");
    Path imageFile = file("img", images);
    assertThrowsWithMessage(
        IOException.class, () -> IdxLoader.load(imageFile, imageFile), "labels file", "has rank 3");
    Path fourLabels = file("four", idx(new int[] {4}, Arrays.copyOf(labels, 4)));
    assertThrowsWithMessage(
        IOException.class,
        () -> IdxLoader.load(imageFile, fourLabels),
        "holds 5 images but labels file",
        "four holds 4 labels");
    assertThrowsWithMessage(
        IOException.class, () -> IdxLoader.load(dir.resolve("absent"), labelFile), "absent");
  }

  @Test
  void loadsFashionMnistWhenInstalled() throws IOException {
    Path base =
        Path.of(System.getProperty("siamese.fashion.dir", "/usr/share/datasets/fashion-mnist"));
    Path trainImages = base.resolve("train-images-idx3-ubyte.gz");
    Assumptions.assumeTrue(
        Files.isRegularFile(trainImages),
        "Fashion-MNIST not found at "
            + base
            + " (apt-get install dataset-fashion-mnist, or -Dsiamese.fashion.dir); skipping");
    long start = System.nanoTime();
    LabeledDataset train = IdxLoader.load(trainImages, base.resolve("train-labels-idx1-ubyte.gz"));
    LabeledDataset test =
        IdxLoader.load(
            base.resolve("t10k-images-idx3-ubyte.gz"), base.resolve("t10k-labels-idx1-ubyte.gz"));
    double seconds = (System.nanoTime() - start) / 1e9;
    System.getLogger(IdxLoaderTest.class.getName())
        .log(System.Logger.Level.INFO, "Fashion-MNIST 60000 + 10000 images in " + seconds + " s");
    assertEquals(60_000, train.size());
    assertEquals(10_000, test.size());
    assertEquals(ExampleShape.image(28, 28, 1), train.shape());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, train.classes());
    for (int c = 0; c < 10; c++) {
      assertEquals(6000, train.countOfClass(c)); // Fashion-MNIST is balanced
      assertEquals(1000, test.countOfClass(c));
    }
    assertTrue(seconds < 30, "loading took " + seconds + " s");
  }
}
