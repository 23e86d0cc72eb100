package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws P x K batches for online triplet mining ({@link PkBatch}): {@code P} distinct classes with
 * {@code K >= 2} examples each, so every batch holds positive pairs for every class it shows.
 *
 * <p><b>Epochs.</b> In an epoch a class with {@code n} examples appears {@code ceil(n / K)} times
 * and hands out its examples from a shuffled list, so with {@code n} a multiple of {@code K} every
 * example appears exactly once per epoch; the list is reshuffled when used up. A class whose {@code
 * n} is not a multiple of {@code K} completes its last appearance from the next shuffle of its
 * list, skipping examples already in the batch, so no index repeats within a class's K. Each batch
 * takes the classes with the most appearances left in the epoch (ties broken at random); when fewer
 * than {@code P} remain the next epoch starts, and the batch is completed from it. When every class
 * holds the same multiple of K examples, there are at least {@code 2P} classes and an epoch is a
 * whole number of batches, each epoch's {@link #batchesPerEpoch()} batches show every example
 * exactly once. With very uneven classes exact epochs can be impossible (a class that needs 3 of 5
 * batches cannot skip consecutive ones); the rule on consecutive batches then wins, large classes
 * carry their unused appearances over, and their examples are still all drawn in turn.
 *
 * <p><b>Small classes.</b> Classes with 1 example are never drawn (they cannot form a positive
 * pair). A class with {@code 2 <= n < K} examples appears once per epoch with all {@code n}
 * examples, and fills its other {@code K - n} slots by drawing its examples again uniformly with
 * replacement: duplicates are then unavoidable, and they are the only duplicates a batch ever
 * holds.
 *
 * <p><b>Consecutive batches</b> share no class whenever the dataset has at least {@code 2P}
 * eligible classes. With fewer (but at least {@code P}), a batch takes classes of the previous
 * batch only as far as needed to reach {@code P}.
 *
 * <p>Seeded with {@link SplittableRandom}: the same dataset and settings give the same sequence of
 * batches on every machine. Stateful and not thread-safe; the dataset is shared, not copied.
 */
public final class PkBatchSampler {
  private final LabeledDataset data;
  private final int classesPerBatch;
  private final int examplesPerClass;
  private final SplittableRandom rng;

  /** Labels of the eligible classes (at least 2 examples), ascending. */
  private final int[] classes;

  /** Per eligible class: its examples in the current shuffle, and how many were handed out. */
  private final int[][] queues;

  private final int[] cursors;
  private final int[] quota;
  private final int[] remaining;
  private final boolean[] inPrevious;
  private final boolean[] chosen;
  private final int[] scratch;
  private long epoch = 0;

  private PkBatchSampler(Builder b, int[] classes) {
    this.data = b.data;
    this.classesPerBatch = b.classesPerBatch;
    this.examplesPerClass = b.examplesPerClass;
    this.rng = new SplittableRandom(b.seed);
    this.classes = classes;
    int c = classes.length;
    this.queues = new int[c][];
    this.cursors = new int[c];
    this.quota = new int[c];
    this.remaining = new int[c];
    for (int i = 0; i < c; i++) {
      queues[i] = data.indicesOfClass(classes[i]);
      cursors[i] = queues[i].length; // used up: the first take shuffles
      quota[i] = Math.max(1, (queues[i].length + examplesPerClass - 1) / examplesPerClass);
      remaining[i] = quota[i];
    }
    this.inPrevious = new boolean[c];
    this.chosen = new boolean[c];
    this.scratch = new int[c];
  }

  /** A builder over {@code data}: P = 8 classes, K = 4 examples each, seed 0 unless set. */
  public static Builder builder(LabeledDataset data) {
    return new Builder(checkNotNull(data, "data"));
  }

  /** The dataset whose indices the batches hold. */
  public LabeledDataset dataset() {
    return data;
  }

  /** P, classes per batch. */
  public int classesPerBatch() {
    return classesPerBatch;
  }

  /** K, examples per class, {@code >= 2}. */
  public int examplesPerClass() {
    return examplesPerClass;
  }

  /** Number of batch slots ({@code P * K}). */
  public int batchSize() {
    return classesPerBatch * examplesPerClass;
  }

  /**
   * Batches in one epoch: the class appearances of an epoch, {@code sum of ceil(n / K)} over the
   * eligible classes, divided by P and rounded up.
   */
  public int batchesPerEpoch() {
    long appearances = 0;
    for (int q : quota) {
      appearances += q;
    }
    return (int) ((appearances + classesPerBatch - 1) / classesPerBatch);
  }

  /**
   * Epochs started so far: 0 during the first epoch, then 1 once a batch has drawn on the second,
   * and so on.
   */
  public long epoch() {
    return epoch;
  }

