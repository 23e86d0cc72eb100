package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.SplittableRandom;

/**
 * Random affine distortions of image batches, applied on the fly after gathering, as in Koch, Zemel
 * and Salakhutdinov 2015 ("Siamese Neural Networks for One-shot Image Recognition"): a rotation by
 * {@code theta}, a shear {@code (rho_x, rho_y)}, a scale {@code (s_x, s_y)} and a translation
 * {@code (t_x, t_y)}, each drawn uniformly from its range and each included with probability {@link
 * Builder#componentProbability(double) p} (0.5 in the paper), independently per image.
 *
 * <p>The forward map about the image centre {@code c} is {@code p' = c + R(theta) H S (p - c) + t},
 * with {@code H = [[1, rho_x], [rho_y, 1]]} and {@code S = diag(s_x, s_y)}; {@code x} runs right
 * and {@code y} down, in pixels. Each output pixel centre is mapped back through the inverse, and
 * the input is sampled bilinearly there, with 0 outside the image (background, as ink is 1). All
 * channels of an image get the same transform. The inverse is computed once per image and the pixel
 * loop steps it incrementally.
 *
 * <p>Every image consumes the same number of draws from the generator whatever is switched off, so
 * turning one distortion off leaves the others' values unchanged, and the same generator state
 * gives the same output on every machine.
 *
 * <p>Immutable and thread-safe (the generator passed in is not, and belongs to the caller).
 */
public final class Augmenter {
  /** The distortions, each of which can be switched off. */
  public enum Distortion {
    /** Rotation about the centre by up to {@code +-maxRotationDegrees}. */
    ROTATION,
    /** Shear by {@code rho_x, rho_y} in {@code [-maxShear, maxShear]}. */
    SHEAR,
    /** Scale by {@code s_x, s_y} in {@code [minScale, maxScale]}. */
    SCALE,
    /** Translation by {@code t_x, t_y} in {@code [-maxTranslation, maxTranslation]} pixels. */
    TRANSLATION
  }

  /** Largest shear accepted: at 1 the shear matrix may become singular. */
  static final double MAX_SHEAR = 0.9;

  private static final Augmenter KOCH = new Builder().build();

  private final double maxRotationDegrees;
  private final double maxShear;
  private final double minScale;
  private final double maxScale;
  private final double maxTranslation;
  private final double probability;

  private Augmenter(Builder b) {
    this.maxRotationDegrees = b.maxRotationDegrees;
    this.maxShear = b.maxShear;
    this.minScale = b.minScale;
    this.maxScale = b.maxScale;
    this.maxTranslation = b.maxTranslation;
    this.probability = b.probability;
  }

  /**
   * The settings of Koch et al. 2015: rotation up to 10 degrees, shear up to 0.3, scale 0.8 to 1.2,
   * translation up to 2 pixels, each included with probability 0.5.
   */
  public static Augmenter koch2015() {
    return KOCH;
  }

  /** A builder starting from {@link #koch2015()}'s settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Largest rotation, in degrees; 0 when off. */
  public double maxRotationDegrees() {
    return maxRotationDegrees;
  }

  /** Largest shear magnitude; 0 when off. */
  public double maxShear() {
    return maxShear;
  }

  /** Smallest scale factor; 1 with {@link #maxScale()} when off. */
  public double minScale() {
    return minScale;
  }

  /** Largest scale factor. */
  public double maxScale() {
    return maxScale;
  }

  /** Largest translation, in pixels; 0 when off. */
  public double maxTranslation() {
    return maxTranslation;
  }

  /** Probability that each distortion is included in an image's transform. */
  public double componentProbability() {
    return probability;
  }

  /**
   * Distorts the first {@code count} images of {@code batch} in place.
   *
   * @param batch at least {@code count * shape.size()} floats, images back to back, channels last
   * @param count images to distort, {@code >= 0}
   * @param shape an image shape
   * @param rng the generator, advanced by a fixed number of draws per image
   * @throws IllegalArgumentException if {@code shape} is not an image or {@code batch} is short
   */
  public void apply(float[] batch, int count, ExampleShape shape, SplittableRandom rng) {
    checkBatch(batch, count, shape, "batch");
    checkNotNull(rng, "rng");
    float[] scratch = new float[shape.size()];
    for (int i = 0; i < count; i++) {
      int offset = i * scratch.length;
      System.arraycopy(batch, offset, scratch, 0, scratch.length);
      distort(scratch, 0, batch, offset, shape, rng);
    }
  }

  /**
   * Writes distorted copies of the first {@code count} images of {@code source} into {@code
   * destination}; the source is not changed. The two arrays must be different.
   *
   * @throws IllegalArgumentException if the arrays are the same, {@code shape} is not an image, or
   *     an array is short
   */
  public void apply(
      float[] source, float[] destination, int count, ExampleShape shape, SplittableRandom rng) {
    checkBatch(source, count, shape, "source");
    checkBatch(destination, count, shape, "destination");
    checkArgument(source != destination, "source and destination must differ; use apply in place");
    checkNotNull(rng, "rng");
    int size = shape.size();
    for (int i = 0; i < count; i++) {
      distort(source, i * size, destination, i * size, shape, rng);
    }
  }

