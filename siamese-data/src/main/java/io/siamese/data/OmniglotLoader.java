package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Loads image folders in the Omniglot layout, {@code ALPHABET/CHARACTER/IMAGE.png}, from zip files
 * (read directly, not unpacked) or from unpacked directories, into a {@link LabeledDataset} with
 * the alphabet as group label.
 *
 * <p><b>Layout.</b> Inside each source, every file must sit at {@code ALPHABET/CHARACTER/NAME.png},
 * optionally under one common top folder (as in the released zips, {@code
 * images_background/ALPHABET/CHARACTER/NAME.png}). Directory entries, hidden files (a path segment
 * starting with {@code .}) and {@code __MACOSX} folders are ignored; any other file, or a PNG at
 * another depth, is an error, so a wrong folder is never loaded half-way. Several sources are
 * merged by relative path: the same {@code ALPHABET/CHARACTER/NAME.png} in two sources is loaded
 * once if the bytes are identical (the two Omniglot "small" background sets share Greek and Latin)
 * and is an error otherwise.
 *
 * <p><b>Labels.</b> Examples are ordered by relative path (string order), so loading is
 * deterministic whatever the file system or zip order. Class labels number the distinct {@code
 * ALPHABET/CHARACTER} pairs {@code 0, 1, ...} in that order, with class names such as {@code
 * "Latin/character07"}; group labels number the alphabets in order, named by the alphabet.
 *
 * <p><b>Pixels.</b> Images are decoded with {@code javax.imageio}, converted to grayscale in {@code
 * [0, 1]}, inverted by default so that ink is 1 and paper 0 (Omniglot draws black strokes on
 * white), and resized with {@link Images#resizeArea area averaging} to the target size (by default
 * none: every image must then have the size of the first). The shape is {@code height x width x 1}.
 *
 * <p>Immutable and thread-safe; each {@link #load} call reads its sources afresh.
 */
public final class OmniglotLoader {
  private static final String PNG = ".png";

  private final int height;
  private final int width;
  private final boolean invert;

  private OmniglotLoader(Builder b) {
    this.height = b.height;
    this.width = b.width;
    this.invert = b.invert;
  }

  /** A builder: native size, inverted (ink = 1). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads and merges {@code sources}, each a {@code .zip} file or a directory.
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
    return decode(new ArrayList<>(items.values()));
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

  @Override
  public String toString() {
    return "OmniglotLoader["
        + (height == 0 ? "native size" : height + "x" + width)
        + (invert ? ", inverted" : "")
        + "]";
  }

  /** One image file: its path relative to the layout root, its bytes and where it came from. */
  private record Item(String path, byte[] bytes, String source) {}

  private static List<Item> readSource(Path source) throws IOException {
    List<Item> raw = new ArrayList<>();
    if (Files.isDirectory(source)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(source)) {
        files = walk.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path file : files) {
        String relative = source.relativize(file).toString().replace('\\', '/');
        if (!ignored(relative)) {
          raw.add(new Item(relative, Files.readAllBytes(file), file.toString()));
        }
      }
    } else if (Files.isRegularFile(source)) {
      try (ZipFile zip = new ZipFile(source.toFile())) {
        List<? extends ZipEntry> entries = zip.stream().filter(e -> !e.isDirectory()).toList();
        for (ZipEntry entry : entries) {
          if (ignored(entry.getName())) {
            continue;
          }
          try (InputStream in = zip.getInputStream(entry)) {
            raw.add(new Item(entry.getName(), in.readAllBytes(), source + "!" + entry.getName()));
          } catch (IOException e) {
            throw new IOException(
                "cannot read entry " + entry.getName() + " of zip file " + source + ": " + e, e);
          }
        }
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().contains(source.toString())) {
          throw e;
        }
        throw new IOException("cannot read zip file " + source + ": " + e.getMessage(), e);
      }
    } else {
      throw new IOException("Omniglot source " + source + " is neither a zip file nor a directory");
    }
    if (raw.isEmpty()) {
      throw new IOException("no images found in " + source);
    }
    return stripRoot(raw, source);
  }

  /** Hidden files and macOS resource folders carry no images. */
  private static boolean ignored(String path) {
    for (String segment : path.split("/")) {
      if (segment.startsWith(".") || segment.equals("__MACOSX")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Verifies that every file is {@code [ROOT/]ALPHABET/CHARACTER/NAME.png}, with one ROOT shared by
   * all or none, and returns the items with paths relative to the alphabets.
   */
  private static List<Item> stripRoot(List<Item> raw, Path source) throws IOException {
    String root = null;
    boolean rooted = true;
    for (Item item : raw) {
      String[] parts = item.path.split("/");
      if (parts.length != 4 || (root != null && !root.equals(parts[0]))) {
        rooted = false;
        break;
      }
      root = parts[0];
    }
    List<Item> out = new ArrayList<>(raw.size());
    for (Item item : raw) {
      String path = rooted ? item.path.substring(root.length() + 1) : item.path;
      String[] parts = path.split("/");
      if (parts.length != 3
          || parts[0].isEmpty()
          || parts[1].isEmpty()
          || !parts[2].toLowerCase(Locale.ROOT).endsWith(PNG)) {
        throw new IOException(
            String.format(
                "unexpected layout in %s: %s is not ALPHABET/CHARACTER/NAME.png (optionally under"
                    + " one common top folder)",
                source, item.path));
      }
      out.add(new Item(path, item.bytes, item.source));
    }
    return out;
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
      String path = items.get(i).path;
      String group = path.substring(0, path.indexOf('/'));
      String cls = path.substring(0, path.lastIndexOf('/'));
      // Sorted by path, so each class and alphabet forms one run.
      if (!cls.equals(lastClass)) {
        classNames.put(classNames.size(), cls);
        lastClass = cls;
      }
      if (!group.equals(lastGroup)) {
        groupNames.put(groupNames.size(), group);
        lastGroup = group;
      }
      labels[i] = classNames.size() - 1;
      groups[i] = groupNames.size() - 1;
    }
    DecodedImage first = decodeImage(items.get(0));
    int h = height == 0 ? first.height : height;
    int w = height == 0 ? first.width : width;
    int pixels = h * w;
    if ((long) n * pixels > Integer.MAX_VALUE - 8) {
      throw new IOException(
          String.format("%s images of %sx%s pixels exceed one Java array", n, h, w));
    }
    float[] features = new float[n * pixels];
    for (int i = 0; i < n; i++) {
      Item item = items.get(i);
      DecodedImage image = i == 0 ? first : decodeImage(item);
      if (height == 0 && (image.height != h || image.width != w)) {
        throw new IOException(
            String.format(
                "%s is %sx%s but %s is %sx%s; set a target size to load images of mixed sizes",
                item.source, image.height, image.width, items.get(0).source, h, w));
      }
      if (invert) {
        Images.invert(image.pixels, 0, image.pixels.length);
      }
      Images.resizeArea(image.pixels, 0, image.height, image.width, features, i * pixels, h, w);
    }
    return LabeledDataset.owning(
        features, labels, ExampleShape.image(h, w, 1), groups, classNames, groupNames);
  }

  private record DecodedImage(float[] pixels, int height, int width) {}

  private static DecodedImage decodeImage(Item item) throws IOException {
    BufferedImage image;
    // A memory cache: ImageIO's default would write a temporary file per image. ImageIO.read
    // closes the stream itself, and an in-memory stream holds nothing to release otherwise.
    try {
      ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(item.bytes));
      image = ImageIO.read(in);
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot decode image " + item.source + ": " + e, e);
    }
    if (image == null) {
      throw new IOException(
          "cannot decode image " + item.source + ": not a PNG or other known format");
    }
    return new DecodedImage(Images.grayscale(image), image.getHeight(), image.getWidth());
  }

  /** Collects {@link OmniglotLoader} settings; {@link #build()} validates them. */
  public static final class Builder {
    private int height = 0;
    private int width = 0;
    private boolean sizeSet = false;
    private boolean invert = true;

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
