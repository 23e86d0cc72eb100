/**
 * Metric-learning losses and distances as TensorFlow Java graph ops.
 *
 * <p>Main entry points:
 *
 * <ul>
 *   <li>{@link io.siamese.losses.ContrastiveLoss}: the contrastive loss over labelled pairs, e.g.
 *       {@code ContrastiveLoss.similarIsOne()} or {@code
 *       ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO).margin(2.0).build()}.
 *   <li>{@link io.siamese.losses.Distances}: Euclidean, squared Euclidean, cosine and L1, each row
 *       by row ({@code [B, E] x [B, E] -> [B]}), as a pairwise matrix ({@code [B, E] -> [B, B]})
 *       and in plain Java for inference.
 *   <li>{@link io.siamese.losses.TripletLoss}: the triplet loss on fixed (anchor, positive,
 *       negative) batches, e.g. {@code TripletLoss.create()} or FaceNet's {@code
 *       TripletLoss.faceNet()}.
 *   <li>{@link io.siamese.losses.BatchLoss}: losses over one labelled batch that mine their own
 *       pairs or triplets, for P x K batches: {@link io.siamese.losses.BatchAllTripletLoss}, {@link
 *       io.siamese.losses.BatchHardTripletLoss} (and its soft margin), {@link
 *       io.siamese.losses.SemiHardTripletLoss}, {@link io.siamese.losses.NTXentLoss} (InfoNCE) and
 *       {@link io.siamese.losses.MultiSimilarityLoss}.
 *   <li>{@link io.siamese.losses.KochPairHeadLoss}: the learned-metric pair head of Koch et al.,
 *       whose weights the model owns and passes in.
 *   <li>{@link io.siamese.losses.LearnedParameterLoss}: losses with trainable parameters of their
 *       own that the model creates from their {@link io.siamese.losses.LossParameter} declarations,
 *       trains, saves and passes in, over dense class ids: {@link
 *       io.siamese.losses.ArcFaceLoss}, {@link io.siamese.losses.SubCenterArcFaceLoss}, {@link
 *       io.siamese.losses.CosFaceLoss}, {@link io.siamese.losses.NormalizedSoftmaxLoss} and {@link
 *       io.siamese.losses.ProxyAnchorLoss}.
 *   <li>{@link io.siamese.losses.LossDescriptions}: every ready-made loss as one line of text and
 *       back, for saved models.
 *   <li>{@link io.siamese.losses.Reduction}: mean, sum, none, or mean over the non-zero terms.
 * </ul>
 *
 * <p>Conventions: losses and distances are immutable and stateless; they take the {@code Ops} per
 * call and never hold it, so one object serves any graph. The element type is a method type
 * parameter ({@code <T extends TNumber>}), so float32 and float64 share one code path. Every pair
 * loss names its {@link io.siamese.losses.PairLabelConvention}, because the literature uses both
 * {@code 1 = similar} and {@code 0 = similar}. Static shapes are checked when the graph is built;
 * no reduction or distance gives NaN, in the forward or the backward pass, at zero distance or on a
 * batch whose terms are all zero. The definitions follow the project's LOSSES.md.
 *
 * <p>Extension points: a new pair loss implements {@link io.siamese.losses.PairLoss} (a label
 * convention, a distance, and {@code call}, which usually computes {@code distance().rowwise},
 * builds a {@code [B]} vector of per-pair terms and hands it to a {@code Reduction}); a new batch
 * loss extends {@link io.siamese.losses.AbstractBatchLoss}, which checks the arguments, computes
 * the pairwise distances and masks (a {@link io.siamese.losses.PairwiseBatch}) and applies the
 * reduction, so that the subclass writes only its terms; a new loss with learned parameters
 * extends {@link io.siamese.losses.AbstractLearnedParameterLoss}, which checks the arguments and
 * hands it a {@link io.siamese.losses.LossInputs}; a new distance implements {@link
 * io.siamese.losses.Distance}, and must keep its gradient finite at zero. The project's {@code
 * docs/extending-losses.md} works through an example and shows how to test it.
 *
 * <p>This module depends on TensorFlow Java only.
 */
package io.siamese.losses;