  private static void checkBatch(float[] a, int count, ExampleShape shape, String name) {
    checkNotNull(a, name);
    checkNotNull(shape, "shape");
    checkArgument(shape.isImage(), "augmentation needs an image shape, got %s", shape);
    checkArgument(count >= 0, "count must be >= 0, got %s", count);
    long needed = (long) count * shape.size();
    checkArgument(
        a.length >= needed,
        "%s holds %s floats, but %s images of %s need %s",
        name,
        a.length,
        count,
        shape,
        needed);
  }

  /** Draws one image's transform and warps it; always 11 draws. */
  private void distort(
      float[] src,
      int srcOffset,
      float[] dst,
      int dstOffset,
      ExampleShape shape,
      SplittableRandom rng) {
    boolean rotate = rng.nextDouble() < probability && maxRotationDegrees > 0;
    double theta = Math.toRadians(uniform(rng, -maxRotationDegrees, maxRotationDegrees));
    boolean shear = rng.nextDouble() < probability && maxShear > 0;
    double rhoX = uniform(rng, -maxShear, maxShear);
    double rhoY = uniform(rng, -maxShear, maxShear);
    boolean scale = rng.nextDouble() < probability && (minScale != 1 || maxScale != 1);
    double sx = uniform(rng, minScale, maxScale);
    double sy = uniform(rng, minScale, maxScale);
    boolean translate = rng.nextDouble() < probability && maxTranslation > 0;
    double tx = uniform(rng, -maxTranslation, maxTranslation);
    double ty = uniform(rng, -maxTranslation, maxTranslation);
    if (!(rotate || shear || scale || translate)) {
      System.arraycopy(src, srcOffset, dst, dstOffset, shape.size());
      return;
    }
    // A = R(theta) H S, built up right to left.
    double a00 = scale ? sx : 1;
    double a11 = scale ? sy : 1;
    double a01 = 0;
    double a10 = 0;
    if (shear) {
      // H S = [[sx, rhoX sy], [rhoY sx, sy]]
      a01 = rhoX * a11;
      a10 = rhoY * a00;
    }
    if (rotate) {
      // StrictMath: the same bits on every machine.
      double cos = StrictMath.cos(theta);
      double sin = StrictMath.sin(theta);
      double b00 = cos * a00 - sin * a10;
      double b01 = cos * a01 - sin * a11;
      double b10 = sin * a00 + cos * a10;
      double b11 = sin * a01 + cos * a11;
      a00 = b00;
      a01 = b01;
      a10 = b10;
      a11 = b11;
    }
    warp(
        src,
        srcOffset,
        dst,
        dstOffset,
        shape,
        a00,
        a01,
        a10,
        a11,
        translate ? tx : 0,
        translate ? ty : 0);
  }

