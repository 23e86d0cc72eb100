package io.siamese.core;

import io.siamese.losses.Distance;
import io.siamese.losses.PairLabelConvention;
import io.siamese.losses.PairLoss;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A {@link PairLoss} trained on labelled pairs; compares with the loss's distance. */
record PairLossBinding(PairLoss loss) implements LossBinding {

  @Override
  public BatchKind batchKind() {
    return BatchKind.PAIRS;
  }

  @Override
  public PairLabelConvention labelConvention() {
    return loss.labelConvention();
  }

  @Override
  public Operand<TFloat32> build(Ops tf, List<Operand<TFloat32>> views, Operand<TFloat32> pairLabels, Operand<TInt32> classLabels) {
    return loss.call(tf, views.get(0), views.get(1), pairLabels);
  }

  @Override
  public Distance distance(Session session, long weightsVersion) {
    return loss.distance();
  }
}
