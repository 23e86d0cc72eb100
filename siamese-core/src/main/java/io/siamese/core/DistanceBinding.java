package io.siamese.core;

import io.siamese.losses.Distance;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * No loss at all, only the distance inference compares with: the binding of a model loaded for
 * inference whose loss is one of the caller's own ({@link SiameseModel#loadForInference}). It
 * cannot train.
 */
record DistanceBinding(Distance distance, String lossDescription) implements LossBinding {

  @Override
  public Object loss() {
    return lossDescription;
  }

  @Override
  public BatchKind batchKind() {
    throw new IllegalStateException("a model loaded for inference has no loss to train with");
  }

  @Override
  public Operand<TFloat32> build(Ops tf, List<Operand<TFloat32>> views, Operand<TFloat32> pairLabels, Operand<TInt32> classLabels) {
    throw new IllegalStateException("a model loaded for inference has no loss to train with");
  }

  @Override
  public Distance distance(Session session, long weightsVersion) {
    return distance;
  }
}
