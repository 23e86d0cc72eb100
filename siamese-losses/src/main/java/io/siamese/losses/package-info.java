/**
 * Metric-learning losses and distances as TensorFlow Java graph ops.
 *
 * <p>{@link io.siamese.losses.Distance} gives one distance as graph ops (row by row and as a full
 * pairwise matrix) and as plain Java; {@link io.siamese.losses.Distances} holds the ready-made
 * ones. {@link io.siamese.losses.PairLoss} is the extension point for losses over labelled pairs;
 * {@link io.siamese.losses.ContrastiveLoss} implements it. {@link io.siamese.losses.Reduction}
 * says how per-example terms become the returned value.
 *
 * <p>Conventions: losses are stateless, take the {@code Ops} per call and never hold it; the
 * element type is a method type parameter, so float32 and float64 share one code path; every pair
 * loss names its {@link io.siamese.losses.PairLabelConvention}, because the literature uses both.
 * This module depends on TensorFlow Java only.
 */
package io.siamese.losses;
