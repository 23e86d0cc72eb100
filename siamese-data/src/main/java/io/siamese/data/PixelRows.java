package io.siamese.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Reads one row at a time of a rectangle of a decoded image as floats in {@code [0, 1]}: 1 channel
 * (brightness) or 3 (R, G, B), channels last, alpha composited onto a page colour, optionally
 * inverted ({@code 1 - v}). Converting row by row keeps the memory a resize needs independent of the
 * source height.
 *
 * <p>Samples are taken as they are stored, without colour management: gray samples are brightness
 * {@code sample / (2^bits - 1)}, RGB samples {@code sample / (2^bits - 1)} per channel at their own
 * bit depth (8 or 16), palette entries their 8-bit RGB; CMYK (as ImageIO hands Adobe JPEGs over) is
 * converted naively, {@code R = (1 - C)(1 - K)}. Grayscale from colour is luma {@code 0.299 R +
 * 0.587 G + 0.114 B}. For opaque 8-bit images this reproduces {@link Images#grayscale} bit for bit.
 *
 * <p>Alpha {@code a} in {@code [0, 1]} composites each channel as {@code v * a + page * (1 - a)}.
 * Not thread-safe (it reuses row buffers); one instance per image.
 */
final class PixelRows {
  private enum Kind {
    PALETTE,
    GRAY,
    RGB,
    CMYK,
    OTHER
  }

  private final BufferedImage image;
  private final Raster raster;
  private final int x0;
  private final int y0;
  private final int width;
  private final int channels;
  private final boolean invert;
  private final Kind kind;
  private final boolean alpha;
  private final double max;
  private final double maxAlpha;
  /** Page colour, 8-bit units. */
  private final double pageR;
  private final double pageG;
  private final double pageB;
  /** Page brightness in [0, 1]. */
  private final double pageGray;
  /** Palette lookup: {@code channels} floats per index, already composited. */
  private float[] lut;
  private int[][] bands;
  private int[] argb;

  /**
   * @param channels 1 (brightness) or 3 (RGB)
   * @param pageRgb the page colour as {@code 0xRRGGBB}
   */
  PixelRows(
      BufferedImage image, int x0, int y0, int width, int channels, int pageRgb, boolean invert) {
    this.image = image;
    this.raster = image.getRaster();
    this.x0 = x0;
    this.y0 = y0;
    this.width = width;
    this.channels = channels;
    this.invert = invert;
    this.pageR = (pageRgb >> 16) & 0xff;
    this.pageG = (pageRgb >> 8) & 0xff;
    this.pageB = pageRgb & 0xff;
    this.pageGray = (0.299 * pageR + 0.587 * pageG + 0.114 * pageB) / 255.0;
    ColorModel cm = image.getColorModel();
    int numBands = raster.getNumBands();
    int type = cm.getColorSpace().getType();
    boolean plain = cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied();
    if (cm instanceof IndexColorModel palette && numBands == 1) {
      kind = Kind.PALETTE;
      alpha = false;
      max = maxAlpha = 1;
      buildPalette(palette);
    } else if (plain && type == ColorSpace.TYPE_GRAY && numBands == (cm.hasAlpha() ? 2 : 1)) {
      kind = Kind.GRAY;
      alpha = cm.hasAlpha();
      max = maxOf(0);
      maxAlpha = alpha ? maxOf(1) : 1;
    } else if (plain && type == ColorSpace.TYPE_RGB && numBands == (cm.hasAlpha() ? 4 : 3)) {
      kind = Kind.RGB;
      alpha = cm.hasAlpha();
      max = maxOf(0);
      maxAlpha = alpha ? maxOf(3) : 1;
    } else if (plain && type == ColorSpace.TYPE_CMYK && numBands == 4 && !cm.hasAlpha()) {
      kind = Kind.CMYK;
      alpha = false;
      max = maxOf(0);
      maxAlpha = 1;
    } else {
      // Packed ints (TYPE_INT_RGB, ARGB), premultiplied or unusual models: ImageIO's own
      // conversion to non-premultiplied 8-bit sRGB.
      kind = Kind.OTHER;
      alpha = true;
      max = 255;
      maxAlpha = 255;
    }
    if (kind == Kind.GRAY || kind == Kind.RGB || kind == Kind.CMYK) {
      for (int b = 1; b < numBands; b++) {
        if (raster.getSampleModel().getSampleSize(b) != raster.getSampleModel().getSampleSize(0)) {
          throw new IllegalArgumentException(
              "bands of different bit depths are not supported: " + image);
        }
      }
      bands = new int[numBands][width];
    } else if (kind == Kind.OTHER) {
      argb = new int[width];
    } else {
      bands = new int[1][width];
    }
  }

  private double maxOf(int band) {
    int bits = raster.getSampleModel().getSampleSize(band);
    return (double) ((1L << bits) - 1);
  }

  private void buildPalette(IndexColorModel palette) {
    int bits = raster.getSampleModel().getSampleSize(0);
    int size = 1 << Math.min(bits, 16);
    lut = new float[size * channels];
    for (int i = 0; i < size; i++) {
      // Indices past the palette (a damaged file) read as its first entry.
      int rgb = palette.getRGB(i < palette.getMapSize() ? i : 0);
      composite8(rgb, lut, i * channels);
    }
  }

  /** One non-premultiplied 8-bit ARGB pixel, composited, into {@code out} from {@code o}. */
  private void composite8(int argb, float[] out, int o) {
    double a = ((argb >>> 24) & 0xff) / 255.0;
    double r = ((argb >> 16) & 0xff) * a + pageR * (1 - a);
    double g = ((argb >> 8) & 0xff) * a + pageG * (1 - a);
    double b = (argb & 0xff) * a + pageB * (1 - a);
    if (channels == 1) {
      out[o] = (float) ((0.299 * r + 0.587 * g + 0.114 * b) / 255.0);
    } else {
      out[o] = (float) (r / 255.0);
      out[o + 1] = (float) (g / 255.0);
      out[o + 2] = (float) (b / 255.0);
    }
  }

  /** Writes row {@code y} of the rectangle, {@code width * channels} floats, into {@code out}. */
  void row(int y, float[] out) {
    int sy = y0 + y;
    switch (kind) {
      case PALETTE -> {
        int[] idx = raster.getSamples(x0, sy, width, 1, 0, bands[0]);
        if (channels == 1) {
          for (int x = 0; x < width; x++) {
            out[x] = lut[idx[x]];
          }
        } else {
          for (int x = 0; x < width; x++) {
            int i = 3 * idx[x];
            out[3 * x] = lut[i];
            out[3 * x + 1] = lut[i + 1];
            out[3 * x + 2] = lut[i + 2];
          }
        }
      }
      case GRAY -> grayRow(sy, out);
      case RGB -> rgbRow(sy, out);
      case CMYK -> cmykRow(sy, out);
      case OTHER -> {
        image.getRGB(x0, sy, width, 1, argb, 0, width);
        for (int x = 0; x < width; x++) {
          composite8(argb[x], out, x * channels);
        }
      }
    }
    if (invert) {
      for (int i = 0; i < width * channels; i++) {
        out[i] = 1f - out[i];
      }
    }
  }

  private void grayRow(int sy, float[] out) {
    int[] g = raster.getSamples(x0, sy, width, 1, 0, bands[0]);
    if (!alpha) {
      // As Images.grayscale: a float division, so that the values match it exactly.
      float maxF = (float) max;
      for (int x = 0; x < width; x++) {
        float v = g[x] / maxF;
        for (int c = 0; c < channels; c++) {
          out[x * channels + c] = v;
        }
      }
      return;
    }
    int[] a = raster.getSamples(x0, sy, width, 1, 1, bands[1]);
    for (int x = 0; x < width; x++) {
      double al = a[x] / maxAlpha;
      if (channels == 1) {
        out[x] = (float) (g[x] / max * al + pageGray * (1 - al));
      } else {
        double v = g[x] / max * al;
        out[3 * x] = (float) (v + pageR / 255.0 * (1 - al));
        out[3 * x + 1] = (float) (v + pageG / 255.0 * (1 - al));
        out[3 * x + 2] = (float) (v + pageB / 255.0 * (1 - al));
      }
    }
  }

  private void rgbRow(int sy, float[] out) {
    int[] r = raster.getSamples(x0, sy, width, 1, 0, bands[0]);
    int[] g = raster.getSamples(x0, sy, width, 1, 1, bands[1]);
    int[] b = raster.getSamples(x0, sy, width, 1, 2, bands[2]);
    int[] a = alpha ? raster.getSamples(x0, sy, width, 1, 3, bands[3]) : null;
    // The page in sample units, so that an opaque pixel's arithmetic is exactly Images.luma's.
    double scale = max / 255.0;
    for (int x = 0; x < width; x++) {
      double rv = r[x];
      double gv = g[x];
      double bv = b[x];
      if (a != null) {
        double al = a[x] / maxAlpha;
        rv = rv * al + pageR * scale * (1 - al);
        gv = gv * al + pageG * scale * (1 - al);
        bv = bv * al + pageB * scale * (1 - al);
      }
      if (channels == 1) {
        out[x] = (float) ((0.299 * rv + 0.587 * gv + 0.114 * bv) / max);
      } else {
        out[3 * x] = (float) (rv / max);
        out[3 * x + 1] = (float) (gv / max);
        out[3 * x + 2] = (float) (bv / max);
      }
    }
  }

  private void cmykRow(int sy, float[] out) {
    int[] c = raster.getSamples(x0, sy, width, 1, 0, bands[0]);
    int[] m = raster.getSamples(x0, sy, width, 1, 1, bands[1]);
    int[] ye = raster.getSamples(x0, sy, width, 1, 2, bands[2]);
    int[] k = raster.getSamples(x0, sy, width, 1, 3, bands[3]);
    for (int x = 0; x < width; x++) {
      double white = 1 - k[x] / max;
      double rv = (1 - c[x] / max) * white;
      double gv = (1 - m[x] / max) * white;
      double bv = (1 - ye[x] / max) * white;
      if (channels == 1) {
        out[x] = (float) (0.299 * rv + 0.587 * gv + 0.114 * bv);
      } else {
        out[3 * x] = (float) rv;
        out[3 * x + 1] = (float) gv;
        out[3 * x + 2] = (float) bv;
      }
    }
  }
}
