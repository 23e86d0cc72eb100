package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Collects a dataset's optional groups and names; {@link #build()} validates and copies
 * everything. Each setting may be given once.
 */
public final class LabeledDatasetBuilder {
  private final float[] features;
  private final byte[] bytes;
  private final int[] labels;
  private final ExampleShape shape;
  private int[] groups;
  private Map<Integer, String> classNames;
  private Map<Integer, String> groupNames;
  private double[] scale;
  private double[] offset;

  LabeledDatasetBuilder(float[] features, byte[] bytes, int[] labels, ExampleShape shape) {
    this.features = features;
    this.bytes = bytes;
    this.labels = labels;
    this.shape = shape;
  }

  /**
   * For a byte-storage builder: decode byte {@code u} of channel {@code c} to {@code (float) (u /
   * 255.0 * scale[c] + offset[c])}; one value for all channels or one per channel of an image
   * shape. Default {@code {1}, {0}}. Copied now; checked in {@link #build()}.
   *
   * @throws IllegalStateException if this builder holds floats, or the scale was already set
   */
  public LabeledDatasetBuilder byteScale(double[] scale, double[] offset) {
    checkNotNull(scale, "scale");
    checkNotNull(offset, "offset");
    checkState(bytes != null, "byteScale applies to byte storage; this builder holds floats");
    checkState(this.scale == null, "byteScale was already set to %s", Arrays.toString(this.scale));
    this.scale = scale.clone();
    this.offset = offset.clone();
    return this;
  }

  /**
   * Group of each example, each {@code >= 0}, one per label; every class must lie in one group.
   * Copied in {@link #build()}.
   */
  public LabeledDatasetBuilder groups(int[] groups) {
    checkNotNull(groups, "groups");
    checkState(this.groups == null, "groups were already set");
    this.groups = groups;
    return this;
  }

  /** Name of each class, by label; must name every class present and nothing else. */
  public LabeledDatasetBuilder classNames(Map<Integer, String> classNames) {
    checkNotNull(classNames, "classNames");
    checkState(this.classNames == null, "classNames were already set to %s", this.classNames);
    this.classNames = ImmutableSortedMap.copyOf(DatasetNames.check(classNames, "classNames"));
    return this;
  }

  /**
   * Names of classes labelled {@code 0 .. names.size() - 1}: label {@code i} is called {@code
   * names.get(i)}. The labels present must be exactly those.
   */
  public LabeledDatasetBuilder classNames(List<String> classNames) {
    return classNames(DatasetNames.indexed(checkNotNull(classNames, "classNames")));
  }

  /** Name of each group, by group; must name every group present and nothing else. */
  public LabeledDatasetBuilder groupNames(Map<Integer, String> groupNames) {
    checkNotNull(groupNames, "groupNames");
    checkState(this.groupNames == null, "groupNames were already set to %s", this.groupNames);
    this.groupNames = ImmutableSortedMap.copyOf(DatasetNames.check(groupNames, "groupNames"));
    return this;
  }

  /** Names of groups {@code 0 .. names.size() - 1}, as {@link #classNames(List)}. */
  public LabeledDatasetBuilder groupNames(List<String> groupNames) {
    return groupNames(DatasetNames.indexed(checkNotNull(groupNames, "groupNames")));
  }

  /**
   * The dataset.
   *
   * @throws IllegalArgumentException for any reason {@link LabeledDataset#of} gives, or if the
   *     groups differ in length from the labels, a group is negative, a class spans two groups,
   *     names miss a class or group present or name one absent, or group names are given without
   *     groups (the message names the value)
   */
  public LabeledDataset build() {
    LabeledDataset plain =
        features != null
            ? LabeledDataset.of(features, labels, shape)
            : LabeledDataset.ofBytes(
                bytes,
                labels,
                shape,
                scale == null ? new double[] {1} : scale,
                offset == null ? new double[] {0} : offset);
    int[] g = null;
    if (groups != null) {
      checkArgument(
          groups.length == labels.length,
          "groups must hold one group per example, %s, got %s",
          labels.length,
          groups.length);
      g = groups.clone();
      for (int i = 0; i < g.length; i++) {
        checkArgument(g[i] >= 0, "group of example %s must be >= 0, got %s", i, g[i]);
      }
    }
    return plain.withGroupsAndNames(
        g,
        classNames == null ? ImmutableSortedMap.of() : classNames,
        groupNames == null ? ImmutableSortedMap.of() : groupNames);
  }
}
