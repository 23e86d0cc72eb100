/**
 * How well a model verifies and classifies, on any {@link io.siamese.core.Embedder}: {@link
 * io.siamese.core.evaluation.PairEvaluator} makes {@link io.siamese.core.evaluation.PairMetrics}
 * (ROC AUC, thresholds, accuracies), {@link io.siamese.core.evaluation.OneShotEvaluator} makes
 * {@link io.siamese.core.evaluation.OneShotResult} (N-way K-shot accuracy), {@link
 * io.siamese.core.evaluation.OpenSetEvaluator} makes {@link io.siamese.core.evaluation.OpenSetResult}
 * (false-alarm and detection-and-identification rates of a gallery); {@link
 * io.siamese.core.evaluation.OperatingPoint} is a threshold to keep with a model.
 */
package io.siamese.core.evaluation;
