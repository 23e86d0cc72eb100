package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * The ready-made {@link Distance}s, matching the definitions in the project's LOSSES.md.
 *
 * <p>Every one takes embeddings of shape {@code [B, E]} in any floating type {@code T} and returns
 * distances in the embeddings' own units, of type {@code T}: {@code rowwise} gives {@code [B]},
 * {@code pairwise} gives {@code [B, B]} with a zero diagonal. Each has a finite gradient
 * everywhere, including between identical embeddings, where a naive {@code sqrt} gives NaN in the
 * backward pass. {@link Distance#between} computes the same value in plain Java, in double
 * precision.
 *
 * <pre>{@code
 * Operand<TFloat32> d = Distances.EUCLIDEAN.rowwise(tf, left, right);   // [B]
 * Operand<TFloat32> m = Distances.COSINE.pairwise(tf, embeddings);      // [B, B]
 * double x = Distances.EUCLIDEAN.between(new float[] {0, 0}, new float[] {3, 4});  // 5.0
 * }</pre>
 */
public final class Distances {
  private Distances() {}

  /**
   * Euclidean distance {@code ||a - b||_2}. Pairwise, {@code sqrt(D2_ij)} with {@code D2} as in
   * {@link #SQUARED_EUCLIDEAN}. The square root is taken only where {@code D2 > 0}; elsewhere the
   * distance is 0 and so is its gradient (the true gradient is undefined there).
   */
  public static final Distance EUCLIDEAN = new Euclidean(false);

  /**
   * Squared Euclidean distance {@code ||a - b||_2^2}, in squared embedding units. Pairwise, {@code
   * D2_ij = max(|x_i|^2 + |x_j|^2 - 2 x_i.x_j, 0)} with the diagonal forced to 0: the expansion
   * needs one matrix product instead of a {@code [B, B, E]} difference tensor, and the clamp
   * removes the small negative values that its rounding leaves.
   */
  public static final Distance SQUARED_EUCLIDEAN = new Euclidean(true);

  /**
   * Cosine (angular) distance {@code max(1 - a.b / (||a|| ||b||), 0)}, unitless, in {@code [0, 2]}.
   * The norms are floored at {@code 1e-12}, so a zero vector is at distance 1 from everything
   * (except from itself in {@code pairwise}, whose diagonal is 0) instead of NaN.
   */
  public static final Distance COSINE = new Cosine();

  /**
   * Manhattan distance {@code sum_k |a_k - b_k|}. At {@code a_k = b_k} TensorFlow takes the
   * gradient of {@code |x|} to be 0.
   */
  public static final Distance L1 = new Manhattan();

  /**
   * The ready-made distance with this {@link Distance#name()}: {@code euclidean}, {@code
   * squared_euclidean}, {@code cosine} or {@code l1}.
   *
   * @throws IllegalArgumentException for any other name
   */
  public static Distance byName(String name) {
    Objects.requireNonNull(name, "name");
    for (Distance d : new Distance[] {EUCLIDEAN, SQUARED_EUCLIDEAN, COSINE, L1}) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        "unknown distance '" + name + "'; known: euclidean, squared_euclidean, cosine, l1");
  }

  /** A scalar constant of the same type as {@code like}, so float32 and float64 share one path. */
  static <T extends TNumber> Operand<T> scalar(Ops tf, double value, Operand<T> like) {
    return tf.dtypes.cast(tf.constant(value), like.type());
  }

  /** Fails if the static shape of {@code x} is known and its rank is not {@code rank}. */
  static void checkRank(Operand<?> x, int rank, String what) {
    Shape s = x.shape();
    if (!s.isUnknown() && s.numDimensions() != rank) {
      throw new IllegalArgumentException(what + " must have rank " + rank + ", got shape " + s);
    }
  }

  /**
   * Fails if two statically known dimensions disagree. Only static shapes are checked: a dimension
   * of -1 (unknown until the graph runs) is left to TensorFlow's own broadcasting errors.
   */
  static void checkSameDim(Operand<?> a, int dimA, Operand<?> b, int dimB, String message) {
    Shape sa = a.shape();
    Shape sb = b.shape();
    if (sa.isUnknown() || sb.isUnknown()) {
      return;
    }
    long na = sa.get(dimA);
    long nb = sb.get(dimB);
    if (na >= 0 && nb >= 0 && na != nb) {
      throw new IllegalArgumentException(message + ": " + sa + " vs " + sb);
    }
  }

  /** True if two shapes of known rank have the same rank and no two known dimensions differ. */
  static boolean compatible(Shape a, Shape b) {
    if (a.numDimensions() != b.numDimensions()) {
      return false;
    }
    for (int i = 0; i < a.numDimensions(); i++) {
      if (a.get(i) >= 0 && b.get(i) >= 0 && a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code x} itself, with a check when the graph runs that every entry is finite: a NaN or an
   * infinity fails the run with TensorFlow's "assertion failed" error naming {@code what}, instead
   * of turning the loss and every weight into NaN. The check runs in the forward pass only (an
   * {@code Assert} op and an {@code Identity}, both outside the gradient path); {@code
   * CheckNumerics} is not used because TensorFlow's C API has no gradient for it.
   */
  static <T extends TNumber> Operand<T> requireFinite(Ops tf, Operand<T> x, String what) {
    Operand<TBool> finite =
        tf.reduceAll(tf.math.isFinite(x), tf.range(tf.constant(0), tf.rank(x), tf.constant(1)));
    Op check =
        tf.assertThat(
            finite,
            java.util.List.of(tf.constant(what + " must be finite, but contain NaN or infinity")));
    return tf.withControlDependencies(java.util.List.of(check)).identity(x);
  }

  /** Checks two {@code [B, E]} batches whose rows are compared one to one. */
  static void checkPaired(Operand<?> a, Operand<?> b, String nameA, String nameB) {
    checkRank(a, 2, nameA);
    checkRank(b, 2, nameB);
    checkSameDim(a, 1, b, 1, "embeddings differ in size");
    checkSameDim(a, 0, b, 0, "batches differ in size");
  }

  /** Checks the arguments of {@link Distance#between}. */
  static void checkLengths(float[] a, float[] b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vectors differ in length: " + a.length + " vs " + b.length);
    }
    // A NaN distance compares false with every threshold, so it would silently read as "different".
    checkFinite(a, "a");
    checkFinite(b, "b");
  }

  private static void checkFinite(float[] v, String name) {
    for (int k = 0; k < v.length; k++) {
      if (!Float.isFinite(v[k])) {
        throw new IllegalArgumentException(
            name + " holds " + v[k] + " at position " + k + "; vectors must be finite");
      }
    }
  }

  /** {@code sqrt(x)} where {@code x > 0}, else 0, with a zero gradient there. */
  static <T extends TNumber> Operand<T> safeSqrt(Ops tf, Operand<T> x) {
    Operand<T> zeros = tf.zerosLike(x);
    Operand<TBool> positive = tf.math.greater(x, zeros);
    // sqrt sees 1 where x <= 0, so neither branch's gradient is infinite; the outer select alone
    // is not enough, as 0 * inf = NaN in the backward pass. (Not OnesLike: TensorFlow's C API has
    // no gradient registered for it.)
    Operand<T> safe = tf.select(positive, x, Distances.scalar(tf, 1.0, x));
    return tf.select(positive, tf.math.sqrt(safe), zeros);
  }

  private static final class Euclidean implements Distance {
    private final boolean squared;

    Euclidean(boolean squared) {
      this.squared = squared;
    }

    @Override
    public <T extends TNumber> Operand<T> rowwise(Ops tf, Operand<T> a, Operand<T> b) {
      checkPaired(a, b, "embeddings a", "embeddings b");
      Operand<T> d2 = tf.reduceSum(tf.math.square(tf.math.sub(a, b)), tf.constant(1));
      return squared ? d2 : safeSqrt(tf, d2);
    }

    @Override
    public <T extends TNumber> Operand<T> pairwise(Ops tf, Operand<T> x) {
      checkRank(x, 2, "embeddings");
      Operand<T> sq = tf.reduceSum(tf.math.square(x), tf.constant(1));
      Operand<T> dot = tf.linalg.matMul(x, x, MatMul.transposeB(true));
      Operand<T> d2 =
          tf.math.sub(
              tf.math.add(tf.expandDims(sq, tf.constant(1)), tf.expandDims(sq, tf.constant(0))),
              tf.math.mul(scalar(tf, 2.0, x), dot));
      d2 = tf.math.maximum(d2, tf.zerosLike(d2));
      d2 = tf.select(diagonal(tf, x), tf.zerosLike(d2), d2);
      return squared ? d2 : safeSqrt(tf, d2);
    }

    @Override
    public double between(float[] a, float[] b) {
      checkLengths(a, b);
      double s = 0;
      for (int k = 0; k < a.length; k++) {
        double d = (double) a[k] - b[k];
        s += d * d;
      }
      return squared ? s : Math.sqrt(s);
    }

    @Override
    public String name() {
      return squared ? "squared_euclidean" : "euclidean";
    }

    @Override
    public String toString() {
      return name();
    }
  }

  private static final class Cosine implements Distance {
    @Override
    public <T extends TNumber> Operand<T> rowwise(Ops tf, Operand<T> a, Operand<T> b) {
      checkPaired(a, b, "embeddings a", "embeddings b");
      Operand<T> cos =
          tf.reduceSum(tf.math.mul(normalise(tf, a), normalise(tf, b)), tf.constant(1));
      Operand<T> d = tf.math.sub(Distances.scalar(tf, 1.0, cos), cos);
      return tf.math.maximum(d, tf.zerosLike(d));
    }

    @Override
    public <T extends TNumber> Operand<T> pairwise(Ops tf, Operand<T> x) {
      checkRank(x, 2, "embeddings");
      Operand<T> n = normalise(tf, x);
      Operand<T> cos = tf.linalg.matMul(n, n, MatMul.transposeB(true));
      Operand<T> d = tf.math.sub(Distances.scalar(tf, 1.0, cos), cos);
      d = tf.math.maximum(d, tf.zerosLike(d));
      return tf.select(diagonal(tf, x), tf.zerosLike(d), d);
    }

    private static <T extends TNumber> Operand<T> normalise(Ops tf, Operand<T> x) {
      Operand<T> sq = tf.reduceSum(tf.math.square(x), tf.constant(1), ReduceSum.keepDims(true));
      // Flooring |x|^2 at 1e-24 floors |x| at 1e-12: a zero row stays finite, gradient included.
      return tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(sq, scalar(tf, 1e-24, x))));
    }

    @Override
    public double between(float[] a, float[] b) {
      checkLengths(a, b);
      double dot = 0;
      double na = 0;
      double nb = 0;
      for (int k = 0; k < a.length; k++) {
        dot += (double) a[k] * b[k];
        na += (double) a[k] * a[k];
        nb += (double) b[k] * b[k];
      }
      double cos = dot / (Math.max(Math.sqrt(na), 1e-12) * Math.max(Math.sqrt(nb), 1e-12));
      return Math.max(1 - cos, 0);
    }

    @Override
    public String name() {
      return "cosine";
    }

    @Override
    public String toString() {
      return name();
    }
  }

  private static final class Manhattan implements Distance {
    @Override
    public <T extends TNumber> Operand<T> rowwise(Ops tf, Operand<T> a, Operand<T> b) {
      checkPaired(a, b, "embeddings a", "embeddings b");
      return tf.reduceSum(tf.math.abs(tf.math.sub(a, b)), tf.constant(1));
    }

    @Override
    public <T extends TNumber> Operand<T> pairwise(Ops tf, Operand<T> x) {
      checkRank(x, 2, "embeddings");
      Operand<T> diff =
          tf.math.sub(tf.expandDims(x, tf.constant(1)), tf.expandDims(x, tf.constant(0)));
      return tf.reduceSum(tf.math.abs(diff), tf.constant(2));
    }

    @Override
    public double between(float[] a, float[] b) {
      checkLengths(a, b);
      double s = 0;
      for (int k = 0; k < a.length; k++) {
        s += Math.abs((double) a[k] - b[k]);
      }
      return s;
    }

    @Override
    public String name() {
      return "l1";
    }

    @Override
    public String toString() {
      return name();
    }
  }

  /** A {@code [B, B]} mask that is true on the diagonal. */
  private static Operand<TBool> diagonal(Ops tf, Operand<?> x) {
    Operand<TInt32> n = tf.gather(tf.shape(x), tf.constant(0), tf.constant(0));
    Operand<TInt32> idx = tf.range(tf.constant(0), n, tf.constant(1));
    return tf.math.equal(tf.expandDims(idx, tf.constant(1)), tf.expandDims(idx, tf.constant(0)));
  }
}
