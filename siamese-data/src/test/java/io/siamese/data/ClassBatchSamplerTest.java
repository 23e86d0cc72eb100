package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ClassBatchSamplerTest {

  /** Draws {@code batches} batches and checks each: ids dense and matching the labels. */
  private static List<ClassBatchSampler.Batch> draw(
      LabeledDataset data, ClassBatchSampler sampler, int batches) {
    List<ClassBatchSampler.Batch> out = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      ClassBatchSampler.Batch batch = sampler.next();
      assertEquals(sampler.batchSize(), batch.size());
      for (int i = 0; i < batch.size(); i++) {
        int id = batch.classId(i);
        assertTrue(id >= 0 && id < sampler.classCount(), "id " + id);
        assertEquals(data.label(batch.index(i)), sampler.label(id), "slot " + i);
      }
      out.add(batch);
    }
    return out;
  }

  @Property(tries = 100)
  void classBalancedBatchesShowEveryClassOncePerPassAndEveryExampleInTurn(
      @ForAll @Size(min = 2, max = 12) List<@IntRange(min = 1, max = 9) Integer> classSizes,
      @ForAll @IntRange(min = 1, max = 20) int batchSize,
      @ForAll long seed) {
    int[] sizes = classSizes.stream().mapToInt(Integer::intValue).toArray();
    LabeledDataset data = TestData.indexed(sizes, seed);
    ClassBatchSampler sampler =
        ClassBatchSampler.builder(data).batchSize(batchSize).seed(seed).build();
    int c = sizes.length;
    // 9 passes over the classes: each class is drawn at least as often as it has examples.
    int passes = 9;
    int slots = c * passes;
    int batches = (slots + batchSize - 1) / batchSize;
    int[] flatIds = new int[batches * batchSize];
    int[] flatIndices = new int[flatIds.length];
    int k = 0;
    for (ClassBatchSampler.Batch b : draw(data, sampler, batches)) {
      System.arraycopy(b.classIds(), 0, flatIds, k, b.size());
      System.arraycopy(b.indices(), 0, flatIndices, k, b.size());
      k += b.size();
    }
    // Each run of C slots from the start holds every class exactly once.
    for (int p = 0; p < passes; p++) {
      int[] run = Arrays.copyOfRange(flatIds, p * c, (p + 1) * c);
      Arrays.sort(run);
      for (int id = 0; id < c; id++) {
        assertEquals(id, run[id], "pass " + p);
      }
    }
    // Within a class, the first n draws are its n examples, each once.
    for (int id = 0; id < c; id++) {
      int n = data.countOfClass(sampler.label(id));
      List<Integer> seen = new ArrayList<>();
      for (int s = 0; s < slots && seen.size() < n; s++) {
        if (flatIds[s] == id) {
          seen.add(flatIndices[s]);
        }
      }
      assertEquals(n, seen.stream().distinct().count(), "class " + id + " repeats too early");
    }
  }

  @Property(tries = 100)
  void uniformBatchesShowEveryExampleOncePerEpoch(
      @ForAll @Size(min = 2, max = 12) List<@IntRange(min = 1, max = 9) Integer> classSizes,
      @ForAll @IntRange(min = 1, max = 20) int batchSize,
      @ForAll long seed) {
    int[] sizes = classSizes.stream().mapToInt(Integer::intValue).toArray();
    LabeledDataset data = TestData.indexed(sizes, seed);
    ClassBatchSampler sampler =
        ClassBatchSampler.builder(data)
            .batchSize(batchSize)
            .balance(ClassBatchSampler.Balance.EXAMPLES)
            .seed(seed)
            .build();
    int n = data.size();
    int epochs = 3;
    int batches = (n * epochs + batchSize - 1) / batchSize;
    int[] flat = new int[batches * batchSize];
    int k = 0;
    for (ClassBatchSampler.Batch b : draw(data, sampler, batches)) {
      System.arraycopy(b.indices(), 0, flat, k, b.size());
      k += b.size();
    }
    for (int e = 0; e < epochs; e++) {
      int[] epoch = Arrays.copyOfRange(flat, e * n, (e + 1) * n);
      Arrays.sort(epoch);
      for (int i = 0; i < n; i++) {
        assertEquals(i, epoch[i], "epoch " + e);
      }
    }
    assertEquals(batches * (long) batchSize / n, sampler.epoch());
  }

  @Test
  void classBalancedAndUniformDrawsFollowTheirDistributions() {
    // Class sizes 1, 2, 50, 7 and 40: balanced, each class a fifth of the draws; uniform, each
    // class its share of the 100 examples.
    int[] sizes = {1, 2, 50, 7, 40};
    LabeledDataset data = TestData.indexed(sizes, 3);
    int draws = 20_000;
    for (ClassBatchSampler.Balance balance : ClassBatchSampler.Balance.values()) {
      ClassBatchSampler sampler =
          ClassBatchSampler.builder(data).batchSize(100).balance(balance).seed(11).build();
      long[] perClass = new long[sizes.length];
      long[] perExample = new long[data.size()];
      for (ClassBatchSampler.Batch b : draw(data, sampler, draws / 100)) {
        for (int i = 0; i < b.size(); i++) {
          perClass[b.classId(i)]++;
          perExample[b.index(i)]++;
        }
      }
      for (int c = 0; c < sizes.length; c++) {
        // Labels 3c + 2 ascend with c, so the dense id of class c is c.
        double expected =
            balance == ClassBatchSampler.Balance.CLASSES
                ? draws / 5.0
                : draws * sizes[c] / 100.0;
        assertEquals(expected, perClass[c], 1e-9, balance + " class " + c);
        int[] members = data.indicesOfClass(TestData.labelOf(c));
        for (int i : members) {
          assertEquals(expected / sizes[c], perExample[i], 1.0, balance + " example " + i);
        }
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameBatchesAndAnotherSeedOthers() {
    LabeledDataset data = TestData.indexed(new int[] {3, 5, 2, 8, 4}, 9);
    for (ClassBatchSampler.Balance balance : ClassBatchSampler.Balance.values()) {
      ClassBatchSampler a = ClassBatchSampler.builder(data).batchSize(7).balance(balance).build();
      ClassBatchSampler b = ClassBatchSampler.builder(data).batchSize(7).balance(balance).build();
      ClassBatchSampler other =
          ClassBatchSampler.builder(data).batchSize(7).balance(balance).seed(1).build();
      List<ClassBatchSampler.Batch> first = draw(data, a, 20);
      assertEquals(first, draw(data, b, 20));
      assertNotEquals(first, draw(data, other, 20));
    }
  }

  @Test
  void denseIdsNumberTheLabelsInAscendingOrder() {
    // Labels 2, 5, 8, 11 (TestData gives class c the label 3c + 2).
    LabeledDataset data = TestData.indexed(new int[] {2, 1, 3, 2}, 4);
    ClassBatchSampler sampler = ClassBatchSampler.builder(data).build();
    assertEquals(4, sampler.classCount());
    assertArrayEquals(new int[] {2, 5, 8, 11}, sampler.labels());
    for (int id = 0; id < 4; id++) {
      assertEquals(TestData.labelOf(id), sampler.label(id));
      assertEquals(id, sampler.classId(TestData.labelOf(id)));
    }
    int[] copy = sampler.labels();
    copy[0] = 99;
    assertArrayEquals(new int[] {2, 5, 8, 11}, sampler.labels());
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> sampler.classId(3), "label 3 is not a label of");
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> sampler.label(4), "classId must be in [0, 4), got 4");
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> sampler.label(-1), "got -1");
    assertEquals(64, sampler.batchSize());
    assertEquals(ClassBatchSampler.Balance.CLASSES, sampler.balance());
    assertEquals(1, sampler.batchesPerEpoch());
    assertEquals(
        3, ClassBatchSampler.builder(data).batchSize(3).build().batchesPerEpoch()); // 8 / 3
    assertEquals(0, sampler.epoch());
    sampler.next();
    assertEquals(8, sampler.epoch()); // 64 draws of 8 examples
    assertTrue(sampler.toString().contains("64 examples, balanced over classes, 4 classes"));
  }

  @Test
  void badSettingsAreRejected() {
    LabeledDataset data = TestData.indexed(new int[] {2, 3}, 1);
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ClassBatchSampler.builder(data).batchSize(0).build(),
        "batchSize must be in [1, 16777216], got 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ClassBatchSampler.builder(data).batchSize(1 << 25).build(),
        "got 33554432");
    assertThrowsWithMessage(
        NullPointerException.class,
        () -> ClassBatchSampler.builder(data).balance(null).build(),
        "balance");
    assertThrowsWithMessage(
        NullPointerException.class, () -> ClassBatchSampler.builder(null), "data");
    LabeledDataset oneClass = TestData.indexed(new int[] {5}, 1);
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> ClassBatchSampler.builder(oneClass).build(),
        "batches over classes need at least 2 classes",
        "has 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> new ClassBatchSampler.Batch(new int[2], new int[1]),
        "one class id per index, got 2 indices and 1 class ids");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> new ClassBatchSampler.Batch(new int[] {0}, new int[] {-1}),
        "class id 0 must be >= 0, got -1");
  }

  @Test
  void batchesAreImmutableValues() {
    int[] indices = {4, 2};
    int[] ids = {1, 0};
    ClassBatchSampler.Batch b = new ClassBatchSampler.Batch(indices, ids);
    indices[0] = 9;
    ids[0] = 9;
    b.indices()[1] = 9;
    b.classIds()[1] = 9;
    assertArrayEquals(new int[] {4, 2}, b.indices());
    assertArrayEquals(new int[] {1, 0}, b.classIds());
    assertEquals(new ClassBatchSampler.Batch(new int[] {4, 2}, new int[] {1, 0}), b);
    assertEquals(
        new ClassBatchSampler.Batch(new int[] {4, 2}, new int[] {1, 0}).hashCode(), b.hashCode());
    assertEquals("Batch[indices [4, 2], classIds [1, 0]]", b.toString());
  }
}
