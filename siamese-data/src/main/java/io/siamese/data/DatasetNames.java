package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Validation and look-ups on the class and group names of a {@link LabeledDataset}. */
final class DatasetNames {
  private DatasetNames() {}

  /** Names, when given, must name every id present and nothing else. */
  static void checkCover(
      ImmutableSortedMap<Integer, String> names, int[] ids, String what, String kind) {
    if (names.isEmpty()) {
      return;
    }
    for (int id : ids) {
      checkArgument(names.containsKey(id), "%s lacks a name for %s %s", what, kind, id);
    }
    for (int key : names.keySet()) {
      checkArgument(
          Arrays.binarySearch(ids, key) >= 0,
          "%s names %s %s, but no example has that %s",
          what,
          kind,
          key,
          kind);
    }
  }

  static int named(ImmutableSortedMap<Integer, String> names, String name, String kind) {
    int found = -1;
    for (Map.Entry<Integer, String> e : names.entrySet()) {
      if (e.getValue().equals(name)) {
        checkArgument(
            found < 0, "%s name \"%s\" is ambiguous: %ss %s and %s", kind, name, kind, found, e.getKey());
        found = e.getKey();
      }
    }
    if (found < 0) {
      String known = String.join(", ", names.values());
      if (known.length() > 300) {
        known = known.substring(0, 300) + "...";
      }
      throw new IllegalArgumentException(
          String.format("no %s is called \"%s\"; the %s names are %s", kind, name, kind, known));
    }
    return found;
  }

  /** The entries of {@code names} whose key occurs in {@code ids}. */
  static ImmutableSortedMap<Integer, String> retain(
      ImmutableSortedMap<Integer, String> names, int[] ids) {
    if (names.isEmpty()) {
      return names;
    }
    ImmutableSortedMap.Builder<Integer, String> kept = ImmutableSortedMap.naturalOrder();
    Arrays.stream(ids).distinct().forEach(id -> kept.put(id, names.get(id)));
    return kept.build();
  }

  static Map<Integer, String> indexed(List<String> names) {
    ImmutableSortedMap.Builder<Integer, String> map = ImmutableSortedMap.naturalOrder();
    for (int i = 0; i < names.size(); i++) {
      map.put(i, checkNotNull(names.get(i), "name %s is null", i));
    }
    return map.build();
  }

  static Map<Integer, String> check(Map<Integer, String> names, String what) {
    for (Map.Entry<Integer, String> e : names.entrySet()) {
      checkNotNull(e.getKey(), "%s has a null key", what);
      checkNotNull(e.getValue(), "%s has a null name for %s", what, e.getKey());
      checkArgument(!e.getValue().isEmpty(), "%s has an empty name for %s", what, e.getKey());
    }
    return names;
  }
}
