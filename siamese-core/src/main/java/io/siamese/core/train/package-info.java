/**
 * Training: {@link io.siamese.core.train.TrainingConfig} (epochs, steps, batch size, validation,
 * early stopping, checkpoints, time limit), {@link io.siamese.core.train.TrainingListener} and the
 * {@link io.siamese.core.train.TrainingContext} it acts through, the policies {@link
 * io.siamese.core.train.EarlyStopping}, {@link io.siamese.core.train.Checkpointing} and {@link
 * io.siamese.core.train.TimeLimit}, progress shown by {@link
 * io.siamese.core.train.ConsoleProgressListener}, the results ({@link
 * io.siamese.core.train.BatchResult}, {@link io.siamese.core.train.EpochResult}, {@link
 * io.siamese.core.train.TrainingHistory}), and {@link io.siamese.core.train.OptimizerSpec} with its
 * {@link io.siamese.core.train.LearningRateSchedule}.
 */
package io.siamese.core.train;
