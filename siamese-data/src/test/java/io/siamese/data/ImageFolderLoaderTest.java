package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderLoaderTest {
  @TempDir Path dir;

  private static final ExampleShape RGB = ExampleShape.image(6, 6, 3);

  /**
   * Three classes in every storage type the loader must read; the map is in the order the loader
   * must return them (class "Dog" < "cat" < "emu" in String order, then file name).
   */
  private static Map<String, byte[]> layout() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("Dog/a.PNG", TestImages.encode(TestImages.gray8(7, 9, 1), "png"));
    files.put("Dog/b.jpeg", TestImages.encode(TestImages.rgb8(12, 8, 2), "jpg"));
    files.put("cat/gray16.png", TestImages.encode(TestImages.gray16(6, 6, 3), "png"));
    files.put("cat/palette.png", TestImages.encode(TestImages.palette(5, 5), "png"));
    files.put("cat/rgba.png", TestImages.encode(TestImages.rgba8(10, 10, 4), "png"));
    files.put("emu/cmyk.jpg", TestImages.cmykJpeg(8, 8, new int[] {200, 100, 50, 255}));
    files.put("emu/x.bmp", TestImages.encode(TestImages.rgb8(6, 6, 5), "bmp"));
    files.put("emu/y.gif", TestImages.encode(TestImages.rgb8(6, 3, 6), "gif"));
    return files;
  }

  private Path folder(String name, Map<String, byte[]> files) throws IOException {
    Path root = dir.resolve(name);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path p = root.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    return root;
  }

  static Path zip(Path file, String top, Map<String, byte[]> files) throws IOException {
    Files.write(file, zipBytes(top, files));
    return file;
  }

  private static byte[] zipBytes(String top, Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        out.putNextEntry(new ZipEntry(top + e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private void checkLayout(LabeledDataset d, ImageReader reader, Map<String, byte[]> files) {
    assertEquals(8, d.size());
    assertEquals(reader.shape(), d.shape());
    assertEquals(Map.of(0, "Dog", 1, "cat", 2, "emu"), d.classNames());
    assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2, 2}, d.labels());
    int i = 0;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      assertArrayEquals(reader.read(e.getValue(), e.getKey()), d.features(i++), e.getKey());
    }
  }

  @Test
  void loadsEveryFormatFromAFolderAndAZipWithTheReadersValues() throws IOException {
    Map<String, byte[]> files = layout();
    Path root = folder("photos", files);
    Files.writeString(root.resolve("cat/notes.txt"), "not an image: ignored");
    Files.write(root.resolve("cat/.DS_Store"), new byte[] {1, 2});
    ImageReader reader =
        ImageReader.builder(RGB).centerCrop().normalize(new double[] {0.5, 0.4, 0.3}, new double[] {0.2, 0.25, 0.3}).build();
    ImageFolderLoader loader = ImageFolderLoader.builder(reader).build();
    ImageFolderLoader.Result result = loader.load(root);
    assertEquals(0, result.skippedCount());
    checkLayout(result.dataset(), reader, files);
    // The 8-bit gray PNG, computed without the reader: 7x9 cropped to 7x7 (rows 1..7), area 7 -> 6.
    LabeledDataset plain = ImageFolderLoader.builder(ImageReader.of(ExampleShape.image(9, 7, 1))).build().load(root).dataset();
    float[] gray = new float[63];
    java.awt.image.BufferedImage g = TestImages.gray8(7, 9, 1);
    for (int y = 0; y < 9; y++) {
      for (int x = 0; x < 7; x++) {
        gray[y * 7 + x] = g.getRaster().getSample(x, y, 0) / 255f;
      }
    }
    assertArrayEquals(gray, plain.features(0));

    checkLayout(loader.load(zip(dir.resolve("flat.zip"), "", files)).dataset(), reader, files);
    checkLayout(loader.load(zip(dir.resolve("topped.zip"), "photos/", files)).dataset(), reader, files);
    assertTrue(loader.toString().contains("ImageReader/1 shape=6x6x3"), loader.toString());
  }

  @Test
  void groupsComeFromTheParentFolder() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("Latin/a/1.png", TestImages.encode(TestImages.gray8(4, 4, 1), "png"));
    files.put("Latin/b/1.png", TestImages.encode(TestImages.gray8(4, 4, 2), "png"));
    files.put("Greek/a/1.png", TestImages.encode(TestImages.gray8(4, 4, 3), "png"));
    files.put("Greek/a/2.png", TestImages.encode(TestImages.gray8(4, 4, 4), "png"));
    ImageReader reader = ImageReader.of(ExampleShape.image(4, 4, 1));
    LabeledDataset d =
        ImageFolderLoader.builder(reader).groups(true).build().load(folder("alphabets", files)).dataset();
    assertEquals(Map.of(0, "Greek/a", 1, "Latin/a", 2, "Latin/b"), d.classNames());
    assertEquals(Map.of(0, "Greek", 1, "Latin"), d.groupNames());
    assertArrayEquals(new int[] {0, 0, 1, 2}, d.labels());
    assertArrayEquals(new int[] {0, 0, 1, 1}, d.groups());
    assertEquals(1, d.groupNamed("Latin"));
    assertArrayEquals(reader.read(files.get("Greek/a/2.png"), "x"), d.features(1));
    // Without groups the same folder is one level too deep.
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(reader).build().load(dir.resolve("alphabets")),
        "alphabets/Greek/a/1.png is not at CLASS/NAME");
  }

  @Test
  void byteStorageQuantisesTheReadersValuesAndKeepsWorkingInSplits() throws IOException {
    Map<String, byte[]> files = layout();
    Path root = folder("photos", files);
    double[] mean = {0.485, 0.456, 0.406};
    double[] std = {0.229, 0.224, 0.225};
    ImageReader unit = ImageReader.of(RGB);
    ImageReader normalised = ImageReader.builder(RGB).normalize(mean, std).build();
    LabeledDataset floats = ImageFolderLoader.builder(normalised).build().load(root).dataset();
    LabeledDataset bytes = ImageFolderLoader.builder(normalised).byteStorage(true).build().load(root).dataset();
    assertTrue(bytes.storesBytes());
    assertEquals(floats.featureMemoryBytes(), 4 * bytes.featureMemoryBytes());
    int i = 0;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      float[] v = unit.read(e.getValue(), e.getKey());
      float[] got = bytes.features(i);
      float[] f = floats.features(i);
      for (int j = 0; j < v.length; j++) {
        int u = Math.round(v[j] * 255);
        int c = j % 3;
        assertEquals((float) (u / 255.0 * (1 / std[c]) + (-mean[c] / std[c])), got[j], e.getKey());
        assertEquals(f[j], got[j], 0.5 / 255 / std[c] + 1e-6, e.getKey());
      }
      i++;
    }
    DatasetSplit split = Splits.byClass(bytes, 1, 3);
    assertTrue(split.train().storesBytes());
    assertEquals(8, split.train().size() + split.test().size());
  }

  @Test
  void badFilesStopTheLoadNamingThemOrAreSkippedAndCounted() throws IOException {
    Map<String, byte[]> files = layout();
    byte[] jpeg = files.get("Dog/b.jpeg");
    files.put("Dog/b.jpeg", Arrays.copyOf(jpeg, jpeg.length - 30));
    byte[] png = files.get("cat/rgba.png");
    files.put("cat/rgba.png", Arrays.copyOf(png, png.length / 2));
    Path root = folder("bad", files);
    ImageReader reader = ImageReader.of(RGB);
    IOException e =
        assertThrowsWithMessage(
            IOException.class,
            () -> ImageFolderLoader.builder(reader).build().load(root),
            root.resolve("Dog/b.jpeg").toString(),
            "truncated");
    assertTrue(e.getCause() instanceof IllegalArgumentException, "cause " + e.getCause());
    Files.write(root.resolve("stray.png"), files.get("cat/gray16.png"));
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(reader).build().load(root),
        root.resolve("stray.png") + " is not at CLASS/NAME in " + root);
    ImageFolderLoader.Result r = ImageFolderLoader.builder(reader).skipBadFiles(true).build().load(root);
    assertEquals(3, r.skippedCount());
    assertEquals(6, r.dataset().size());
    List<String> names = new ArrayList<>();
    for (ImageFolderLoader.SkippedFile s : r.skipped()) {
      names.add(s.file());
      assertTrue(s.reason().contains(s.file()), s.reason());
    }
    assertTrue(names.contains(root.resolve("Dog/b.jpeg").toString()), names.toString());
    assertTrue(names.contains(root.resolve("cat/rgba.png").toString()), names.toString());
    assertTrue(names.contains(root.resolve("stray.png").toString()), names.toString());
    assertArrayEquals(new int[] {0, 1, 1, 2, 2, 2}, r.dataset().labels());
    assertArrayEquals(reader.read(files.get("cat/palette.png"), "p"), r.dataset().features(2));
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(reader).build().load(root.resolve("missing")),
        "missing is neither a zip file nor a directory");
  }

  @Test
  void emptyFoldersAndFullySkippedClassesAreErrors() throws IOException {
    Map<String, byte[]> files = layout();
    Path root = folder("empty", files);
    Files.createDirectories(root.resolve("zebra"));
    Files.writeString(root.resolve("zebra/readme.txt"), "no images");
    ImageReader reader = ImageReader.of(RGB);
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(reader).skipBadFiles(true).build().load(root),
        "class folder zebra in " + root + " holds no images");
    Files.createDirectories(dir.resolve("nothing/a"));
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(reader).build().load(dir.resolve("nothing")),
        "class folder a");
    Files.createDirectories(dir.resolve("void"));
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(reader).build().load(dir.resolve("void")),
        "no images (bmp, gif, jpeg, jpg, png) found in");
    Map<String, byte[]> broken = new LinkedHashMap<>();
    broken.put("ok/1.png", files.get("cat/palette.png"));
    broken.put("bad/1.png", new byte[] {1, 2, 3});
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(reader).skipBadFiles(true).build().load(folder("broken", broken)),
        "every image of class bad (1) was skipped");
    // An empty class folder inside a zip is an error too.
    Path z = dir.resolve("emptyclass.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
      out.putNextEntry(new ZipEntry("cat/1.png"));
      out.write(files.get("cat/palette.png"));
      out.closeEntry();
      out.putNextEntry(new ZipEntry("dog/"));
      out.closeEntry();
    }
    assertThrowsWithMessage(
        IOException.class, () -> ImageFolderLoader.builder(reader).build().load(z), "class folder dog");
  }

  @Test
  void hostileZipEntriesAreRefusedOrSkippedAndNeverRead() throws IOException {
    byte[] ok = TestImages.encode(TestImages.gray8(4, 4, 1), "png");
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("cat/1.png", ok);
    files.put("dog/1.png", ok);
    files.put("../evil.png", ok);
    files.put("/abs/x.png", ok);
    files.put("cat/../../up.png", ok);
    files.put("cat/2.png", ok);
    byte[] zipped = zipBytes("", files);
    // Rename cat/2.png to a second cat/1.png (same length), so the zip holds a duplicate name.
    replaceAll(zipped, "cat/2.png", "cat/1.png");
    Path z = Files.write(dir.resolve("hostile.zip"), zipped);
    ImageReader reader = ImageReader.of(ExampleShape.image(4, 4, 1));
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(reader).build().load(z),
        "hostile.zip!",
        "is a hostile zip entry");
    ImageFolderLoader.Result r = ImageFolderLoader.builder(reader).skipBadFiles(true).build().load(z);
    assertEquals(2, r.dataset().size());
    assertEquals(4, r.skippedCount());
    String reasons = r.skipped().toString();
    assertTrue(reasons.contains("hostile.zip!../evil.png is a hostile zip entry: it has an unsafe name"), reasons);
    assertTrue(reasons.contains("hostile.zip!/abs/x.png"), reasons);
    assertTrue(reasons.contains("hostile.zip!cat/../../up.png"), reasons);
    assertTrue(reasons.contains("hostile.zip!cat/1.png is a hostile zip entry: it appears twice"), reasons);
  }

  private static void replaceAll(byte[] bytes, String from, String to) {
    byte[] f = from.getBytes(StandardCharsets.US_ASCII);
    byte[] t = to.getBytes(StandardCharsets.US_ASCII);
    int replaced = 0;
    for (int i = 0; i + f.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + f.length, f, 0, f.length)) {
        System.arraycopy(t, 0, bytes, i, t.length);
        replaced++;
      }
    }
    assertEquals(2, replaced, "local and central headers");
  }

  @Test
  void zipEntriesAreCappedWhateverTheyDeclare() throws IOException {
    byte[] ok = TestImages.encode(TestImages.gray8(4, 4, 1), "png");
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("cat/1.png", ok);
    files.put("cat/zeros.png", new byte[100_000]);
    byte[] zipped = zipBytes("", files);
    ImageReader capped = ImageReader.builder(ExampleShape.image(4, 4, 1)).maxFileBytes(10_000).build();
    Path honest = Files.write(dir.resolve("honest.zip"), zipped);
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(capped).build().load(honest),
        "honest.zip!cat/zeros.png is 100000 bytes, more than the cap of 10000 bytes");
    // The central directory lies: 10 bytes. Reading still stops at the cap.
    setCentralSize(zipped, "cat/zeros.png", 10);
    Path liar = Files.write(dir.resolve("liar.zip"), zipped);
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(capped).build().load(liar),
        "liar.zip!cat/zeros.png inflates to more than the cap of 10000 bytes (ImageReader"
            + " maxFileBytes), whatever the zip declares (10)");
  }

  /** Sets the uncompressed size in the central directory record of {@code name}. */
  private static void setCentralSize(byte[] zip, String name, int size) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + 46 + n.length <= zip.length; i++) {
      if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 1 && zip[i + 3] == 2
          && Arrays.equals(zip, i + 46, i + 46 + n.length, n, 0, n.length)) {
        zip[i + 24] = (byte) size;
        zip[i + 25] = (byte) (size >> 8);
        zip[i + 26] = (byte) (size >> 16);
        zip[i + 27] = (byte) (size >> 24);
        return;
      }
    }
    throw new AssertionError("no central record for " + name);
  }

  @Test
  void aZipInflatingFarBeyondItsSizeIsRefused() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    byte[] zeros = new byte[5 << 20];
    for (int i = 0; i < 16; i++) {
      files.put("cat/" + i + ".png", zeros);
    }
    Path bomb = zip(dir.resolve("bomb.zip"), "", files);
    assertTrue(Files.size(bomb) < 1 << 20, "compressed " + Files.size(bomb));
    // Skipping bad images does not skip the bomb.
    assertThrowsWithMessage(
        IOException.class,
        () -> ImageFolderLoader.builder(ImageReader.of(RGB)).skipBadFiles(true).build().load(bomb),
        "bomb.zip inflates to more than",
        "likely zip bomb");
  }

  @Test
  void builderSettingsAreGivenOnce() {
    ImageFolderLoader.Builder b = ImageFolderLoader.builder(ImageReader.of(RGB)).groups(true);
    assertThrowsWithMessage(IllegalStateException.class, () -> b.groups(false), "groups was already set to true");
    assertFalse(ImageFolderLoader.builder(ImageReader.of(RGB)).build().toString().contains("groups"));
  }
}
