package io.siamese.core.evaluation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.Embedder;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.InMemoryGallery;
import io.siamese.core.gallery.Neighbor;
import io.siamese.core.internal.Checks;
import io.siamese.data.LabeledDataset;
import io.siamese.losses.Distance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Open-set identification over held-out classes, as an application meets it: in each trial a
 * gallery of {@code enrolledClasses} classes is enrolled ({@code shots} examples each), then probed
 * with other examples of those classes and with examples of the classes left out. With groups (the
 * alphabets of Omniglot), each trial stays within one group, as a gallery of one alphabet's
 * characters would. The result gives the false-alarm rate and DIR at every threshold, and the
 * threshold that meets a target false-alarm rate: calibrate it on validation classes, then check it
 * on test classes. Both rules of {@link io.siamese.core.gallery.UnknownRule} are recorded: the
 * distance to the nearest enrolled example and its ratio to the second nearest class's.
 *
 * <pre>{@code
 * OpenSetResult val = OpenSetEvaluator.builder(split.validation()).enrolledClasses(20).seed(1).build()
 *     .evaluate(model, model.embeddingDistance());
 * model.setOperatingPoint(val.falseAlarmRatePoint(0.05, "20 of each validation alphabet"));
 * }</pre>
 */
public final class OpenSetEvaluator {
  private final LabeledDataset data;
  private final int enrolledClasses;
  private final int shots;
  private final int knownProbesPerClass;
  private final int unknownProbesPerClass;
  private final int trials;
  private final boolean withinGroups;
  private final long seed;

  private OpenSetEvaluator(Builder b) {
    this.data = b.data;
    this.enrolledClasses = b.enrolledClasses;
    this.shots = b.shots;
    this.knownProbesPerClass = b.knownProbesPerClass;
    this.unknownProbesPerClass = b.unknownProbesPerClass;
    this.trials = b.trials;
    this.withinGroups = b.withinGroups;
    this.seed = b.seed;
  }

  /** An evaluator over the held-out classes of {@code data}. */
  public static Builder builder(LabeledDataset data) {
    return new Builder(data);
  }

  /**
   * Runs the trials. Deterministic for a seed.
   *
   * @throws IllegalArgumentException if the data's shape is not the embedder's input shape
   */
  public OpenSetResult evaluate(Embedder embedder, Distance distance) {
    checkNotNull(embedder, "embedder");
    checkNotNull(distance, "distance");
    Checks.sameShape(data.shape(), embedder.inputShape(), "the dataset");
    SplittableRandom random = new SplittableRandom(seed);
    List<int[]> pools = pools();
    EmbeddingSpace space = new EmbeddingSpace(embedder.embeddingSize(), distance, "open-set");
    List<Double> knownD = new ArrayList<>();
    List<Double> knownSecond = new ArrayList<>();
    List<Boolean> knownOk = new ArrayList<>();
    List<Double> unknownD = new ArrayList<>();
    List<Double> unknownSecond = new ArrayList<>();
    for (int t = 0; t < trials; t++) {
      int[] classes = pools.get(random.nextInt(pools.size())).clone();
      shuffle(classes, random);
      List<Integer> enrolIdx = new ArrayList<>();
      List<Integer> enrolLabels = new ArrayList<>();
      List<Integer> known = new ArrayList<>();
      List<Integer> knownLabels = new ArrayList<>();
      List<Integer> unknown = new ArrayList<>();
      for (int c = 0; c < classes.length; c++) {
        int[] examples = data.indicesOfClass(classes[c]).clone();
        shuffle(examples, random);
        if (c < enrolledClasses) {
          for (int s = 0; s < shots; s++) {
            enrolIdx.add(examples[s]);
            enrolLabels.add(classes[c]);
          }
          for (int p = shots; p < Math.min(examples.length, shots + knownProbesPerClass); p++) {
            known.add(examples[p]);
            knownLabels.add(classes[c]);
          }
        } else {
          for (int p = 0; p < Math.min(examples.length, unknownProbesPerClass); p++) {
            unknown.add(examples[p]);
          }
        }
      }
      int[] all = new int[enrolIdx.size() + known.size() + unknown.size()];
      int at = 0;
      for (List<Integer> part : List.of(enrolIdx, known, unknown)) {
        for (int i : part) {
          all[at++] = i;
        }
      }
      float[][] e = embedder.embed(data, all);
      try (InMemoryGallery<Integer> gallery = InMemoryGallery.create(space)) {
        gallery.enrolAll(enrolLabels, Arrays.copyOf(e, enrolIdx.size()));
        for (int p = 0; p < known.size(); p++) {
          List<Neighbor<Integer>> n = gallery.nearestLabels(e[enrolIdx.size() + p], 2);
          knownD.add(n.get(0).distance());
          knownSecond.add(second(n));
          knownOk.add(n.get(0).label().equals(knownLabels.get(p)));
        }
        for (int p = 0; p < unknown.size(); p++) {
          List<Neighbor<Integer>> n = gallery.nearestLabels(e[enrolIdx.size() + known.size() + p], 2);
          unknownD.add(n.get(0).distance());
          unknownSecond.add(second(n));
        }
      }
    }
    boolean[] ok = new boolean[knownOk.size()];
    for (int i = 0; i < ok.length; i++) {
      ok[i] = knownOk.get(i);
    }
    return new OpenSetResult(
        toArray(knownD), ok, toArray(knownSecond), toArray(unknownD), toArray(unknownSecond), enrolledClasses, trials);
  }

