package io.siamese.core;

import io.siamese.losses.Distance;
import io.siamese.losses.LearnedParameterLoss;
import io.siamese.losses.LossParameter;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A loss with learned parameters of its own (class weights or proxies, {@code [C, E]}): ArcFace,
 * CosFace, sub-centre ArcFace, normalised softmax, Proxy-Anchor, or a library author's. The model
 * creates one variable per {@link LossParameter} ({@code loss_<name>}), initialised from the
 * model's seed, trains it with the encoder on batches of dense class ids ({@link
 * BatchKind#CLASSES}), saves and restores it, and leaves it out of inference and the export:
 * embeddings are compared with the loss's distance alone.
 */
final class LearnedLossBinding implements LossBinding {
  private final LearnedParameterLoss loss;
  private final long seed;
  private final List<Variable<TFloat32>> parameters = new ArrayList<>();
  private List<LossParameter> declared = List.of();

  LearnedLossBinding(LearnedParameterLoss loss, long seed) {
    this.loss = loss;
    this.seed = seed;
  }

  @Override
  public LearnedParameterLoss loss() {
    return loss;
  }

  @Override
  public BatchKind batchKind() {
    return BatchKind.CLASSES;
  }

  /**
   * Creates the variables filled with zeros: their seeded initial values ({@link #initialValues})
   * are written after the session starts, so that a large {@code [C, E]} matrix is never a
   * constant in the graph.
   */
  @Override
  public List<Variable<TFloat32>> createVariables(Ops tf, int embeddingSize) {
    Ops init = tf.withInitScope();
    declared = loss.parameters(embeddingSize);
    for (LossParameter p : declared) {
      parameters.add(tf.withName("loss_" + p.name()).variable(init.zeros(init.constant(p.shape()), TFloat32.class)));
    }
    return List.copyOf(parameters);
  }

  @Override
  public List<WeightsFile.Entry> initialValues() {
    List<WeightsFile.Entry> out = new ArrayList<>();
    for (int i = 0; i < declared.size(); i++) {
      LossParameter p = declared.get(i);
      out.add(new WeightsFile.Entry(parameters.get(i).op().name(), p.shape(), p.initialValues(seed)));
    }
    return out;
  }

  @Override
  public Operand<TFloat32> build(Ops tf, List<Operand<TFloat32>> views, Operand<TFloat32> pairLabels, Operand<TInt32> classLabels) {
    return loss.call(tf, views.get(0), classLabels, List.copyOf(parameters));
  }

  @Override
  public Distance distance(Session session, long weightsVersion) {
    return loss.distance();
  }
}
