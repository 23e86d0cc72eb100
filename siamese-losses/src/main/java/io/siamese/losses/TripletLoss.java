package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The triplet loss on triplets that a sampler made (Weinberger and Saul 2009; Schroff et al. 2015):
 *
 * <pre>
 *   l_i = max(d(a_i, p_i) - d(a_i, n_i) + margin, 0)
 * </pre>
 *
 * for each anchor {@code a_i}, positive {@code p_i} (same class) and negative {@code n_i} (another
 * class), then reduced over the batch. The anchor is pulled towards the positive until the negative
 * is {@code margin} farther away. For triplets mined inside a labelled batch use {@link
 * BatchAllTripletLoss}, {@link BatchHardTripletLoss} or {@link SemiHardTripletLoss}.
 *
 * <p>Defaults ({@link #create()}): margin 1.0, non-squared {@link Distances#EUCLIDEAN}, {@link
 * Reduction#MEAN}. {@link #faceNet()} is the configuration of FaceNet: {@link
 * Distances#SQUARED_EUCLIDEAN} and margin 0.2, meant for L2-normalised embeddings (normalising is
 * the encoder's job; this loss does not do it). There are no labels: the roles are given by which
 * argument an embedding is passed as.
 *
 * <pre>{@code
 * TripletLoss loss = TripletLoss.create();
 * Operand<TFloat32> value = loss.call(tf, anchor, positive, negative);   // [B, E] x 3 -> []
 * // anchors (0,0), (1,1); positives (0,1), (1,2); negatives (0,1.5), (1,1.25):
 * // d(a,p) = 1, 1 and d(a,n) = 1.5, 0.25, so the terms are 0.5 and 1.75 and the mean is 1.125.
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} is passed per call.
 */
public final class TripletLoss {
  private static final double DEFAULT_MARGIN = 1.0;
  private static final double FACENET_MARGIN = 0.2;

  private final double margin;
  private final Distance distance;
  private final Reduction reduction;

  private TripletLoss(double margin, Distance distance, Reduction reduction) {
    this.margin = margin;
    this.distance = distance;
    this.reduction = reduction;
  }

  /** Margin 1.0, {@link Distances#EUCLIDEAN}, {@link Reduction#MEAN}. */
  public static TripletLoss create() {
    return builder().build();
  }

  /**
   * FaceNet's configuration (Schroff, Kalenichenko and Philbin 2015): margin 0.2, {@link
   * Distances#SQUARED_EUCLIDEAN}, {@link Reduction#MEAN}. The margin assumes L2-normalised
   * embeddings, whose squared distances lie in {@code [0, 4]}.
   */
  public static TripletLoss faceNet() {
    return builder().margin(FACENET_MARGIN).distance(Distances.SQUARED_EUCLIDEAN).build();
  }

  /**
   * A builder; margin (1.0), distance ({@link Distances#EUCLIDEAN}) and reduction ({@link
   * Reduction#MEAN}) may each be set once.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** How much farther than the positive the negative must be, in units of {@link #distance()}. */
  public double margin() {
    return margin;
  }

  /** The distance between embeddings; {@link Distances#SQUARED_EUCLIDEAN} for squared. */
  public Distance distance() {
    return distance;
  }

  /** How the per-triplet terms are combined. */
  public Reduction reduction() {
    return reduction;
  }

  /**
   * Builds the loss into the graph of {@code tf}.
   *
   * @param anchor shape {@code [B, E]}
   * @param positive shape {@code [B, E]}, row {@code i} of the anchor's class
   * @param negative shape {@code [B, E]}, row {@code i} of another class
   * @return a scalar, or the per-triplet terms of shape {@code [B]} for {@link Reduction#NONE}
   * @throws IllegalArgumentException if the static shapes are known and do not fit
   */
  public <T extends TNumber> Operand<T> call(
      Ops tf, Operand<T> anchor, Operand<T> positive, Operand<T> negative) {
    Objects.requireNonNull(tf, "tf");
    Objects.requireNonNull(anchor, "anchor");
    Objects.requireNonNull(positive, "positive");
    Objects.requireNonNull(negative, "negative");
    Distances.checkPaired(anchor, positive, "anchor", "positive");
    Distances.checkPaired(anchor, negative, "anchor", "negative");
    Operand<T> a = Distances.requireFinite(tf, anchor, "anchor");
    Operand<T> p = Distances.requireFinite(tf, positive, "positive");
    Operand<T> n = Distances.requireFinite(tf, negative, "negative");
    Operand<T> gap =
        tf.math.add(
            tf.math.sub(distance.rowwise(tf, a, p), distance.rowwise(tf, a, n)),
            Distances.scalar(tf, margin, anchor));
    return reduction.apply(tf, tf.math.maximum(gap, tf.zerosLike(gap)));
  }

  /** Equal when the margin, distance and reduction are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TripletLoss t
        && Double.compare(margin, t.margin) == 0
        && distance.equals(t.distance)
        && reduction == t.reduction;
  }

  @Override
  public int hashCode() {
    return Objects.hash(margin, distance, reduction);
  }

  /** For example {@code TripletLoss(margin 0.2, squared_euclidean, MEAN)}. */
  @Override
  public String toString() {
    return "TripletLoss(margin " + margin + ", " + distance.name() + ", " + reduction + ")";
  }

  /** Settings of a {@link TripletLoss}; each may be set at most once. */
  public static final class Builder {
    private Double margin;
    private Distance distance;
    private Reduction reduction;

    private Builder() {}

    /**
     * The margin, in units of the distance; 1.0 if not set. 0 is allowed: then only triplets whose
     * negative is nearer than the positive cost anything.
     *
     * @throws IllegalArgumentException if {@code margin} is not finite and {@code >= 0}
     * @throws IllegalStateException if the margin was already set
     */
    public Builder margin(double margin) {
      Settings.once(this.margin, "margin");
      this.margin = Settings.nonNegative("margin", margin);
      return this;
    }

    /**
     * The distance; {@link Distances#EUCLIDEAN} if not set.
     *
     * @throws IllegalStateException if the distance was already set
     */
    public Builder distance(Distance distance) {
      Settings.once(this.distance, "distance");
      this.distance = Objects.requireNonNull(distance, "distance");
      return this;
    }

    /**
     * The reduction; {@link Reduction#MEAN} if not set.
     *
     * @throws IllegalStateException if the reduction was already set
     */
    public Builder reduction(Reduction reduction) {
      Settings.once(this.reduction, "reduction");
      this.reduction = Objects.requireNonNull(reduction, "reduction");
      return this;
    }

    /** The loss; the builder may be used again, and gives an equal loss. */
    public TripletLoss build() {
      return new TripletLoss(
          margin == null ? DEFAULT_MARGIN : margin,
          distance == null ? Distances.EUCLIDEAN : distance,
          reduction == null ? Reduction.MEAN : reduction);
    }
  }
}
