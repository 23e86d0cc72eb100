package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * A labelled dataset held as plain arrays: {@code size()} examples of {@link #shape()}, stored
 * row-major in one {@code float[]} (about {@code 4 * size * shape.size()} bytes, no object per
 * example), and one {@code int} class label per example.
 *
 * <p>Immutable and thread-safe: the arrays are validated and copied on construction, and every
 * accessor returns a copy or writes into a buffer the caller owns.
 */
public final class LabeledDataset {
  private final float[] features;
  private final int[] labels;
  private final ExampleShape shape;
  private final int rowSize;
  private final int[] classes;
  private final int[][] indicesByClassPosition;

  private LabeledDataset(float[] features, int[] labels, ExampleShape shape) {
    this.features = features;
    this.labels = labels;
    this.shape = shape;
    this.rowSize = shape.size();
    this.classes = Arrays.stream(labels).distinct().sorted().toArray();
    int[] counts = new int[classes.length];
    for (int label : labels) {
      counts[Arrays.binarySearch(classes, label)]++;
    }
    this.indicesByClassPosition = new int[classes.length][];
    for (int c = 0; c < classes.length; c++) {
      indicesByClassPosition[c] = new int[counts[c]];
    }
    int[] fill = new int[classes.length];
    for (int i = 0; i < labels.length; i++) {
      int c = Arrays.binarySearch(classes, labels[i]);
      indicesByClassPosition[c][fill[c]++] = i;
    }
  }

  /**
   * A dataset from row-major features and one label per example. Both arrays are copied.
   *
   * @param features {@code labels.length * shape.size()} finite floats, example {@code i} at
   *     offset {@code i * shape.size()}
   * @param labels class label of each example, each {@code >= 0}; at least one example
   * @param shape the shape of one example
   * @throws IllegalArgumentException if the dataset is empty, the lengths disagree, a label is
   *     negative or a feature is NaN or infinite (the message names the example)
   */
  public static LabeledDataset of(float[] features, int[] labels, ExampleShape shape) {
    checkNotNull(features, "features");
    checkNotNull(labels, "labels");
    checkNotNull(shape, "shape");
    checkArgument(labels.length > 0, "a dataset needs at least one example, got 0 labels");
    long expected = (long) labels.length * shape.size();
    checkArgument(
        features.length == expected,
        "features must hold labels.length * shape.size() = %s * %s = %s floats, got %s",
        labels.length,
        shape.size(),
        expected,
        features.length);
    for (int i = 0; i < labels.length; i++) {
      checkArgument(labels[i] >= 0, "label of example %s must be >= 0, got %s", i, labels[i]);
    }
    int rowSize = shape.size();
    for (int j = 0; j < features.length; j++) {
      if (!Float.isFinite(features[j])) {
        throw new IllegalArgumentException(
            String.format(
                "feature %s of example %s is %s; features must be finite",
                j % rowSize,
                j / rowSize,
                features[j]));
      }
    }
    return new LabeledDataset(features.clone(), labels.clone(), shape);
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
    return classes.clone();
  }

  /** Number of distinct labels. */
  public int classCount() {
    return classes.length;
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
    int c = Arrays.binarySearch(classes, label);
    return c < 0 ? 0 : indicesByClassPosition[c].length;
  }

  /** The same array each call, for samplers in this package that must not copy per draw. */
  int[] indicesOfClassShared(int label) {
    int c = Arrays.binarySearch(classes, label);
    checkArgument(c >= 0, "no example has label %s", label);
    return indicesByClassPosition[c];
  }

  /** The features of example {@code i}; a fresh copy of {@code featureSize()} floats. */
  public float[] features(int i) {
    checkElementIndex(i, labels.length, "example index");
    return Arrays.copyOfRange(features, i * rowSize, (i + 1) * rowSize);
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

  /**
   * As {@link #gather(int[], float[])}, writing from {@code offset} (in floats) onwards.
   */
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
      System.arraycopy(features, i * rowSize, destination, offset + k * rowSize, rowSize);
    }
  }

  /**
   * A new dataset of the listed examples, in the listed order (repeats allowed).
   *
   * @throws IllegalArgumentException if {@code indices} is empty
   */
  public LabeledDataset subset(int[] indices) {
    checkNotNull(indices, "indices");
    checkArgument(indices.length > 0, "a subset needs at least one index");
    float[] f = new float[indices.length * rowSize];
    gather(indices, f);
    int[] l = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      l[k] = labels[indices[k]];
    }
    return new LabeledDataset(f, l, shape);
  }

  @Override
  public String toString() {
    return "LabeledDataset[" + size() + " examples of " + shape + ", " + classes.length + " classes]";
  }
}