  /** The distance to the second nearest class, infinite when only one class is enrolled. */
  private static double second(List<Neighbor<Integer>> nearestLabels) {
    return nearestLabels.size() < 2 ? Double.POSITIVE_INFINITY : nearestLabels.get(1).distance();
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The sets of classes a trial draws from: each group with enough classes, or all classes. */
  private List<int[]> pools() {
    List<int[]> pools = new ArrayList<>();
    if (withinGroups) {
      for (int g : data.groupIds()) {
        int[] classes = data.classesOfGroup(g);
        if (classes.length > enrolledClasses && enoughExamples(classes)) {
          pools.add(classes);
        }
      }
      checkState(!pools.isEmpty(), "no group has more than %s classes with more than %s examples each", enrolledClasses, shots);
    } else {
      int[] classes = data.classes();
      checkState(classes.length > enrolledClasses, "the data has %s classes; enrolling %s leaves none unknown", classes.length, enrolledClasses);
      checkState(enoughExamples(classes), "every class needs more than %s examples", shots);
      pools.add(classes);
    }
    return pools;
  }

  private boolean enoughExamples(int[] classes) {
    for (int c : classes) {
      if (data.countOfClass(c) <= shots) {
        return false;
      }
    }
    return true;
  }

  private static void shuffle(int[] a, SplittableRandom r) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Settings of the protocol; {@link #build()} checks them. */
  public static final class Builder {
    private final LabeledDataset data;
    private int enrolledClasses = 20;
    private int shots = 1;
    private int knownProbesPerClass = 1;
    private int unknownProbesPerClass = 1;
    private int trials = 100;
    private boolean withinGroups;
    private long seed;

    private Builder(LabeledDataset data) {
      this.data = checkNotNull(data, "data");
      this.withinGroups = data.hasGroups();
    }

    /** Classes in each trial's gallery, {@code >= 1}; 20 if not set. */
    public Builder enrolledClasses(int n) {
      checkArgument(n >= 1, "enrolledClasses must be >= 1, got %s", n);
      this.enrolledClasses = n;
      return this;
    }

    /** Examples enrolled per class, {@code >= 1}; 1 if not set. */
    public Builder shots(int n) {
      checkArgument(n >= 1, "shots must be >= 1, got %s", n);
      this.shots = n;
      return this;
    }

    /** Probes per enrolled class and per never-enrolled class in each trial, {@code >= 1}; 1 and 1 if not set. */
    public Builder probesPerClass(int known, int unknown) {
      checkArgument(known >= 1 && unknown >= 1, "probes per class must be >= 1, got %s and %s", known, unknown);
      this.knownProbesPerClass = known;
      this.unknownProbesPerClass = unknown;
      return this;
    }

    /** Number of trials, {@code >= 1}; 100 if not set. */
    public Builder trials(int n) {
      checkArgument(n >= 1, "trials must be >= 1, got %s", n);
      this.trials = n;
      return this;
    }

    /** Whether each trial stays within one group; true if the data has groups. */
    public Builder withinGroups(boolean within) {
      checkArgument(!within || data.hasGroups(), "withinGroups needs a dataset with groups");
      this.withinGroups = within;
      return this;
    }

    /** The seed of the draws; 0 if not set. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public OpenSetEvaluator build() {
      return new OpenSetEvaluator(this);
    }
  }
}
