package io.siamese.core;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TwinBatching;
import io.siamese.losses.BatchLoss;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.LearnedParameterLoss;
import io.siamese.losses.PairLoss;
import io.siamese.losses.TripletLoss;

/**
 * Collects a {@link SiameseModel}'s settings (from {@link SiameseModel#builder()}); {@link #build()}
 * checks them and builds the graph. Each setting may be given once. Not thread-safe.
 */
public final class SiameseModelBuilder {
  EncoderSpec encoder;
  Object loss;
  OptimizerSpec optimizer;
  private Long seedSet;
  long seed;
  SessionConfig session;
  private Precision precision;
  TwinBatching twinBatching;

  SiameseModelBuilder() {}

  /** The encoder both twins share. Required. */
  public SiameseModelBuilder encoder(EncoderSpec encoder) {
    checkState(this.encoder == null, "encoder was already set to %s", this.encoder);
    this.encoder = checkNotNull(encoder, "encoder");
    return this;
  }

  /** A loss over labelled pairs, trained with {@code fit(PairSampler, ...)}. One loss is required. */
  public SiameseModelBuilder loss(PairLoss loss) {
    return setLoss(loss);
  }

  /**
   * Koch et al.'s learned pair head on the encoder, trained with its binary cross-entropy on
   * labelled pairs. The model creates, trains, saves and loads the head's weights {@code alpha}
   * ({@code embeddingSize} floats, starting at {@code -1 / embeddingSize}) and {@code bias}
   * (starting at 0); comparisons then use the head (see {@link KochHead}).
   */
  public SiameseModelBuilder loss(KochPairHeadLoss loss) {
    return setLoss(loss);
  }

  /** A loss that mines pairs or triplets in labelled batches, trained with {@code fit(PkBatchSampler, ...)}. */
  public SiameseModelBuilder loss(BatchLoss loss) {
    return setLoss(loss);
  }

  /**
   * A loss with learned class weights or proxies of its own (ArcFace, CosFace, sub-centre ArcFace,
   * normalised softmax, Proxy-Anchor), trained with {@code fit(ClassBatchSampler, ...)}. The model
   * creates, trains, saves and loads its parameters, and leaves them out of inference and export.
   */
  public SiameseModelBuilder loss(LearnedParameterLoss loss) {
    return setLoss(loss);
  }

  /** A loss over (anchor, positive, negative) triplets, trained with {@code fit(TripletSampler, ...)}. */
  public SiameseModelBuilder loss(TripletLoss loss) {
    return setLoss(loss);
  }

  SiameseModelBuilder setLoss(Object loss) {
    checkNotNull(loss, "loss");
    checkState(this.loss == null, "loss was already set to %s", this.loss);
    this.loss = loss;
    return this;
  }

  /** The optimizer and its learning rate or schedule; Adam with learning rate 1e-3 if not set. */
  public SiameseModelBuilder optimizer(OptimizerSpec optimizer) {
    checkState(this.optimizer == null, "optimizer was already set to %s", this.optimizer);
    this.optimizer = checkNotNull(optimizer, "optimizer");
    return this;
  }

  /** The seed of the initial weights; 0 if not set. Same seed, same initial weights. */
  public SiameseModelBuilder seed(long seed) {
    checkState(seedSet == null, "seed was already set to %s", seedSet);
    this.seedSet = seed;
    this.seed = seed;
    return this;
  }

  /** How training runs the twins of a pair through the encoder; {@link TwinBatching#STACKED} if not set. */
  public SiameseModelBuilder twinBatching(TwinBatching twinBatching) {
    checkState(this.twinBatching == null, "twinBatching was already set to %s", this.twinBatching);
    this.twinBatching = checkNotNull(twinBatching, "twinBatching");
    return this;
  }

  /**
   * TensorFlow's thread pools: {@code intraOp} threads inside one op (a convolution), {@code
   * interOp} ops run at once; 0 lets TensorFlow choose (one per core each, the default).
   *
   * <p>TensorFlow keeps one intra-op pool per process, sized by the first device it creates, and
   * building a model creates one before this model's session: measured with TensorFlow Java 1.1.0,
   * {@code threads(1, 1)} leaves a Conv-4 forward at batch 256 as fast as the default (29.6 against
   * 30.9 ms on 2 cores). For the intra-op setting to take effect, start the JVM with {@code
   * TF_OVERRIDE_GLOBAL_THREADPOOL=1}, which gives every session a pool of its own (then 56.4 ms:
   * one thread). {@link #build()} logs a warning when {@code intraOp > 0} and it is not set.
   */
  public SiameseModelBuilder threads(int intraOp, int interOp) {
    checkState(session == null, "threads were already set");
    this.session = SessionConfig.threads(intraOp, interOp);
    return this;
  }

  /**
   * The arithmetic of the model's session, for training and inference; {@link Precision#FP32} if
   * not set. Weights, saved models and exports stay float32 (see {@link Precision#MIXED}).
   */
  public SiameseModelBuilder precision(Precision precision) {
    checkState(this.precision == null, "precision was already set to %s", this.precision);
    this.precision = checkNotNull(precision, "precision");
    return this;
  }

  /** Whether TensorFlow gives each session its own intra-op pool (see {@link #threads}). */
  static boolean perSessionIntraOpPools() {
    return SessionConfig.perSessionIntraOpPools();
  }

  /**
   * Builds the graph and opens a session. The caller owns the model and must close it.
   *
   * @throws IllegalStateException if the encoder or the loss is missing
   */
  public SiameseModel build() {
    checkState(encoder != null, "the encoder must be set");
    checkState(loss != null, "the loss must be set");
    defaults();
    return SiameseModel.built(this);
  }

  void defaults() {
    optimizer = optimizer == null ? OptimizerSpec.adam(1e-3) : optimizer;
    session = (session == null ? SessionConfig.DEFAULT : session).withPrecision(precision == null ? Precision.FP32 : precision);
    twinBatching = twinBatching == null ? TwinBatching.STACKED : twinBatching;
  }
}
