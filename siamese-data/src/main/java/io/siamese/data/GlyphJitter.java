package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Locale;

/**
 * How much each drawing of a {@link SyntheticGlyphs} class varies from the class's strokes: a
 * random affine transform about the image centre (rotation, per-axis scale, horizontal shear,
 * translation), a random pen width, and a small independent displacement ("wobble") of each control
 * point, which makes drawings differ in more than a global transform, as handwriting does.
 *
 * <p>Every quantity is drawn uniformly from its range, independently per drawing. Lengths are
 * relative to the image, so one setting gives the same-looking glyphs at any image size; the pen
 * width is the exception and is stated in pixels of a 28x28 image (scaled by {@code size / 28} at
 * other sizes, but never below one pixel), because that is how people think of pen widths.
 *
 * <p>Immutable value type. Start from {@link #defaults()}, {@link #none()}, {@link #builder()} or
 * {@link #toBuilder()}.
 */
public final class GlyphJitter {
  private static final GlyphJitter NONE = new GlyphJitter(0.0, 1.0, 1.0, 0.0, 0.0, 1.5, 1.5, 0.0);
  private static final GlyphJitter DEFAULTS =
      new GlyphJitter(10.0, 0.9, 1.1, 0.15, 0.08, 1.0, 2.0, 0.02);

  /** Largest rotation accepted: beyond a half turn the range would wrap onto itself. */
  static final double MAX_ROTATION_DEGREES = 180.0;

  /** Largest scale accepted: more would push most of a glyph out of the image. */
  static final double MAX_SCALE = 4.0;

  /** Largest shear accepted: a shear of 1 already tilts verticals by 45 degrees. */
  static final double MAX_SHEAR = 1.0;

  /** Largest translation accepted: half the image moves the centre onto the border. */
  static final double MAX_TRANSLATION = 0.5;

  /** Widest pen accepted, in pixels at 28x28: wider pens fill the image. */
  static final double MAX_STROKE_WIDTH = 10.0;

  /** Largest wobble accepted: more would make drawings of one class unrelated. */
  static final double MAX_WOBBLE = 0.2;

  private final double maxRotationDegrees;
  private final double minScale;
  private final double maxScale;
  private final double maxShear;
  private final double maxTranslation;
  private final double minStrokeWidth;
  private final double maxStrokeWidth;
  private final double maxWobble;

  private GlyphJitter(
      double maxRotationDegrees,
      double minScale,
      double maxScale,
      double maxShear,
      double maxTranslation,
      double minStrokeWidth,
      double maxStrokeWidth,
      double maxWobble) {
    this.maxRotationDegrees = maxRotationDegrees;
    this.minScale = minScale;
    this.maxScale = maxScale;
    this.maxShear = maxShear;
    this.maxTranslation = maxTranslation;
    this.minStrokeWidth = minStrokeWidth;
    this.maxStrokeWidth = maxStrokeWidth;
    this.maxWobble = maxWobble;
  }

  /**
   * No variation: every drawing of a class is the same image, drawn with a 1.5-pixel pen (at
   * 28x28). Useful to look at the class prototypes and in tests.
   */
  public static GlyphJitter none() {
    return NONE;
  }

  /**
   * Moderate, handwriting-like variation: rotation up to ±10 degrees, scale 0.9 to 1.1 per axis,
   * shear up to ±0.15, translation up to ±8% of the image side, pen width 1 to 2 pixels at 28x28,
   * and control points displaced by up to 2% of the image side.
   */
  public static GlyphJitter defaults() {
    return DEFAULTS;
  }

  /** A builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return DEFAULTS.toBuilder();
  }

  /** A builder that starts from this jitter's settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Largest rotation either way, in degrees; {@code [0, 180]}. */
  public double maxRotationDegrees() {
    return maxRotationDegrees;
  }

  /** Smallest scale factor, applied per axis; {@code > 0}. */
  public double minScale() {
    return minScale;
  }

  /** Largest scale factor, applied per axis; {@code >= minScale()}. */
  public double maxScale() {
    return maxScale;
  }

  /** Largest horizontal shear either way (x shifts by {@code shear * y}); {@code [0, 1]}. */
  public double maxShear() {
    return maxShear;
  }

  /**
   * Largest shift either way along each axis, as a fraction of the image side; {@code [0, 0.5]}.
   */
  public double maxTranslation() {
    return maxTranslation;
  }

  /** Narrowest pen, in pixels of a 28x28 image; {@code > 0}. */
  public double minStrokeWidth() {
    return minStrokeWidth;
  }

  /** Widest pen, in pixels of a 28x28 image; {@code >= minStrokeWidth()}. */
  public double maxStrokeWidth() {
    return maxStrokeWidth;
  }

  /**
   * Largest displacement of each stroke control point along each axis, as a fraction of the image
   * side; {@code [0, 0.2]}.
   */
  public double maxWobble() {
    return maxWobble;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GlyphJitter other
        && Double.compare(maxRotationDegrees, other.maxRotationDegrees) == 0
        && Double.compare(minScale, other.minScale) == 0
        && Double.compare(maxScale, other.maxScale) == 0
        && Double.compare(maxShear, other.maxShear) == 0
        && Double.compare(maxTranslation, other.maxTranslation) == 0
        && Double.compare(minStrokeWidth, other.minStrokeWidth) == 0
        && Double.compare(maxStrokeWidth, other.maxStrokeWidth) == 0
        && Double.compare(maxWobble, other.maxWobble) == 0;
  }

