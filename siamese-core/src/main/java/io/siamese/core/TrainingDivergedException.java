package io.siamese.core;

/**
 * Thrown by {@link SiameseModel#fit} when a batch loss is NaN or infinite: the learning rate is
 * usually too high, or the data holds extreme values.
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TrainingDivergedException(int epoch, int step, double loss) {
    super(
        "training diverged: the loss of epoch "
            + epoch
            + ", step "
            + step
            + " is "
            + loss
            + "; lower the learning rate or check the data");
  }
}