  /** The next batch. */
  public PkBatch next() {
    int[] picked = new int[classesPerBatch];
    Arrays.fill(chosen, false);
    int count = pick(picked, 0, true);
    if (count < classesPerBatch) {
      epoch++;
      for (int c = 0; c < classes.length; c++) {
        remaining[c] += quota[c];
      }
      count = pick(picked, count, true);
    }
    if (count < classesPerBatch) {
      // Fewer than 2P eligible classes: reuse classes of the previous batch, as few as possible.
      count = pick(picked, count, false);
    }
    int[] indices = new int[classesPerBatch * examplesPerClass];
    int[] labels = new int[indices.length];
    Arrays.fill(inPrevious, false);
    for (int p = 0; p < classesPerBatch; p++) {
      int c = picked[p];
      inPrevious[c] = true;
      remaining[c] = Math.max(0, remaining[c] - 1);
      take(c, indices, p * examplesPerClass);
      Arrays.fill(labels, p * examplesPerClass, (p + 1) * examplesPerClass, classes[c]);
    }
    return new PkBatch(indices, labels, classesPerBatch, examplesPerClass);
  }

  /**
   * Adds classes to {@code picked} from position {@code count} until P: those with the most
   * appearances left first, in random order within equal counts. With {@code fresh}, only classes
   * with appearances left and not in the previous batch; otherwise any class not yet picked.
   */
  private int pick(int[] picked, int count, boolean fresh) {
    int max = 0;
    for (int c = 0; c < classes.length; c++) {
      max = Math.max(max, remaining[c]);
    }
    int lowest = fresh ? 1 : 0;
    for (int r = max; r >= lowest && count < classesPerBatch; r--) {
      int n = 0;
      for (int c = 0; c < classes.length; c++) {
        if (remaining[c] == r && !chosen[c] && (!fresh || !inPrevious[c])) {
          scratch[n++] = c;
        }
      }
      // A partial Fisher-Yates shuffle picks uniformly among the classes tied at r.
      for (int i = 0; i < n && count < classesPerBatch; i++) {
        int j = i + rng.nextInt(n - i);
        int c = scratch[j];
        scratch[j] = scratch[i];
        scratch[i] = c;
        chosen[c] = true;
        picked[count++] = c;
      }
    }
    return count;
  }

  /** Writes K examples of class position {@code c} into {@code out} from {@code offset}. */
  private void take(int c, int[] out, int offset) {
    int[] queue = queues[c];
    int n = queue.length;
    int k = examplesPerClass;
    if (n < k) {
      shuffle(queue);
      System.arraycopy(queue, 0, out, offset, n);
      for (int i = n; i < k; i++) {
        out[offset + i] = queue[rng.nextInt(n)];
      }
      cursors[c] = n;
      return;
    }
    for (int i = 0; i < k; i++) {
      if (cursors[c] == n) {
        shuffle(queue);
        cursors[c] = 0;
      }
      int at = cursors[c];
      // Only after a reshuffle mid-take can the next example already be in this class's K.
      if (contains(out, offset, offset + i, queue[at])) {
        int j = at + 1;
        while (contains(out, offset, offset + i, queue[j])) {
          j++; // terminates: i < k <= n, so some example of the class is not yet taken
        }
        int t = queue[at];
        queue[at] = queue[j];
        queue[j] = t;
      }
      out[offset + i] = queue[at];
      cursors[c] = at + 1;
    }
  }

  private static boolean contains(int[] a, int from, int to, int value) {
    for (int i = from; i < to; i++) {
      if (a[i] == value) {
        return true;
      }
    }
    return false;
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
    return "PkBatchSampler["
        + classesPerBatch
        + " classes x "
        + examplesPerClass
        + " examples, over "
        + classes.length
        + " classes of "
        + data
        + "]";
  }

  /** Collects {@link PkBatchSampler} settings; {@link #build()} validates them. */
  public static final class Builder {
    private final LabeledDataset data;
    private int classesPerBatch = 8;
    private int examplesPerClass = 4;
    private long seed = 0;

    private Builder(LabeledDataset data) {
      this.data = data;
    }

    /** P, distinct classes per batch, {@code >= 1}; default 8. */
    public Builder classesPerBatch(int classesPerBatch) {
      this.classesPerBatch = classesPerBatch;
      return this;
    }

    /** K, examples per class, {@code >= 2} so each class forms a positive pair; default 4. */
    public Builder examplesPerClass(int examplesPerClass) {
      this.examplesPerClass = examplesPerClass;
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
     * @throws IllegalArgumentException if {@code P < 1}, {@code K < 2}, {@code P * K} overflows, or
     *     fewer than P classes have at least 2 examples (the message gives the counts)
     */
    public PkBatchSampler build() {
      checkArgument(classesPerBatch >= 1, "classesPerBatch must be >= 1, got %s", classesPerBatch);
      checkArgument(
          examplesPerClass >= 2,
          "examplesPerClass must be >= 2 so every class forms a positive pair, got %s",
          examplesPerClass);
      checkArgument(
          (long) classesPerBatch * examplesPerClass <= Integer.MAX_VALUE - 8,
          "a batch of %s x %s examples is too large",
          classesPerBatch,
          examplesPerClass);
      int[] eligible =
          Arrays.stream(data.classes()).filter(c -> data.countOfClass(c) >= 2).toArray();
      checkArgument(
          eligible.length >= classesPerBatch,
          "P x K batches with P = %s need %s classes with at least 2 examples, but only %s of the"
              + " %s classes have that many",
          classesPerBatch,
          classesPerBatch,
          eligible.length,
          data.classCount());
      return new PkBatchSampler(this, eligible);
    }
  }
}
