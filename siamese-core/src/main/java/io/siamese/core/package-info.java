/**
 * Twin encoders, Siamese models, training, evaluation and prediction on TensorFlow Java.
 *
 * <p>Main entry points: {@link io.siamese.core.EncoderSpec} describes an encoder (a pure value,
 * no TensorFlow state); {@link io.siamese.core.SiameseModel} builds it into a graph, trains it on
 * pairs with {@link io.siamese.core.SiameseModel#fit}, and embeds, compares and evaluates; {@link
 * io.siamese.core.TrainingListener} receives progress, {@link
 * io.siamese.core.ConsoleProgressListener} shows it; {@link io.siamese.core.PairMetrics} and {@link
 * io.siamese.core.OneShotResult} report how well the model verifies and classifies.
 *
 * <p>No TensorFlow type appears in the public API: methods take and return Java arrays owned by
 * the caller. Models own their native resources and must be closed.
 */
package io.siamese.core;
