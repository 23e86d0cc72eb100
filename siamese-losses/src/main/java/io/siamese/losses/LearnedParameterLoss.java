package io.siamese.losses;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * A loss over one labelled batch of embeddings that has trainable parameters of its own, such as a
 * class-weight matrix ({@link ArcFaceLoss}, {@link CosFaceLoss}, {@link NormalizedSoftmaxLoss}) or
 * one proxy per class ({@link ProxyAnchorLoss}).
 *
 * <p><b>The parameters belong to the model, not to the loss.</b> A loss is stateless: it declares
 * its parameters ({@link #parameters}: name, shape, initial values from a seed), and whoever trains
 * creates them as variables, trains them with the encoder, saves and loads them with the encoder's
 * weights, and passes them to every {@link #call} in the declared order. They serve training only:
 * inference compares embeddings with {@link #distance()}, so an exported encoder leaves them out.
 * This is how the learned pair head of {@link KochPairHeadLoss} is handled too, generalised to any
 * number of parameters of any shape.
 *
 * <p><b>Labels are dense class ids</b> in {@code [0, classes())}: the loss picks row {@code y} of
 * its class-weight matrix for an example of class {@code y}, so the ids of a dataset's own labels
 * must be mapped to {@code 0 .. C-1} first, once, for the whole training set (every class has its
 * row whether or not a batch shows it). A label outside the range fails the run with an error that
 * names the range, instead of silently selecting nothing.
 *
 * <pre>{@code
 * LearnedParameterLoss loss = ArcFaceLoss.builder(179).build();   // 179 classes
 * List<LossParameter> declared = loss.parameters(64);              // class_weights [179, 64]
 * // ... the trainer makes one variable per declared parameter, initialised with
 * // declared.get(i).initialValues(seed), and on each step:
 * Operand<TFloat32> value = loss.call(tf, embeddings, labels, List.of(classWeights));
 * }</pre>
 *
 * <p>Most implementations extend {@link AbstractLearnedParameterLoss}, which checks the arguments
 * (shapes, finiteness, the label range) and hands a subclass its inputs with the helpers such
 * losses need; {@code docs/extending-losses.md} works through an example.
 */
public interface LearnedParameterLoss {

  /**
   * The distance inference compares embeddings with: {@link Distances#COSINE} for the losses that
   * classify by angle, as all the ready-made ones do.
   */
  Distance distance();

  /** C, the number of training classes: labels are dense ids in {@code [0, C)}. */
  int classes();

  /**
   * The parameters this loss needs for embeddings of {@code embeddingSize} floats, in the order
   * {@link #call} takes them. Each has a name unique within the loss, a shape and a deterministic
   * initialiser.
   *
   * @throws IllegalArgumentException if {@code embeddingSize < 1}, or the parameters would have
   *     more than {@link LossParameter#MAX_SIZE} entries
   */
  List<LossParameter> parameters(int embeddingSize);

  /**
   * Builds the loss into the graph of {@code tf}.
   *
   * @param embeddings one embedding per example, shape {@code [B, E]}, a floating type; they need
   *     not be L2-normalised (the ready-made losses normalise them)
   * @param labels the dense class id of each example, shape {@code [B]}, in {@code [0, C)}
   * @param parameters one operand per entry of {@link #parameters parameters(E)}, in that order,
   *     each of its declared shape and of the embeddings' type; usually the model's variables
   * @return the loss, a scalar of the embeddings' type; finite for every batch of finite
   *     embeddings and parameters, including an empty one
   * @throws IllegalArgumentException if the static shapes are known and do not fit, or the number
   *     of parameters is wrong
   */
  <T extends TNumber> Operand<T> call(
      Ops tf, Operand<T> embeddings, Operand<TInt32> labels, List<Operand<T>> parameters);
}
