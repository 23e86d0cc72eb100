package io.siamese.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Images of every storage type the image tests need, made here with ImageIO. */
final class TestImages {
  private TestImages() {}

  static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
    return out.toByteArray();
  }

  /** 8-bit gray, sample {@code (x * 37 + y * 11 + seed) % 256}. */
  static BufferedImage gray8(int w, int h, int seed) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.getRaster().setSample(x, y, 0, (x * 37 + y * 11 + seed) % 256);
      }
    }
    return image;
  }

  /** 16-bit gray with seeded samples. */
  static BufferedImage gray16(int w, int h, long seed) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.getRaster().setSample(x, y, 0, rng.nextInt(65536));
      }
    }
    return image;
  }

  /** 8-bit RGB (3 bytes a pixel) with seeded colours. */
  static BufferedImage rgb8(int w, int h, long seed) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.setRGB(x, y, rng.nextInt(1 << 24));
      }
    }
    return image;
  }

  /** 8-bit RGBA (non-premultiplied) with seeded colours and alphas, some 0 and some 255. */
  static BufferedImage rgba8(int w, int h, long seed) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int a = switch (rng.nextInt(3)) {
          case 0 -> 0;
          case 1 -> 255;
          default -> rng.nextInt(256);
        };
        image.setRGB(x, y, (a << 24) | rng.nextInt(1 << 24));
      }
    }
    return image;
  }

  /** 16-bit RGBA, as PNG stores it (a component colour model of unsigned shorts). */
  static BufferedImage rgba16(int w, int h, long seed) {
    ComponentColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB),
            true,
            false,
            Transparency.TRANSLUCENT,
            DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int b = 0; b < 4; b++) {
          raster.setSample(x, y, b, rng.nextInt(65536));
        }
      }
    }
    return new BufferedImage(cm, raster, false, null);
  }

  /** The four-colour palette of {@link #palette}: red, green, half-transparent blue, clear. */
  static final int[] PALETTE_ARGB = {0xFFFF0000, 0xFF00FF00, 0x800000FF, 0x00FFFFFF};

  /** An 8-bit palette image over {@link #PALETTE_ARGB}, index {@code (x + 2 * y) % 4}. */
  static BufferedImage palette(int w, int h) {
    byte[] r = new byte[4];
    byte[] g = new byte[4];
    byte[] b = new byte[4];
    byte[] a = new byte[4];
    for (int i = 0; i < 4; i++) {
      a[i] = (byte) (PALETTE_ARGB[i] >>> 24);
      r[i] = (byte) (PALETTE_ARGB[i] >> 16);
      g[i] = (byte) (PALETTE_ARGB[i] >> 8);
      b[i] = (byte) PALETTE_ARGB[i];
    }
    IndexColorModel cm = new IndexColorModel(8, 4, r, g, b, a);
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.getRaster().setSample(x, y, 0, (x + 2 * y) % 4);
      }
    }
    return image;
  }

  /**
   * A 4-channel JPEG, which ImageIO reads as CMYK; the stored samples are a uniform {@code cmyk}
   * (ImageIO's reader hands back {@code 255 - stored}, the Adobe convention).
   */
  static byte[] cmykJpeg(int w, int h, int[] stored) throws IOException {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        raster.setPixel(x, y, stored);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /**
   * A PNG of a few hundred bytes whose header declares {@code width x height} 16-bit RGBA pixels
   * (8 bytes each): every chunk has a valid CRC, and the IDAT holds a little zlib data, far too
   * little for that size. Decoding it would try to allocate {@code 8 * width * height} bytes.
   */
  static byte[] pngDeclaring(int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    byte[] ihdr = new byte[13];
    putInt(ihdr, 0, width);
    putInt(ihdr, 4, height);
    ihdr[8] = 16; // bit depth
    ihdr[9] = 6; // colour type RGBA
    chunk(out, "IHDR", ihdr);
    java.util.zip.Deflater deflater = new java.util.zip.Deflater();
    deflater.setInput(new byte[4096]);
    deflater.finish();
    byte[] buf = new byte[8192];
    int n = deflater.deflate(buf);
    deflater.end();
    chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    byte[] len = new byte[4];
    putInt(len, 0, data.length);
    out.write(len);
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    byte[] c = new byte[4];
    putInt(c, 0, (int) crc.getValue());
    out.write(c);
  }

  private static void putInt(byte[] b, int p, int v) {
    b[p] = (byte) (v >>> 24);
    b[p + 1] = (byte) (v >>> 16);
    b[p + 2] = (byte) (v >>> 8);
    b[p + 3] = (byte) v;
  }

  /** The luma the library uses, from 8-bit R, G, B, in double. */
  static double luma8(double r, double g, double b) {
    return (0.299 * r + 0.587 * g + 0.114 * b) / 255.0;
  }
}
