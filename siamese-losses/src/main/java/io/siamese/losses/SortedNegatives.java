package io.siamese.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.op.nn.TopK;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Each anchor's negatives sorted by distance, so that triplet mining searches a sorted row instead
 * of comparing every {@code (a, p, n)}: {@code O(B^2 log B)} work and {@code O(B^2)} memory where
 * the triplet tensor takes {@code B^3} of both.
 *
 * <p>Row {@code a} of {@link #sortedKeys()} holds the distances {@code D_an} to the negatives of
 * {@code a} in ascending order, then {@code +inf} for every example that is not a negative of
 * {@code a} (its own class, itself); {@link #order()} holds the column {@code n} of each sorted
 * entry. Both are {@code [B, B]}, the anchor as row. The sort and the searches carry no gradient
 * (which negative is picked is piecewise constant); a loss reads the distances it picked with
 * {@link #pick} or {@link #sortedDistances()}, which are differentiable in {@code D}. Among
 * negatives at exactly equal distance the one with the lower index sorts first, so at such a tie
 * the gradient reaches one of them, where {@code reduceMin} would share it.
 *
 * <p>Every op here has a gradient in TensorFlow's C API or is kept off the gradient path: {@code
 * TopKV2}, {@code UpperBound} and {@code LowerBound} only see stopped values, and the
 * differentiable reads are {@code GatherV2} on the flattened matrix and {@code Cumsum}. Indices are
 * {@code int32}: {@code B^2} must stay below {@code 2^31} ({@code B <= 46340}).
 *
 * @param <T> the floating type of the embeddings
 */
final class SortedNegatives<T extends TNumber> {
  private final Ops tf;
  private final PairwiseBatch<T> batch;
  private final Operand<T> sortedKeys;
  private final Operand<TInt32> order;
  private final Operand<TInt32> counts;
  private final Operand<TInt32> size;
  private final Operand<TInt32> rowStarts;

  private SortedNegatives(Ops tf, PairwiseBatch<T> batch) {
    this.tf = tf;
    this.batch = batch;
    Operand<T> d = tf.stopGradient(batch.distances());
    Operand<T> keys = tf.select(batch.isNegative(), d, batch.constant(Double.POSITIVE_INFINITY));
    size = tf.gather(tf.shape(batch.labels()), tf.constant(0), tf.constant(0));
    // TopK sorts descending; on -keys that is keys ascending, with the +inf entries last. Negating
    // twice is exact, so the sorted keys compare bit for bit with D itself.
    TopK<T, TInt32> sorted = tf.nn.topK(tf.math.neg(keys), size, TInt32.class);
    sortedKeys = tf.math.neg(sorted.values());
    order = sorted.indices();
    counts = tf.reduceSum(tf.dtypes.cast(batch.isNegative(), TInt32.class), tf.constant(1));
    rowStarts =
        tf.expandDims(
            tf.math.mul(tf.range(tf.constant(0), size, tf.constant(1)), size), tf.constant(1));
  }

  static <T extends TNumber> SortedNegatives<T> of(Ops tf, PairwiseBatch<T> batch) {
    return new SortedNegatives<>(tf, batch);
  }

  /** The negatives' distances of each anchor, ascending, then {@code +inf}; {@code [B, B]}. */
  Operand<T> sortedKeys() {
    return sortedKeys;
  }

  /** The column {@code n} of each entry of {@link #sortedKeys()}; {@code [B, B]}. */
  Operand<TInt32> order() {
    return order;
  }

  /** How many negatives each anchor has; {@code [B]}. */
  Operand<TInt32> counts() {
    return counts;
  }

  /**
   * For each {@code (a, j)}: how many negatives {@code n} of {@code a} have {@code D_an <=
   * values[a, j]}; equally, the position in the sorted row of the first negative strictly beyond
   * {@code values[a, j]}. Not differentiated.
   *
   * @param values {@code [B, M]}, in units of the distance
   * @return {@code [B, M]}, between 0 and {@link #counts()} of the row
   */
  Operand<TInt32> countAtMost(Operand<T> values) {
    return tf.upperBound(sortedKeys, tf.stopGradient(values));
  }

  /**
   * For each {@code (a, j)}: how many negatives {@code n} of {@code a} have {@code D_an < values[a,
   * j]} (strictly). Not differentiated.
   *
   * @param values {@code [B, M]}, in units of the distance
   * @return {@code [B, M]}, between 0 and {@link #counts()} of the row
   */
  Operand<TInt32> countBelow(Operand<T> values) {
    return tf.lowerBound(sortedKeys, tf.stopGradient(values));
  }

  /**
   * {@code D[a, order[a, i]]}: the distances of each anchor in sorted order, differentiable in
   * {@code D}; the first {@link #counts()} of a row are its negatives' distances, ascending, the
   * rest the distances to its non-negatives (finite, unlike the keys). {@code [B, B]}.
   */
  Operand<T> sortedDistances() {
    return pick(batch.distances(), order);
  }

  /**
   * The exclusive prefix sums of {@link #sortedDistances()} along each row: entry {@code i} is the
   * sum of the row's first {@code i} sorted distances. {@code [B, B]}, differentiable.
   */
  Operand<T> prefixSums() {
    return tf.math.cumsum(sortedDistances(), tf.constant(1), Cumsum.exclusive(true));
  }

  /**
   * {@code x[a, columns[a, j]]} for each {@code (a, j)}: a gather within each row, differentiable
   * in {@code x}.
   *
   * @param x {@code [B, B]}
   * @param columns {@code [B, M]}, each in {@code [0, B)}
   * @return {@code [B, M]}
   */
  <U extends TType> Operand<U> pick(Operand<U> x, Operand<TInt32> columns) {
    // Row-wise gather as a flat one: GatherV2 on axis 0 has a C-API gradient (an unsorted segment
    // sum); batch_dims and GatherNd are not relied upon.
    Operand<U> flat = tf.reshape(x, tf.constant(new int[] {-1}));
    return tf.gather(flat, tf.math.add(columns, rowStarts), tf.constant(0));
  }
}
