package io.siamese.losses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * The base of the ready-made {@link LearnedParameterLoss}es and the easiest way to write a new
 * one: it checks the arguments and hands a subclass its inputs as a {@link LossInputs}, so that the
 * subclass writes only its formula in {@link #loss}.
 *
 * <p>What {@link #call} checks, before the subclass sees anything:
 *
 * <ul>
 *   <li>when the graph is built: embeddings of rank 2 and a floating type, labels of rank 1 and the
 *       same batch size, as many parameters as {@link #parameters} declares, each of the
 *       embeddings' type and of the declared rank, and of the declared shape where the embedding
 *       size is known statically;
 *   <li>when the graph runs: every embedding and parameter entry finite, and every label a dense
 *       class id in {@code [0, C)}; a run that breaks one fails with TensorFlow's "assertion
 *       failed" error naming the argument, instead of training on garbage.
 * </ul>
 *
 * <p>{@link #call} is final, so no subclass can skip the checks.
 *
 * <pre>{@code
 * // A complete loss: softmax over the cosines to the class weights, scaled by 10.
 * final class ScaledCosineSoftmax extends AbstractLearnedParameterLoss {
 *   ScaledCosineSoftmax(int classes) {
 *     super(classes, Distances.COSINE);
 *   }
 *
 *   public List<LossParameter> parameters(int embeddingSize) {
 *     return List.of(LossParameter.of("class_weights", new long[] {classes(), embeddingSize},
 *         ParameterInitializer.normal(1.0)));
 *   }
 *
 *   protected <T extends TNumber> Operand<T> loss(Ops tf, LossInputs<T> in) {
 *     Operand<T> logits = tf.math.mul(in.cosines(in.parameter(0)), in.constant(10));
 *     return in.mean(in.crossEntropy(logits));
 *   }
 * }
 * }</pre>
 */
public abstract class AbstractLearnedParameterLoss implements LearnedParameterLoss {
  private final int classes;
  private final Distance distance;

  /**
   * @param classes C, the number of classes, {@code >= 1}
   * @param distance what inference compares embeddings with
   * @throws IllegalArgumentException if {@code classes < 1}
   * @throws NullPointerException if {@code distance} is null
   */
  protected AbstractLearnedParameterLoss(int classes, Distance distance) {
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be >= 1, got " + classes);
    }
    this.classes = classes;
    this.distance = Objects.requireNonNull(distance, "distance");
  }

  @Override
  public final int classes() {
    return classes;
  }

  @Override
  public final Distance distance() {
    return distance;
  }

  /**
   * Builds the loss into the graph of {@code tf}: the checks in the class comment, then {@link
   * #loss}.
   *
   * @throws IllegalArgumentException if the static shapes or types are known and do not fit, or
   *     the number of parameters is wrong
   * @throws IllegalStateException if {@link #loss} returns null or a tensor that is not a scalar
   */
  @Override
  public final <T extends TNumber> Operand<T> call(
      Ops tf, Operand<T> embeddings, Operand<TInt32> labels, List<Operand<T>> parameters) {
    Objects.requireNonNull(tf, "tf");
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(parameters, "parameters");
    AbstractBatchLoss.checkBatch(embeddings, labels);
    Shape es = embeddings.shape();
    long e = es.isUnknown() ? -1 : es.get(1);
    List<LossParameter> declared = parameters(e > 0 ? (int) Math.min(e, Integer.MAX_VALUE) : 1);
    if (parameters.size() != declared.size()) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " takes "
              + declared.size()
              + " parameter(s) "
              + declared
              + ", got "
              + parameters.size());
    }
    List<Operand<T>> checked = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < declared.size(); i++) {
      LossParameter p = declared.get(i);
      Operand<T> given = Objects.requireNonNull(parameters.get(i), p.name());
      checkParameter(p, given, embeddings, e > 0);
      names.put(p.name(), i);
      checked.add(Distances.requireFinite(tf, given, p.name()));
    }
    LossInputs<T> in =
        new LossInputs<>(
            tf,
            Distances.requireFinite(tf, embeddings, "embeddings"),
            requireClassIds(tf, labels, classes),
            checked,
            names,
            classes);
    Operand<T> value = loss(tf, in);
    if (value == null) {
      throw new IllegalStateException(getClass().getName() + ".loss returned null");
    }
    Shape vs = value.shape();
    if (!vs.isUnknown() && vs.numDimensions() != 0) {
      throw new IllegalStateException(
          getClass().getName() + ".loss must return a scalar, got shape " + vs);
    }
    return value;
  }

  /**
   * The loss on one checked batch, a scalar of type {@code T}, finite for every input {@link
   * #call} lets through. Called once per {@link #call}; build ops with {@code tf}.
   */
  protected abstract <T extends TNumber> Operand<T> loss(Ops tf, LossInputs<T> in);

  private static void checkParameter(
      LossParameter p, Operand<?> given, Operand<?> embeddings, boolean sizeKnown) {
    if (given.type() != embeddings.type()) {
      throw new IllegalArgumentException(
          p.name()
              + " must be of the embeddings' type "
              + embeddings.type().getSimpleName()
              + ", got "
              + given.type().getSimpleName());
    }
    Shape s = given.shape();
    long[] want = p.shape();
    if (s.isUnknown()) {
      return;
    }
    if (s.numDimensions() != want.length) {
      throw new IllegalArgumentException(
          p.name() + " must have shape " + Arrays.toString(want) + ", got shape " + s);
    }
    if (sizeKnown && !Distances.compatible(s, Shape.of(want))) {
      throw new IllegalArgumentException(
          p.name() + " must have shape " + Arrays.toString(want) + ", got shape " + s);
    }
  }

  /**
   * {@code labels} itself, with a check when the graph runs that every label lies in {@code [0,
   * classes)}; the error names the range and the smallest and largest label of the batch.
   */
  static Operand<TInt32> requireClassIds(Ops tf, Operand<TInt32> labels, int classes) {
    Operand<TInt32> zero = tf.constant(0);
    Operand<TBool> inRange =
        tf.math.logicalAnd(
            tf.math.greaterEqual(labels, zero), tf.math.less(labels, tf.constant(classes)));
    Op check =
        tf.assertThat(
            tf.reduceAll(inRange, zero),
            List.of(
                tf.constant(
                    "labels must be dense class ids in [0, "
                        + classes
                        + "); smallest and largest label in the batch:"),
                tf.reduceMin(labels, zero),
                tf.reduceMax(labels, zero)));
    return tf.withControlDependencies(List.of(check)).identity(labels);
  }
}
