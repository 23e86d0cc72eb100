package io.siamese.core;

import io.siamese.losses.BatchLoss;
import io.siamese.losses.Distance;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A {@link BatchLoss} trained on labelled (P x K) batches, mining its own pairs or triplets. */
record BatchLossBinding(BatchLoss loss) implements LossBinding {

  @Override
  public BatchKind batchKind() {
    return BatchKind.LABELLED;
  }

  @Override
  public Operand<TFloat32> build(Ops tf, List<Operand<TFloat32>> views, Operand<TFloat32> pairLabels, Operand<TInt32> classLabels) {
    return loss.call(tf, views.get(0), classLabels);
  }

  @Override
  public Distance distance(Session session, long weightsVersion) {
    return loss.distance();
  }
}
