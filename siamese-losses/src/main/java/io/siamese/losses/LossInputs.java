package io.siamese.losses;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * What {@link AbstractLearnedParameterLoss} hands to a subclass: one labelled batch whose labels
 * are dense class ids, the loss's parameters, checked, and the helpers that classification and
 * proxy losses need, each written so that its value and gradient stay finite.
 *
 * <p>Shapes: {@code B} examples of dimension {@code E}, {@code C} classes; {@link #targets()} and
 * {@link #isTarget()} are {@code [B, C]}, true/1 at {@code (i, y_i)}. Everything is of the
 * embeddings' type {@code T}, except the {@link TBool} mask and the labels.
 *
 * <p>One instance lives for one {@link AbstractLearnedParameterLoss#call call} and holds that
 * call's {@link Ops}; do not keep it.
 *
 * <pre>{@code
 * // Inside AbstractLearnedParameterLoss.loss(tf, in): normalised softmax with temperature 0.05.
 * Operand<T> logits = tf.math.div(in.cosines(in.parameter(0)), in.constant(0.05));  // [B, C]
 * return in.mean(in.crossEntropy(logits));
 * }</pre>
 *
 * @param <T> the floating type of the embeddings
 */
public final class LossInputs<T extends TNumber> {
  private final Ops tf;
  private final Operand<T> embeddings;
  private final Operand<TInt32> labels;
  private final List<Operand<T>> parameters;
  private final Map<String, Integer> names;
  private final int classes;
  private final Operand<TBool> isTarget;
  private Operand<T> normalised;

  LossInputs(
      Ops tf,
      Operand<T> embeddings,
      Operand<TInt32> labels,
      List<Operand<T>> parameters,
      Map<String, Integer> names,
      int classes) {
    this.tf = tf;
    this.embeddings = embeddings;
    this.labels = labels;
    this.parameters = List.copyOf(parameters);
    this.names = Map.copyOf(names);
    this.classes = classes;
    Operand<TInt32> ids = tf.range(tf.constant(0), tf.constant(classes), tf.constant(1));
    this.isTarget =
        tf.math.equal(tf.expandDims(labels, tf.constant(1)), tf.expandDims(ids, tf.constant(0)));
  }

  /** The embeddings, shape {@code [B, E]}, as given (not normalised), checked to be finite. */
  public Operand<T> embeddings() {
    return embeddings;
  }

  /** The dense class ids, shape {@code [B]}, checked to lie in {@code [0, C)}. */
  public Operand<TInt32> labels() {
    return labels;
  }

  /** C, the number of classes. */
  public int classes() {
    return classes;
  }

  /** Parameter {@code i}, in the order of {@link LearnedParameterLoss#parameters}, checked. */
  public Operand<T> parameter(int i) {
    return parameters.get(i);
  }

  /**
   * The parameter declared with this name.
   *
   * @throws IllegalArgumentException if the loss declares no parameter of that name
   */
  public Operand<T> parameter(String name) {
    Integer i = names.get(name);
    if (i == null) {
      throw new IllegalArgumentException(
          "no parameter named '" + name + "'; declared: " + names.keySet());
    }
    return parameters.get(i);
  }

  /** True at {@code (i, y_i)}, shape {@code [B, C]}. */
  public Operand<TBool> isTarget() {
    return isTarget;
  }

  /** {@link #isTarget()} as 1 and 0 of type {@code T}: the one-hot labels, {@code [B, C]}. */
  public Operand<T> targets() {
    return asNumbers(isTarget);
  }

  /** A scalar constant of type {@code T}. */
  public Operand<T> constant(double value) {
    return Distances.scalar(tf, value, embeddings);
  }

  /** A boolean mask as 1 and 0 of type {@code T}. */
  public Operand<T> asNumbers(Operand<TBool> mask) {
    return tf.dtypes.cast(mask, embeddings.type());
  }

  /**
   * The rows of {@code x} scaled to unit length; a row's norm is floored at {@code 1e-12}, so a
   * zero row stays zero, with a finite gradient, instead of becoming NaN.
   *
   * @param x shape {@code [N, E]}
   */
  public Operand<T> normalise(Operand<T> x) {
    Operand<T> sq = tf.reduceSum(tf.math.square(x), tf.constant(1), ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(sq, constant(1e-24))));
  }

  /** The embeddings scaled to unit length, {@code [B, E]}; see {@link #normalise}. */
  public Operand<T> normalisedEmbeddings() {
    if (normalised == null) {
      normalised = normalise(embeddings);
    }
    return normalised;
  }

  /**
   * The cosine between each embedding and each row of {@code rows}: {@code cos_ij = x_i . w_j /
   * (|x_i| |w_j|)}, shape {@code [B, R]}, in {@code [-1, 1]} up to rounding. A zero embedding or
   * row has cosine 0 with everything.
   *
   * @param rows shape {@code [R, E]}, such as a class-weight matrix
   */
  public Operand<T> cosines(Operand<T> rows) {
    return tf.linalg.matMul(normalisedEmbeddings(), normalise(rows), MatMul.transposeB(true));
  }

  /** The entry of each row of {@code x} ({@code [B, C]}) at the example's class: {@code [B]}. */
  public Operand<T> target(Operand<T> x) {
    return tf.reduceSum(tf.math.mul(x, targets()), tf.constant(1));
  }

  /**
   * The softmax cross-entropy of each example against its class, {@code log sum_c exp(z_ic) -
   * z_iy}, shape {@code [B]}, computed with the row's maximum taken out first, so that no
   * exponential overflows (the gradient is exactly {@code softmax(z_i) - onehot(y_i)}).
   *
   * @param logits shape {@code [B, C]}
   */
  public Operand<T> crossEntropy(Operand<T> logits) {
    Operand<T> max = tf.stopGradient(tf.reduceMax(logits, tf.constant(1)));
    Operand<T> shifted = tf.math.sub(logits, tf.expandDims(max, tf.constant(1)));
    // The maximum's own term is exp(0) = 1, so the sum is >= 1 and its log finite.
    Operand<T> sum = tf.reduceSum(tf.math.exp(shifted), tf.constant(1));
    return tf.math.sub(tf.math.add(max, tf.math.log(sum)), target(logits));
  }

  /**
   * {@code log(1 + sum exp(x))} along {@code axis} over the entries where {@code mask} is true:
   * exactly 0 where nothing is selected (and then with a zero gradient), never an overflow (the
   * larger of 0 and the largest selected entry is taken out first), and no NaN in the backward
   * pass. This is the smooth maximum of Proxy-Anchor's and the multi-similarity loss's terms.
   *
   * @param x any shape; {@code mask} has the same shape
   * @param axis the axis to reduce, which disappears from the result
   */
  public Operand<T> log1pSumExp(Operand<T> x, Operand<TBool> mask, int axis) {
    Operand<T> zeros = tf.zerosLike(x);
    // Over an empty axis reduceMax gives -inf; the maximum with 0 makes it 0.
    Operand<T> top =
        tf.stopGradient(
            tf.math.maximum(
                tf.reduceMax(tf.select(mask, x, zeros), tf.constant(axis)), constant(0.0)));
    Operand<T> shifted = tf.math.sub(x, tf.expandDims(top, tf.constant(axis)));
    // Double select: entries left out see exp(0), so no inf meets a zero gradient as 0 * inf.
    Operand<T> exp = tf.select(mask, tf.math.exp(tf.select(mask, shifted, zeros)), zeros);
    Operand<T> sum = tf.reduceSum(exp, tf.constant(axis));
    // exp(-top) is in (0, 1]; where it underflows, the largest selected entry contributes 1.
    return tf.math.add(top, tf.math.log(tf.math.add(tf.math.exp(tf.math.neg(top)), sum)));
  }

  /** The mean of per-example terms {@code [B]}: a scalar, 0 for an empty batch. */
  public Operand<T> mean(Operand<T> perExample) {
    Objects.requireNonNull(perExample, "perExample");
    return Reduction.MEAN.apply(tf, perExample);
  }
}
