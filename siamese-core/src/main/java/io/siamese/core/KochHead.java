package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.gallery.OneShotClassifier;
import io.siamese.losses.Distance;
import io.siamese.losses.KochPairHeadLoss;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The learned pair head of a model trained with {@link KochPairHeadLoss} (Koch, Zemel and
 * Salakhutdinov 2015), with the weights it had when {@link SiameseModel#kochHead()} was called.
 * For two embeddings {@code a}, {@code b} of {@code E} floats:
 *
 * <pre>
 *   z = sum_j alpha_j |a_j - b_j| + bias     the logit, as KochPairHeadLoss defines it
 *   p = sigmoid(z)                           the probability that a and b show one class
 *   d = -ln p = ln(1 + exp(-z))              the distance the model ranks and thresholds by
 * </pre>
 *
 * <p><b>Why {@code -ln p} is the distance.</b> Everything in the library that compares
 * embeddings (pair metrics and their thresholds, {@link SiameseModel#isSame}, one-shot
 * evaluation, {@link OneShotClassifier}) takes "smaller is more alike". {@code d} falls exactly
 * when {@code p} rises, so the nearest support example is the one with the highest probability
 * and a threshold {@code t} on {@code d} is the threshold {@code exp(-t)} on {@code p}: {@code d
 * <= t} exactly when {@code p >= exp(-t)}. It is never negative, whatever the signs of {@code
 * alpha}, and does not round to a tie where {@code p} rounds to 1 (up to {@code z} near 700).
 * It is not a metric: {@code d(a, a) = ln(1 + exp(-bias))}, not 0, and it obeys no triangle
 * inequality. It is {@code softplus(w(a, b) - bias)} of the weighted L1 distance {@code w(a, b) =
 * sum_j -alpha_j |a_j - b_j|}, which training makes a true (semi-)metric where {@code alpha <= 0}
 * (the usual outcome: a larger difference should mean "different").
 *
 * <p><b>Outside the library.</b> To score embeddings from an exported encoder, keep {@link
 * #alpha()} and {@link #bias()} beside them and compute {@code z} as above (or use the {@code
 * score} signature that {@link SiameseModel#exportSavedModel} adds for such a model).
 *
 * <p>Immutable and thread-safe; arrays in and out are copies. As a {@link Distance}, its graph
 * ops use the weights as constants, and {@link #pairwise} has a zero diagonal as that interface
 * asks, although {@code between(x, x)} is not 0.
 */
public final class KochHead implements Distance {
  private final float[] alpha;
  private final float bias;

  /**
   * A head with these weights.
   *
   * @param alpha one finite weight per embedding float
   * @param bias finite
   * @throws IllegalArgumentException naming a non-finite weight
   */
  public KochHead(float[] alpha, float bias) {
    checkNotNull(alpha, "alpha");
    checkArgument(alpha.length > 0, "alpha needs at least one weight");
    for (int j = 0; j < alpha.length; j++) {
      if (!Float.isFinite(alpha[j])) {
        throw new IllegalArgumentException("alpha[" + j + "] is " + alpha[j] + "; the head's weights must be finite");
      }
    }
    checkArgument(Float.isFinite(bias), "bias is %s; the head's weights must be finite", bias);
    this.alpha = alpha.clone();
    this.bias = bias;
  }

  /** The weight of each embedding float's absolute difference; a copy, of length {@code E}. */
  public float[] alpha() {
    return alpha.clone();
  }

  /** The bias of the logit. */
  public float bias() {
    return bias;
  }

  /**
   * The logit {@code z = sum_j alpha_j |a_j - b_j| + bias}, summed in double.
   *
   * @throws IllegalArgumentException if a vector's length is not {@code alpha().length} or it
   *     holds NaN or infinity
   */
  public double logit(float[] a, float[] b) {
    checkVector(a, "a");
    checkVector(b, "b");
    double z = bias;
    for (int j = 0; j < alpha.length; j++) {
      z += alpha[j] * Math.abs((double) a[j] - b[j]);
    }
    return z;
  }

  /** The probability {@code p = sigmoid(z)} in {@code [0, 1]} that {@code a} and {@code b} show one class. */
  public double probability(float[] a, float[] b) {
    return sigmoid(logit(a, b));
  }

  /** {@code -ln p = ln(1 + exp(-z))}, computed without overflow; see the class comment. */
  @Override
  public double between(float[] a, float[] b) {
    return softplus(-logit(a, b));
  }

  /** Numerically stable {@code 1 / (1 + exp(-z))}. */
  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  /** Numerically stable {@code ln(1 + exp(x))}. */
  static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  @Override
  public <T extends TNumber> Operand<T> rowwise(Ops tf, Operand<T> a, Operand<T> b) {
    Operand<T> w = tf.dtypes.cast(tf.constant(alpha), a.type());
    Operand<T> z =
        tf.math.add(
            tf.reduceSum(tf.math.mul(tf.math.abs(tf.math.sub(a, b)), w), tf.constant(1)),
            tf.dtypes.cast(tf.constant(bias), a.type()));
    return tf.math.softplus(tf.math.neg(z));
  }

  @Override
  public <T extends TNumber> Operand<T> pairwise(Ops tf, Operand<T> x) {
    // [B, 1, E] - [1, B, E] -> [B, B, E]: fine for the batch sizes a distance matrix is used at.
    Operand<T> diff = tf.math.abs(tf.math.sub(tf.expandDims(x, tf.constant(1)), tf.expandDims(x, tf.constant(0))));
    Operand<T> w = tf.dtypes.cast(tf.constant(alpha), x.type());
    Operand<T> z = tf.math.add(tf.reduceSum(tf.math.mul(diff, w), tf.constant(2)), tf.dtypes.cast(tf.constant(bias), x.type()));
    Operand<T> d = tf.math.softplus(tf.math.neg(z));
    return tf.linalg.matrixSetDiag(d, tf.zerosLike(tf.linalg.tensorDiagPart(d)), tf.constant(0));
  }

  /** {@code "koch_head"}. */
  @Override
  public String name() {
    return "koch_head";
  }

  private void checkVector(float[] v, String what) {
    checkNotNull(v, what);
    checkArgument(
        v.length == alpha.length, "%s has %s floats, but the head weighs %s", what, v.length, alpha.length);
    for (int j = 0; j < v.length; j++) {
      if (!Float.isFinite(v[j])) {
        throw new IllegalArgumentException(what + " holds " + v[j] + " at position " + j + "; embeddings must be finite");
      }
    }
  }

  /** Equal when the weights are, bit for bit. */
  @Override
  public boolean equals(Object o) {
    return o instanceof KochHead k
        && Arrays.equals(alpha, k.alpha)
        && Float.floatToIntBits(bias) == Float.floatToIntBits(k.bias);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(alpha) * 31 + Float.hashCode(bias);
  }

  /** For example {@code KochHead(64 weights in [-0.31, 0.02], bias 1.25)}. */
  @Override
  public String toString() {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float a : alpha) {
      min = Math.min(min, a);
      max = Math.max(max, a);
    }
    return "KochHead(" + alpha.length + " weights in [" + min + ", " + max + "], bias " + bias + ")";
  }
}
