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
    Path open = csv("open.csv", "x,label\n1,0\n2,\"3\n4,5\n");
    assertThrowsWithMessage(
        IOException.class,
        () -> loader.load(open),
        "open.csv: line 3 is not valid CSV",
        "EOF reached before encapsulated token finished");
    Path junk = csv("junk.csv", "x,label\n\"1\"x,0\n");
    assertThrowsWithMessage(
        IOException.class, () -> loader.load(junk), "junk.csv: line 2 is not valid CSV");
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
  void readsQuotedFieldsEmbeddedDelimitersAndLineBreaksBomAndCrlf() throws IOException {
    // As a spreadsheet exports Fashion-MNIST-style names: BOM, CRLF, quotes.
    String text =
        "\uFEFFlabel,\"pixel 1\",p2\r\n"
            + "\"T-shirt, top\",0.5,\"1\"\r\n"
            + "\"Ankle\r\nboot\",1,2\r\n"
            + "\r\n"
            + "  \"say \"\"hi\"\"\"  , 3 ,4\r\n"
            + "\"T-shirt, top\",5,6";
    Path p = csv("fashion.csv", text);
    LabeledDataset d = CsvLoader.builder().labelColumn("label").stringLabels(true).build().load(p);
    assertEquals(Map.of(0, "Ankle\r\nboot", 1, "T-shirt, top", 2, "say \"hi\""), d.classNames());
    assertArrayEquals(new int[] {1, 0, 2, 1}, d.labels());
    assertArrayEquals(new float[] {0.5f, 1f}, d.features(0));
    assertArrayEquals(new float[] {3f, 4f}, d.features(2));
    assertArrayEquals(new float[] {5f, 6f}, d.features(3));
    // Line numbers count physical lines: after the two-line record and a blank line, line 6.
    Path bad = csv("bad-after.csv", text.replace(" 3 ", " x "));
    assertThrowsWithMessage(
        IOException.class,
        () -> CsvLoader.builder().labelColumn("label").stringLabels(true).build().load(bad),
        "bad-after.csv: line 6 column 2 \"x\" is not a number");
    Path ragged = csv("ragged-crlf.csv", "label,a,b\r\n1,\"2,3\",4,5\r\n");
    assertThrowsWithMessage(
        IOException.class,
        () -> CsvLoader.builder().labelColumn(0).build().load(ragged),
        "ragged-crlf.csv: line 2 has 4 fields, but the first line has 3");
    // Semicolons, as European spreadsheets write, with a quoted decimal.
    Path semi = csv("semi.csv", "a;label\n\"1.5\";\"x;y\"\n");
    LabeledDataset s =
        CsvLoader.builder().labelColumn("label").delimiter(';').stringLabels(true).build().load(semi);
    assertEquals("x;y", s.className(0));
    assertArrayEquals(new float[] {1.5f}, s.features(0));
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
