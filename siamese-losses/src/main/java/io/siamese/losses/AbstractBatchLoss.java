package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * The base of the ready-made {@link BatchLoss}es and the easiest way to write a new one: it checks
 * the arguments, computes the pairwise distances and the positive/negative masks (a {@link
 * PairwiseBatch}), and applies the {@link Reduction}; a subclass writes only {@link #terms}, its
 * per-anchor, per-pair or per-triplet term and which of those terms exist.
 *
 * <p>{@link #call} is final, so no subclass can forget to apply the reduction it was given. The
 * reduction is over the terms that exist ({@link Terms#mask()}): {@link Reduction#MEAN} of a
 * per-pair term is the mean over the positive pairs in the batch, not over {@code B^2}. {@link
 * Reduction#NONE} is not accepted, as a batch loss returns a scalar; {@link #termsOf} gives the
 * unreduced terms instead.
 *
 * <pre>{@code
 * // A complete loss: pull every positive pair together, d^2 on average over the positive pairs.
 * final class PullTogether extends AbstractBatchLoss {
 *   PullTogether() {
 *     super(Distances.EUCLIDEAN, Reduction.MEAN);
 *   }
 *
 *   @Override
 *   protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
 *     return Terms.of(tf.math.square(batch.distances()), batch.positives());
 *   }
 * }
 * // Embeddings (0,0), (3,4), (6,8) with labels 0, 0, 1: one positive pair each way, d = 5: 25.0
 * }</pre>
 */
public abstract class AbstractBatchLoss implements BatchLoss {
  private final Distance distance;
  private final Reduction reduction;

  /**
   * @param distance the distance of {@link PairwiseBatch#distances()}
   * @param reduction how the terms become the scalar loss; not {@link Reduction#NONE}
   * @throws NullPointerException if either is null
   * @throws IllegalArgumentException if {@code reduction} is {@link Reduction#NONE}
   */
  protected AbstractBatchLoss(Distance distance, Reduction reduction) {
    this.distance = Objects.requireNonNull(distance, "distance");
    this.reduction = Objects.requireNonNull(reduction, "reduction");
    if (reduction == Reduction.NONE) {
      throw new IllegalArgumentException(
          "reduction must give a scalar (MEAN, SUM or MEAN_OVER_NONZERO), got NONE; "
              + "termsOf() gives the unreduced terms");
    }
  }

  @Override
  public final Distance distance() {
    return distance;
  }

  /** How the terms are combined into the returned scalar. */
  public final Reduction reduction() {
    return reduction;
  }

  /**
   * Builds the loss into the graph of {@code tf}: {@link #termsOf} reduced by {@link #reduction()}.
   *
   * @param embeddings shape {@code [B, E]}, a floating type
   * @param labels shape {@code [B]}
   * @return a scalar of the embeddings' type; 0 when no term exists
   * @throws IllegalArgumentException if the static shapes are known and do not fit, or the
   *     embeddings are not of a floating type
   */
  @Override
  public final <T extends TNumber> Operand<T> call(
      Ops tf, Operand<T> embeddings, Operand<TInt32> labels) {
    Terms<T> terms = termsOf(tf, embeddings, labels);
    return reduction.apply(tf, terms.values(), terms.mask());
  }

  /**
   * The unreduced terms of this loss on a batch, for inspection and tests; {@link #call} reduces
   * them.
   *
   * @throws IllegalArgumentException as {@link #call} does
   */
  public final <T extends TNumber> Terms<T> termsOf(
      Ops tf, Operand<T> embeddings, Operand<TInt32> labels) {
    Objects.requireNonNull(tf, "tf");
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(labels, "labels");
    checkBatch(embeddings, labels);
    Operand<T> checked = Distances.requireFinite(tf, embeddings, "embeddings");
    Terms<T> terms = terms(tf, PairwiseBatch.of(tf, checked, labels, distance));
    if (terms == null) {
      throw new IllegalStateException(getClass().getName() + ".terms returned null");
    }
    return terms;
  }

  /**
   * The loss's terms on one batch: a tensor of terms, any shape, and the mask of the ones that
   * exist. Called once per {@link #call}; build ops with {@code tf} and read the batch from {@code
   * batch}. The terms must be finite everywhere, including where the mask is 0.
   */
  protected abstract <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch);

  /**
   * Checks what a {@link BatchLoss} is given: embeddings of rank 2 and a floating type, labels of
   * rank 1, the same batch size where both are statically known.
   *
   * @throws IllegalArgumentException naming the argument that does not fit
   */
  static void checkBatch(Operand<?> embeddings, Operand<TInt32> labels) {
    if (!TFloating.class.isAssignableFrom(embeddings.type())) {
      throw new IllegalArgumentException(
          "embeddings must be of a floating type, got " + embeddings.type().getSimpleName());
    }
    Distances.checkRank(embeddings, 2, "embeddings");
    Distances.checkRank(labels, 1, "labels");
    Distances.checkSameDim(labels, 0, embeddings, 0, "labels and embeddings differ in batch size");
  }

  /**
   * The terms of a batch loss and which of them exist.
   *
   * @param values the terms, any shape; finite everywhere
   * @param mask 1 where a term exists and 0 where not, the shape of {@code values}
   * @param <T> the floating type of the embeddings
   */
  public record Terms<T extends TNumber>(Operand<T> values, Operand<T> mask) {
    /**
     * @throws NullPointerException if either is null
     */
    public Terms {
      Objects.requireNonNull(values, "values");
      Objects.requireNonNull(mask, "mask");
    }

    /** Terms of which those where {@code mask} is 1 exist. */
    public static <T extends TNumber> Terms<T> of(Operand<T> values, Operand<T> mask) {
      return new Terms<>(values, mask);
    }
  }
}
