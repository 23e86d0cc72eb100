package io.siamese.core;

import io.siamese.losses.Distance;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.PairLabelConvention;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Koch et al.'s learned pair head: the model owns its weights {@code head_alpha} ({@code [E]}) and
 * {@code head_bias} (a scalar), trains them with the encoder on labelled pairs, and compares
 * embeddings with a {@link KochHead} of their current values, read again only when training or a
 * restore changed them. The export gets a {@code score} signature with the head.
 */
final class KochHeadBinding implements LossBinding {
  private final KochPairHeadLoss loss;
  private Variable<TFloat32> alpha;
  private Variable<TFloat32> bias;
  private Signature score;
  private volatile Snapshot snapshot;

  private record Snapshot(long version, KochHead head) {}

  KochHeadBinding(KochPairHeadLoss loss) {
    this.loss = loss;
  }

  @Override
  public KochPairHeadLoss loss() {
    return loss;
  }

  @Override
  public PairLabelConvention labelConvention() {
    return loss.labelConvention();
  }

  @Override
  public BatchKind batchKind() {
    return BatchKind.PAIRS;
  }

  @Override
  public List<Variable<TFloat32>> createVariables(Ops tf, int embeddingSize) {
    Ops init = tf.withInitScope();
    // The head starts as the mean absolute difference with a minus sign: a distance, so that the
    // encoder gets useful gradients from the first step, as with the ready-made distances.
    alpha =
        tf.withName("head_alpha")
            .variable(init.fill(init.constant(new long[] {embeddingSize}), init.constant(-1f / embeddingSize)));
    bias = tf.withName("head_bias").variable(init.constant(0f));
    return List.of(alpha, bias);
  }

  @Override
  public Operand<TFloat32> build(Ops tf, List<Operand<TFloat32>> views, Operand<TFloat32> pairLabels, Operand<TInt32> classLabels) {
    Operand<TFloat32> value = loss.call(tf, views.get(0), views.get(1), pairLabels, alpha, bias);
    score(tf);
    return value;
  }

  @Override
  public void buildInference(Ops tf, int embeddingSize) {
    createVariables(tf, embeddingSize);
    score(tf);
  }

  /** The head applied to two batches of embeddings, for the export's {@code score} signature. */
  private void score(Ops tf) {
    Shape pair = Shape.of(-1, alpha.shape().get(0));
    Placeholder<TFloat32> left = tf.withName("score_left").placeholder(TFloat32.class, Placeholder.shape(pair));
    Placeholder<TFloat32> right = tf.withName("score_right").placeholder(TFloat32.class, Placeholder.shape(pair));
    Operand<TFloat32> logit = tf.withName("score_logit").identity(loss.logits(tf, left, right, alpha, bias));
    Operand<TFloat32> probability = tf.withName("score_probability").math.sigmoid(logit);
    score =
        Signature.builder("score")
            .input("left", left)
            .input("right", right)
            .output("logit", logit)
            .output("probability", probability)
            .build();
  }

  @Override
  public Distance distance(Session session, long weightsVersion) {
    return head(session, weightsVersion);
  }

  /** The head's weights as of {@code weightsVersion}, read from the session when stale. */
  KochHead head(Session session, long weightsVersion) {
    Snapshot s = snapshot;
    if (s != null && s.version() == weightsVersion) {
      return s.head();
    }
    float[] a = new float[(int) alpha.shape().get(0)];
    float b;
    try (Result r = session.runner().fetch(alpha).fetch(bias).run()) {
      ((TFloat32) r.get(0)).copyTo(DataBuffers.of(a, false, false));
      b = ((TFloat32) r.get(1)).getFloat();
    }
    KochHead head = new KochHead(a, b);
    // Stamped with the version the caller read before the fetch: if training moved on meanwhile,
    // the next call sees a newer version and reads again.
    snapshot = new Snapshot(weightsVersion, head);
    return head;
  }

  @Override
  public Set<String> inferenceVariables() {
    return Set.of(alpha.op().name(), bias.op().name());
  }

  @Override
  public Optional<Signature> exportSignature() {
    return Optional.of(score);
  }
}
