package io.siamese.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * A distance between embeddings, as graph ops for training and as plain Java for inference.
 *
 * <p>Implementations are stateless: the {@link Ops} is passed per call and never held, so one
 * instance serves any graph. Ready-made ones are in {@link Distances}. Every implementation must
 * have a finite gradient everywhere, including at zero distance.
 */
public interface Distance {

  /**
   * Distance between matching rows of two batches.
   *
   * @param a shape {@code [B, E]}
   * @param b shape {@code [B, E]}
   * @return shape {@code [B]}: element {@code i} is {@code d(a_i, b_i)}
   */
  <T extends TNumber> Operand<T> rowwise(Ops tf, Operand<T> a, Operand<T> b);

  /**
   * Every pairwise distance within one batch.
   *
   * @param x shape {@code [B, E]}
   * @return shape {@code [B, B]}: element {@code (i, j)} is {@code d(x_i, x_j)}, with a zero
   *     diagonal
   */
  <T extends TNumber> Operand<T> pairwise(Ops tf, Operand<T> x);

  /**
   * The same distance in plain Java, in double precision, for inference outside a graph.
   *
   * @throws IllegalArgumentException if the vectors differ in length
   */
  double between(float[] a, float[] b);

  /** A short name for logs and saved configurations, e.g. {@code "euclidean"}. */
  String name();
}
