package io.siamese.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image and CSV rows of {@code docs/errors.md} ("Image and CSV files"): each case here is one
 * row, in order, and the test fails if the table and the cases drift apart. Paths show as {@code
 * /data}. {@code -Dsiamese.errors.print=true} prints the rows with today's messages.
 */
class DataBadInputTableTest {
  private static final String SECTION = "## Image and CSV files (siamese-data)";
  private static final String DOC_DIR = "/data";

  @TempDir static Path tmp;

  private record Case(
      String entryPoint, String badInput, Class<? extends Throwable> type, String fragment, Executable call) {}

  private static byte[] png;
  private static byte[] jpeg;

  @BeforeAll
  static void images() throws IOException {
    png = TestImages.encode(TestImages.gray8(16, 16, 1), "png");
    jpeg = TestImages.encode(TestImages.rgb8(32, 32, 2), "jpg");
  }

  private static Path file(String name, byte[] bytes) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.write(p, bytes);
  }

  private static Path zip(String name, Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return file(name, bytes.toByteArray());
  }

  private static String path(String name) {
    return tmp.resolve(name).toString();
  }

  private static List<Case> cached;

  private static synchronized List<Case> cases() throws IOException {
    if (cached == null) {
      cached = makeCases();
    }
    return cached;
  }

  private static List<Case> makeCases() throws IOException {
    ImageReader gray = ImageReader.of(ExampleShape.image(8, 8, 1));
    ImageFolderLoader loader = ImageFolderLoader.builder(gray).build();
    List<Case> t = new ArrayList<>();
    Path bomb = file("bomb.png", TestImages.pngDeclaring(20000, 20000));
    t.add(new Case("ImageReader.read", "a tiny PNG whose header declares 20000 x 20000 pixels", IllegalArgumentException.class,
        "image " + bomb + " declares 20000x20000 = 400000000 pixels, more than the cap of 40000000 (ImageReader maxPixels); it was not decoded",
        () -> gray.read(bomb)));
    Path big = file("big.png", new byte[500]);
    t.add(new Case("ImageReader.read", "a file over the maxFileBytes cap", IllegalArgumentException.class,
        "image " + big + " is 500 bytes, more than the cap of 100 bytes (ImageReader maxFileBytes)",
        () -> ImageReader.builder(ExampleShape.image(8, 8, 1)).maxFileBytes(100).build().read(big)));
    Path cutJpeg = file("cut.jpg", Arrays.copyOf(jpeg, jpeg.length - 100));
    t.add(new Case("ImageReader.read", "a truncated JPEG (ImageIO alone fills it with grey)", IllegalArgumentException.class,
        "image " + cutJpeg + " is truncated or corrupt: the jpeg decoder warned", () -> gray.read(cutJpeg)));
    Path noEnd = file("noend.png", Arrays.copyOf(png, png.length - 12));
    t.add(new Case("ImageReader.read", "a PNG cut after its image data (ImageIO alone decodes it)", IllegalArgumentException.class,
        "image " + noEnd + " is truncated: it ends at byte ", () -> gray.read(noEnd)));
    byte[] flipped = png.clone();
    flipped[20] ^= 1;
    Path crc = file("crc.png", flipped);
    t.add(new Case("ImageReader.read", "a PNG whose header was damaged", IllegalArgumentException.class,
        "image " + crc + " is corrupt: chunk IHDR at byte 8 fails its CRC check", () -> gray.read(crc)));
    byte[] gif = TestImages.encode(TestImages.rgb8(8, 8, 3), "gif");
    Path cutGif = file("cut.gif", Arrays.copyOf(gif, gif.length - 1));
    t.add(new Case("ImageReader.read", "a GIF cut before its trailer", IllegalArgumentException.class,
        "image " + cutGif + " is truncated: a GIF must end with the trailer byte 0x3B", () -> gray.read(cutGif)));
    byte[] bmp = TestImages.encode(TestImages.rgb8(8, 8, 4), "bmp");
    Path cutBmp = file("cut.bmp", Arrays.copyOf(bmp, bmp.length - 5));
    t.add(new Case("ImageReader.read", "a BMP cut short", IllegalArgumentException.class,
        "image " + cutBmp + " cannot be decoded (truncated or corrupt?): EOFException", () -> gray.read(cutBmp)));
    Path text = file("notes.png", "hello".getBytes(StandardCharsets.UTF_8));
    t.add(new Case("ImageReader.read", "a text file named .png", IllegalArgumentException.class,
        "image " + text + " is not a PNG, JPEG, BMP or GIF image (its first bytes match none)", () -> gray.read(text)));
    t.add(new Case("ImageReader.read", "a file that does not exist", IOException.class,
        "cannot read image " + path("missing.png") + ": NoSuchFileException: " + path("missing.png"),
        () -> gray.read(tmp.resolve("missing.png"))));
    t.add(new Case("ImageReader.builder", "a shape of 4 channels", IllegalArgumentException.class,
        "an ImageReader reads 1 channel (grayscale) or 3 (RGB); shape 8x8x4 has 4",
        () -> ImageReader.builder(ExampleShape.image(8, 8, 4))));
    t.add(new Case("ImageReader.parse", "an unknown setting", IllegalArgumentException.class,
        "cannot parse image reader description \"ImageReader/1 shape=8x8x1 colour=red\": unknown settings [colour]",
        () -> ImageReader.parse("ImageReader/1 shape=8x8x1 colour=red")));
    file("photos/cat/a.png", png);
    file("photos/cat/cut.jpg", Arrays.copyOf(jpeg, jpeg.length - 100));
    t.add(new Case("ImageFolderLoader.load", "a truncated JPEG in a class folder", IOException.class,
        "image " + path("photos/cat/cut.jpg") + " is truncated or corrupt", () -> loader.load(tmp.resolve("photos"))));
    file("stray/cat/a.png", png);
    file("stray/b.png", png);
    t.add(new Case("ImageFolderLoader.load", "an image directly in the root folder", IOException.class,
        path("stray/b.png") + " is not at CLASS/NAME in " + path("stray"), () -> loader.load(tmp.resolve("stray"))));
    file("empty/cat/a.png", png);
    Files.createDirectories(tmp.resolve("empty/zebra"));
    t.add(new Case("ImageFolderLoader.load", "an empty class folder", IOException.class,
        "class folder zebra in " + path("empty") + " holds no images (bmp, gif, jpeg, jpg, png)",
        () -> loader.load(tmp.resolve("empty"))));
    Files.createDirectories(tmp.resolve("void"));
    t.add(new Case("ImageFolderLoader.load", "a folder without images", IOException.class,
        "no images (bmp, gif, jpeg, jpg, png) found in " + path("void"), () -> loader.load(tmp.resolve("void"))));
    file("allbad/cat/a.png", png);
    file("allbad/dog/a.png", new byte[] {1, 2, 3});
    t.add(new Case("ImageFolderLoader.load", "skipBadFiles, and every image of a class is bad", IOException.class,
        "every image of class dog (1) was skipped as bad; fix or remove the folder",
        () -> ImageFolderLoader.builder(gray).skipBadFiles(true).build().load(tmp.resolve("allbad"))));
    Map<String, byte[]> hostile = new LinkedHashMap<>();
    hostile.put("cat/a.png", png);
    hostile.put("../evil.png", png);
    Path hostileZip = zip("hostile.zip", hostile);
    t.add(new Case("ImageFolderLoader.load", "a zip entry named ../evil.png", IOException.class,
        hostileZip + "!../evil.png is a hostile zip entry: it has an unsafe name (a \"..\" or empty path segment)",
        () -> loader.load(hostileZip)));
    Map<String, byte[]> big2 = new LinkedHashMap<>();
    big2.put("cat/a.png", png);
    big2.put("cat/zeros.png", new byte[100_000]);
    Path capped = zip("capped.zip", big2);
    t.add(new Case("ImageFolderLoader.load", "a zip entry over the reader's maxFileBytes", IOException.class,
        "image " + capped + "!cat/zeros.png is 100000 bytes, more than the cap of 10000 bytes (ImageReader maxFileBytes)",
        () -> ImageFolderLoader.builder(ImageReader.builder(ExampleShape.image(8, 8, 1)).maxFileBytes(10_000).build()).build().load(capped)));
    Map<String, byte[]> zeros = new LinkedHashMap<>();
    for (int i = 0; i < 16; i++) {
      zeros.put("cat/" + i + ".png", new byte[5 << 20]);
    }
    Path bombZip = zip("bomb.zip", zeros);
    t.add(new Case("ImageFolderLoader.load", "a zip inflating to over 100 times its size", IOException.class,
        "zip file " + bombZip + " inflates to more than ",
        () -> ImageFolderLoader.builder(gray).skipBadFiles(true).build().load(bombZip)));
    Map<String, byte[]> mixed = new LinkedHashMap<>();
    mixed.put("Latin/a.png", png);
    mixed.put("Greek/alpha/b.png", png);
    Path mixedZip = zip("mixed.zip", mixed);
    t.add(new Case("OmniglotLoader.load", "images at two depths", IOException.class,
        "unexpected layout in " + mixedZip + ": Greek/alpha/b.png is not ALPHABET/CHARACTER/NAME.png",
        () -> OmniglotLoader.builder().build().load(mixedZip)));
    Path open = file("open.csv", "x,label\n1,0\n2,\"3\n4,5\n".getBytes(StandardCharsets.UTF_8));
    t.add(new Case("CsvLoader.load", "a quote that is never closed", IOException.class,
        open + ": line 3 is not valid CSV: (startline 3) EOF reached before encapsulated token finished",
        () -> CsvLoader.builder().labelColumn("label").build().load(open)));
    t.add(new Case("LabeledDataset.ofBytes", "a NaN scale", IllegalArgumentException.class, "scale[0] must be finite, got NaN",
        () -> LabeledDataset.ofBytes(new byte[2], new int[] {0}, ExampleShape.vector(2), new double[] {Double.NaN}, new double[] {0})));
    LabeledDataset grouped =
        LabeledDataset.builder(new float[] {1, 2}, new int[] {0, 1}, ExampleShape.vector(1))
            .groups(new int[] {0, 1})
            .groupNames(List.of("Latin", "Greek"))
            .build();
    t.add(new Case("LabeledDataset.groupNamed", "a name no group has", IllegalArgumentException.class,
        "no group is called \"Klingon\"; the group names are Latin, Greek", () -> grouped.groupNamed("Klingon")));
    return t;
  }

  private static String docPaths(String s) {
    return s.replace(tmp.toString(), DOC_DIR);
  }

  @Test
  void everyCaseThrowsWhatItsRowSays() throws IOException {
    for (Case c : cases()) {
      Throwable thrown = assertThrows(c.type(), c.call(), c.badInput());
      assertTrue(
          thrown.getMessage().contains(c.fragment()),
          c.badInput() + ": message \"" + thrown.getMessage() + "\" lacks \"" + c.fragment() + "\"");
    }
  }

  @Test
  void theTableInDocsListsEveryCaseInOrder() throws IOException {
    Path doc = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../docs/errors.md").normalize();
    Assumptions.assumeTrue(Files.exists(doc), "no " + doc + " beside this module");
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    int start = lines.indexOf(SECTION);
    assertTrue(start >= 0, doc + " has no section \"" + SECTION + "\"");
    List<String[]> rows = new ArrayList<>();
    for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
      if (lines.get(i).startsWith("| `")) {
        rows.add(Arrays.stream(lines.get(i).split("(?<!\\\\)\\|", -1)).map(String::trim).toArray(String[]::new));
      }
    }
    List<Case> cases = cases();
    assertEquals(cases.size(), rows.size(), "rows in " + doc + " section " + SECTION + " vs cases");
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      String[] row = rows.get(i);
      String where = "row " + (i + 1) + " of " + SECTION;
      assertEquals("`" + c.entryPoint() + "`", row[1], where);
      assertEquals(c.badInput(), row[2].replace("\\|", "|"), where);
      assertEquals("`" + c.type().getSimpleName() + "`", row[3], where);
      assertTrue(row[4].replace("\\|", "|").contains(docPaths(c.fragment())), where + ": " + row[4] + " lacks " + docPaths(c.fragment()));
    }
  }

  @Test
  void printTheTable() throws IOException {
    Assumptions.assumeTrue(Boolean.getBoolean("siamese.errors.print"), "set -Dsiamese.errors.print=true");
    StringBuilder out = new StringBuilder("| entry point | bad input | exception | message (example) |\n|---|---|---|---|\n");
    for (Case c : cases()) {
      Throwable t = assertThrows(c.type(), c.call());
      String m = docPaths(t.getMessage()).replace("\n", " ").replace("|", "\\|");
      out.append(String.format("| `%s` | %s | `%s` | %s |%n", c.entryPoint(), c.badInput(), c.type().getSimpleName(), m));
    }
    System.out.print(out);
  }
}
