package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageReaderTest {
  @TempDir Path dir;

  private static final ExampleShape GRAY_8 = ExampleShape.image(8, 8, 1);

  /** The preprocessing of OmniglotLoader and of the embed command, written with the Images steps. */
  private static float[] omniglotPath(BufferedImage image, int th, int tw) {
    float[] gray = Images.grayscale(image);
    Images.invert(gray, 0, gray.length);
    return Images.resizeArea(gray, image.getHeight(), image.getWidth(), th, tw);
  }

  /** Channel {@code c} of a channels-last array as its own plane. */
  private static float[] plane(float[] hwc, int channels, int c) {
    float[] out = new float[hwc.length / channels];
    for (int i = 0; i < out.length; i++) {
      out[i] = hwc[i * channels + c];
    }
    return out;
  }

  @Test
  void grayscaleInvertAreaMatchesTheOmniglotPathValueForValue() throws IOException {
    List<BufferedImage> images =
        List.of(
            OmniglotLoaderTest.glyph(3),
            TestImages.gray8(105, 105, 1),
            TestImages.gray8(37, 23, 2),
            TestImages.rgb8(30, 41, 3),
            TestImages.palette(19, 17),
            ImageIO.read(new java.io.ByteArrayInputStream(TestImages.encode(TestImages.gray8(9, 9, 4), "png"))));
    int[][] targets = {{28, 28}, {4, 4}, {50, 30}, {9, 9}, {1, 1}};
    for (BufferedImage image : images) {
      for (int[] t : targets) {
        ImageReader reader =
            ImageReader.builder(ExampleShape.image(t[0], t[1], 1)).invert(true).build();
        float[] expected = omniglotPath(image, t[0], t[1]);
        // Opaque images only: the old path ignores alpha, so the palette's clear entries differ.
        if (!image.getColorModel().hasAlpha()) {
          assertArrayEquals(expected, reader.read(image), image + " to " + t[0] + "x" + t[1]);
        }
      }
    }
    byte[] png = TestImages.encode(TestImages.gray8(105, 105, 5), "png");
    Path file = Files.write(dir.resolve("glyph.png"), png);
    ImageReader reader = ImageReader.builder(ExampleShape.image(28, 28, 1)).invert(true).build();
    float[] expected = omniglotPath(ImageIO.read(file.toFile()), 28, 28);
    assertArrayEquals(expected, reader.read(file));
    assertArrayEquals(expected, reader.read(png, "glyph.png"));
  }

  @Test
  void gray8Gray16RgbAndBmpLoadToTheirSamples() throws IOException {
    BufferedImage g8 = TestImages.gray8(8, 8, 7);
    float[] gray = ImageReader.of(GRAY_8).read(TestImages.encode(g8, "png"), "g8.png");
    float[] rgbOfGray =
        ImageReader.of(ExampleShape.image(8, 8, 3)).read(TestImages.encode(g8, "png"), "g8.png");
    BufferedImage g16 = TestImages.gray16(8, 8, 8);
    float[] gray16 = ImageReader.of(GRAY_8).read(TestImages.encode(g16, "png"), "g16.png");
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        int i = y * 8 + x;
        assertEquals(g8.getRaster().getSample(x, y, 0) / 255f, gray[i]);
        for (int c = 0; c < 3; c++) {
          assertEquals(gray[i], rgbOfGray[3 * i + c]);
        }
        // 16 bits kept: not rounded to 8.
        assertEquals(g16.getRaster().getSample(x, y, 0) / 65535f, gray16[i]);
      }
    }

    BufferedImage rgb = TestImages.rgb8(8, 8, 9);
    for (String format : List.of("png", "bmp")) {
      byte[] encoded = TestImages.encode(rgb, format);
      float[] colour = ImageReader.of(ExampleShape.image(8, 8, 3)).read(encoded, "rgb." + format);
      float[] luma = ImageReader.of(GRAY_8).read(encoded, "rgb." + format);
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          int argb = rgb.getRGB(x, y);
          int r = (argb >> 16) & 0xff;
          int g = (argb >> 8) & 0xff;
          int b = argb & 0xff;
          int i = y * 8 + x;
          assertEquals(r / 255.0, colour[3 * i], 1e-7, format);
          assertEquals(g / 255.0, colour[3 * i + 1], 1e-7, format);
          assertEquals(b / 255.0, colour[3 * i + 2], 1e-7, format);
          assertEquals(TestImages.luma8(r, g, b), luma[i], 1e-7, format);
        }
      }
    }
  }

  @Test
  void alphaIsCompositedOntoThePage() throws IOException {
    BufferedImage rgba = TestImages.rgba8(8, 8, 10);
    byte[] png = TestImages.encode(rgba, "png");
    int page = 0x336699;
    float[] onWhite = ImageReader.of(ExampleShape.image(8, 8, 3)).read(png, "a.png");
    float[] onPage = ImageReader.builder(ExampleShape.image(8, 8, 3)).pageColor(page).build().read(png, "a.png");
    float[] grayOnWhite = ImageReader.of(GRAY_8).read(png, "a.png");
    int[] pageRgb = {0x33, 0x66, 0x99};
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        int argb = rgba.getRGB(x, y);
        double a = (argb >>> 24) / 255.0;
        int[] v = {(argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff};
        int i = y * 8 + x;
        double[] white = new double[3];
        for (int c = 0; c < 3; c++) {
          white[c] = v[c] * a + 255 * (1 - a);
          assertEquals(white[c] / 255, onWhite[3 * i + c], 1e-6);
          assertEquals((v[c] * a + pageRgb[c] * (1 - a)) / 255, onPage[3 * i + c], 1e-6);
        }
        assertEquals(TestImages.luma8(white[0], white[1], white[2]), grayOnWhite[i], 1e-6);
      }
    }

    // 16-bit RGBA: alpha and colour at full precision.
    BufferedImage rgba16 = TestImages.rgba16(5, 4, 11);
    float[] deep = ImageReader.of(ExampleShape.image(4, 5, 3)).read(TestImages.encode(rgba16, "png"), "d.png");
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 5; x++) {
        double a = rgba16.getRaster().getSample(x, y, 3) / 65535.0;
        for (int c = 0; c < 3; c++) {
          double v = rgba16.getRaster().getSample(x, y, c) / 65535.0;
          assertEquals(v * a + (1 - a), deep[3 * (y * 5 + x) + c], 1e-6);
        }
      }
    }
  }

  @Test
  void aGlyphOnATransparentBackgroundIsNotSolidInk() throws IOException {
    // Black strokes, the rest transparent black (ARGB 0): as drawing programs export.
    BufferedImage glyph = new BufferedImage(6, 6, BufferedImage.TYPE_INT_ARGB);
    for (int i = 0; i < 6; i++) {
      glyph.setRGB(i, i, 0xFF000000);
    }
    float[] ink =
        ImageReader.builder(ExampleShape.image(6, 6, 1))
            .invert(true)
            .build()
            .read(TestImages.encode(glyph, "png"), "glyph.png");
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 6; x++) {
        assertEquals(x == y ? 1f : 0f, ink[y * 6 + x], "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void paletteEntriesGiveTheirColoursComposited() throws IOException {
    byte[] png = TestImages.encode(TestImages.palette(4, 2), "png");
    float[] rgb = ImageReader.of(ExampleShape.image(2, 4, 3)).read(png, "p.png");
    float[] gray = ImageReader.of(ExampleShape.image(2, 4, 1)).read(png, "p.png");
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 4; x++) {
        int argb = TestImages.PALETTE_ARGB[(x + 2 * y) % 4];
        double a = (argb >>> 24) / 255.0;
        double[] v = new double[3];
        for (int c = 0; c < 3; c++) {
          v[c] = ((argb >> (16 - 8 * c)) & 0xff) * a + 255 * (1 - a);
          assertEquals(v[c] / 255, rgb[3 * (y * 4 + x) + c], 1e-6);
        }
        assertEquals(TestImages.luma8(v[0], v[1], v[2]), gray[y * 4 + x], 1e-6);
      }
    }
  }

  @Test
  void jpegAndCmykJpeg() throws IOException {
    BufferedImage rgb = TestImages.rgb8(16, 16, 12);
    byte[] jpeg = TestImages.encode(rgb, "jpg");
    BufferedImage decoded = ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
    float[] read = ImageReader.of(ExampleShape.image(16, 16, 3)).read(jpeg, "a.jpg");
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        int argb = decoded.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
          assertEquals(((argb >> (16 - 8 * c)) & 0xff) / 255.0, read[3 * (y * 16 + x) + c], 1e-7);
        }
      }
    }
    // Stored 255 - (C, M, Y, K) = (255, 0, 255, 255): C = 0, M = 1, Y = 0, K = 0, i.e. magenta.
    byte[] cmyk = TestImages.cmykJpeg(16, 16, new int[] {255, 0, 255, 255});
    float[] magenta = ImageReader.of(ExampleShape.image(2, 2, 3)).read(cmyk, "cmyk.jpg");
    for (int i = 0; i < 4; i++) {
      assertEquals(1, magenta[3 * i], 0.02);
      assertEquals(0, magenta[3 * i + 1], 0.02);
      assertEquals(1, magenta[3 * i + 2], 0.02);
    }
  }

  @Test
  void bilinearMatchesAPlainPerPixelFormula() {
    BufferedImage rgb = TestImages.rgb8(13, 7, 13);
    float[] full = ImageReader.of(ExampleShape.image(7, 13, 3)).read(rgb);
    for (int[] t : new int[][] {{3, 5}, {7, 13}, {20, 9}, {1, 1}}) {
      float[] got =
          ImageReader.builder(ExampleShape.image(t[0], t[1], 3))
              .resize(ImageReader.Resize.BILINEAR)
              .build()
              .read(rgb);
      for (int y = 0; y < t[0]; y++) {
        for (int x = 0; x < t[1]; x++) {
          double sy = Math.min(Math.max((y + 0.5) * 7 / t[0] - 0.5, 0), 6);
          double sx = Math.min(Math.max((x + 0.5) * 13 / t[1] - 0.5, 0), 12);
          int y0 = (int) sy;
          int x0 = (int) sx;
          int y1 = Math.min(y0 + 1, 6);
          int x1 = Math.min(x0 + 1, 12);
          double fy = sy - y0;
          double fx = sx - x0;
          for (int c = 0; c < 3; c++) {
            double top = full[(y0 * 13 + x0) * 3 + c] * (1 - fx) + full[(y0 * 13 + x1) * 3 + c] * fx;
            double bottom =
                full[(y1 * 13 + x0) * 3 + c] * (1 - fx) + full[(y1 * 13 + x1) * 3 + c] * fx;
            assertEquals(top * (1 - fy) + bottom * fy, got[(y * t[1] + x) * 3 + c], 1e-5);
          }
        }
      }
    }
  }

  @Test
  void areaResizeOfColourIsAreaResizeOfEachChannel() {
    BufferedImage rgb = TestImages.rgb8(31, 17, 14);
    float[] full = ImageReader.of(ExampleShape.image(17, 31, 3)).read(rgb);
    float[] small = ImageReader.of(ExampleShape.image(5, 8, 3)).read(rgb);
    for (int c = 0; c < 3; c++) {
      assertArrayEquals(Images.resizeArea(plane(full, 3, c), 17, 31, 5, 8), plane(small, 3, c));
    }
  }

  @Test
  void centreCropsToTheAspectRatioOrAFraction() {
    BufferedImage wide = TestImages.gray8(40, 20, 15);
    float[] full = ImageReader.of(ExampleShape.image(20, 40, 1)).read(wide);
    // 40x20 to a square: the middle 20 columns, 10..29, then 20x20 -> 10x10.
    float[] middle = new float[20 * 20];
    for (int y = 0; y < 20; y++) {
      System.arraycopy(full, y * 40 + 10, middle, y * 20, 20);
    }
    float[] cropped =
        ImageReader.builder(ExampleShape.image(10, 10, 1)).centerCrop().build().read(wide);
    assertArrayEquals(Images.resizeArea(middle, 20, 20, 10, 10), cropped);
    // Half of each side of 40x20: 20x10 from (10, 5).
    float[] half = new float[10 * 20];
    for (int y = 0; y < 10; y++) {
      System.arraycopy(full, (y + 5) * 40 + 10, half, y * 20, 20);
    }
    float[] fraction =
        ImageReader.builder(ExampleShape.image(10, 20, 1)).centerCrop(0.5).build().read(wide);
    assertArrayEquals(half, fraction);
    // A tall image to a wide target crops rows instead: 5 of 30, from row (30 - 5) / 2 = 12.
    BufferedImage tall = TestImages.gray8(10, 30, 16);
    float[] tallFull = ImageReader.of(ExampleShape.image(30, 10, 1)).read(tall);
    float[] band =
        ImageReader.builder(ExampleShape.image(5, 10, 1)).centerCrop().build().read(tall);
    assertArrayEquals(Arrays.copyOfRange(tallFull, 12 * 10, 17 * 10), band);
  }

  @Test
  void normalisesPerChannel() {
    BufferedImage rgb = TestImages.rgb8(6, 6, 17);
    double[] mean = {0.485, 0.456, 0.406};
    double[] std = {0.229, 0.224, 0.225};
    ExampleShape shape = ExampleShape.image(3, 3, 3);
    float[] raw = ImageReader.of(shape).read(rgb);
    float[] norm = ImageReader.builder(shape).normalize(mean, std).build().read(rgb);
    for (int i = 0; i < raw.length; i++) {
      assertEquals((float) ((raw[i] - mean[i % 3]) / std[i % 3]), norm[i]);
    }
    float[] same = ImageReader.builder(shape).normalize(0.5, 0.25).build().read(rgb);
    for (int i = 0; i < raw.length; i++) {
      assertEquals((float) ((raw[i] - 0.5) / 0.25), same[i]);
    }
  }

  @Test
  void describeAndParseRoundTrip() {
    List<ImageReader> readers =
        List.of(
            ImageReader.of(GRAY_8),
            ImageReader.builder(ExampleShape.image(96, 64, 3))
                .resize(ImageReader.Resize.BILINEAR)
                .centerCrop(0.875)
                .normalize(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225})
                .pageColor(0x123456)
                .maxPixels(1234567)
                .maxFileBytes(9999)
                .build(),
            ImageReader.builder(ExampleShape.image(28, 28, 1))
                .invert(true)
                .centerCrop()
                .normalize(0.1 + 0.2, 1 / 3.0)
                .build());
    for (ImageReader r : readers) {
      String line = r.describe();
      assertTrue(!line.contains("\n") && line.startsWith("ImageReader/1 "), line);
      ImageReader back = ImageReader.parse(line);
      assertEquals(r, back);
      assertEquals(line, back.describe());
      assertArrayEquals(r.mean(), back.mean());
      assertArrayEquals(r.std(), back.std());
    }
    assertEquals(
        "ImageReader/1 shape=8x8x1 resize=area crop=none invert=false page=#ffffff mean=0.0"
            + " std=1.0 maxPixels=40000000 maxFileBytes=268435456",
        ImageReader.of(GRAY_8).describe());
    // Missing settings take their defaults.
    assertEquals(ImageReader.of(GRAY_8), ImageReader.parse("ImageReader/1 shape=8x8x1"));
    assertNotEquals(readers.get(0), readers.get(2));
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.parse("ImageReader/2 shape=8x8x1"),
        "must start with ImageReader/1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.parse("ImageReader/1 shape=8x8x1 colour=red"),
        "unknown settings [colour]");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.parse("ImageReader/1 shape=8x8x1 std=0"),
        "mean and std come together");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.parse("ImageReader/1 shape=8x8x1 mean=0 std=0"),
        "std[0] must be > 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.parse("ImageReader/1 resize=area"),
        "shape is missing");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.parse("ImageReader/1 shape=8x8x1 shape=8x8x1"),
        "gives shape twice");
  }

  @Test
  void aHeaderDeclaringTwentyThousandSquaredIsRefusedBeforeDecoding() throws IOException {
    byte[] png = TestImages.pngDeclaring(20000, 20000);
    assertTrue(png.length < 4096, "a small file: " + png.length + " bytes");
    Path file = Files.write(dir.resolve("bomb.png"), png);
    // Decoding would need 20000 * 20000 * 8 bytes = 3.2 GB, more than this JVM's heap: an
    // IllegalArgumentException rather than an OutOfMemoryError shows nothing was decoded.
    long before = usedHeap();
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.of(GRAY_8).read(file),
        "bomb.png",
        "declares 20000x20000 = 400000000 pixels",
        "cap of 40000000",
        "maxPixels");
    assertTrue(usedHeap() - before < 100 << 20, "heap grew by " + (usedHeap() - before));
    // A lower cap applies to ordinary images too.
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.builder(GRAY_8).maxPixels(63).build().read(TestImages.encode(TestImages.gray8(8, 8, 1), "png"), "x.png"),
        "image x.png declares 8x8 = 64 pixels, more than the cap of 63");
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  @Test
  void truncatedAndCorruptFilesAreErrorsNamingTheFile() throws IOException {
    ImageReader reader = ImageReader.of(GRAY_8);
    byte[] jpeg = TestImages.encode(TestImages.rgb8(64, 48, 18), "jpg");
    for (int cut : new int[] {2, 20, jpeg.length / 2}) {
      Path file = Files.write(dir.resolve("cut" + cut + ".jpg"), Arrays.copyOf(jpeg, jpeg.length - cut));
      assertThrowsWithMessage(
          IllegalArgumentException.class, () -> reader.read(file), "cut" + cut + ".jpg", "truncated");
    }
    byte[] png = TestImages.encode(TestImages.rgb8(64, 48, 19), "png");
    for (int cut : new int[] {2, 12, 20, png.length / 2, png.length - 30}) {
      byte[] cutPng = Arrays.copyOf(png, png.length - cut);
      assertThrowsWithMessage(
          IllegalArgumentException.class, () -> reader.read(cutPng, "cut.png"), "image cut.png");
    }
    // Without the check ImageIO decodes a PNG without its IEND chunk silently.
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> reader.read(Arrays.copyOf(png, png.length - 12), "noend.png"),
        "image noend.png is truncated");
    byte[] flipped = png.clone();
    flipped[20] ^= 0x01; // inside IHDR: the width
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> reader.read(flipped, "crc.png"),
        "image crc.png is corrupt: chunk IHDR at byte 8 fails its CRC check");
    byte[] gif = TestImages.encode(TestImages.rgb8(16, 16, 20), "gif");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> reader.read(Arrays.copyOf(gif, gif.length - 1), "cut.gif"),
        "image cut.gif is truncated");
    byte[] bmp = TestImages.encode(TestImages.rgb8(16, 16, 21), "bmp");
    IllegalArgumentException e =
        assertThrowsWithMessage(
            IllegalArgumentException.class,
            () -> reader.read(Arrays.copyOf(bmp, bmp.length - 5), "cut.bmp"),
            "image cut.bmp cannot be decoded");
    assertTrue(e.getCause() != null, "the decoder's exception is the cause");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> reader.read("hello, world".getBytes(java.nio.charset.StandardCharsets.UTF_8), "x.png"),
        "image x.png is not a PNG, JPEG, BMP or GIF image");
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> reader.read(new byte[0], "empty.png"), "empty.png");
    IOException missing =
        assertThrowsWithMessage(
            IOException.class,
            () -> reader.read(dir.resolve("missing.png")),
            "cannot read image " + dir.resolve("missing.png"),
            "NoSuchFileException");
    assertTrue(missing.getCause() != null);
    Path big = Files.write(dir.resolve("big.png"), png);
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.builder(GRAY_8).maxFileBytes(100).build().read(big),
        "big.png is " + png.length + " bytes, more than the cap of 100 bytes");
  }

  @Test
  void builderChecksSettings() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.builder(ExampleShape.image(8, 8, 4)),
        "reads 1 channel (grayscale) or 3 (RGB); shape 8x8x4 has 4");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.of(ExampleShape.vector(3)),
        "needs an image shape, got [3]");
    assertThrowsWithMessage(
        IllegalStateException.class,
        () -> ImageReader.builder(GRAY_8).invert(true).invert(false),
        "invert was already set to true");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.builder(GRAY_8).centerCrop(0),
        "crop fraction must be in (0, 1], got 0.0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.builder(GRAY_8).normalize(new double[] {0, 0}, new double[] {1, 1}),
        "one mean and one std per channel (1), got 2 and 2");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.builder(GRAY_8).pageColor(0x1000000),
        "page colour must be 0xRRGGBB");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ImageReader.builder(GRAY_8).maxPixels(0),
        "maxPixels must be > 0, got 0");
  }
}
