package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loads image folders in the Omniglot layout, {@code ALPHABET/CHARACTER/IMAGE.png}, from zip files
 * (read directly, not unpacked) or from unpacked directories, into a {@link LabeledDataset} with
 * the alphabet as group label.
 *
 * <p><b>Layout.</b> Inside each source, every file must sit at {@code ALPHABET/CHARACTER/NAME.png},
 * optionally under one common top folder (as in the released zips, {@code
 * images_background/ALPHABET/CHARACTER/NAME.png}). A source may also be a single alphabet: a
 * folder or zip whose files sit at {@code CHARACTER/NAME.png} is the alphabet named after the
 * folder or zip (without {@code .zip}), so {@code load(Path.of("images_background/Latin"))} loads
 * Latin alone. Directory entries, hidden files (a path segment starting with {@code .}) and {@code
 * __MACOSX} folders are ignored; any other file, a PNG at another depth, or a hostile zip entry
 * (a {@code ..} or absolute name, a name twice) is an error, so a wrong folder is never loaded
 * half-way. Several sources are merged by relative path: the same {@code
 * ALPHABET/CHARACTER/NAME.png} in two sources is loaded once if the bytes are identical (the two
 * Omniglot "small" background sets share Greek and Latin) and is an error otherwise.
 *
 * <p><b>Labels.</b> Examples are ordered by alphabet, character, then file name (string order), so
 * loading is deterministic whatever the file system or zip order. Class labels number the distinct
 * {@code ALPHABET/CHARACTER} pairs {@code 0, 1, ...} in that order, with class names such as {@code
 * "Latin/character07"}; group labels number the alphabets in order, named by the alphabet ({@link
 * LabeledDataset#groupNamed} finds one by name).
 *
 * <p><b>Pixels.</b> Each image goes through an {@link ImageReader} ({@link #reader(int, int)}):
 * grayscale in {@code [0, 1]}, transparent pixels on white, inverted by default so that ink is 1
 * and paper 0 (Omniglot draws black strokes on white), resized with {@link Images#resizeArea area
 * averaging} to the target size (by default none: every image must then have the size of the
 * first), with the reader's pixel cap and its checks for truncated or corrupt files. The shape is
 * {@code height x width x 1}. {@link Builder#byteStorage(boolean) byteStorage(true)} keeps one byte
 * per pixel, quantised to steps of 1/255.
 *
 * <p>Immutable and thread-safe; each {@link #load} call reads its sources afresh.
 */
public final class OmniglotLoader {
  private static final String PNG = ".png";

  private final int height;
  private final int width;
  private final boolean invert;
  private final boolean byteStorage;

  private OmniglotLoader(Builder b) {
    this.height = b.height;
    this.width = b.width;
    this.invert = b.invert;
    this.byteStorage = b.byteStorage;
  }

  /** A builder: native size, inverted (ink = 1), float storage. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads and merges {@code sources}, each a {@code .zip} file or a directory: the background (or
   * evaluation) root, or a single alphabet.
   *
   * @return a new dataset with group labels, class names and group names
   * @throws IOException naming the file (and entry) if a source is missing, not a readable zip or
   *     directory, holds an unexpected file, or an image cannot be decoded or has the wrong size;
   *     nothing is returned then
   * @throws IllegalArgumentException if no source is given
   */
  public LabeledDataset load(Path... sources) throws IOException {
    checkNotNull(sources, "sources");
    return load(Arrays.asList(sources));
  }

  /** As {@link #load(Path...)}. */
  public LabeledDataset load(List<Path> sources) throws IOException {
    checkNotNull(sources, "sources");
    checkArgument(!sources.isEmpty(), "at least one source (zip or directory) is needed");
    TreeMap<String, Item> items = new TreeMap<>();
    for (Path source : sources) {
      checkNotNull(source, "a source is null");
      for (Item item : readSource(source)) {
        Item earlier = items.putIfAbsent(item.path, item);
        if (earlier != null && !Arrays.equals(earlier.bytes, item.bytes)) {
          throw new IOException(
              String.format(
                  "%s appears in both %s and %s with different contents",
                  item.path, earlier.source, item.source));
        }
      }
    }
    List<Item> sorted = new ArrayList<>(items.values());
    sorted.sort(Comparator.comparing(Item::group).thenComparing(Item::cls).thenComparing(Item::path));
    return decode(sorted);
  }

  /** Target height in pixels, or 0 for the images' own size. */
  public int targetHeight() {
    return height;
  }

  /** Target width in pixels, or 0 for the images' own size. */
  public int targetWidth() {
    return width;
  }

  /** Whether pixels are inverted so that dark ink becomes 1. */
  public boolean inverts() {
    return invert;
  }

  /** Whether the loaded dataset keeps one byte per pixel. */
  public boolean byteStorage() {
    return byteStorage;
  }

  /**
   * The {@link ImageReader} this loader reads {@code height x width} images with: grayscale, area
   * resizing, inverted as {@link #inverts()} says. An application embedding its own Omniglot-style
   * drawings with it preprocesses them exactly as training did.
   */
  public ImageReader reader(int height, int width) {
    return ImageReader.builder(ExampleShape.image(height, width, 1)).invert(invert).build();
  }

  @Override
  public String toString() {
    return "OmniglotLoader["
        + (height == 0 ? "native size" : height + "x" + width)
        + (invert ? ", inverted" : "")
        + (byteStorage ? ", bytes" : "")
        + "]";
  }

  /** One image file: its path relative to the layout root, its bytes and where it came from. */
  private record Item(String path, byte[] bytes, String source) {
    String group() {
      return path.substring(0, path.indexOf('/'));
    }

    String cls() {
      return path.substring(0, path.lastIndexOf('/'));
    }
  }

  private static List<Item> readSource(Path source) throws IOException {
    List<Item> raw = new ArrayList<>();
    try (ImageSource files = ImageSource.open(source)) {
      List<ImageSource.Entry> entries = new ArrayList<>(files.entries(new HashSet<>()));
      entries.sort(Comparator.comparing(ImageSource.Entry::path));
      for (ImageSource.Entry e : entries) {
        if (e.problem() != null) {
          throw new IOException(files.name(e.path()) + " is a hostile zip entry: it " + e.problem());
        }
        byte[] bytes;
        try {
          bytes = files.read(e.path(), ImageReader.DEFAULT_MAX_FILE_BYTES);
        } catch (IllegalArgumentException x) {
          throw new IOException("cannot decode image " + files.name(e.path()) + ": " + x.getMessage(), x);
        }
        raw.add(new Item(e.path(), bytes, files.name(e.path())));
      }
    }
    if (raw.isEmpty()) {
      throw new IOException("no images found in " + source);
    }
    return layout(raw, source);
  }

  /**
   * Verifies that every file is {@code [ROOT/]ALPHABET/CHARACTER/NAME.png}, with one ROOT shared by
   * all or none, or {@code CHARACTER/NAME.png} for a single alphabet named after the source, and
   * returns the items with paths {@code ALPHABET/CHARACTER/NAME.png}.
   */
  private static List<Item> layout(List<Item> raw, Path source) throws IOException {
    int depth = raw.get(0).path.split("/").length;
    String root = depth == 4 ? raw.get(0).path.split("/")[0] : null;
    for (Item item : raw) {
      String[] parts = item.path.split("/");
      if (parts.length != depth || (root != null && !root.equals(parts[0]))) {
        depth = 0;
        break;
      }
    }
    String alphabet = depth == 2 ? alphabetName(source) : null;
    List<Item> out = new ArrayList<>(raw.size());
    for (Item item : raw) {
      String path =
          depth == 4
              ? item.path.substring(root.length() + 1)
              : depth == 2 ? alphabet + "/" + item.path : item.path;
      String[] parts = path.split("/");
      if (depth < 2
          || parts.length != 3
          || parts[0].isEmpty()
          || parts[1].isEmpty()
          || !parts[2].toLowerCase(Locale.ROOT).endsWith(PNG)) {
        throw new IOException(
            String.format(
                "unexpected layout in %s: %s is not ALPHABET/CHARACTER/NAME.png (optionally under"
                    + " one common top folder) nor CHARACTER/NAME.png (one alphabet)",
                source, item.path));
      }
      out.add(new Item(path, item.bytes, item.source));
    }
    return out;
  }

  /** A single alphabet's name: its folder's name, or its zip's name without {@code .zip}. */
  private static String alphabetName(Path source) {
    Path name = source.toAbsolutePath().normalize().getFileName();
    String s = name == null ? "alphabet" : name.toString();
    return s.toLowerCase(Locale.ROOT).endsWith(".zip") ? s.substring(0, s.length() - 4) : s;
  }

  private LabeledDataset decode(List<Item> items) throws IOException {
    int n = items.size();
    int[] labels = new int[n];
    int[] groups = new int[n];
    Map<Integer, String> classNames = new TreeMap<>();
    Map<Integer, String> groupNames = new TreeMap<>();
    String lastClass = null;
    String lastGroup = null;
    for (int i = 0; i < n; i++) {
      Item item = items.get(i);
      // Sorted by alphabet, then character, so each class and alphabet forms one run.
      if (!item.cls().equals(lastClass)) {
        classNames.put(classNames.size(), item.cls());
        lastClass = item.cls();
      }
      if (!item.group().equals(lastGroup)) {
        groupNames.put(groupNames.size(), item.group());
        lastGroup = item.group();
      }
      labels[i] = classNames.size() - 1;
      groups[i] = groupNames.size() - 1;
    }
    BufferedImage first = decodeImage(items.get(0), ImageReader.of(ExampleShape.image(1, 1, 1)));
    int h = height == 0 ? first.getHeight() : height;
    int w = height == 0 ? first.getWidth() : width;
    ImageReader reader = reader(h, w);
    int pixels = h * w;
    float[] features = null;
    FeatureStore.Writer bytes = null;
    if (byteStorage) {
      bytes = new FeatureStore.Writer(pixels, n, FeatureStore.affineTable(new double[] {1}, new double[] {0}), 1);
    } else if ((long) n * pixels > Integer.MAX_VALUE - 8) {
      throw new IOException(
          String.format("%s images of %sx%s pixels exceed one Java array; use byteStorage(true)", n, h, w));
    } else {
      features = new float[n * pixels];
    }
    float[] unit = new float[pixels];
    byte[] row = new byte[pixels];
    for (int i = 0; i < n; i++) {
      Item item = items.get(i);
      BufferedImage image = i == 0 ? first : decodeImage(item, reader);
      if (height == 0 && (image.getHeight() != h || image.getWidth() != w)) {
        throw new IOException(
            String.format(
                "%s is %sx%s but %s is %sx%s; set a target size to load images of mixed sizes",
                item.source, image.getHeight(), image.getWidth(), items.get(0).source, h, w));
      }
      if (byteStorage) {
        reader.readUnit(image, unit, 0);
        for (int j = 0; j < pixels; j++) {
          row[j] = (byte) Math.min(255, Math.max(0, Math.round(unit[j] * 255f)));
        }
        bytes.add(row);
      } else {
        reader.readUnit(image, features, i * pixels);
      }
    }
    FeatureStore store = byteStorage ? bytes.finish() : FeatureStore.ofFloats(features, pixels);
    return LabeledDataset.owning(
        store, labels, ExampleShape.image(h, w, 1), groups, classNames, groupNames);
  }

  private static BufferedImage decodeImage(Item item, ImageReader reader) throws IOException {
    try {
      return reader.decode(item.bytes, item.source);
    } catch (IllegalArgumentException e) {
      throw new IOException("cannot decode image " + item.source + ": " + e.getMessage(), e);
    }
  }

  /** Collects {@link OmniglotLoader} settings; {@link #build()} validates them. */
  public static final class Builder {
    private int height = 0;
    private int width = 0;
    private boolean sizeSet = false;
    private boolean invert = true;
    private boolean byteStorage = false;

    private Builder() {}

    /**
     * Resizes every image to {@code height x width} pixels by area averaging (105x105 to 28x28 for
     * the usual Omniglot setting); default: the images' own size. Either both are {@code > 0}.
     */
    public Builder targetSize(int height, int width) {
      checkState(!sizeSet, "target size was already set to %sx%s", this.height, this.width);
      this.height = height;
      this.width = width;
      this.sizeSet = true;
      return this;
    }

    /** As {@link #targetSize(int, int) targetSize(side, side)}. */
    public Builder imageSize(int side) {
      return targetSize(side, side);
    }

    /**
     * Whether to invert brightness so that dark ink on white paper becomes 1 on 0; default true, as
     * Omniglot needs. Set false for images already stored as light ink on black.
     */
    public Builder invert(boolean invert) {
      this.invert = invert;
      return this;
    }

    /**
     * Whether to keep one byte per pixel ({@code round(255 v)}, decoded to {@code u / 255}) instead
     * of a float; default false. A quarter of the memory.
     */
    public Builder byteStorage(boolean byteStorage) {
      this.byteStorage = byteStorage;
      return this;
    }

    /**
     * The loader.
     *
     * @throws IllegalArgumentException if a target size was set with a side {@code <= 0}
     */
    public OmniglotLoader build() {
      if (sizeSet) {
        checkArgument(height > 0 && width > 0, "target size must be > 0, got %sx%s", height, width);
      }
      return new OmniglotLoader(this);
    }
  }
}
