package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.math.LongMath;
import java.util.SplittableRandom;

/**
 * Seeded generator of synthetic handwritten-glyph classes: the project's embedded default data.
 *
 * <p>Each class is a random set of pen strokes (straight lines, quadratic and cubic Bezier curves,
 * some starting where an earlier stroke ends, as in real characters) with control points drawn in
 * the normalised square {@code [0.15, 0.85]^2}, then centred and scaled so that the glyph's longer
 * side spans that square, as character datasets normalise their scans. Each example of a class
 * draws those strokes after a random {@link GlyphJitter} (affine transform about the image centre,
 * pen width, per-point wobble), antialiased, as a {@code size x size x 1} grayscale image with ink
 * {@code 1} and background {@code 0}. Pen widths scale with the image but never drop below one
 * pixel.
 *
 * <p>Deterministic across machines: the same settings and seed give a bit-identical dataset on
 * every JVM. Class {@code c}'s strokes depend only on {@code (seed, c)} and the strokes-per-class
 * range, and its example {@code e} additionally only on {@code (e, jitter, imageSize)}; so asking
 * for more classes or more examples per class extends a dataset without changing what it had.
 *
 * <p>Immutable and thread-safe; {@link #generate()} allocates a fresh dataset each call.
 */
public final class SyntheticGlyphs {
  /** Default number of classes. */
  public static final int DEFAULT_CLASSES = 100;

  /** Default number of examples per class. */
  public static final int DEFAULT_EXAMPLES_PER_CLASS = 20;

  /** Default image side, in pixels. */
  public static final int DEFAULT_IMAGE_SIZE = 28;

  /** Pen widths in {@link GlyphJitter} are stated at this image side. */
  static final double REFERENCE_SIZE = 28.0;

  /** Narrowest pen drawn, in pixels of the actual image. */
  static final double MIN_PEN_PIXELS = 1.0;

  /** Largest number of strokes per class accepted: more turns glyphs into scribbles. */
  static final int MAX_STROKES = 12;

  /** Control points stay in this normalised box, leaving a margin for the jitter. */
  static final double BOX_MIN = 0.15;

  static final double BOX_MAX = 0.85;

  /** Stroke ends at least this far apart (normalised), so no stroke shrinks to a dot. */
  private static final double MIN_STROKE_SPAN = 0.25;

  private static final int SPAN_TRIES = 8;

  /** Points per stroke sampled to find a glyph's extent; the error is far below a pixel at 28. */
  private static final int FIT_SAMPLES = 32;

  /** Largest enlargement when fitting a glyph to the box. */
  private static final double MAX_FIT_SCALE = 4.0;

  /** Share of later strokes that start at an earlier stroke's end, joining the glyph up. */
  private static final double ATTACH_PROBABILITY = 0.4;

  /** Stream tags keep class and example streams apart even when the numbers coincide. */
  private static final long CLASS_STREAM = 0x436c617373L;

  private static final long EXAMPLE_STREAM = 0x4578616d70L;

  private final int classes;
  private final int examplesPerClass;
  private final int imageSize;
  private final long seed;
  private final int minStrokes;
  private final int maxStrokes;
  private final GlyphJitter jitter;

  private SyntheticGlyphs(Builder b) {
    this.classes = b.classes;
    this.examplesPerClass = b.examplesPerClass;
    this.imageSize = b.imageSize;
    this.seed = b.seed;
    this.minStrokes = b.minStrokes;
    this.maxStrokes = b.maxStrokes;
    this.jitter = b.jitter;
  }

