package io.siamese.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.encoders.AgnosticEncoder;
import org.apache.spark.sql.catalyst.encoders.AgnosticEncoders;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder$;
import org.apache.spark.sql.catalyst.encoders.RowEncoder$;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Row encoders that hand {@code array<float>} columns to Java as {@code float[]}.
 *
 * <p>{@link Encoders#row} gives a Row's arrays as Scala sequences of boxed {@code Float}s: for a
 * 28x28 image that is 784 objects made and read back per row, which cost the Spark arm of the
 * throughput harness 13% more CPU per row than a plain {@code SavedModelEmbedder}. Spark's own
 * encoders for {@code float[]} copy the array in one go ({@code toFloatArray} and {@code
 * fromPrimitiveArray}); this builds a row encoder that uses them for the columns named.
 *
 * <p>A primitive array has no nulls: the columns given must hold none inside their arrays (the
 * caller checks {@code containsNull}, or tests each row before reading it). These are Spark's
 * catalyst encoder classes, not its public API; if they ever fail to build, the plain row encoder
 * is used.
 */
final class PrimitiveRowEncoders {
  private static final System.Logger LOG = System.getLogger(PrimitiveRowEncoders.class.getName());

  private PrimitiveRowEncoders() {}

  /** A row encoder for {@code schema} that reads and writes {@code columns} as {@code float[]}. */
  static Encoder<Row> withFloatArrays(StructType schema, Set<Integer> columns) {
    if (columns.isEmpty()) {
      return Encoders.row(schema);
    }
    try {
      AgnosticEncoders.RowEncoder base = (AgnosticEncoders.RowEncoder) RowEncoder$.MODULE$.encoderFor(schema);
      List<AgnosticEncoders.EncoderField> fields = new ArrayList<>(CollectionConverters.asJava(base.fields()));
      for (int c : columns) {
        AgnosticEncoders.EncoderField f = fields.get(c);
        @SuppressWarnings("unchecked")
        AgnosticEncoder<Object> floats = (AgnosticEncoder<Object>) (AgnosticEncoder<?>) AgnosticEncoders.PrimitiveFloatEncoder$.MODULE$;
        fields.set(
            c,
            new AgnosticEncoders.EncoderField(
                f.name(), new AgnosticEncoders.ArrayEncoder<>(floats, false), f.nullable(), f.metadata(), f.readMethod(), f.writeMethod()));
      }
      AgnosticEncoders.RowEncoder custom = new AgnosticEncoders.RowEncoder(CollectionConverters.asScala(fields).toList());
      return ExpressionEncoder$.MODULE$.apply(custom);
    } catch (RuntimeException | LinkageError e) {
      LOG.log(System.Logger.Level.WARNING, "Spark''s primitive array encoders are not available ({0}); rows are read boxed, which is slower", e.toString());
      return Encoders.row(schema);
    }
  }
}
