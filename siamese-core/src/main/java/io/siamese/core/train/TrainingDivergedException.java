package io.siamese.core.train;

import io.siamese.core.SiameseModel;

/**
 * Thrown by {@link SiameseModel#fit} when a step's loss or gradients are NaN or infinite: the
 * learning rate is usually too high, or the data holds extreme values. That step is not applied:
 * the model keeps the weights (and optimizer state) of the last good step. Thrown at the first such
 * step, or after {@link TrainingConfig#nonFiniteStepsTolerated()} of them in a row were skipped.
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param epoch the epoch of the step, from 1
   * @param step the step within the epoch, from 1
   * @param loss the step's loss; NaN when the loss or a gradient was not finite
   */
  public TrainingDivergedException(int epoch, int step, double loss) {
    this(epoch, step, loss, 0);
  }

  /**
   * @param epoch the epoch of the step, from 1
   * @param step the step within the epoch, from 1
   * @param loss the step's loss; NaN when the loss or a gradient was not finite
   * @param skippedBefore the non-finite steps skipped in a row just before this one
   */
  public TrainingDivergedException(int epoch, int step, double loss, int skippedBefore) {
    super(
        "training diverged: the loss of epoch "
            + epoch
            + ", step "
            + step
            + (Double.isNaN(loss) ? " or its gradients are not finite" : " is " + loss)
            + (skippedBefore > 0 ? ", after " + skippedBefore + " such steps in a row were skipped" : "")
            + "; the step was not applied, the model keeps the last good weights;"
            + " lower the learning rate or check the data");
  }
}
