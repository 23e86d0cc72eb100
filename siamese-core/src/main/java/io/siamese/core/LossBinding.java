package io.siamese.core;

import io.siamese.losses.BatchLoss;
import io.siamese.losses.Distance;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.LearnedParameterLoss;
import io.siamese.losses.PairLabelConvention;
import io.siamese.losses.PairLoss;
import io.siamese.losses.TripletLoss;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A model's loss, bound into its graph: which batches it trains on, the variables it owns beside
 * the encoder (the Koch head's weights), how it turns the training embeddings into the loss, and
 * the distance inference then compares embeddings with. One implementation per kind of loss; the
 * model never branches on the loss's type.
 */
sealed interface LossBinding
    permits PairLossBinding, KochHeadBinding, BatchLossBinding, TripletLossBinding, LearnedLossBinding, DistanceBinding {

  /** The binding of {@code loss}, one of the library's loss interfaces; {@code seed} initialises its own variables. */
  static LossBinding of(Object loss, long seed) {
    if (loss instanceof PairLoss p) {
      return new PairLossBinding(p);
    } else if (loss instanceof KochPairHeadLoss k) {
      return new KochHeadBinding(k);
    } else if (loss instanceof BatchLoss b) {
      return new BatchLossBinding(b);
    } else if (loss instanceof TripletLoss t) {
      return new TripletLossBinding(t);
    } else if (loss instanceof LearnedParameterLoss l) {
      return new LearnedLossBinding(l, seed);
    }
    throw new IllegalArgumentException("unsupported loss " + loss);
  }

  /** The loss as the user gave it. */
  Object loss();

  /** What the training batches hold. */
  BatchKind batchKind();

  /** How a pair's "same class" flag is encoded for this loss; only for {@link BatchKind#PAIRS}. */
  default PairLabelConvention labelConvention() {
    throw new IllegalStateException(loss() + " does not train on labelled pairs");
  }

  /**
   * Creates the variables this loss owns in {@code tf}'s graph, before {@link #build}: they are
   * trained with the encoder, saved and restored with it.
   */
  default List<Variable<TFloat32>> createVariables(Ops tf, int embeddingSize) {
    return List.of();
  }

  /**
   * The loss on the training embeddings.
   *
   * @param views the embeddings of the batch as {@link #batchKind()} lays it out: {@code [left,
   *     right]}, {@code [all]} or {@code [anchor, positive, negative]}, each {@code [B, E]}
   * @param pairLabels one label per pair, for {@link BatchKind#PAIRS}
   * @param classLabels one class per example, for {@link BatchKind#LABELLED}
   */
  Operand<TFloat32> build(Ops tf, List<Operand<TFloat32>> views, Operand<TFloat32> pairLabels, Operand<TInt32> classLabels);

  /**
   * The distance of every comparison now. Fixed for most losses; the Koch head's follows its
   * weights, read from {@code session} when {@code weightsVersion} changed.
   */
  Distance distance(Session session, long weightsVersion);

  /**
   * Values to write into variables of {@link #createVariables} once the session has started, in
   * place of what their initialisers gave; none by default.
   */
  default List<WeightsFile.Entry> initialValues() {
    return List.of();
  }

  /**
   * Adds what inference needs of this loss to an inference-only graph ({@link InferenceGraph}):
   * the Koch head's weights and score; nothing for the others.
   */
  default void buildInference(Ops tf, int embeddingSize) {}

  /** The names of the variables of {@link #createVariables} that inference reads. */
  default Set<String> inferenceVariables() {
    return Set.of();
  }

  /** A signature the SavedModel export adds beside {@code serving_default}, if any. */
  default Optional<Signature> exportSignature() {
    return Optional.empty();
  }
}