  @Override
  public int hashCode() {
    double[] fields = {
      maxRotationDegrees,
      minScale,
      maxScale,
      maxShear,
      maxTranslation,
      minStrokeWidth,
      maxStrokeWidth,
      maxWobble
    };
    return Arrays.hashCode(fields);
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "GlyphJitter[rotation +/-%s deg, scale %s..%s, shear +/-%s, translation +/-%s, "
            + "stroke width %s..%s px at 28 px, wobble +/-%s]",
        maxRotationDegrees,
        minScale,
        maxScale,
        maxShear,
        maxTranslation,
        minStrokeWidth,
        maxStrokeWidth,
        maxWobble);
  }

  /** Collects {@link GlyphJitter} settings; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private double maxRotationDegrees;
    private double minScale;
    private double maxScale;
    private double maxShear;
    private double maxTranslation;
    private double minStrokeWidth;
    private double maxStrokeWidth;
    private double maxWobble;

    private Builder(GlyphJitter from) {
      this.maxRotationDegrees = from.maxRotationDegrees;
      this.minScale = from.minScale;
      this.maxScale = from.maxScale;
      this.maxShear = from.maxShear;
      this.maxTranslation = from.maxTranslation;
      this.minStrokeWidth = from.minStrokeWidth;
      this.maxStrokeWidth = from.maxStrokeWidth;
      this.maxWobble = from.maxWobble;
    }

    /** Largest rotation either way, in degrees, {@code [0, 180]}. */
    public Builder rotation(double maxDegrees) {
      this.maxRotationDegrees = maxDegrees;
      return this;
    }

    /** Scale range per axis, {@code 0 < min <= max <= 4}; 1 keeps the class's size. */
    public Builder scale(double min, double max) {
      this.minScale = min;
      this.maxScale = max;
      return this;
    }

    /** Largest horizontal shear either way, {@code [0, 1]}. */
    public Builder shear(double max) {
      this.maxShear = max;
      return this;
    }

    /**
     * Largest shift either way along each axis, as a fraction of the image side, {@code [0, 0.5]}.
     */
    public Builder translation(double maxFraction) {
      this.maxTranslation = maxFraction;
      return this;
    }

    /**
     * Pen width range in pixels of a 28x28 image, {@code 0 < min <= max <= 10}; at other image
     * sizes the width scales with the image.
     */
    public Builder strokeWidth(double min, double max) {
      this.minStrokeWidth = min;
      this.maxStrokeWidth = max;
      return this;
    }

    /**
     * Largest displacement of each control point along each axis, as a fraction of the image side,
     * {@code [0, 0.2]}; 0 leaves the strokes' shape to the affine transform alone.
     */
    public Builder wobble(double maxFraction) {
      this.maxWobble = maxFraction;
      return this;
    }

    /**
     * The jitter.
     *
     * @throws IllegalArgumentException if a setting is NaN, infinite or outside its range (the
     *     message names the setting and its value)
     */
    public GlyphJitter build() {
      checkRange("rotation (max degrees)", maxRotationDegrees, 0, MAX_ROTATION_DEGREES);
      checkArgument(
          Double.isFinite(minScale) && minScale > 0,
          "minimum scale must be finite and > 0, got %s",
          minScale);
      checkArgument(
          Double.isFinite(maxScale) && maxScale >= minScale && maxScale <= MAX_SCALE,
          "maximum scale must be in [minimum scale %s, %s], got %s",
          minScale,
          MAX_SCALE,
          maxScale);
      checkRange("shear (max)", maxShear, 0, MAX_SHEAR);
      checkRange("translation (max fraction of the image)", maxTranslation, 0, MAX_TRANSLATION);
      checkArgument(
          Double.isFinite(minStrokeWidth) && minStrokeWidth > 0,
          "minimum stroke width must be finite and > 0 pixels, got %s",
          minStrokeWidth);
      checkArgument(
          Double.isFinite(maxStrokeWidth)
              && maxStrokeWidth >= minStrokeWidth
              && maxStrokeWidth <= MAX_STROKE_WIDTH,
          "maximum stroke width must be in [minimum stroke width %s, %s] pixels, got %s",
          minStrokeWidth,
          MAX_STROKE_WIDTH,
          maxStrokeWidth);
      checkRange("wobble (max fraction of the image)", maxWobble, 0, MAX_WOBBLE);
      return new GlyphJitter(
          maxRotationDegrees,
          minScale,
          maxScale,
          maxShear,
          maxTranslation,
          minStrokeWidth,
          maxStrokeWidth,
          maxWobble);
    }

    private static void checkRange(String name, double value, double min, double max) {
      // NaN fails both comparisons, so this rejects it too.
      checkArgument(
          value >= min && value <= max, "%s must be in [%s, %s], got %s", name, min, max, value);
    }
  }
}
