package io.siamese.losses;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * The Proxy-Anchor loss of Kim et al. (2020, "Proxy anchor loss for deep metric learning"): one
 * learned proxy per class, used as an anchor that pulls the batch's examples of its class and
 * pushes the others, each weighted by how hard it is.
 *
 * <pre>
 *   s_ip   = x_i . p_p / (|x_i| |p_p|)           (P = proxies, [C, E], owned by the model)
 *   P+     = the proxies whose class appears in the batch;  X_p+ / X_p- its examples / the others
 *   pos    = 1/|P+| sum_{p in P+} log(1 + sum_{i in X_p+} exp(-alpha (s_ip - delta)))
 *   neg    = 1/C    sum_{p}       log(1 + sum_{i in X_p-} exp( alpha (s_ip + delta)))
 *   loss   = pos + neg
 * </pre>
 *
 * <p>Defaults, those of pytorch-metric-learning's {@code ProxyAnchorLoss} and the paper: margin
 * {@code delta = 0.1}, {@code alpha = 32}, proxies initialised by {@link
 * ParameterInitializer#kaimingNormalFanOut()} ({@code N(0, 2 / C)}). The log-sums are taken with
 * the largest term factored out ({@link LossInputs#log1pSumExp}).
 *
 * <p><b>Degenerate cases</b>, all finite: the positive term averages over the proxies whose class
 * appears in the batch, so a class never sampled neither adds to it nor dilutes it (its proxy is
 * still pushed away from the batch's examples by the negative term, which averages over all
 * {@code C} proxies, as in the paper). A batch of one class has one positive proxy, and every
 * other proxy sees all its examples as negatives; a proxy with no negative in the batch adds 0.
 * When no proxy has a positive (only an empty batch), the positive term is 0, as
 * pytorch-metric-learning's divisor reducer gives, and so is the loss. A label outside {@code [0,
 * C)} fails the run.
 *
 * <pre>{@code
 * LearnedParameterLoss loss = ProxyAnchorLoss.builder(2).alpha(1).margin(0).build();
 * // x = (1, 0) of class 0, proxies (1, 1), (0, 1): s = (0.7071, 0).
 * // pos = log(1 + e^-0.7071) = 0.4008 over one proxy; neg = (0 + log(1 + e^0)) / 2 = 0.3466;
 * // loss = 0.7474...
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} and the proxies are passed per call.
 */
public final class ProxyAnchorLoss extends AbstractLearnedParameterLoss {
  private static final double DEFAULT_MARGIN = 0.1;
  private static final double DEFAULT_ALPHA = 32;

  private final double margin;
  private final double alpha;

  private ProxyAnchorLoss(int classes, double margin, double alpha) {
    super(classes, Distances.COSINE);
    this.margin = margin;
    this.alpha = alpha;
  }

  /** A builder for {@code classes} classes; margin (0.1) and alpha (32) may each be set once. */
  public static Builder builder(int classes) {
    return new Builder(classes);
  }

  /** The margin {@code delta} on the cosine similarity. */
  public double margin() {
    return margin;
  }

  /** The scale {@code alpha} of the similarities: larger weighs hard examples more. */
  public double alpha() {
    return alpha;
  }

  /** {@code proxies}, shape {@code [C, E]}, initialised {@code N(0, 2 / C)}. */
  @Override
  public List<LossParameter> parameters(int embeddingSize) {
    if (embeddingSize < 1) {
      throw new IllegalArgumentException("embeddingSize must be >= 1, got " + embeddingSize);
    }
    return List.of(
        LossParameter.of(
            "proxies",
            new long[] {classes(), embeddingSize},
            ParameterInitializer.kaimingNormalFanOut()));
  }

  @Override
  protected <T extends TNumber> Operand<T> loss(Ops tf, LossInputs<T> in) {
    Operand<T> s = in.cosines(in.parameter(0)); // [B, C]
    Operand<TBool> positive = in.isTarget();
    Operand<TBool> negative = tf.math.logicalNot(positive);
    Operand<T> a = in.constant(alpha);
    Operand<T> d = in.constant(margin);
    Operand<T> pull = tf.math.mul(tf.math.neg(a), tf.math.sub(s, d));
    Operand<T> push = tf.math.mul(a, tf.math.add(s, d));
    Operand<T> posPerProxy = in.log1pSumExp(pull, positive, 0); // [C], 0 without positives
    Operand<T> negPerProxy = in.log1pSumExp(push, negative, 0); // [C], 0 without negatives
    Operand<T> withPositives =
        tf.reduceSum(in.asNumbers(tf.reduceAny(positive, tf.constant(0))), tf.constant(0));
    Operand<T> pos =
        tf.math.div(
            tf.reduceSum(posPerProxy, tf.constant(0)),
            tf.math.maximum(withPositives, in.constant(1.0)));
    Operand<T> neg =
        tf.math.div(tf.reduceSum(negPerProxy, tf.constant(0)), in.constant(classes()));
    return tf.math.add(pos, neg);
  }

  /** Equal when the classes, margin and alpha are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ProxyAnchorLoss p
        && classes() == p.classes()
        && Double.compare(margin, p.margin) == 0
        && Double.compare(alpha, p.alpha) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(classes(), margin, alpha);
  }

  /** For example {@code ProxyAnchorLoss(10 classes, margin 0.1, alpha 32.0)}. */
  @Override
  public String toString() {
    return "ProxyAnchorLoss(" + classes() + " classes, margin " + margin + ", alpha " + alpha + ")";
  }

  /** Settings of a {@link ProxyAnchorLoss}; each may be set at most once. */
  public static final class Builder {
    private final int classes;
    private Double margin;
    private Double alpha;

    private Builder(int classes) {
      this.classes = classes;
    }

    /**
     * The margin {@code delta}; 0.1 if not set.
     *
     * @throws IllegalArgumentException if {@code margin} is not in {@code [0, 1]}
     * @throws IllegalStateException if the margin was already set
     */
    public Builder margin(double margin) {
      Settings.once(this.margin, "margin");
      if (!(margin >= 0 && margin <= 1)) {
        throw new IllegalArgumentException("margin must be in [0, 1], got " + margin);
      }
      this.margin = margin;
      return this;
    }

    /**
     * The scale {@code alpha}; 32 if not set.
     *
     * @throws IllegalArgumentException if {@code alpha} is not in {@code (0, 1e6]}
     * @throws IllegalStateException if alpha was already set
     */
    public Builder alpha(double alpha) {
      Settings.once(this.alpha, "alpha");
      this.alpha = ArcFaceLoss.logitScale("alpha", alpha);
      return this;
    }

    /**
     * The loss; the builder may be used again, and gives an equal loss.
     *
     * @throws IllegalArgumentException if {@code classes < 2}
     */
    public ProxyAnchorLoss build() {
      return new ProxyAnchorLoss(
          ArcFaceLoss.classCount(classes),
          margin == null ? DEFAULT_MARGIN : margin,
          alpha == null ? DEFAULT_ALPHA : alpha);
    }
  }
}
