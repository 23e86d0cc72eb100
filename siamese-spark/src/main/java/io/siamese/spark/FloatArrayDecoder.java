package io.siamese.spark;

import io.siamese.data.ExampleShape;
import java.util.List;
import org.apache.spark.sql.Row;

/** Reads an {@code array<float>} column: row-major, channels last, as {@code SavedModelEmbedder.embed} takes it. */
final class FloatArrayDecoder implements RowDecoder {
  private static final long serialVersionUID = 1L;

  private final int column;
  private final String columnName;
  private final int nullFlag;

  /**
   * @param nullFlag the column whose boolean says the array holds a null element, when the rows
   *     come as {@code float[]} (where a null would read as 0); -1 when there is none
   */
  FloatArrayDecoder(int column, String columnName, int nullFlag) {
    this.column = column;
    this.columnName = columnName;
    this.nullFlag = nullFlag;
  }

  @Override
  public float[] decode(Row row, ExampleShape shape) {
    Object value = row.get(column);
    if (value == null) {
      throw new IllegalArgumentException("column " + columnName + " is null");
    }
    if (nullFlag >= 0 && !row.isNullAt(nullFlag) && row.getBoolean(nullFlag)) {
      throw new IllegalArgumentException("column " + columnName + " holds a null element");
    }
    float[] x = toFloats(value);
    if (x.length != shape.size()) {
      throw new IllegalArgumentException(
          "column " + columnName + " has " + x.length + " floats; the encoder expects " + shape + " = " + shape.size());
    }
    for (int i = 0; i < x.length; i++) {
      if (!Float.isFinite(x[i])) {
        throw new IllegalArgumentException("column " + columnName + " holds " + x[i] + " at position " + i + "; inputs must be finite");
      }
    }
    return x;
  }

  private float[] toFloats(Object value) {
    // Spark hands an array<float> to a Row as a Scala ArraySeq over a primitive float[]: taking
    // that array avoids boxing every pixel. Other forms are read element by element.
    if (value instanceof scala.collection.mutable.ArraySeq.ofFloat seq) {
      return seq.array().clone();
    }
    if (value instanceof scala.collection.immutable.ArraySeq.ofFloat seq) {
      return ((float[]) seq.unsafeArray()).clone();
    }
    if (value instanceof float[] a) {
      return a.clone();
    }
    List<?> list;
    if (value instanceof scala.collection.Seq<?> seq) {
      list = scala.jdk.javaapi.CollectionConverters.asJava(seq);
    } else if (value instanceof List<?> l) {
      list = l;
    } else {
      throw new IllegalArgumentException("column " + columnName + " holds a " + value.getClass().getName() + ", not an array<float>");
    }
    float[] x = new float[list.size()];
    for (int i = 0; i < x.length; i++) {
      Object e = list.get(i);
      if (e == null) {
        throw new IllegalArgumentException("column " + columnName + " holds null at position " + i);
      }
      x[i] = ((Number) e).floatValue();
    }
    return x;
  }
}
