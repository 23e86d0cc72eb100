package io.siamese.data;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Loads a folder of images, one sub-folder per class, into a {@link LabeledDataset}: the layout of
 * Keras' {@code image_dataset_from_directory} and torchvision's {@code ImageFolder}.
 *
 * <pre>
 * root/CLASS/NAME.png               (the default)
 * root/GROUP/CLASS/NAME.jpg         (with groups(true): e.g. alphabet/character, or brand/product)
 * </pre>
 *
 * <p><b>Sources.</b> {@link #load} takes the root folder, or a zip file holding the same layout,
 * read in place (nothing is unpacked); a zip whose images all sit under one top folder (as when a
 * folder is zipped whole) has that folder taken as the root. Images are the files ending in {@code
 * .png}, {@code .jpg}, {@code .jpeg}, {@code .bmp} or {@code .gif}, in any case; other files, hidden
 * files and folders (a name starting with {@code .}) and {@code __MACOSX} folders are ignored.
 * Images in sub-folders of a class folder, or directly under the root (or a group), are not part of
 * the layout: each is a bad file (below). Zip entries are guarded: a name that could escape the
 * folder ({@code ../}, an absolute path) or appears twice is a bad file, never read; an entry is
 * read only up to the reader's {@link ImageReader#maxFileBytes()}; a zip inflating to over 100
 * times its size is refused.
 *
 * <p><b>Pixels.</b> Every image goes through the {@link ImageReader} given to {@link #builder}, so
 * the same settings serve training and later embedding; the dataset's shape is the reader's. With
 * {@link Builder#byteStorage(boolean) byteStorage(true)} each value is kept as one byte, the
 * reader's value before normalisation quantised to {@code round(255 v)} (a step of 1/255), and the
 * normalisation becomes the dataset's byte scale: a quarter of the memory, values within {@code 0.5
 * / 255 / std} of the float ones. Float storage holds at most 2^31 - 1 values; byte storage has no
 * such limit.
 *
 * <p><b>Labels.</b> Class names are the folder names ({@code "GROUP/CLASS"} with groups); labels
 * number them {@code 0, 1, ...} in sorted ({@link String#compareTo}) order, and groups likewise, so
 * the same folder always gives the same labels. Examples are ordered by class, then file name.
 *
 * <p><b>Bad files.</b> A file that cannot be read, decoded (truncated, corrupt, over a cap) or that
 * breaks the layout stops the load with an {@link IOException} naming it and carrying the cause;
 * with {@link Builder#skipBadFiles(boolean) skipBadFiles(true)} it is left out instead, and {@link
 * Result#skipped()} lists each one with the reason (a summary is also logged at WARNING). An empty
 * class folder, a class whose every image was skipped, or no image at all is always an error.
 *
 * <p>Immutable and thread-safe; each {@link #load} reads its source afresh, one image at a time,
 * so the memory needed is the dataset plus one decoded image.
 */
public final class ImageFolderLoader {
  private static final System.Logger LOG = System.getLogger(ImageFolderLoader.class.getName());
  private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

  private final ImageReader reader;
  private final boolean groups;
  private final boolean skipBadFiles;
  private final boolean byteStorage;

  private ImageFolderLoader(Builder b) {
    this.reader = b.reader;
    this.groups = b.groups != null && b.groups;
    this.skipBadFiles = b.skip != null && b.skip;
    this.byteStorage = b.bytes != null && b.bytes;
  }

  /** A builder reading every image with {@code reader}: no groups, bad files stop the load, floats. */
  public static Builder builder(ImageReader reader) {
    return new Builder(checkNotNull(reader, "reader"));
  }

  /** The reader that turns each image into floats. */
  public ImageReader reader() {
    return reader;
  }

  /**
   * A file that was left out by {@link Builder#skipBadFiles(boolean) skipBadFiles(true)}.
   *
   * @param file the file's path, or {@code zip!entry}
   * @param reason the message the load would have stopped with: it names the file and says why,
   *     with the decoder's or file system's message
   */
  public record SkippedFile(String file, String reason) {}

  /** What {@link #load} returns: the dataset and the files left out. Immutable. */
  public static final class Result {
    private final LabeledDataset dataset;
    private final List<SkippedFile> skipped;

    private Result(LabeledDataset dataset, List<SkippedFile> skipped) {
      this.dataset = dataset;
      this.skipped = ImmutableList.copyOf(skipped);
    }

    /** The dataset, with class names (and group names with groups). */
    public LabeledDataset dataset() {
      return dataset;
    }

    /** The files left out, in load order; empty unless skipping was asked for. */
    public List<SkippedFile> skipped() {
      return skipped;
    }

    /** {@code skipped().size()}. */
    public int skippedCount() {
      return skipped.size();
    }

    @Override
    public String toString() {
      return "ImageFolderLoader.Result[" + dataset + ", " + skipped.size() + " skipped]";
    }
  }

  /** One image in the layout. */
  private record Item(String path, String group, String cls, String file) {}

  /**
   * Loads a folder or a zip file.
   *
   * @return the dataset and the files skipped
   * @throws IOException naming the file if the source is neither a folder nor a readable zip, a
   *     class folder is empty, no image is found, every image of a class was skipped, or (unless
   *     skipping) a file is unreadable, undecodable or outside the layout; also if the dataset
   *     needs more floats than one Java array holds (use byte storage then)
   */
  public Result load(Path source) throws IOException {
    checkNotNull(source, "source");
    List<SkippedFile> skipped = new ArrayList<>();
    try (ImageSource files = ImageSource.open(source)) {
      Set<String> directories = new TreeSet<>();
      List<ImageSource.Entry> entries = new ArrayList<>(files.entries(directories));
      // The first bad file reported must not depend on the file system's order.
      entries.sort(Comparator.comparing(ImageSource.Entry::path));
      int depth = groups ? 3 : 2;
      String prefix = commonTop(entries, depth);
      List<Item> items = new ArrayList<>();
      for (ImageSource.Entry e : entries) {
        if (e.problem() != null) {
          bad(skipped, files.name(e.path()), "is a hostile zip entry: it " + e.problem(), null);
          continue;
        }
        if (!isImage(e.path())) {
          continue;
        }
        String[] parts = e.path().substring(prefix.length()).split("/");
        if (parts.length != depth) {
          bad(
              skipped,
              files.name(e.path()),
              "is not at " + (groups ? "GROUP/CLASS/NAME" : "CLASS/NAME") + " in " + source,
              null);
          continue;
        }
        String group = groups ? parts[0] : null;
        String cls = groups ? parts[0] + "/" + parts[1] : parts[0];
        items.add(new Item(e.path(), group, cls, parts[depth - 1]));
      }
      checkClassFolders(directories, prefix, depth, items, source);
      if (items.isEmpty()) {
        throw new IOException(
            "no images (" + String.join(", ", new TreeSet<>(EXTENSIONS)) + ") found in " + source);
      }
      items.sort(Comparator.comparing(Item::cls).thenComparing(Item::file));
      LabeledDataset d = decodeAll(files, items, skipped);
      if (!skipped.isEmpty()) {
        LOG.log(
            Level.WARNING,
            "skipped {0} bad files of {1} in {2}; the first: {3}",
            skipped.size(),
            items.size() + skipped.size(),
            source,
            skipped.get(0));
      }
      return new Result(d, skipped);
    }
  }

  private static boolean isImage(String path) {
    int dot = path.lastIndexOf('.');
    return dot > path.lastIndexOf('/')
        && EXTENSIONS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** {@code TOP/} if every image is one level deeper than the layout under one top folder. */
  private static String commonTop(List<ImageSource.Entry> entries, int depth) {
    String top = null;
    for (ImageSource.Entry e : entries) {
      if (e.problem() != null || !isImage(e.path())) {
        continue;
      }
      String[] parts = e.path().split("/");
      if (parts.length != depth + 1 || (top != null && !top.equals(parts[0]))) {
        return "";
      }
      top = parts[0];
    }
    return top == null ? "" : top + "/";
  }

  /** Every class folder (and, with groups, group folder) must hold at least one image. */
  private void checkClassFolders(
      Set<String> directories, String prefix, int depth, List<Item> items, Path source)
      throws IOException {
    Set<String> withImages = new HashSet<>();
    for (Item item : items) {
      withImages.add(item.cls);
      if (item.group != null) {
        withImages.add(item.group);
      }
    }
    for (String dir : directories) {
      if (!dir.startsWith(prefix) || dir.length() == prefix.length() - 1) {
        continue;
      }
      String relative = dir.substring(prefix.length());
      int level = relative.split("/").length;
      if (level < depth && !withImages.contains(relative)) {
        throw new IOException(
            String.format(
                "%s folder %s in %s holds no images (%s)",
                level == depth - 1 ? "class" : "group",
                relative,
                source,
                String.join(", ", new TreeSet<>(EXTENSIONS))));
      }
    }
  }

  private LabeledDataset decodeAll(ImageSource files, List<Item> items, List<SkippedFile> skipped)
      throws IOException {
    TreeMap<String, Integer> classIds = new TreeMap<>();
    TreeMap<String, Integer> groupIds = new TreeMap<>();
    for (Item item : items) {
      classIds.putIfAbsent(item.cls, 0);
      if (item.group != null) {
        groupIds.putIfAbsent(item.group, 0);
      }
    }
    number(classIds);
    number(groupIds);
    ExampleShape shape = reader.shape();
    int rowSize = shape.size();
    int n = items.size();
    float[] features = null;
    FeatureStore.Writer bytes = null;
    double[][] scale = reader.byteScale();
    if (byteStorage) {
      bytes =
          new FeatureStore.Writer(
              rowSize, n, FeatureStore.affineTable(scale[0], scale[1]), shape.channels());
    } else {
      if ((long) n * rowSize > Integer.MAX_VALUE - 8) {
        throw new IOException(
            String.format(
                Locale.ROOT,
                "%d images of %s need %d floats, more than one Java array holds; use"
                    + " byteStorage(true)",
                n,
                shape,
                (long) n * rowSize));
      }
      features = new float[n * rowSize];
    }
    int[] labels = new int[n];
    int[] groupOf = groups ? new int[n] : null;
    float[] unit = new float[rowSize];
    byte[] row = new byte[rowSize];
    int kept = 0;
    for (Item item : items) {
      String name = files.name(item.path);
      try {
        byte[] encoded = files.read(item.path, reader.maxFileBytes());
        reader.readUnit(reader.decode(encoded, name), unit, 0);
      } catch (ImageDecoding.BadImage e) {
        bad(skipped, name, e.getMessage(), e);
        continue;
      } catch (ImageSource.ZipBomb e) {
        throw e;
      } catch (IOException e) {
        bad(skipped, name, e.getMessage(), e);
        continue;
      }
      if (byteStorage) {
        for (int j = 0; j < rowSize; j++) {
          row[j] = (byte) Math.min(255, Math.max(0, Math.round(unit[j] * 255f)));
        }
        bytes.add(row);
      } else {
        System.arraycopy(unit, 0, features, kept * rowSize, rowSize);
        reader.normalize(features, kept * rowSize);
      }
      labels[kept] = classIds.get(item.cls);
      if (groups) {
        groupOf[kept] = groupIds.get(item.group);
      }
      kept++;
    }
    checkEveryClassKept(classIds, labels, kept, items);
    FeatureStore store =
        byteStorage
            ? bytes.finish()
            : FeatureStore.ofFloats(
                kept == n ? features : Arrays.copyOf(features, kept * rowSize), rowSize);
    return LabeledDataset.owning(
        store,
        Arrays.copyOf(labels, kept),
        shape,
        groups ? Arrays.copyOf(groupOf, kept) : null,
        invert(classIds),
        invert(groupIds));
  }

  private static void number(TreeMap<String, Integer> ids) {
    int i = 0;
    for (Map.Entry<String, Integer> e : ids.entrySet()) {
      e.setValue(i++);
    }
  }

  private static Map<Integer, String> invert(TreeMap<String, Integer> ids) {
    Map<Integer, String> out = new TreeMap<>();
    ids.forEach((name, id) -> out.put(id, name));
    return out;
  }

  private static void checkEveryClassKept(
      TreeMap<String, Integer> classIds, int[] labels, int kept, List<Item> items)
      throws IOException {
    boolean[] present = new boolean[classIds.size()];
    for (int i = 0; i < kept; i++) {
      present[labels[i]] = true;
    }
    for (Map.Entry<String, Integer> e : classIds.entrySet()) {
      if (!present[e.getValue()]) {
        long count = items.stream().filter(it -> it.cls.equals(e.getKey())).count();
        throw new IOException(
            String.format(
                "every image of class %s (%d) was skipped as bad; fix or remove the folder",
                e.getKey(),
                count));
      }
    }
  }

  /** Records a bad file when skipping, or stops the load naming it. */
  private void bad(List<SkippedFile> skipped, String file, String reason, Throwable cause)
      throws IOException {
    String message = reason != null && reason.contains(file) ? reason : file + " " + reason;
    if (!skipBadFiles) {
      throw new IOException(message, cause);
    }
    skipped.add(new SkippedFile(file, message));
  }

  @Override
  public String toString() {
    return "ImageFolderLoader["
        + reader.describe()
        + (groups ? ", groups" : "")
        + (skipBadFiles ? ", skipping bad files" : "")
        + (byteStorage ? ", bytes" : "")
        + "]";
  }

  /** Collects {@link ImageFolderLoader} settings; each may be given once. */
  public static final class Builder {
    private final ImageReader reader;
    private Boolean groups;
    private Boolean skip;
    private Boolean bytes;

    private Builder(ImageReader reader) {
      this.reader = reader;
    }

    /**
     * Whether the layout is {@code root/GROUP/CLASS/NAME} with group labels and names (default
     * false: {@code root/CLASS/NAME}). Class names are then {@code GROUP/CLASS}.
     */
    public Builder groups(boolean groups) {
      checkState(this.groups == null, "groups was already set to %s", this.groups);
      this.groups = groups;
      return this;
    }

    /**
     * Whether to leave out bad files (unreadable, undecodable, over a cap, outside the layout,
     * hostile zip entries) and report them in {@link Result#skipped()} rather than stop; default
     * false.
     */
    public Builder skipBadFiles(boolean skip) {
      checkState(this.skip == null, "skipBadFiles was already set to %s", this.skip);
      this.skip = skip;
      return this;
    }

    /**
     * Whether to keep one byte per value instead of a float (see the class comment); default
     * false.
     */
    public Builder byteStorage(boolean bytes) {
      checkState(this.bytes == null, "byteStorage was already set to %s", this.bytes);
      this.bytes = bytes;
      return this;
    }

    /** The loader. */
    public ImageFolderLoader build() {
      return new ImageFolderLoader(this);
    }
  }
}