  /**
   * A builder with the defaults: 100 classes, 20 examples per class, 28x28 images, seed 0, 2 to 4
   * strokes per class, {@link GlyphJitter#defaults()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Draws the dataset: {@code classes() * examplesPerClass()} examples of {@link #shape()}, class
   * by class (example {@code e} of class {@code c} at index {@code c * examplesPerClass() + e}),
   * labelled {@code 0 .. classes() - 1}, pixels in {@code [0, 1]}. The caller owns the result.
   */
  public LabeledDataset generate() {
    int pixels = imageSize * imageSize;
    float[] features = new float[classes * examplesPerClass * pixels];
    int[] labels = new int[classes * examplesPerClass];
    for (int c = 0; c < classes; c++) {
      double[][] strokes = classStrokes(c);
      for (int e = 0; e < examplesPerClass; e++) {
        int index = c * examplesPerClass + e;
        labels[index] = c;
        SplittableRandom rng = new SplittableRandom(streamSeed(seed, EXAMPLE_STREAM, c, e));
        drawJittered(strokes, rng, features, index * pixels);
      }
    }
    return LabeledDataset.of(features, labels, shape());
  }

  /**
   * Class {@code label}'s strokes drawn without jitter, with a pen as wide as the middle of the
   * jitter's width range: what every example of the class is a variation of.
   *
   * @param label a class, {@code [0, classes())}
   * @return a fresh {@code imageSize() * imageSize()} row-major grayscale image, owned by the
   *     caller
   */
  public float[] prototype(int label) {
    checkElementIndex(label, classes, "class label");
    float[] image = new float[imageSize * imageSize];
    double width = penPixels((jitter.minStrokeWidth() + jitter.maxStrokeWidth()) / 2);
    for (double[] stroke : classStrokes(label)) {
      double[] pixels = new double[stroke.length];
      for (int i = 0; i < stroke.length; i++) {
        pixels[i] = stroke[i] * imageSize;
      }
      GlyphRaster.drawStroke(pixels, width, image, 0, imageSize);
    }
    return image;
  }

  /** The shape of one example: {@code imageSize x imageSize x 1}. */
  public ExampleShape shape() {
    return ExampleShape.image(imageSize, imageSize, 1);
  }

  /** Number of classes, {@code >= 2}. */
  public int classes() {
    return classes;
  }

  /** Examples drawn per class, {@code >= 2}. */
  public int examplesPerClass() {
    return examplesPerClass;
  }

  /** Image side, in pixels, {@code >= 8}. */
  public int imageSize() {
    return imageSize;
  }

  /** The seed every class and example is derived from. */
  public long seed() {
    return seed;
  }

  /** Fewest strokes a class has, {@code >= 1}. */
  public int minStrokesPerClass() {
    return minStrokes;
  }

  /** Most strokes a class has, {@code >= minStrokesPerClass()}. */
  public int maxStrokesPerClass() {
    return maxStrokes;
  }

  /** How examples vary from their class's strokes. */
  public GlyphJitter jitter() {
    return jitter;
  }

  @Override
  public String toString() {
    return "SyntheticGlyphs["
        + classes
        + " classes x "
        + examplesPerClass
        + " examples, "
        + imageSize
        + "x"
        + imageSize
        + ", "
        + minStrokes
        + ".."
        + maxStrokes
        + " strokes, seed "
        + seed
        + ", "
        + jitter
        + "]";
  }

  /**
   * Class {@code c}'s strokes, each {@code x0, y0, x1, y1, ...} for 2 to 4 control points in
   * normalised coordinates.
   */
  double[][] classStrokes(int c) {
    SplittableRandom rng = new SplittableRandom(streamSeed(seed, CLASS_STREAM, c));
    int count = minStrokes + rng.nextInt(maxStrokes - minStrokes + 1);
    double[][] strokes = new double[count][];
    for (int s = 0; s < count; s++) {
      // Mostly curves, as in handwriting: a quarter lines, the rest quadratic or cubic.
      double kind = rng.nextDouble();
      int points = kind < 0.25 ? 2 : (kind < 0.65 ? 3 : 4);
      double[] stroke = new double[2 * points];
      if (s > 0 && rng.nextDouble() < ATTACH_PROBABILITY) {
        double[] earlier = strokes[rng.nextInt(s)];
        int end = rng.nextBoolean() ? 0 : earlier.length - 2;
        stroke[0] = earlier[end];
        stroke[1] = earlier[end + 1];
      } else {
        stroke[0] = uniform(rng, BOX_MIN, BOX_MAX);
        stroke[1] = uniform(rng, BOX_MIN, BOX_MAX);
      }
      // Redraw the free points until the ends are apart; the last try stands, so this terminates.
      for (int attempt = 0; attempt < SPAN_TRIES; attempt++) {
        for (int i = 2; i < stroke.length; i++) {
          stroke[i] = uniform(rng, BOX_MIN, BOX_MAX);
        }
        double dx = stroke[stroke.length - 2] - stroke[0];
        double dy = stroke[stroke.length - 1] - stroke[1];
        if (dx * dx + dy * dy >= MIN_STROKE_SPAN * MIN_STROKE_SPAN) {
          break;
        }
      }
      strokes[s] = stroke;
    }
    fitToBox(strokes);
    return strokes;
  }

