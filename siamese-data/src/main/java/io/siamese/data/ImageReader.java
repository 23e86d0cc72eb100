package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Turns an image (a file, encoded bytes or a decoded {@link BufferedImage}) into the {@code float[]}
 * a model with a given {@link ExampleShape} expects: {@code height * width * channels} floats,
 * row-major, channels last (value {@code (y, x, c)} at {@code (y * width + x) * channels + c}). One
 * reader serves training ({@link ImageFolderLoader}), batch embedding and an application's own
 * code, so that all three preprocess identically; {@link #describe()} stores the settings as one
 * line and {@link #parse} rebuilds the identical reader.
 *
 * <p><b>Steps</b>, in this order:
 *
 * <ol>
 *   <li><b>Decode</b> (PNG, JPEG, BMP, GIF; the first frame of an animated GIF) with {@code
 *       javax.imageio}. The declared size is read from the header first and refused above {@link
 *       Builder#maxPixels} (default {@value #DEFAULT_MAX_PIXELS} pixels, about 40 megapixels; a
 *       file above {@link Builder#maxFileBytes} (default 256 MiB) is not read at all). Decoding
 *       holds the whole image: up to 8 bytes a pixel for 16-bit RGBA, so 320 MB at the default cap.
 *       A truncated or corrupt file is an error: decoder warnings (a truncated JPEG), a PNG chunk
 *       failing its CRC or a PNG without its IEND chunk, a GIF without its trailer.
 *   <li><b>Colour</b>: 1 channel is brightness in {@code [0, 1]} (0 black), from gray samples as
 *       stored or as luma {@code 0.299 R + 0.587 G + 0.114 B}; 3 channels are R, G, B in {@code [0,
 *       1]}. 8- and 16-bit samples keep their precision; no ICC colour management (CMYK JPEGs, as
 *       ImageIO reads them, convert naively: {@code R = (1 - C)(1 - K)}). For opaque images this
 *       reproduces {@link Images#grayscale} exactly.
 *   <li><b>Alpha</b> is composited onto the {@linkplain Builder#pageColor page colour} (default
 *       white, {@code 0xFFFFFF}): each channel becomes {@code v * a + page * (1 - a)}. A glyph drawn
 *       on a transparent background thus reads as drawn on white paper.
 *   <li><b>Invert</b> when {@link Builder#invert(boolean)} is set: {@code v -> 1 - v}, so dark ink
 *       on a light page becomes ink = 1 on background 0 (as Omniglot models expect). Off by default.
 *   <li><b>Centre crop</b>, if asked: to the target's aspect ratio ({@link Builder#centerCrop()}),
 *       or to a fraction of each side ({@link Builder#centerCrop(double)}); crops are whole pixels,
 *       centred (an odd leftover pixel goes to the right or bottom).
 *   <li><b>Resize</b> to the shape's height and width: {@link Resize#AREA area averaging} (the
 *       default, {@link Images#resizeArea}; the right choice for shrinking) or {@link
 *       Resize#BILINEAR bilinear} with half-pixel centres and no antialiasing (as TensorFlow's
 *       {@code resize_bilinear}).
 *   <li><b>Normalise</b> per channel, {@code (v - mean[c]) / std[c]} in double, rounded to float
 *       (default mean 0, std 1: unchanged).
 * </ol>
 *
 * With the default settings plus {@code invert(true)}, grayscale, a reader gives exactly the values
 * {@link OmniglotLoader} loads.
 *
 * <p><b>Errors.</b> Content problems (not an image, over a cap, truncated, corrupt) are {@link
 * IllegalArgumentException}s whose message names the image and carries the decoder's exception as
 * cause; failing to read a file is an {@link IOException} naming it with the system's reason.
 *
 * <p>Immutable and thread-safe: each call works on its own buffers; arrays returned belong to the
 * caller. {@link #equals} compares settings.
 */
public final class ImageReader {
  /** The default {@link Builder#maxPixels} cap: 40,000,000 pixels. */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

  /** The default {@link Builder#maxFileBytes} cap: 256 MiB. */
  public static final long DEFAULT_MAX_FILE_BYTES = 256L << 20;

  static final String VERSION = "ImageReader/1";

  /** How an image is resized to the target height and width. */
  public enum Resize {
    /**
     * Area averaging ({@link Images#resizeArea}): each target pixel is the mean of the source area
     * it covers. No aliasing when shrinking; a box filter when enlarging.
     */
    AREA,
    /**
     * Bilinear interpolation with half-pixel centres, no antialiasing: fine for enlarging or mild
     * shrinking; aliases when shrinking a lot.
     */
    BILINEAR
  }

  private final ExampleShape shape;
  private final Resize resize;
  /** 0: no crop; -1: the target aspect ratio; (0, 1]: that fraction of each side. */
  private final double crop;
  private final boolean invert;
  private final int page;
  private final double[] mean;
  private final double[] std;
  private final long maxPixels;
  private final long maxFileBytes;

  private ImageReader(Builder b) {
    this.shape = b.shape;
    this.resize = b.resize == null ? Resize.AREA : b.resize;
    this.crop = b.crop;
    this.invert = b.invert != null && b.invert;
    this.page = b.page == null ? 0xFFFFFF : b.page;
    int c = shape.channels();
    this.mean = b.mean == null ? new double[c] : b.mean;
    this.std = b.std == null ? filled(c, 1) : b.std;
    this.maxPixels = b.maxPixels == 0 ? DEFAULT_MAX_PIXELS : b.maxPixels;
    this.maxFileBytes = b.maxFileBytes == 0 ? DEFAULT_MAX_FILE_BYTES : b.maxFileBytes;
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    Arrays.fill(a, v);
    return a;
  }

  /**
   * A builder for images of {@code shape}: {@code height x width x 1} reads grayscale, {@code
   * height x width x 3} RGB.
   *
   * @throws IllegalArgumentException if the shape is not an image shape of 1 or 3 channels
   */
  public static Builder builder(ExampleShape shape) {
    checkNotNull(shape, "shape");
    checkArgument(shape.isImage(), "an ImageReader needs an image shape, got %s", shape);
    checkArgument(
        shape.channels() == 1 || shape.channels() == 3,
        "an ImageReader reads 1 channel (grayscale) or 3 (RGB); shape %s has %s",
        shape,
        shape.channels());
    return new Builder(shape);
  }

  /** A reader with the default settings: area resize, no crop, no inversion, white page. */
  public static ImageReader of(ExampleShape shape) {
    return builder(shape).build();
  }

  /** The shape of what {@link #read} returns. */
  public ExampleShape shape() {
    return shape;
  }

  /** The resize method. */
  public Resize resize() {
    return resize;
  }

  /** Whether values are inverted ({@code 1 - v}) before resizing. */
  public boolean inverts() {
    return invert;
  }

  /** The page colour alpha is composited onto, {@code 0xRRGGBB}. */
  public int pageColor() {
    return page;
  }

  /** Per-channel means subtracted; a fresh copy. */
  public double[] mean() {
    return mean.clone();
  }

  /** Per-channel standard deviations divided by; a fresh copy. */
  public double[] std() {
    return std.clone();
  }

  /** The largest declared {@code width * height} decoded. */
  public long maxPixels() {
    return maxPixels;
  }

  /** The largest file or encoded byte array read. */
  public long maxFileBytes() {
    return maxFileBytes;
  }

  /**
   * Reads an image file.
   *
   * @return {@code shape().size()} floats, owned by the caller
   * @throws IOException naming the file, with the system's reason, if it cannot be read
   * @throws IllegalArgumentException naming the file if it is over a cap, not a PNG, JPEG, BMP or
   *     GIF, truncated or corrupt
   */
  public float[] read(Path file) throws IOException {
    checkNotNull(file, "file");
    return read(ImageDecoding.readFile(file, maxFileBytes), file.toString());
  }

  /**
   * Reads an encoded image held in memory (for example Spark's {@code binaryFile} content).
   *
   * @param encoded the file's bytes; not modified or kept
   * @param name how error messages name the image (its path)
   * @return {@code shape().size()} floats, owned by the caller
   * @throws IllegalArgumentException naming {@code name} if the bytes are over a cap, not a PNG,
   *     JPEG, BMP or GIF, truncated or corrupt
   */
  public float[] read(byte[] encoded, String name) {
    float[] out = new float[shape.size()];
    readUnit(decode(encoded, name), out, 0);
    normalize(out, 0);
    return out;
  }

  /**
   * Reads a decoded image (any {@link BufferedImage} type; the size caps do not apply).
   *
   * @return {@code shape().size()} floats, owned by the caller
   */
  public float[] read(BufferedImage image) {
    checkNotNull(image, "image");
    float[] out = new float[shape.size()];
    readUnit(image, out, 0);
    normalize(out, 0);
    return out;
  }

  /** Decodes with this reader's caps; the message of any failure names {@code name}. */
  BufferedImage decode(byte[] encoded, String name) {
    checkNotNull(encoded, "encoded");
    checkNotNull(name, "name");
    ImageDecoding.checkFileSize(encoded.length, maxFileBytes, name);
    return ImageDecoding.decode(encoded, name, maxPixels);
  }

  /**
   * Steps 2 to 6 of the class comment: writes {@code shape().size()} floats in {@code [0, 1]} (not
   * yet normalised) into {@code dst} from {@code offset}.
   */
  void readUnit(BufferedImage image, float[] dst, int offset) {
    int w = image.getWidth();
    int h = image.getHeight();
    int cw = w;
    int ch = h;
    int th = shape.height();
    int tw = shape.width();
    if (crop < 0) {
      // The largest centred rectangle of the target's aspect ratio.
      if ((long) w * th > (long) h * tw) {
        cw = (int) Math.max(1, Math.min(w, Math.round((double) h * tw / th)));
      } else {
        ch = (int) Math.max(1, Math.min(h, Math.round((double) w * th / tw)));
      }
    } else if (crop > 0) {
      cw = (int) Math.max(1, Math.round(w * crop));
      ch = (int) Math.max(1, Math.round(h * crop));
    }
    int channels = shape.channels();
    PixelRows rows = new PixelRows(image, (w - cw) / 2, (h - ch) / 2, cw, channels, page, invert);
    Resampling.resample(rows, ch, cw, channels, resize, dst, offset, th, tw);
  }

  /** Step 7 in place on {@code shape().size()} floats from {@code offset}. */
  void normalize(float[] values, int offset) {
    if (isIdentityNormalization()) {
      return;
    }
    int c = shape.channels();
    int n = shape.size();
    for (int i = 0; i < n; i++) {
      values[offset + i] = (float) ((values[offset + i] - mean[i % c]) / std[i % c]);
    }
  }

  private boolean isIdentityNormalization() {
    for (int c = 0; c < mean.length; c++) {
      if (mean[c] != 0 || std[c] != 1) {
        return false;
      }
    }
    return true;
  }

  /**
   * Byte-storage scale and offset per channel ({@link LabeledDataset#ofBytes}) that decode {@code
   * u} to {@code (u / 255 - mean) / std}: the normalised value of a quantised pixel.
   */
  double[][] byteScale() {
    int c = shape.channels();
    double[] scale = new double[c];
    double[] offset = new double[c];
    for (int k = 0; k < c; k++) {
      scale[k] = 1 / std[k];
      offset[k] = -mean[k] / std[k];
    }
    return new double[][] {scale, offset};
  }

  /**
   * Every setting as one stable line, for example {@code ImageReader/1 shape=96x96x3 resize=area
   * crop=none invert=false page=#ffffff mean=0.0,0.0,0.0 std=1.0,1.0,1.0 maxPixels=40000000
   * maxFileBytes=268435456}. Numbers print exactly (Java's shortest round-trip form); {@link
   * #parse} of the line gives a reader equal to this one.
   */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%s shape=%s resize=%s crop=%s invert=%s page=#%06x mean=%s std=%s maxPixels=%d"
            + " maxFileBytes=%d",
        VERSION,
        shape,
        resize.name().toLowerCase(Locale.ROOT),
        crop == 0 ? "none" : crop < 0 ? "aspect" : Double.toString(crop),
        invert,
        page,
        ImageReaderDescription.join(mean),
        ImageReaderDescription.join(std),
        maxPixels,
        maxFileBytes);
  }

  /**
   * Rebuilds a reader from {@link #describe()}'s line. Only {@code shape} is required; a missing
   * setting takes its default, so lines written by older versions still parse.
   *
   * @throws IllegalArgumentException naming the part that is wrong: an unknown version or key, a
   *     key given twice, or a value the builder refuses
   */
  public static ImageReader parse(String description) {
    return ImageReaderDescription.parse(description);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageReader r && describe().equals(r.describe());
  }

  @Override
  public int hashCode() {
    return describe().hashCode();
  }

  /** {@link #describe()}. */
  @Override
  public String toString() {
    return describe();
  }

  /**
   * Collects {@link ImageReader} settings. Each may be given once; {@link #build()} checks that
   * they fit the shape.
   */
  public static final class Builder {
    private final ExampleShape shape;
    private Resize resize;
    private double crop;
    private boolean cropSet;
    private Boolean invert;
    private Integer page;
    private double[] mean;
    private double[] std;
    private long maxPixels;
    private long maxFileBytes;

    private Builder(ExampleShape shape) {
      this.shape = shape;
    }

    /** The resize method; default {@link Resize#AREA}. */
    public Builder resize(Resize resize) {
      checkNotNull(resize, "resize");
      checkState(this.resize == null, "resize was already set to %s", this.resize);
      this.resize = resize;
      return this;
    }

    /** Crops the largest centred rectangle of the target's aspect ratio before resizing. */
    public Builder centerCrop() {
      checkState(!cropSet, "the centre crop was already set");
      this.crop = -1;
      this.cropSet = true;
      return this;
    }

    /**
     * Crops the centred {@code fraction} of each side (rounded to whole pixels, at least one)
     * before resizing; {@code 0.875} keeps the middle 87.5% of the width and of the height.
     *
     * @param fraction in {@code (0, 1]}
     */
    public Builder centerCrop(double fraction) {
      checkArgument(
          fraction > 0 && fraction <= 1, "crop fraction must be in (0, 1], got %s", fraction);
      checkState(!cropSet, "the centre crop was already set");
      this.crop = fraction;
      this.cropSet = true;
      return this;
    }

    /** Normalises every channel with the same {@code mean} and {@code std > 0}. */
    public Builder normalize(double mean, double std) {
      int c = shape.channels();
      return normalize(filled(c, mean), filled(c, std));
    }

    /**
     * Per-channel normalisation {@code (v - mean[c]) / std[c]} after resizing, on values in {@code
     * [0, 1]} (ImageNet's are {@code {0.485, 0.456, 0.406}} and {@code {0.229, 0.224, 0.225}}).
     *
     * @param mean one finite value per channel
     * @param std one finite value {@code > 0} per channel
     */
    public Builder normalize(double[] mean, double[] std) {
      checkNotNull(mean, "mean");
      checkNotNull(std, "std");
      checkState(this.mean == null, "normalize was already set to %s", Arrays.toString(this.mean));
      int c = shape.channels();
      checkArgument(
          mean.length == c && std.length == c,
          "normalize needs one mean and one std per channel (%s), got %s and %s",
          c,
          mean.length,
          std.length);
      for (int k = 0; k < c; k++) {
        checkArgument(
            Double.isFinite(mean[k]), "mean[%s] must be finite, got %s", k, (Object) mean[k]);
        checkArgument(
            std[k] > 0 && Double.isFinite(std[k]), "std[%s] must be > 0 and finite, got %s", k, (Object) std[k]);
      }
      this.mean = mean.clone();
      this.std = std.clone();
      return this;
    }

    /**
     * Whether to invert values ({@code 1 - v}) so that dark ink on a light page becomes 1 on 0;
     * default false. Omniglot models and {@code embed --ink dark} use true.
     */
    public Builder invert(boolean invert) {
      checkState(this.invert == null, "invert was already set to %s", this.invert);
      this.invert = invert;
      return this;
    }

    /** The colour transparent pixels are composited onto, {@code 0xRRGGBB}; default white. */
    public Builder pageColor(int rgb) {
      checkArgument(
          (rgb & ~0xFFFFFF) == 0, "page colour must be 0xRRGGBB, got 0x%s", Integer.toHexString(rgb));
      checkState(this.page == null, "page colour was already set to %s", this.page);
      this.page = rgb;
      return this;
    }

    /**
     * The largest {@code width * height} decoded, checked from the header before decoding; default
     * {@value ImageReader#DEFAULT_MAX_PIXELS}.
     */
    public Builder maxPixels(long maxPixels) {
      checkArgument(maxPixels > 0, "maxPixels must be > 0, got %s", maxPixels);
      checkState(this.maxPixels == 0, "maxPixels was already set to %s", this.maxPixels);
      this.maxPixels = maxPixels;
      return this;
    }

    /**
     * The largest file (or encoded byte array) read, in bytes; default 256 MiB. At most {@code
     * 2^31 - 9}.
     */
    public Builder maxFileBytes(long maxFileBytes) {
      checkArgument(
          maxFileBytes > 0 && maxFileBytes <= Integer.MAX_VALUE - 9,
          "maxFileBytes must be in [1, 2^31 - 9], got %s",
          maxFileBytes);
      checkState(this.maxFileBytes == 0, "maxFileBytes was already set to %s", this.maxFileBytes);
      this.maxFileBytes = maxFileBytes;
      return this;
    }

    /** The reader. */
    public ImageReader build() {
      return new ImageReader(this);
    }
  }
}
