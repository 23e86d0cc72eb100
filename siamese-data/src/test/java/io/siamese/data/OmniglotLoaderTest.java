package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OmniglotLoaderTest {
  @TempDir Path dir;

  /**
   * A 4x4 black-on-white 1-bit image whose ink (black) pixels are those where {@code (x + y * 4) %
   * modulus == 0}: distinct per image, so the test can tell images apart after loading.
   */
  static BufferedImage glyph(int modulus) {
    BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        image.getRaster().setSample(x, y, 0, (x + 4 * y) % modulus == 0 ? 0 : 1);
      }
    }
    return image;
  }

  /** The ink image (1 where black) that {@link #glyph} draws, row-major. */
  static float[] ink(int modulus) {
    float[] out = new float[16];
    for (int i = 0; i < 16; i++) {
      out[i] = i % modulus == 0 ? 1 : 0;
    }
    return out;
  }

  static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "png", out));
    return out.toByteArray();
  }

  /** Layout used by most tests: path -> modulus of its glyph. */
  static Map<String, Integer> layout() {
    Map<String, Integer> files = new LinkedHashMap<>();
    // Written out of order on purpose: loading must sort by path.
    files.put("Zulu/character02/b.png", 7);
    files.put("Alpha/character01/b.png", 3);
    files.put("Alpha/character01/a.png", 2);
    files.put("Zulu/character01/a.png", 5);
    files.put("Alpha/character02/a.png", 4);
    files.put("Zulu/character02/a.png", 6);
    return files;
  }

  static Path zip(Path file, String root, Map<String, byte[]> entries) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(root + e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return file;
  }

  static Map<String, byte[]> pngs(Map<String, Integer> layout) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : layout.entrySet()) {
      out.put(e.getKey(), png(glyph(e.getValue())));
    }
    return out;
  }

  private void checkLayoutDataset(LabeledDataset d) {
    // Sorted by path: Alpha/c01/a, Alpha/c01/b, Alpha/c02/a, Zulu/c01/a, Zulu/c02/a, Zulu/c02/b.
    int[] moduli = {2, 3, 4, 5, 6, 7};
    assertEquals(6, d.size());
    assertEquals(ExampleShape.image(4, 4, 1), d.shape());
    assertArrayEquals(new int[] {0, 0, 1, 2, 3, 3}, d.labels());
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, d.groups());
    assertEquals(
        List.of("Alpha/character01", "Alpha/character02", "Zulu/character01", "Zulu/character02"),
        List.copyOf(d.classNames().values()));
    assertEquals(List.of("Alpha", "Zulu"), List.copyOf(d.groupNames().values()));
    for (int i = 0; i < 6; i++) {
      assertArrayEquals(ink(moduli[i]), d.features(i), "example " + i);
    }
  }

  @Test
  void loadsZipWithOrWithoutTopFolderAndFromDirectories() throws IOException {
    OmniglotLoader loader = OmniglotLoader.builder().build();
    checkLayoutDataset(
        loader.load(zip(dir.resolve("rooted.zip"), "images_background/", pngs(layout()))));
    checkLayoutDataset(loader.load(zip(dir.resolve("flat.zip"), "", pngs(layout()))));
    Path folder = dir.resolve("unpacked/images_background");
    for (Map.Entry<String, byte[]> e : pngs(layout()).entrySet()) {
      Path file = folder.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, e.getValue());
    }
    Files.write(folder.resolve(".DS_Store"), new byte[] {1, 2, 3}); // hidden: ignored
    checkLayoutDataset(loader.load(folder));
    checkLayoutDataset(loader.load(dir.resolve("unpacked")));
  }

  @Test
  void mergesSourcesSharingIdenticalFilesAndResizes() throws IOException {
    Map<String, byte[]> all = pngs(layout());
    Map<String, byte[]> first = new LinkedHashMap<>();
    Map<String, byte[]> second = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : all.entrySet()) {
      // Alpha in both, Zulu only in the second.
      if (e.getKey().startsWith("Alpha")) {
        first.put(e.getKey(), e.getValue());
      }
      second.put(e.getKey(), e.getValue());
    }
    LabeledDataset merged =
        OmniglotLoader.builder()
            .build()
            .load(
                zip(dir.resolve("a.zip"), "small1/", first),
                zip(dir.resolve("b.zip"), "small2/", second));
    checkLayoutDataset(merged);

    LabeledDataset small = OmniglotLoader.builder().imageSize(2).build().load(dir.resolve("b.zip"));
    assertEquals(ExampleShape.image(2, 2, 1), small.shape());
    for (int i = 0; i < 6; i++) {
      float[] expected = Images.resizeArea(merged.features(i), 4, 4, 2, 2);
      assertArrayEquals(expected, small.features(i), 1e-6f);
    }
    LabeledDataset raw = OmniglotLoader.builder().invert(false).build().load(dir.resolve("b.zip"));
    float[] inverted = merged.features(0);
    for (int k = 0; k < 16; k++) {
      assertEquals(1 - inverted[k], raw.features(0)[k], 1e-6);
    }
  }

  @Test
  void rejectsCorruptPngNamingTheEntry() throws IOException {
    Map<String, byte[]> files = pngs(layout());
    byte[] good = files.get("Zulu/character01/a.png");
    files.put("Zulu/character01/a.png", Arrays.copyOf(good, good.length / 2));
    Path z = zip(dir.resolve("corrupt.zip"), "", files);
    assertThrowsWithMessage(
        IOException.class,
        () -> OmniglotLoader.builder().build().load(z),
        "cannot decode image",
        "corrupt.zip!Zulu/character01/a.png");
    files.put(
        "Zulu/character01/a.png", "not an image".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path z2 = zip(dir.resolve("text.zip"), "", files);
    assertThrowsWithMessage(
        IOException.class,
        () -> OmniglotLoader.builder().build().load(z2),
        "text.zip!Zulu/character01/a.png");
  }

  @Test
  void rejectsTruncatedZipNamingTheFile() throws IOException {
    Path z = zip(dir.resolve("whole.zip"), "root/", pngs(layout()));
    byte[] bytes = Files.readAllBytes(z);
    Path cut = dir.resolve("cut.zip");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length * 2 / 3));
    assertThrowsWithMessage(
        IOException.class, () -> OmniglotLoader.builder().build().load(cut), "cut.zip");
    Path empty = dir.resolve("empty.zip");
    Files.write(empty, new byte[0]);
    assertThrowsWithMessage(
        IOException.class, () -> OmniglotLoader.builder().build().load(empty), "empty.zip");
  }

  @Test
  void loadsASingleAlphabetFromItsFolderOrZipAndFindsGroupsByName() throws IOException {
    Map<String, byte[]> latin = new LinkedHashMap<>();
    latin.put("character02/a.png", png(glyph(2)));
    latin.put("character01/a.png", png(glyph(3)));
    latin.put("character01/b.png", png(glyph(4)));
    Path folder = dir.resolve("images_background/Latin");
    for (Map.Entry<String, byte[]> e : latin.entrySet()) {
      Files.createDirectories(folder.resolve(e.getKey()).getParent());
      Files.write(folder.resolve(e.getKey()), e.getValue());
    }
    OmniglotLoader loader = OmniglotLoader.builder().build();
    for (Path source :
        List.of(
            folder,
            zip(dir.resolve("Latin.zip"), "", latin),
            zip(dir.resolve("wrapped.zip"), "Latin/", latin))) {
      LabeledDataset d = loader.load(source);
      assertEquals(Map.of(0, "Latin"), d.groupNames(), source.toString());
      assertEquals(
          List.of("Latin/character01", "Latin/character02"), List.copyOf(d.classNames().values()));
      assertArrayEquals(new int[] {0, 0, 1}, d.labels());
      assertArrayEquals(ink(3), d.features(0));
      assertArrayEquals(ink(2), d.features(2));
    }
    // Merged with the whole background set, and looked up by name.
    Path background = zip(dir.resolve("bg.zip"), "images_background/", pngs(layout()));
    LabeledDataset all = loader.load(background, folder);
    assertEquals(List.of("Alpha", "Latin", "Zulu"), List.copyOf(all.groupNames().values()));
    int latinGroup = all.groupNamed("Latin");
    assertEquals(1, latinGroup);
    assertEquals(3, all.indicesOfGroup(latinGroup).length);
    assertEquals(1, all.classNamed("Alpha/character02"));
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> all.groupNamed("Klingon"),
        "no group is called \"Klingon\"; the group names are Alpha, Latin, Zulu");
  }

  @Test
  void matchesTheImagesStepsValueForValueAndOffersBytes() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    BufferedImage a = TestImages.gray8(105, 105, 1);
    BufferedImage b = TestImages.rgb8(105, 105, 2);
    files.put("A/c1/a.png", TestImages.encode(a, "png"));
    files.put("A/c2/b.png", TestImages.encode(b, "png"));
    Path z = zip(dir.resolve("values.zip"), "", files);
    LabeledDataset d = OmniglotLoader.builder().imageSize(28).build().load(z);
    int i = 0;
    for (BufferedImage image : List.of(a, b)) {
      float[] gray = Images.grayscale(image);
      Images.invert(gray, 0, gray.length);
      assertArrayEquals(Images.resizeArea(gray, 105, 105, 28, 28), d.features(i++));
    }
    OmniglotLoader bytes = OmniglotLoader.builder().imageSize(28).byteStorage(true).build();
    LabeledDataset compact = bytes.load(z);
    assertTrue(compact.storesBytes());
    for (int k = 0; k < 2; k++) {
      float[] f = d.features(k);
      float[] q = compact.features(k);
      for (int j = 0; j < f.length; j++) {
        assertEquals((float) (Math.round(f[j] * 255f) / 255.0), q[j]);
      }
    }
    assertEquals(bytes.reader(28, 28), ImageReader.builder(ExampleShape.image(28, 28, 1)).invert(true).build());
  }

  @Test
  void rejectsUnexpectedLayouts() throws IOException {
    Map<String, byte[]> mixed = new LinkedHashMap<>();
    mixed.put("Alpha/a.png", png(glyph(2)));
    mixed.put("Beta/c/b.png", png(glyph(3)));
    Path z = zip(dir.resolve("mixed-depth.zip"), "", mixed);
    assertThrowsWithMessage(
        IOException.class,
        () -> OmniglotLoader.builder().build().load(z),
        "unexpected layout in",
        "mixed-depth.zip",
        "Alpha/a.png is not ALPHABET/CHARACTER/NAME.png");
    Path loose = zip(dir.resolve("loose.zip"), "", Map.of("a.png", png(glyph(2))));
    assertThrowsWithMessage(
        IOException.class, () -> OmniglotLoader.builder().build().load(loose), "a.png is not");
    Path hostile = zip(dir.resolve("hostile.zip"), "", Map.of("../a/b/c.png", png(glyph(2))));
    assertThrowsWithMessage(
        IOException.class,
        () -> OmniglotLoader.builder().build().load(hostile),
        "hostile.zip!../a/b/c.png is a hostile zip entry");

    Map<String, byte[]> extra = pngs(layout());
    extra.put("Alpha/character01/notes.txt", new byte[] {65});
    Path z2 = zip(dir.resolve("extra.zip"), "", extra);
    assertThrowsWithMessage(
        IOException.class,
        () -> OmniglotLoader.builder().build().load(z2),
        "Alpha/character01/notes.txt is not");

    Map<String, byte[]> none = new LinkedHashMap<>();
    none.put(".hidden", new byte[] {1});
    Path z3 = zip(dir.resolve("none.zip"), "", none);
    assertThrowsWithMessage(
        IOException.class,
        () -> OmniglotLoader.builder().build().load(z3),
        "no images found in",
        "none.zip");

    assertThrowsWithMessage(
        IOException.class,
        () -> OmniglotLoader.builder().build().load(dir.resolve("missing.zip")),
        "missing.zip is neither a zip file nor a directory");
  }

  @Test
  void rejectsConflictingDuplicatesAndMixedSizes() throws IOException {
    Map<String, byte[]> a = pngs(layout());
    Map<String, byte[]> b = pngs(layout());
    b.put("Alpha/character01/a.png", png(glyph(9)));
    Path za = zip(dir.resolve("a.zip"), "", a);
    Path zb = zip(dir.resolve("b.zip"), "", b);
    assertThrowsWithMessage(
        IOException.class,
        () -> OmniglotLoader.builder().build().load(za, zb),
        "Alpha/character01/a.png appears in both",
        "with different contents");

    Map<String, byte[]> mixed = pngs(layout());
    mixed.put("Zulu/character01/a.png", png(new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_GRAY)));
    Path zm = zip(dir.resolve("mixed.zip"), "", mixed);
    assertThrowsWithMessage(
        IOException.class,
        () -> OmniglotLoader.builder().build().load(zm),
        "mixed.zip!Zulu/character01/a.png is 4x5",
        "set a target size");
    assertEquals(6, OmniglotLoader.builder().targetSize(3, 3).build().load(zm).size());
  }

  @Test
  void builderChecksSettings() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> OmniglotLoader.builder().targetSize(0, 28).build(),
        "target size must be > 0, got 0x28");
    assertThrowsWithMessage(
        IllegalStateException.class,
        () -> OmniglotLoader.builder().imageSize(28).imageSize(20),
        "already set to 28x28");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> OmniglotLoader.builder().build().load(List.of()),
        "at least one source");
  }

  /** The real Omniglot background zips under shared/data/omniglot, found by walking up. */
  static Path omniglotDir() {
    String property = System.getProperty("siamese.omniglot.dir");
    if (property != null) {
      return Path.of(property);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared/data/omniglot");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return Path.of("../shared/data/omniglot").toAbsolutePath();
  }

  @Test
  void loadsTheRealOmniglotBackgroundZips() throws IOException {
    Path base = omniglotDir();
    Path small1 = base.resolve("images_background_small1.zip");
    Path small2 = base.resolve("images_background_small2.zip");
    Assumptions.assumeTrue(
        Files.isRegularFile(small1) && Files.isRegularFile(small2),
        "Omniglot zips not found at " + base + " (set -Dsiamese.omniglot.dir); skipping");
    long start = System.nanoTime();
    LabeledDataset d = OmniglotLoader.builder().imageSize(28).build().load(small1, small2);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.getLogger(OmniglotLoaderTest.class.getName())
        .log(
            System.Logger.Level.INFO,
            "Omniglot small1+small2 at 28x28: " + d + " in " + seconds + " s");
    // The shared README: 8 distinct alphabets, 242 characters, 20 drawings each.
    assertEquals(8, d.groupCount());
    assertEquals(242, d.classCount());
    assertEquals(242 * 20, d.size());
    for (int c : d.classes()) {
      assertEquals(20, d.countOfClass(c));
    }
    assertTrue(d.groupNames().containsValue("Japanese_(katakana)"));
    assertEquals("Balinese/character01", d.className(0));
    // Ink is 1: strokes cover a minority of each image, so the mean is well below a half.
    double[] stats = Images.meanAndStd(d.features(0));
    assertTrue(stats[0] > 0.02 && stats[0] < 0.4, "mean ink " + stats[0]);
    assertTrue(seconds < 20, "loading took " + seconds + " s");
  }
}
