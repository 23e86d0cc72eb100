package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws batches over all training classes for losses that classify into them (ArcFace, CosFace,
 * normalised softmax, Proxy-Anchor: the losses with a weight vector or proxy per class), as
 * indices into a {@link LabeledDataset} with each example's <b>dense class id</b> in {@code [0,
 * C)}, the row of the loss's class-weight matrix.
 *
 * <p><b>Dense ids.</b> The dataset's labels may be any non-negative integers; the sampler numbers
 * its {@code C} distinct labels {@code 0 .. C-1} in ascending order ({@link
 * #classId}, {@link #label}, {@link #labels}). The numbering depends only on the set of labels, so
 * the same training set gives the same ids in every run, and a model whose loss was built for
 * {@code C} classes can check {@code C} against {@link #classCount()}.
 *
 * <p><b>Balance</b> ({@link Balance}):
 *
 * <ul>
 *   <li>{@link Balance#CLASSES} (the default): every slot of a batch is a class, each class equally
 *       likely, then an example of it. The classes come from a shuffled list of all {@code C},
 *       reshuffled when used up, so in each run of {@code C} slots counted from the first draw
 *       every class appears exactly once; a class hands out its examples from its own shuffled
 *       list in the same way, so every example of a class is drawn once before any is drawn again.
 *       Small classes are thus seen as often as large ones, their examples more often.
 *   <li>{@link Balance#EXAMPLES}: every example equally likely: the batches walk through a
 *       shuffled list of all examples, reshuffled when used up, so each example appears exactly
 *       once per epoch and each class as often as it has examples.
 * </ul>
 *
 * <p>A batch repeats a class when it is larger than {@code C} or straddles two passes over the
 * class list, and repeats an example only when it straddles two passes over a list (a class's, or
 * all examples'), or a class has fewer examples than it is drawn in the batch. Classification
 * losses need no positive pairs, so classes with a single example are drawn like any other.
 *
 * <p>Seeded with {@link SplittableRandom}: the same dataset and settings give the same sequence of
 * batches on every machine. Stateful and not thread-safe; the dataset is shared, not copied.
 *
 * <pre>{@code
 * ClassBatchSampler sampler = ClassBatchSampler.builder(train).batchSize(128).seed(7).build();
 * LearnedParameterLoss loss = ArcFaceLoss.builder(sampler.classCount()).build();
 * ClassBatchSampler.Batch batch = sampler.next();
 * train.gather(batch.indices(), features);   // the examples; batch.classIds() are the labels
 * }</pre>
 */
public final class ClassBatchSampler {

  /** How a batch is drawn. */
  public enum Balance {
    /** Each class equally likely, then one of its examples. */
    CLASSES,
    /** Each example equally likely: one pass over all examples per epoch. */
    EXAMPLES
  }

  private final LabeledDataset data;
  private final int batchSize;
  private final Balance balance;
  private final SplittableRandom rng;

  /** The distinct labels, ascending: position = dense id. */
  private final int[] labels;

  /** Dense id of every example. */
  private final int[] idOfExample;

  /** CLASSES: the class list and, per class, its examples; EXAMPLES: the list of all examples. */
  private final int[] classQueue;

  private int classCursor;
  private final int[][] exampleQueues;
  private final int[] exampleCursors;
  private final int[] allExamples;
  private int allCursor;
  private long drawn = 0;

  private ClassBatchSampler(Builder b) {
    this.data = b.data;
    this.batchSize = b.batchSize;
    this.balance = b.balance;
    this.rng = new SplittableRandom(b.seed);
    this.labels = data.classes();
    this.idOfExample = new int[data.size()];
    for (int i = 0; i < idOfExample.length; i++) {
      idOfExample[i] = Arrays.binarySearch(labels, data.label(i));
    }
    int c = labels.length;
    if (balance == Balance.CLASSES) {
      classQueue = new int[c];
      for (int k = 0; k < c; k++) {
        classQueue[k] = k;
      }
      classCursor = c; // used up: the first draw shuffles
      exampleQueues = new int[c][];
      exampleCursors = new int[c];
      for (int k = 0; k < c; k++) {
        exampleQueues[k] = data.indicesOfClass(labels[k]);
        exampleCursors[k] = exampleQueues[k].length;
      }
      allExamples = null;
    } else {
      classQueue = null;
      exampleQueues = null;
      exampleCursors = null;
      allExamples = new int[data.size()];
      for (int i = 0; i < allExamples.length; i++) {
        allExamples[i] = i;
      }
      allCursor = allExamples.length;
    }
  }

  /** A builder over {@code data}: batches of 64, {@link Balance#CLASSES}, seed 0 unless set. */
  public static Builder builder(LabeledDataset data) {
    return new Builder(checkNotNull(data, "data"));
  }

  /** The dataset whose indices the batches hold. */
  public LabeledDataset dataset() {
    return data;
  }

  /** Examples per batch. */
  public int batchSize() {
    return batchSize;
  }

  /** How batches are drawn. */
  public Balance balance() {
    return balance;
  }

  /** C, the number of distinct labels of the dataset: dense ids are {@code 0 .. C-1}. */
  public int classCount() {
    return labels.length;
  }

  /**
   * The dense id of a dataset label: its rank among the dataset's distinct labels.
   *
   * @throws IllegalArgumentException if no example of the dataset has {@code label}
   */
  public int classId(int label) {
    int id = Arrays.binarySearch(labels, label);
    checkArgument(id >= 0, "label %s is not a label of the dataset %s", label, data);
    return id;
  }

  /**
   * The dataset label of a dense id.
   *
   * @throws IllegalArgumentException if {@code classId} is not in {@code [0, C)}
   */
  public int label(int classId) {
    checkArgument(
        classId >= 0 && classId < labels.length,
        "classId must be in [0, %s), got %s",
        labels.length,
        classId);
    return labels[classId];
  }

  /** The dataset label of every dense id, ascending: element {@code k} is {@code label(k)}. */
  public int[] labels() {
    return labels.clone();
  }

  /** Batches per epoch: the dataset's size divided by the batch size, rounded up. */
  public int batchesPerEpoch() {
    return (int) ((data.size() + (long) batchSize - 1) / batchSize);
  }

  /** Epochs completed: examples drawn so far divided by the dataset's size, rounded down. */
  public long epoch() {
    return drawn / data.size();
  }

  /** The next batch. */
  public Batch next() {
    int[] indices = new int[batchSize];
    int[] ids = new int[batchSize];
    for (int s = 0; s < batchSize; s++) {
      int example;
      if (balance == Balance.CLASSES) {
        if (classCursor == classQueue.length) {
          shuffle(classQueue);
          classCursor = 0;
        }
        int c = classQueue[classCursor++];
        int[] queue = exampleQueues[c];
        if (exampleCursors[c] == queue.length) {
          shuffle(queue);
          exampleCursors[c] = 0;
        }
        example = queue[exampleCursors[c]++];
      } else {
        if (allCursor == allExamples.length) {
          shuffle(allExamples);
          allCursor = 0;
        }
        example = allExamples[allCursor++];
      }
      indices[s] = example;
      ids[s] = idOfExample[example];
    }
    drawn += batchSize;
    return new Batch(indices, ids);
  }

  private void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  @Override
  public String toString() {
    return "ClassBatchSampler["
        + batchSize
        + " examples, balanced over "
        + (balance == Balance.CLASSES ? "classes" : "examples")
        + ", "
        + labels.length
        + " classes of "
        + data
        + "]";
  }

  /**
   * One batch: dataset indices and the dense class id of each. Immutable: the arrays are copied in
   * and out.
   */
  public static final class Batch {
    private final int[] indices;
    private final int[] classIds;

    /**
     * @param indices dataset indices
     * @param classIds the dense class id of each index, each {@code >= 0}
     * @throws IllegalArgumentException if the lengths differ or a class id is negative
     */
    public Batch(int[] indices, int[] classIds) {
      checkNotNull(indices, "indices");
      checkNotNull(classIds, "classIds");
      checkArgument(
          indices.length == classIds.length,
          "a batch needs one class id per index, got %s indices and %s class ids",
          indices.length,
          classIds.length);
      for (int i = 0; i < classIds.length; i++) {
        checkArgument(classIds[i] >= 0, "class id %s must be >= 0, got %s", i, classIds[i]);
      }
      this.indices = indices.clone();
      this.classIds = classIds.clone();
    }

    /** Number of examples. */
    public int size() {
      return indices.length;
    }

    /** Dataset index of example {@code i} of the batch. */
    public int index(int i) {
      return indices[i];
    }

    /** Dense class id of example {@code i} of the batch. */
    public int classId(int i) {
      return classIds[i];
    }

    /** All dataset indices; a fresh copy. */
    public int[] indices() {
      return indices.clone();
    }

    /** The dense class id of each example, in {@code [0, C)}; a fresh copy. */
    public int[] classIds() {
      return classIds.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Batch b
          && Arrays.equals(indices, b.indices)
          && Arrays.equals(classIds, b.classIds);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(indices) + Arrays.hashCode(classIds);
    }

    @Override
    public String toString() {
      return "Batch[indices "
          + Arrays.toString(indices)
          + ", classIds "
          + Arrays.toString(classIds)
          + "]";
    }
  }

  /** Collects {@link ClassBatchSampler} settings; {@link #build()} validates them. */
  public static final class Builder {
    private final LabeledDataset data;
    private int batchSize = 64;
    private Balance balance = Balance.CLASSES;
    private long seed = 0;

    private Builder(LabeledDataset data) {
      this.data = data;
    }

    /** Examples per batch, {@code >= 1}; default 64. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** How batches are drawn; default {@link Balance#CLASSES}. */
    public Builder balance(Balance balance) {
      this.balance = balance;
      return this;
    }

    /** Fixes the sequence of batches; default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The sampler.
     *
     * @throws IllegalArgumentException if the batch size is below 1 or above 2^24, or the dataset
     *     has fewer than 2 classes (a classifier over one class learns nothing)
     * @throws NullPointerException if the balance is null
     */
    public ClassBatchSampler build() {
      checkArgument(
          batchSize >= 1 && batchSize <= (1 << 24),
          "batchSize must be in [1, 16777216], got %s",
          batchSize);
      checkNotNull(balance, "balance");
      checkArgument(
          data.classCount() >= 2,
          "batches over classes need at least 2 classes, but the dataset %s has %s",
          data,
          data.classCount());
      return new ClassBatchSampler(this);
    }
  }
}
