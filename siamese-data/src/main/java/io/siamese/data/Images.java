package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Small image utilities on row-major grayscale {@code float} images (pixel {@code (y, x)} at {@code
 * offset + y * width + x}): area-averaging resize, inversion, normalisation, and conversion of a
 * decoded {@link BufferedImage} to grayscale floats in {@code [0, 1]}.
 *
 * <p>Stateless and thread-safe. Methods that take a destination write only the floats they
 * document; the caller owns every array.
 */
public final class Images {
  private Images() {}

  /**
   * Resizes by area averaging: destination pixel {@code (y, x)} covers the source rectangle {@code
   * [y * srcHeight / dstHeight, (y + 1) * srcHeight / dstHeight)} (and likewise across), and takes
   * the mean of the source over that rectangle, fractional pixels weighted by the share they cover.
   * Shrinking thus averages whole blocks (no aliasing); enlarging repeats pixels (a box filter);
   * equal sizes copy exactly. The sum of all pixels scaled by the area ratio is preserved.
   *
   * @param src source image, {@code srcHeight * srcWidth} floats from {@code srcOffset}
   * @param dst destination, {@code dstHeight * dstWidth} floats written from {@code dstOffset};
   *     must not overlap the source
   * @throws IllegalArgumentException if a size is {@code <= 0} or an array is too short
   */
  public static void resizeArea(
      float[] src,
      int srcOffset,
      int srcHeight,
      int srcWidth,
      float[] dst,
      int dstOffset,
      int dstHeight,
      int dstWidth) {
    checkImage(src, srcOffset, srcHeight, srcWidth, "src");
    checkImage(dst, dstOffset, dstHeight, dstWidth, "dst");
    if (srcHeight == dstHeight && srcWidth == dstWidth) {
      System.arraycopy(src, srcOffset, dst, dstOffset, srcHeight * srcWidth);
      return;
    }
    AxisWeights rows = AxisWeights.of(srcHeight, dstHeight);
    AxisWeights cols = AxisWeights.of(srcWidth, dstWidth);
    // Separable: first average across each source row into dstWidth columns, then down.
    float[] across = new float[srcHeight * dstWidth];
    for (int y = 0; y < srcHeight; y++) {
      cols.apply(src, srcOffset + y * srcWidth, 1, across, y * dstWidth, 1);
    }
    for (int x = 0; x < dstWidth; x++) {
      rows.apply(across, x, dstWidth, dst, dstOffset + x, dstWidth);
    }
  }

  /**
   * As {@link #resizeArea(float[], int, int, int, float[], int, int, int)}, into a new array of
   * {@code dstHeight * dstWidth} floats owned by the caller.
   */
  public static float[] resizeArea(
      float[] src, int srcHeight, int srcWidth, int dstHeight, int dstWidth) {
    checkArgument(
        dstHeight > 0 && dstWidth > 0, "dst size must be > 0, got %sx%s", dstHeight, dstWidth);
    float[] dst = new float[dstHeight * dstWidth];
    resizeArea(src, 0, srcHeight, srcWidth, dst, 0, dstHeight, dstWidth);
    return dst;
  }

  /**
   * Replaces each of {@code length} floats from {@code offset} by {@code 1 - value}: turns dark ink
   * on a light page (as scans and Omniglot store it) into ink = 1 on background 0.
   */
  public static void invert(float[] values, int offset, int length) {
    checkRange(values, offset, length);
    for (int i = offset; i < offset + length; i++) {
      values[i] = 1f - values[i];
    }
  }

