package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws N-way K-shot episodes for one-shot evaluation: {@code ways} distinct classes, chosen
 * uniformly among the classes with at least {@code shots + queriesPerClass} examples, and for each
 * class {@code shots} support and {@code queriesPerClass} query examples, all distinct.
 *
 * <p>Episode layout: the support set holds {@code ways * shots} indices, class by class ({@code
 * shots} per class, classes in the order drawn); the queries hold {@code ways * queriesPerClass}
 * indices in the same class order. Labels are the dataset's own labels.
 *
 * <p>With {@link Builder#withinGroup(boolean) withinGroup(true)} (the Omniglot within-alphabet
 * protocol of Lake et al. 2015), each episode first picks a group uniformly among the groups that
 * hold at least {@code ways} eligible classes, then draws its classes from that group only: the
 * classes to tell apart then look alike, which makes the task harder.
 *
 * <p>Seeded with {@link SplittableRandom}: the same dataset and settings give the same sequence of
 * episodes on every machine. Stateful and not thread-safe; the dataset is shared, not copied.
 */
public final class EpisodeSampler {
  private final LabeledDataset data;
  private final int ways;
  private final int shots;
  private final int queriesPerClass;
  private final int[] eligibleClasses;

  /** Eligible classes of each eligible group, when sampling within groups; else null. */
  private final int[][] eligibleByGroup;

  private final SplittableRandom rng;

  private EpisodeSampler(Builder b, int[] eligibleClasses, int[][] eligibleByGroup) {
    this.data = b.data;
    this.ways = b.ways;
    this.shots = b.shots;
    this.queriesPerClass = b.queriesPerClass;
    this.eligibleClasses = eligibleClasses;
    this.eligibleByGroup = eligibleByGroup;
    this.rng = new SplittableRandom(b.seed);
  }

  /** A builder over {@code data}: 5-way, 1-shot, 1 query per class, seed 0 unless set. */
  public static Builder builder(LabeledDataset data) {
    return new Builder(checkNotNull(data, "data"));
  }

  /** The dataset whose indices the episodes hold. */
  public LabeledDataset dataset() {
    return data;
  }

  /** Classes per episode (N), {@code >= 2}. */
  public int ways() {
    return ways;
  }

  /** Support examples per class (K), {@code >= 1}. */
  public int shots() {
    return shots;
  }

  /** Query examples per class, {@code >= 1}. */
  public int queriesPerClass() {
    return queriesPerClass;
  }

  /** Whether every episode draws its classes from a single group. */
  public boolean withinGroup() {
    return eligibleByGroup != null;
  }

  /**
   * The next episode; its support and queries never share an example, and with {@link
   * #withinGroup()} all its classes share one group.
   */
  public Episode next() {
    int perClass = shots + queriesPerClass;
    int[] support = new int[ways * shots];
    int[] supportLabels = new int[ways * shots];
    int[] queries = new int[ways * queriesPerClass];
    int[] queryLabels = new int[ways * queriesPerClass];
    int[] classes =
        eligibleByGroup == null
            ? eligibleClasses.clone()
            : eligibleByGroup[rng.nextInt(eligibleByGroup.length)].clone();
    partialShuffle(classes, ways);
    for (int w = 0; w < ways; w++) {
      int label = classes[w];
      // A copy, because the partial shuffle reorders it and the dataset's array is shared.
      int[] members = data.indicesOfClassShared(label).clone();
      partialShuffle(members, perClass);
      for (int k = 0; k < shots; k++) {
        support[w * shots + k] = members[k];
        supportLabels[w * shots + k] = label;
      }
      for (int q = 0; q < queriesPerClass; q++) {
        queries[w * queriesPerClass + q] = members[shots + q];
        queryLabels[w * queriesPerClass + q] = label;
      }
    }
    return new Episode(support, supportLabels, queries, queryLabels);
  }