  /**
   * Centres the glyph and scales it uniformly until its longer side spans the box, as character
   * datasets normalise their scans: classes then differ in shape rather than in size or position.
   */
  private static void fitToBox(double[][] strokes) {
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (double[] stroke : strokes) {
      int points = stroke.length / 2;
      // Sampled along the curve: the control points of a curve can lie far outside it.
      for (int i = 0; i <= FIT_SAMPLES; i++) {
        double t = i / (double) FIT_SAMPLES;
        double x = GlyphRaster.bezier(stroke, 0, points, t);
        double y = GlyphRaster.bezier(stroke, 1, points, t);
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
    double side = Math.max(maxX - minX, maxY - minY);
    // Capped so that a glyph whose every span redraw failed is not blown up into a blob.
    double scale = Math.min(MAX_FIT_SCALE, (BOX_MAX - BOX_MIN) / side);
    double centreX = (minX + maxX) / 2;
    double centreY = (minY + maxY) / 2;
    for (double[] stroke : strokes) {
      for (int i = 0; i < stroke.length; i += 2) {
        stroke[i] = 0.5 + (stroke[i] - centreX) * scale;
        stroke[i + 1] = 0.5 + (stroke[i + 1] - centreY) * scale;
      }
    }
  }

  /** Draws one jittered example of {@code strokes} into {@code image} from {@code offset}. */
  private void drawJittered(double[][] strokes, SplittableRandom rng, float[] image, int offset) {
    double maxAngle = Math.toRadians(jitter.maxRotationDegrees());
    double angle = uniform(rng, -maxAngle, maxAngle);
    double scaleX = uniform(rng, jitter.minScale(), jitter.maxScale());
    double scaleY = uniform(rng, jitter.minScale(), jitter.maxScale());
    double shear = uniform(rng, -jitter.maxShear(), jitter.maxShear());
    double shiftX = uniform(rng, -jitter.maxTranslation(), jitter.maxTranslation());
    double shiftY = uniform(rng, -jitter.maxTranslation(), jitter.maxTranslation());
    double width = penPixels(uniform(rng, jitter.minStrokeWidth(), jitter.maxStrokeWidth()));
    // StrictMath, not Math: Math.sin may use platform intrinsics that differ in the last bit.
    double cos = StrictMath.cos(angle);
    double sin = StrictMath.sin(angle);
    double wobble = jitter.maxWobble();
    for (double[] stroke : strokes) {
      double[] pixels = new double[stroke.length];
      for (int i = 0; i < stroke.length; i += 2) {
        double x = (stroke[i] + wobble * uniform(rng, -1, 1) - 0.5) * scaleX;
        double y = (stroke[i + 1] + wobble * uniform(rng, -1, 1) - 0.5) * scaleY;
        x += shear * y;
        pixels[i] = (cos * x - sin * y + 0.5 + shiftX) * imageSize;
        pixels[i + 1] = (sin * x + cos * y + 0.5 + shiftY) * imageSize;
      }
      GlyphRaster.drawStroke(pixels, width, image, offset, imageSize);
    }
  }

  /**
   * Pen width in this image's pixels for a width stated at 28x28, at least one pixel: a thinner pen
   * never covers a pixel fully, so small images would have faint strokes and no full ink.
   */
  private double penPixels(double widthAt28) {
    return Math.max(MIN_PEN_PIXELS, widthAt28 * imageSize / REFERENCE_SIZE);
  }

  /**
   * Uniform in {@code [min, max)}, or exactly {@code min} when the range is empty, written out so
   * that the arithmetic cannot change with the JDK's RandomGenerator defaults.
   */
  private static double uniform(SplittableRandom rng, double min, double max) {
    return min + (max - min) * rng.nextDouble();
  }

  /** A well-mixed 64-bit seed for the stream named by {@code seed} and {@code keys}. */
  static long streamSeed(long seed, long... keys) {
    long h = mix64(seed + 0x9E3779B97F4A7C15L);
    for (long key : keys) {
      h = mix64(h ^ mix64(key + 0x9E3779B97F4A7C15L));
    }
    return h;
  }

  /** SplitMix64's finaliser (Stafford variant 13): every input bit affects every output bit. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Collects {@link SyntheticGlyphs} settings; {@link #build()} validates them. Not thread-safe.
   */
  public static final class Builder {
    private int classes = DEFAULT_CLASSES;
    private int examplesPerClass = DEFAULT_EXAMPLES_PER_CLASS;
    private int imageSize = DEFAULT_IMAGE_SIZE;
    private long seed = 0;
    private int minStrokes = 2;
    private int maxStrokes = 4;
    private GlyphJitter jitter = GlyphJitter.defaults();

    private Builder() {}

    /** Number of classes, {@code >= 2}; default 100. Labels run {@code 0 .. classes - 1}. */
    public Builder classes(int classes) {
      this.classes = classes;
      return this;
    }

    /**
     * Examples drawn per class, {@code >= 2} so every class can form a positive pair; default 20.
     */
    public Builder examplesPerClass(int examplesPerClass) {
      this.examplesPerClass = examplesPerClass;
      return this;
    }

    /** Image side in pixels, {@code >= 8}; default 28. Images are square and grayscale. */
    public Builder imageSize(int imageSize) {
      this.imageSize = imageSize;
      return this;
    }

    /** The seed every class and example derives from; default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Range of strokes per class, drawn uniformly per class; {@code 1 <= min <= max <= 12}; default
     * 2 to 4.
     */
    public Builder strokesPerClass(int min, int max) {
      this.minStrokes = min;
      this.maxStrokes = max;
      return this;
    }

    /** How examples vary from their class; default {@link GlyphJitter#defaults()}. */
    public Builder jitter(GlyphJitter jitter) {
      this.jitter = checkNotNull(jitter, "jitter");
      return this;
    }

    /**
     * The generator; nothing is drawn until {@link SyntheticGlyphs#generate()}.
     *
     * @throws IllegalArgumentException if a setting is out of range, or the dataset would hold more
     *     than {@code 2^31 - 1} floats (the message names the value)
     */
    public SyntheticGlyphs build() {
      checkArgument(classes >= 2, "classes must be >= 2, got %s", classes);
      checkArgument(
          examplesPerClass >= 2, "examplesPerClass must be >= 2, got %s", examplesPerClass);
      checkArgument(imageSize >= 8, "imageSize must be >= 8 pixels, got %s", imageSize);
      checkArgument(
          minStrokes >= 1 && minStrokes <= maxStrokes && maxStrokes <= MAX_STROKES,
          "strokesPerClass needs 1 <= min <= max <= %s, got min %s and max %s",
          MAX_STROKES,
          minStrokes,
          maxStrokes);
      long floats =
          LongMath.saturatedMultiply(
              LongMath.saturatedMultiply(classes, examplesPerClass),
              LongMath.saturatedMultiply(imageSize, imageSize));
      checkArgument(
          floats <= Integer.MAX_VALUE - 8,
          "%s classes x %s examples x %sx%s pixels = %s floats exceed one Java array",
          classes,
          examplesPerClass,
          imageSize,
          imageSize,
          floats);
      return new SyntheticGlyphs(this);
    }
  }
}