  /**
   * Warps one image by the forward map {@code p' = c + A (p - c) + t}: each output pixel centre is
   * mapped through the inverse and the source sampled bilinearly, 0 outside.
   */
  static void warp(
      float[] src,
      int srcOffset,
      float[] dst,
      int dstOffset,
      ExampleShape shape,
      double a00,
      double a01,
      double a10,
      double a11,
      double tx,
      double ty) {
    int h = shape.height();
    int w = shape.width();
    int ch = shape.channels();
    double det = a00 * a11 - a01 * a10;
    if (!(Math.abs(det) > 1e-12)) {
      throw new IllegalArgumentException("the affine map is singular (determinant " + det + ")");
    }
    double i00 = a11 / det;
    double i01 = -a01 / det;
    double i10 = -a10 / det;
    double i11 = a00 / det;
    double cx = w / 2.0;
    double cy = h / 2.0;
    for (int y = 0; y < h; y++) {
      double dy = y + 0.5 - cy - ty;
      double dx0 = 0.5 - cx - tx;
      // Source position of output pixel (y, 0) in index units (pixel centres at integers).
      double u = cx - 0.5 + i00 * dx0 + i01 * dy;
      double v = cy - 0.5 + i10 * dx0 + i11 * dy;
      int out = dstOffset + y * w * ch;
      for (int x = 0; x < w; x++, u += i00, v += i10, out += ch) {
        if (!(u > -1 && v > -1 && u < w && v < h)) {
          // No source pixel within reach (also catches NaN): background.
          for (int k = 0; k < ch; k++) {
            dst[out + k] = 0f;
          }
          continue;
        }
        // u, v > -1, so truncating u + 1 floors it: cheaper than Math.floor where that is not
        // an intrinsic.
        int x0 = (int) (u + 1) - 1;
        int y0 = (int) (v + 1) - 1;
        double wx = u - x0;
        double wy = v - y0;
        if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
          int p = srcOffset + (y0 * w + x0) * ch;
          int below = w * ch;
          if (ch == 1) {
            double top = src[p] + wx * (src[p + 1] - src[p]);
            double bottom = src[p + below] + wx * (src[p + below + 1] - src[p + below]);
            dst[out] = (float) (top + wy * (bottom - top));
          } else {
            for (int k = 0; k < ch; k++) {
              double top = src[p + k] + wx * (src[p + ch + k] - src[p + k]);
              double bottom =
                  src[p + below + k] + wx * (src[p + below + ch + k] - src[p + below + k]);
              dst[out + k] = (float) (top + wy * (bottom - top));
            }
          }
        } else {
          for (int k = 0; k < ch; k++) {
            double v00 = pixel(src, srcOffset, w, h, ch, x0, y0, k);
            double v01 = pixel(src, srcOffset, w, h, ch, x0 + 1, y0, k);
            double v10 = pixel(src, srcOffset, w, h, ch, x0, y0 + 1, k);
            double v11 = pixel(src, srcOffset, w, h, ch, x0 + 1, y0 + 1, k);
            double top = (1 - wx) * v00 + wx * v01;
            double bottom = (1 - wx) * v10 + wx * v11;
            dst[out + k] = (float) ((1 - wy) * top + wy * bottom);
          }
        }
      }
    }
  }

  private static double pixel(float[] src, int offset, int w, int h, int ch, int x, int y, int k) {
    return x < 0 || y < 0 || x >= w || y >= h ? 0 : src[offset + (y * w + x) * ch + k];
  }

  private static double uniform(SplittableRandom rng, double min, double max) {
    return min + (max - min) * rng.nextDouble();
  }

  @Override
  public String toString() {
    return String.format(
        "Augmenter[rotation +-%s deg, shear +-%s, scale %s..%s, translation +-%s px, p %s]",
        maxRotationDegrees, maxShear, minScale, maxScale, maxTranslation, probability);
  }

  /** Collects {@link Augmenter} settings, starting from Koch et al.'s; {@link #build()} checks. */
  public static final class Builder {
    private double maxRotationDegrees = 10;
    private double maxShear = 0.3;
    private double minScale = 0.8;
    private double maxScale = 1.2;
    private double maxTranslation = 2;
    private double probability = 0.5;

    private Builder() {}

    /** Largest rotation in degrees, {@code [0, 180]}; 0 switches rotation off. Default 10. */
    public Builder rotation(double maxDegrees) {
      this.maxRotationDegrees = maxDegrees;
      return this;
    }

    /** Largest shear magnitude, {@code [0, 0.9]}; 0 switches shear off. Default 0.3. */
    public Builder shear(double max) {
      this.maxShear = max;
      return this;
    }

    /**
     * Scale range, {@code 0 < min <= max <= 4}; {@code (1, 1)} switches scaling off. Default 0.8 to
     * 1.2.
     */
    public Builder scale(double min, double max) {
      this.minScale = min;
      this.maxScale = max;
      return this;
    }

    /** Largest translation in pixels, {@code >= 0}; 0 switches it off. Default 2. */
    public Builder translation(double maxPixels) {
      this.maxTranslation = maxPixels;
      return this;
    }

    /** Switches the given distortions off. */
    public Builder disable(Distortion... distortions) {
      checkNotNull(distortions, "distortions");
      for (Distortion d : distortions) {
        switch (checkNotNull(d, "distortion")) {
          case ROTATION -> maxRotationDegrees = 0;
          case SHEAR -> maxShear = 0;
          case SCALE -> {
            minScale = 1;
            maxScale = 1;
          }
          case TRANSLATION -> maxTranslation = 0;
        }
      }
      return this;
    }

    /**
     * Probability that each distortion is part of an image's transform, {@code [0, 1]}; default 0.5
     * as in the paper, 1 to always apply every distortion that is on.
     */
    public Builder componentProbability(double p) {
      this.probability = p;
      return this;
    }

    /**
     * The augmenter.
     *
     * @throws IllegalArgumentException if a range is out of bounds (the message names the value)
     */
    public Augmenter build() {
      checkArgument(
          maxRotationDegrees >= 0 && maxRotationDegrees <= 180,
          "rotation must be in [0, 180] degrees, got %s",
          maxRotationDegrees);
      checkArgument(
          maxShear >= 0 && maxShear <= MAX_SHEAR,
          "shear must be in [0, %s], got %s",
          MAX_SHEAR,
          maxShear);
      checkArgument(
          minScale > 0 && minScale <= maxScale && maxScale <= 4,
          "scale needs 0 < min <= max <= 4, got min %s and max %s",
          minScale,
          maxScale);
      checkArgument(
          maxTranslation >= 0 && Double.isFinite(maxTranslation),
          "translation must be finite and >= 0 pixels, got %s",
          maxTranslation);
      checkArgument(
          probability >= 0 && probability <= 1,
          "componentProbability must be in [0, 1], got %s",
          probability);
      return new Augmenter(this);
    }
  }
}
