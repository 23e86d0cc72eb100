package io.siamese.core.embedding;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.Embedder;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.internal.Checks;
import io.siamese.core.train.BatchAugmentation;
import io.siamese.data.ExampleShape;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Test-time augmentation: the embedding of an example is the mean of the embeddings of {@code
 * views} versions of it, the original (unless left out) and augmented copies. Evaluators, galleries
 * and {@link io.siamese.core.gallery.OneShotClassifier} take it like any {@link Embedder}.
 *
 * <pre>{@code
 * Embedder tta = AugmentedEmbedder.builder(model, Augmenter.koch2015()::apply, "koch2015").views(8).build();
 * OneShotEvaluator.evaluate(tta, model.embeddingDistance(), episodes, 400);
 * }</pre>
 *
 * <p><b>Deterministic.</b> Each example's augmentations are drawn from a random source seeded by
 * the seed, the view and the example's own values, so an example gets the same embedding alone or
 * in any batch, in any process. It costs {@code views} encoder passes per example.
 *
 * <p>Its {@link #embeddingSpace()} is the base's distance and size, with a digest of the base's
 * digest, the augmentation's name, the views and the seed: a gallery made with it refuses plain
 * embeddings of the same model, and the other way round.
 */
public final class AugmentedEmbedder implements Embedder {
  private final Embedder base;
  private final BatchAugmentation augmentation;
  private final String name;
  private final int views;
  private final boolean original;
  private final long seed;

  private AugmentedEmbedder(Builder b) {
    this.base = b.base;
    this.augmentation = b.augmentation;
    this.name = b.name;
    this.views = b.views;
    this.original = b.original;
    this.seed = b.seed;
  }

  /**
   * @param base the embedder to average; the caller keeps it (and closes it)
   * @param augmentation distorts a batch in place, e.g. {@code Augmenter.koch2015()::apply}
   * @param name names the augmentation in the embedding space's digest, e.g. {@code "koch2015"}
   */
  public static Builder builder(Embedder base, BatchAugmentation augmentation, String name) {
    return new Builder(base, augmentation, name);
  }

  @Override
  public ExampleShape inputShape() {
    return base.inputShape();
  }

  @Override
  public int embeddingSize() {
    return base.embeddingSize();
  }

  @Override
  public float[][] embed(float[][] examples) {
    checkNotNull(examples, "examples");
    checkArgument(examples.length > 0, "embed needs at least one example");
    ExampleShape shape = base.inputShape();
    Checks.finiteRows(examples, shape.size(), i -> "example " + i, "the encoder expects " + shape + " = " + shape.size(), "inputs");
    int n = examples.length;
    int e = base.embeddingSize();
    double[][] sum = new double[n][e];
    for (int v = 0; v < views; v++) {
      float[][] batch = new float[n][];
      for (int i = 0; i < n; i++) {
        batch[i] = examples[i].clone();
        if (!(original && v == 0)) {
          augmentation.apply(batch[i], 1, shape, new SplittableRandom(mix(seed, v, examples[i])));
        }
      }
      float[][] out = base.embed(batch);
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < e; k++) {
          sum[i][k] += out[i][k];
        }
      }
    }
    float[][] mean = new float[n][e];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < e; k++) {
        mean[i][k] = (float) (sum[i][k] / views);
      }
    }
    return mean;
  }

  /** A seed from the embedder's seed, the view and the example's values. */
  private static long mix(long seed, int view, float[] example) {
    return seed * 0x9E3779B97F4A7C15L + view * 0xBF58476D1CE4E5B9L + Arrays.hashCode(example);
  }

  @Override
  public EmbeddingSpace embeddingSpace() {
    EmbeddingSpace s = base.embeddingSpace();
    return new EmbeddingSpace(
        s.dimension(), s.distance(),
        Digests.of("tta", s.modelDigest(), name, Integer.toString(views), Boolean.toString(original), Long.toString(seed)));
  }

  @Override
  public String toString() {
    return "AugmentedEmbedder(" + views + " views of " + name + (original ? ", original included" : "") + ")";
  }

  /** Settings of test-time augmentation; {@link #build()} checks them. */
  public static final class Builder {
    private final Embedder base;
    private final BatchAugmentation augmentation;
    private final String name;
    private int views = 8;
    private boolean original = true;
    private long seed;

    private Builder(Embedder base, BatchAugmentation augmentation, String name) {
      this.base = checkNotNull(base, "base");
      this.augmentation = checkNotNull(augmentation, "augmentation");
      this.name = checkNotNull(name, "name");
    }

    /** How many versions of each example are averaged, {@code >= 1}; 8 if not set. */
    public Builder views(int views) {
      checkArgument(views >= 1, "views must be >= 1, got %s", views);
      this.views = views;
      return this;
    }

    /** Whether the first view is the example itself, unaugmented; true if not set. */
    public Builder includeOriginal(boolean original) {
      this.original = original;
      return this;
    }

    /** The seed of the augmentations; 0 if not set. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public AugmentedEmbedder build() {
      checkArgument(!name.isBlank(), "the augmentation needs a name");
      return new AugmentedEmbedder(this);
    }
  }
}