  /**
   * Replaces each float {@code v} of {@code values} by {@code (v - mean) / std}, in place.
   *
   * @param std {@code > 0} and finite
   * @throws IllegalArgumentException if {@code mean} is not finite or {@code std} is not positive
   *     and finite
   */
  public static void normalize(float[] values, double mean, double std) {
    checkNotNull(values, "values");
    checkArgument(Double.isFinite(mean), "mean must be finite, got %s", mean);
    checkArgument(std > 0 && Double.isFinite(std), "std must be > 0 and finite, got %s", std);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((values[i] - mean) / std);
    }
  }

  /**
   * Mean and (population) standard deviation of {@code values}, summed in double precision: the
   * arguments {@link #normalize} wants.
   *
   * @return {@code {mean, std}}
   * @throws IllegalArgumentException if {@code values} is empty
   */
  public static double[] meanAndStd(float[] values) {
    checkNotNull(values, "values");
    checkArgument(values.length > 0, "values must not be empty");
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    double mean = sum / values.length;
    double squares = 0;
    for (float v : values) {
      double d = v - mean;
      squares += d * d;
    }
    return new double[] {mean, Math.sqrt(squares / values.length)};
  }

  /**
   * The image's brightness in {@code [0, 1]} (0 black, 1 white), {@code height * width} floats
   * row-major, in a new array owned by the caller. One-band images (gray or palette, any bit depth)
   * are read from their samples; colour images use luma {@code 0.299 R + 0.587 G + 0.114 B}. Alpha
   * is ignored.
   */
  public static float[] grayscale(BufferedImage image) {
    checkNotNull(image, "image");
    int w = image.getWidth();
    int h = image.getHeight();
    float[] out = new float[w * h];
    Raster raster = image.getRaster();
    if (raster.getNumBands() == 1 && image.getColorModel() instanceof IndexColorModel palette) {
      float[] lut = new float[palette.getMapSize()];
      for (int i = 0; i < lut.length; i++) {
        lut[i] = luma(palette.getRGB(i));
      }
      int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
      for (int i = 0; i < samples.length; i++) {
        out[i] = lut[samples[i]];
      }
    } else if (raster.getNumBands() == 1
        && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      int bits = raster.getSampleModel().getSampleSize(0);
      float max = (float) ((1L << bits) - 1);
      int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
      for (int i = 0; i < samples.length; i++) {
        out[i] = samples[i] / max;
      }
    } else {
      int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
      for (int i = 0; i < rgb.length; i++) {
        out[i] = luma(rgb[i]);
      }
    }
    return out;
  }

  private static float luma(int argb) {
    int r = (argb >> 16) & 0xff;
    int g = (argb >> 8) & 0xff;
    int b = argb & 0xff;
    return (float) ((0.299 * r + 0.587 * g + 0.114 * b) / 255.0);
  }

  private static void checkImage(float[] a, int offset, int height, int width, String name) {
    checkNotNull(a, name);
    checkArgument(height > 0 && width > 0, "%s size must be > 0, got %sx%s", name, height, width);
    long end = offset + (long) height * width;
    checkArgument(
        offset >= 0 && end <= a.length,
        "%s holds %s floats, too few for a %sx%s image from offset %s",
        name,
        a.length,
        height,
        width,
        offset);
  }

  private static void checkRange(float[] a, int offset, int length) {
    checkNotNull(a, "values");
    checkArgument(
        offset >= 0 && length >= 0 && offset + (long) length <= a.length,
        "range [%s, %s + %s) is outside an array of %s floats",
        offset,
        offset,
        length,
        a.length);
  }

  /**
   * The area-averaging weights along one axis: destination cell {@code d} takes {@code weight[k]}
   * of source cell {@code source[k]} for {@code k} in {@code [start[d], start[d + 1])}; each cell's
   * weights sum to 1.
   */
  static final class AxisWeights {
    final int[] start;
    final int[] source;
    final float[] weight;

    private AxisWeights(int[] start, int[] source, float[] weight) {
      this.start = start;
      this.source = source;
      this.weight = weight;
    }

    static AxisWeights of(int srcLength, int dstLength) {
      int[] start = new int[dstLength + 1];
      // Each destination cell touches at most ceil(src/dst) + 1 source cells.
      int capacity = dstLength * (srcLength / dstLength + 2);
      int[] source = new int[capacity];
      float[] weight = new float[capacity];
      int k = 0;
      for (int d = 0; d < dstLength; d++) {
        start[d] = k;
        // Cell d covers [d * src / dst, (d + 1) * src / dst) in source units; scaled by dst, the
        // ends are integers and the arithmetic is exact.
        long lo = (long) d * srcLength;
        long hi = (long) (d + 1) * srcLength;
        for (int s = (int) (lo / dstLength); s < srcLength && (long) s * dstLength < hi; s++) {
          long overlap =
              Math.min(hi, (long) (s + 1) * dstLength) - Math.max(lo, (long) s * dstLength);
          if (overlap > 0) {
            source[k] = s;
            weight[k] = (float) ((double) overlap / srcLength);
            k++;
          }
        }
      }
      start[dstLength] = k;
      return new AxisWeights(start, source, weight);
    }

    /**
     * Bilinear weights with half-pixel centres (as TensorFlow's {@code resize_bilinear} with {@code
     * half_pixel_centers}, without antialiasing): destination cell {@code d} samples the source at
     * {@code (d + 0.5) * srcLength / dstLength - 0.5}, clamped to {@code [0, srcLength - 1]}, and
     * mixes the two neighbouring cells linearly.
     */
    static AxisWeights bilinear(int srcLength, int dstLength) {
      int[] start = new int[dstLength + 1];
      int[] source = new int[2 * dstLength];
      float[] weight = new float[2 * dstLength];
      int k = 0;
      for (int d = 0; d < dstLength; d++) {
        start[d] = k;
        double s = (d + 0.5) * srcLength / dstLength - 0.5;
        s = Math.min(Math.max(s, 0), srcLength - 1);
        int i0 = (int) Math.floor(s);
        double t = s - i0;
        source[k] = i0;
        weight[k] = (float) (1 - t);
        k++;
        if (t > 0 && i0 + 1 < srcLength) {
          source[k] = i0 + 1;
          weight[k] = (float) t;
          k++;
        }
      }
      start[dstLength] = k;
      return new AxisWeights(start, source, weight);
    }

    /** Resamples one line of {@code src} (stride {@code srcStride}) into {@code dst}. */
    void apply(
        float[] src, int srcOffset, int srcStride, float[] dst, int dstOffset, int dstStride) {
      for (int d = 0; d + 1 < start.length; d++) {
        double sum = 0;
        for (int k = start[d]; k < start[d + 1]; k++) {
          sum += weight[k] * src[srcOffset + source[k] * srcStride];
        }
        dst[dstOffset + d * dstStride] = (float) sum;
      }
    }
  }
}
