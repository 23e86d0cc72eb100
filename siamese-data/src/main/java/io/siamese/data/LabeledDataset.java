package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A labelled dataset held as plain arrays: {@code size()} examples of {@link #shape()}, stored
 * row-major in one {@code float[]} (about {@code 4 * size * shape.size()} bytes, no object per
 * example), and one {@code int} class label per example.
 *
 * <p><b>Byte storage.</b> A dataset made with {@link #ofBytes} (or by an image loader asked for
 * byte storage) keeps each value as one unsigned byte {@code u} in {@code [0, 255]} (a quarter of
 * the memory: 100,000 images of 96x96x3 take 2.8 GB instead of 11 GB) and decodes it whenever
 * floats are handed out ({@link #features}, {@link #gather}, samplers): value {@code = (float) (u /
 * 255.0 * scale[c] + offset[c])}, computed in double and rounded once, with one {@code scale} and
 * {@code offset} per channel {@code c} (channels last) or one for all values. Every accessor behaves
 * exactly as for a float dataset holding the decoded values; {@link #subset} keeps byte storage.
 * {@link #storesBytes()} tells which storage a dataset uses.
 *
 * <p>Optionally (see {@link #builder}) each example also carries a <em>group</em> label, a
 * super-class such as the Omniglot alphabet of a character: every class lies in exactly one group,
 * so groups partition the classes. Classes and groups may carry display names ({@code
 * "Latin/character07"}, {@code "Latin"}). Groups add 4 bytes per example; names one string per
 * class or group.
 *
 * <p>Immutable and thread-safe: the arrays are validated and copied on construction, and every
 * accessor returns a copy or writes into a buffer the caller owns.
 */
public final class LabeledDataset {
  private final FeatureStore store;
  private final int[] labels;
  private final ExampleShape shape;
  private final int rowSize;
  private final ClassIndex index;

  private LabeledDataset(FeatureStore store, int[] labels, ExampleShape shape) {
    this(store, labels, shape, null, ImmutableSortedMap.of(), ImmutableSortedMap.of());
  }

  /**
   * Takes ownership of the arrays (no copy). The caller has checked lengths and label signs; the
   * {@link ClassIndex} checks that every class lies in one group and that names cover exactly the
   * classes and groups present.
   */
  private LabeledDataset(
      FeatureStore store,
      int[] labels,
      ExampleShape shape,
      int[] groups,
      ImmutableSortedMap<Integer, String> classNames,
      ImmutableSortedMap<Integer, String> groupNames) {
    this.store = store;
    this.labels = labels;
    this.shape = shape;
    this.rowSize = shape.size();
    this.index = new ClassIndex(labels, groups, classNames, groupNames);
  }

  /**
   * A dataset from row-major features and one label per example. Both arrays are copied.
   *
   * @param features {@code labels.length * shape.size()} finite floats, example {@code i} at offset
   *     {@code i * shape.size()}
   * @param labels class label of each example, each {@code >= 0}; at least one example
   * @param shape the shape of one example
   * @throws IllegalArgumentException if the dataset is empty, the lengths disagree, a label is
   *     negative or a feature is NaN or infinite (the message names the example)
   */
  public static LabeledDataset of(float[] features, int[] labels, ExampleShape shape) {
    checkNotNull(features, "features");
    checkNotNull(labels, "labels");
    checkNotNull(shape, "shape");
    checkCounts(features.length, labels, shape, "floats");
    int rowSize = shape.size();
    for (int j = 0; j < features.length; j++) {
      if (!Float.isFinite(features[j])) {
        throw new IllegalArgumentException(
            String.format(
                "feature %s of example %s is %s; features must be finite",
                j % rowSize, j / rowSize, features[j]));
      }
    }
    return new LabeledDataset(
        FeatureStore.ofFloats(features.clone(), shape.size()), labels.clone(), shape);
  }

  /**
   * A byte-storage dataset whose values are {@code u / 255.0} (pixels in {@code [0, 1]}); as
   * {@link #ofBytes(byte[], int[], ExampleShape, double[], double[]) ofBytes(values, labels, shape,
   * {1}, {0})}.
   */
  public static LabeledDataset ofBytes(byte[] values, int[] labels, ExampleShape shape) {
    return ofBytes(values, labels, shape, new double[] {1}, new double[] {0});
  }

  /**
   * A byte-storage dataset (see the class comment): one unsigned byte per value, decoded to {@code
   * (float) (u / 255.0 * scale[c] + offset[c])}. The arrays are copied.
   *
   * @param values {@code labels.length * shape.size()} unsigned bytes, row-major, example {@code
   *     i} at offset {@code i * shape.size()}; at most 2^31 - 1 in one array (the image loaders
   *     build larger byte datasets in chunks)
   * @param labels class label of each example, each {@code >= 0}; at least one example
   * @param shape the shape of one example
   * @param scale one factor for all values, or one per channel of an image shape
   * @param offset as many offsets as {@code scale}
   * @throws IllegalArgumentException if the dataset is empty, the lengths disagree, a label is
   *     negative, or a scale or offset is not finite or decodes a byte to a value that is not
   */
  public static LabeledDataset ofBytes(
      byte[] values, int[] labels, ExampleShape shape, double[] scale, double[] offset) {
    checkNotNull(values, "values");
    checkNotNull(labels, "labels");
    checkNotNull(shape, "shape");
    checkNotNull(scale, "scale");
    checkNotNull(offset, "offset");
    checkCounts(values.length, labels, shape, "bytes");
    return new LabeledDataset(FeatureStore.copyOfBytes(values, labels.length, shape, scale, offset), labels.clone(), shape);
  }

  private static void checkCounts(long valueCount, int[] labels, ExampleShape shape, String unit) {
    checkArgument(labels.length > 0, "a dataset needs at least one example, got 0 labels");
    long expected = (long) labels.length * shape.size();
    checkArgument(
        valueCount == expected,
        "features must hold labels.length * shape.size() = %s * %s = %s %s, got %s",
        labels.length,
        shape.size(),
        expected,
        unit,
        valueCount);
    for (int i = 0; i < labels.length; i++) {
      checkArgument(labels[i] >= 0, "label of example %s must be >= 0, got %s", i, labels[i]);
    }
  }

  /**
   * A builder for a dataset with optional groups and names. The arrays are copied when {@link
   * LabeledDatasetBuilder#build()} runs, with the checks of {@link #of}.
   *
   * @param features {@code labels.length * shape.size()} finite floats, row-major
   * @param labels class label of each example, each {@code >= 0}
   * @param shape the shape of one example
   */
  public static LabeledDatasetBuilder builder(float[] features, int[] labels, ExampleShape shape) {
    return new LabeledDatasetBuilder(
        checkNotNull(features, "features"),
        null,
        checkNotNull(labels, "labels"),
        checkNotNull(shape, "shape"));
  }

  /**
   * A builder for a byte-storage dataset (see {@link #ofBytes}) with optional groups and names;
   * values decode to {@code u / 255.0} unless {@link LabeledDatasetBuilder#byteScale} says
   * otherwise. The arrays are copied when {@link LabeledDatasetBuilder#build()} runs.
   *
   * @param values {@code labels.length * shape.size()} unsigned bytes, row-major
   * @param labels class label of each example, each {@code >= 0}
   * @param shape the shape of one example
   */
  public static LabeledDatasetBuilder builder(byte[] values, int[] labels, ExampleShape shape) {
    return new LabeledDatasetBuilder(
        null,
        checkNotNull(values, "values"),
        checkNotNull(labels, "labels"),
        checkNotNull(shape, "shape"));
  }

  /**
   * For loaders in this package: takes ownership of arrays they built and know to be valid (finite
   * features, matching lengths), so that a large dataset is not held twice while loading.
   */
  static LabeledDataset owning(
      float[] features,
      int[] labels,
      ExampleShape shape,
      int[] groups,
      Map<Integer, String> classNames,
      Map<Integer, String> groupNames) {
    checkArgument(labels.length > 0, "a dataset needs at least one example, got 0 labels");
    checkArgument(features.length == (long) labels.length * shape.size(), "feature count");
    checkArgument(groups == null || groups.length == labels.length, "group count");
    return owning(
        FeatureStore.ofFloats(features, shape.size()),
        labels,
        shape,
        groups,
        classNames,
        groupNames);
  }

  /** As {@link #owning(float[], int[], ExampleShape, int[], Map, Map)}, for any storage. */
  static LabeledDataset owning(
      FeatureStore store,
      int[] labels,
      ExampleShape shape,
      int[] groups,
      Map<Integer, String> classNames,
      Map<Integer, String> groupNames) {
    checkArgument(labels.length > 0, "a dataset needs at least one example, got 0 labels");
    checkArgument(store.rows == labels.length && store.rowSize == shape.size(), "feature count");
    checkArgument(groups == null || groups.length == labels.length, "group count");
    return new LabeledDataset(
        store,
        labels,
        shape,
        groups,
        ImmutableSortedMap.copyOf(classNames),
        ImmutableSortedMap.copyOf(groupNames));
  }

  /** This dataset's storage and labels with groups and names, checked as {@link #owning} does. */
  LabeledDataset withGroupsAndNames(int[] groups, Map<Integer, String> classNames, Map<Integer, String> groupNames) {
    return owning(store, labels, shape, groups, classNames, groupNames);
  }

  /** Number of examples. */
  public int size() {
    return labels.length;
  }

  /** The shape of one example. */
  public ExampleShape shape() {
    return shape;
  }

  /** Floats per example, {@code shape().size()}. */
  public int featureSize() {
    return rowSize;
  }

  /**
   * Whether the features are held as unsigned bytes and decoded on access (see the class comment)
   * rather than as floats.
   */
  public boolean storesBytes() {
    return store.isBytes();
  }

  /** Heap bytes the features occupy: {@code 4 * size() * featureSize()} for floats, a quarter for bytes. */
  public long featureMemoryBytes() {
    return store.memoryBytes();
  }

  /** Class label of example {@code i}. */
  public int label(int i) {
    checkElementIndex(i, labels.length, "example index");
    return labels[i];
  }

  /** Every example's label, in order; a fresh copy. */
  public int[] labels() {
    return labels.clone();
  }

  /** The distinct labels, ascending; a fresh copy. */
  public int[] classes() {
    return index.classes.clone();
  }

  /** Number of distinct labels. */
  public int classCount() {
    return index.classes.length;
  }

  /** Whether every example carries a group label (see {@link #builder}). */
  public boolean hasGroups() {
    return index.groups != null;
  }

  /**
   * Group of example {@code i}.
   *
   * @throws IllegalStateException if the dataset has no groups
   */
  public int group(int i) {
    requireGroups();
    checkElementIndex(i, labels.length, "example index");
    return index.groups[i];
  }

  /**
   * Every example's group, in order; a fresh copy.
   *
   * @throws IllegalStateException if the dataset has no groups
   */
  public int[] groups() {
    requireGroups();
    return index.groups.clone();
  }

  /** The distinct groups, ascending; a fresh copy, empty when the dataset has no groups. */
  public int[] groupIds() {
    return index.groupIds.clone();
  }

  /** Number of distinct groups; 0 when the dataset has no groups. */
  public int groupCount() {
    return index.groupIds.length;
  }

  /**
   * The group that class {@code label} lies in.
   *
   * @throws IllegalStateException if the dataset has no groups
   * @throws IllegalArgumentException if no example has that label
   */
  public int groupOfClass(int label) {
    requireGroups();
    return index.groupOfClass(label);
  }

  /**
   * The classes of group {@code group}, ascending; a fresh array, empty if no example has that
   * group.
   *
   * @throws IllegalStateException if the dataset has no groups
   */
  public int[] classesOfGroup(int group) {
    requireGroups();
    return index.classesOfGroup(group);
  }

  /**
   * Indices of the examples of group {@code group}, ascending; a fresh array, empty if none.
   *
   * @throws IllegalStateException if the dataset has no groups
   */
  public int[] indicesOfGroup(int group) {
    requireGroups();
    return index.indicesOfGroup(group);
  }

  /** Class names by label, ascending; immutable, empty when the dataset has none. */
  public Map<Integer, String> classNames() {
    return index.classNames;
  }

  /** Group names by group, ascending; immutable, empty when the dataset has none. */
  public Map<Integer, String> groupNames() {
    return index.groupNames;
  }

  /**
   * The name of class {@code label}, or its number as a string when the dataset has no class names.
   *
   * @throws IllegalArgumentException if no example has that label
   */
  public String className(int label) {
    return index.className(label);
  }

  /**
   * The name of group {@code group}, or its number as a string when the dataset has no group names.
   *
   * @throws IllegalStateException if the dataset has no groups
   * @throws IllegalArgumentException if no example has that group
   */
  public String groupName(int group) {
    requireGroups();
    return index.groupName(group);
  }

  /**
   * The group called {@code name}, e.g. the Omniglot alphabet {@code "Latin"}.
   *
   * @throws IllegalStateException if the dataset has no groups or no group names
   * @throws IllegalArgumentException if no group, or more than one, has that name (the message
   *     lists the names)
   */
  public int groupNamed(String name) {
    checkNotNull(name, "name");
    requireGroups();
    checkState(!index.groupNames.isEmpty(), "dataset %s has no group names", this);
    return DatasetNames.named(index.groupNames, name, "group");
  }

  /**
   * The class (label) called {@code name}, e.g. {@code "Latin/character07"}.
   *
   * @throws IllegalStateException if the dataset has no class names
   * @throws IllegalArgumentException if no class, or more than one, has that name (the message
   *     lists the names)
   */
  public int classNamed(String name) {
    checkNotNull(name, "name");
    checkState(!index.classNames.isEmpty(), "dataset %s has no class names", this);
    return DatasetNames.named(index.classNames, name, "class");
  }

  private void requireGroups() {
    if (index.groups == null) {
      throw new IllegalStateException("dataset " + this + " has no group labels");
    }
  }

  /**
   * Indices of the examples of one class, ascending; a fresh copy.
   *
   * @throws IllegalArgumentException if no example has that label
   */
  public int[] indicesOfClass(int label) {
    return indicesOfClassShared(label).clone();
  }

  /** Number of examples with {@code label}; 0 if none. */
  public int countOfClass(int label) {
    return index.countOfClass(label);
  }

  /** The same array each call, for samplers in this package that must not copy per draw. */
  int[] indicesOfClassShared(int label) {
    return index.indicesOfClass(label);
  }

  /** The features of example {@code i}; a fresh copy of {@code featureSize()} floats. */
  public float[] features(int i) {
    checkElementIndex(i, labels.length, "example index");
    float[] out = new float[rowSize];
    store.copyRow(i, out, 0);
    return out;
  }

  /**
   * Copies the features of the listed examples, in order, into {@code destination} starting at
   * offset 0: example {@code indices[k]} lands at {@code k * featureSize()}. The caller owns and
   * may reuse the buffer.
   *
   * @throws IllegalArgumentException if the buffer is shorter than {@code indices.length *
   *     featureSize()}
   * @throws IndexOutOfBoundsException if an index is outside {@code [0, size())}
   */
  public void gather(int[] indices, float[] destination) {
    gather(indices, destination, 0);
  }

  /** As {@link #gather(int[], float[])}, writing from {@code offset} (in floats) onwards. */
  public void gather(int[] indices, float[] destination, int offset) {
    checkNotNull(indices, "indices");
    checkNotNull(destination, "destination");
    checkArgument(offset >= 0, "offset must be >= 0, got %s", offset);
    long needed = offset + (long) indices.length * rowSize;
    checkArgument(
        destination.length >= needed,
        "destination holds %s floats, but %s examples of %s floats from offset %s need %s",
        destination.length,
        indices.length,
        rowSize,
        offset,
        needed);
    for (int k = 0; k < indices.length; k++) {
      int i = indices[k];
      checkElementIndex(i, labels.length, "example index");
      store.copyRow(i, destination, offset + k * rowSize);
    }
  }

  /**
   * A new dataset of the listed examples, in the listed order (repeats allowed). Groups are kept;
   * names are kept for the classes and groups that remain.
   *
   * @throws IllegalArgumentException if {@code indices} is empty
   */
  public LabeledDataset subset(int[] indices) {
    checkNotNull(indices, "indices");
    checkArgument(indices.length > 0, "a subset needs at least one index");
    int[] l = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      checkElementIndex(indices[k], labels.length, "example index");
      l[k] = labels[indices[k]];
    }
    FeatureStore f = store.select(indices);
    if (index.groups == null) {
      return new LabeledDataset(f, l, shape, null, DatasetNames.retain(index.classNames, l), ImmutableSortedMap.of());
    }
    int[] g = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      g[k] = index.groups[indices[k]];
    }
    return new LabeledDataset(f, l, shape, g, DatasetNames.retain(index.classNames, l), DatasetNames.retain(index.groupNames, g));
  }

  /**
   * {@code LabeledDataset[120 examples of 28x28x1, 6 classes]}, with {@code , 2 groups} when the
   * dataset has groups.
   */
  @Override
  public String toString() {
    return "LabeledDataset["
        + size()
        + " examples of "
        + shape
        + ", "
        + index.classes.length
        + " classes"
        + (index.groups == null ? "" : ", " + index.groupIds.length + " groups")
        + (store.isBytes() ? ", bytes" : "")
        + "]";
  }
}
