package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvLoaderTest {
  @TempDir Path dir;

  private Path csv(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void labelByNameByIndexAndWithoutHeader() throws IOException {
    Path p = csv("a.csv", "x, label ,y\n1.5,2,-3\n\n  \n0,0,1e2\n");
    LabeledDataset byName = CsvLoader.builder().labelColumn("label").build().load(p);
    assertEquals(ExampleShape.vector(2), byName.shape());
    assertArrayEquals(new int[] {2, 0}, byName.labels());
    assertArrayEquals(new float[] {1.5f, -3f}, byName.features(0));
    assertArrayEquals(new float[] {0f, 100f}, byName.features(1));
    LabeledDataset byIndex = CsvLoader.builder().labelColumn(1).build().load(p);
    assertArrayEquals(byName.labels(), byIndex.labels());
    assertArrayEquals(byName.features(1), byIndex.features(1));

    Path noHeader = csv("b.tsv", "4\t1\t2\n5\t3\t4\n");
    LabeledDataset d =
        CsvLoader.builder().labelColumn(0).header(false).delimiter('\t').build().load(noHeader);
    assertArrayEquals(new int[] {4, 5}, d.labels());
    assertArrayEquals(new float[] {3, 4}, d.features(1));
  }

  @Test
  void stringLabelsAreNumberedInSortedOrderAndNamed() throws IOException {
    Path p = csv("iris.csv", "a,b,species\n1,2,virginica\n3,4,setosa\n5,6,virginica\n");
    LabeledDataset d =
        CsvLoader.builder().labelColumn("species").stringLabels(true).build().load(p);
    assertArrayEquals(new int[] {1, 0, 1}, d.labels());
    assertEquals(Map.of(0, "setosa", 1, "virginica"), d.classNames());
  }

  @Test
  void errorsNameFileLineAndColumn() throws IOException {
    CsvLoader loader = CsvLoader.builder().labelColumn("label").build();
    Path bad = csv("bad.csv", "x,label\n1,0\noops,1\n");
    assertThrowsWithMessage(
        IOException.class,
        () -> loader.load(bad),
        "bad.csv: line 3 column 1 \"oops\" is not a number");
    Path ragged = csv("ragged.csv", "x,label\n1,0\n\n2,1,3\n");
    assertThrowsWithMessage(
        IOException.class,
        () -> loader.load(ragged),
        "ragged.csv: line 4 has 3 fields, but the first line has 2");
    Path nan = csv("nan.csv", "x,label\nNaN,0\n");
    assertThrowsWithMessage(
        IOException.class, () -> loader.load(nan), "nan.csv: line 2", "not finite");
    Path labelText = csv("lt.csv", "x,label\n1,cat\n");
    assertThrowsWithMessage(
        IOException.class,
        () -> loader.load(labelText),
        "lt.csv: line 2 label (column 2) \"cat\" is not a non-negative integer");
    Path negative = csv("neg.csv", "x,label\n1,-1\n");
    assertThrowsWithMessage(
        IOException.class, () -> loader.load(negative), "neg.csv: line 2", "-1 is negative");
    Path noColumn = csv("nc.csv", "x,y\n1,0\n");
    assertThrowsWithMessage(
        IOException.class,
        () -> loader.load(noColumn),
        "nc.csv: line 1 header has no column \"label\"");
    Path headerOnly = csv("h.csv", "x,label\n");
    assertThrowsWithMessage(
        IOException.class, () -> loader.load(headerOnly), "h.csv: no data rows");
    Path quoted = csv("q.csv", "x,label\n\"1\",0\n");
    assertThrowsWithMessage(
        IOException.class, () -> loader.load(quoted), "q.csv: line 2 column 1 is quoted");
    Path oneColumn = csv("one.csv", "label\n1\n");
    assertThrowsWithMessage(
        IOException.class, () -> loader.load(oneColumn), "one.csv: line 1 has 1 column");
    assertThrowsWithMessage(
        IOException.class,
        () -> CsvLoader.builder().labelColumn(5).build().load(bad),
        "bad.csv: line 1 has 2 columns, so label column index 5 is out of range");
    assertThrowsWithMessage(
        IOException.class, () -> loader.load(dir.resolve("none.csv")), "none.csv");
  }

  @Test
  void builderRejectsBadSettings() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> CsvLoader.builder().build(),
        "label column must be set");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> CsvLoader.builder().labelColumn("y").header(false).build(),
        "label column \"y\" is chosen by name, which needs header(true)");
    assertThrowsWithMessage(
        IllegalStateException.class,
        () -> CsvLoader.builder().labelColumn(1).labelColumn("y"),
        "already set to 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> CsvLoader.builder().labelColumn(-1),
        "label column index must be >= 0, got -1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> CsvLoader.builder().labelColumn(0).delimiter('"').build(),
        "delimiter must not be");
  }
}
