package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A P x K batch for online mining, as indices into a {@link LabeledDataset}: {@code P} classes with
 * {@code K} examples each, class by class (positions {@code [p * K, (p + 1) * K)} hold class {@code
 * p}), with each example's label alongside.
 *
 * <p>Immutable: the arrays are copied in and out.
 */
public final class PkBatch {
  private final int[] indices;
  private final int[] labels;
  private final int classesPerBatch;
  private final int examplesPerClass;

  /**
   * @param indices {@code classesPerBatch * examplesPerClass} dataset indices, class by class
   * @param labels the label of each index
   * @param classesPerBatch P, {@code >= 1}
   * @param examplesPerClass K, {@code >= 1}
   * @throws IllegalArgumentException if the lengths do not match {@code P * K}
   */
  public PkBatch(int[] indices, int[] labels, int classesPerBatch, int examplesPerClass) {
    checkNotNull(indices, "indices");
    checkNotNull(labels, "labels");
    checkArgument(classesPerBatch >= 1, "classesPerBatch must be >= 1, got %s", classesPerBatch);
    checkArgument(examplesPerClass >= 1, "examplesPerClass must be >= 1, got %s", examplesPerClass);
    long size = (long) classesPerBatch * examplesPerClass;
    checkArgument(
        indices.length == size && labels.length == size,
        "a %s x %s batch needs %s indices and labels, got %s and %s",
        classesPerBatch,
        examplesPerClass,
        size,
        indices.length,
        labels.length);
    this.indices = indices.clone();
    this.labels = labels.clone();
    this.classesPerBatch = classesPerBatch;
    this.examplesPerClass = examplesPerClass;
  }

  /** Number of examples, {@code P * K}. */
  public int size() {
    return indices.length;
  }

  /** P, the number of classes. */
  public int classesPerBatch() {
    return classesPerBatch;
  }

  /** K, the number of examples of each class. */
  public int examplesPerClass() {
    return examplesPerClass;
  }

  /** Dataset index of example {@code i} of the batch. */
  public int index(int i) {
    return indices[i];
  }

  /** Label of example {@code i} of the batch. */
  public int label(int i) {
    return labels[i];
  }

  /** All dataset indices, class by class; a fresh copy. */
  public int[] indices() {
    return indices.clone();
  }

  /** The label of each example; a fresh copy. */
  public int[] labels() {
    return labels.clone();
  }

  /** The P labels, in batch order; a fresh array. */
  public int[] classes() {
    int[] out = new int[classesPerBatch];
    for (int p = 0; p < classesPerBatch; p++) {
      out[p] = labels[p * examplesPerClass];
    }
    return out;
  }
}