  /** Moves a uniform random choice of {@code count} distinct elements to the front of {@code a}. */
  private void partialShuffle(int[] a, int count) {
    for (int i = 0; i < count; i++) {
      int j = i + rng.nextInt(a.length - i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  @Override
  public String toString() {
    return "EpisodeSampler["
        + ways
        + "-way "
        + shots
        + "-shot, "
        + queriesPerClass
        + " queries per class, over "
        + eligibleClasses.length
        + " classes of "
        + data
        + (eligibleByGroup == null ? "" : ", within " + eligibleByGroup.length + " groups")
        + "]";
  }

  /** Collects {@link EpisodeSampler} settings; {@link #build()} validates them. */
  public static final class Builder {
    private final LabeledDataset data;
    private int ways = 5;
    private int shots = 1;
    private int queriesPerClass = 1;
    private long seed = 0;
    private boolean withinGroup = false;

    private Builder(LabeledDataset data) {
      this.data = data;
    }

    /**
     * Whether each episode draws all its classes from one group (see {@link LabeledDataset#group});
     * default false. Needs a dataset with group labels.
     */
    public Builder withinGroup(boolean withinGroup) {
      this.withinGroup = withinGroup;
      return this;
    }

    /** Classes per episode (N), {@code >= 2}; default 5. */
    public Builder ways(int ways) {
      this.ways = ways;
      return this;
    }

    /** Support examples per class (K), {@code >= 1}; default 1. */
    public Builder shots(int shots) {
      this.shots = shots;
      return this;
    }

    /** Query examples per class, {@code >= 1}; default 1. */
    public Builder queriesPerClass(int queriesPerClass) {
      this.queriesPerClass = queriesPerClass;
      return this;
    }

    /** Fixes the sequence of episodes; default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The sampler.
     *
     * @throws IllegalArgumentException if {@code ways < 2}, {@code shots < 1}, {@code
     *     queriesPerClass < 1}, or fewer than {@code ways} classes have {@code shots +
     *     queriesPerClass} examples (the message gives the counts), or, within groups, no group has
     *     {@code ways} such classes
     * @throws IllegalStateException if {@code withinGroup} is set but the dataset has no groups
     */
    public EpisodeSampler build() {
      checkArgument(ways >= 2, "ways must be >= 2, got %s", ways);
      checkArgument(shots >= 1, "shots must be >= 1, got %s", shots);
      checkArgument(queriesPerClass >= 1, "queriesPerClass must be >= 1, got %s", queriesPerClass);
      // Summed as a long: two huge ints must not wrap into a small requirement.
      long perClass = (long) shots + queriesPerClass;
      int[] eligible =
          Arrays.stream(data.classes()).filter(c -> data.countOfClass(c) >= perClass).toArray();
      checkArgument(
          eligible.length >= ways,
          "%s-way episodes with %s shots and %s queries per class need %s classes with at least %s"
              + " examples each, but only %s of the %s classes have that many",
          ways,
          shots,
          queriesPerClass,
          ways,
          perClass,
          eligible.length,
          data.classCount());
      if (!withinGroup) {
        return new EpisodeSampler(this, eligible, null);
      }
      if (!data.hasGroups()) {
        throw new IllegalStateException(
            "withinGroup(true) needs group labels, but " + data + " has none");
      }
      List<int[]> byGroup = new ArrayList<>();
      for (int g : data.groupIds()) {
        int[] classes =
            Arrays.stream(data.classesOfGroup(g))
                .filter(c -> data.countOfClass(c) >= perClass)
                .toArray();
        if (classes.length >= ways) {
          byGroup.add(classes);
        }
      }
      checkArgument(
          !byGroup.isEmpty(),
          "%s-way episodes within one group need a group with %s classes of at least %s examples"
              + " each, but none of the %s groups has that many",
          ways,
          ways,
          perClass,
          data.groupCount());
      return new EpisodeSampler(this, eligible, byGroup.toArray(new int[0][]));
    }
  }
}
