package io.siamese.spark;

import io.siamese.core.SavedModelEmbedder;
import io.siamese.data.ExampleShape;
import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * Turns one input row into the encoder's input: {@code shape.size()} floats. Runs on the executors,
 * so it is serializable and holds only column positions and settings.
 */
interface RowDecoder extends Serializable {

  /**
   * The encoder input of {@code row}.
   *
   * @param shape the loaded model's input shape
   * @throws IllegalArgumentException saying what is wrong with the row (the caller adds which row)
   */
  float[] decode(Row row, ExampleShape shape);

  /** Whether {@link #decode}'s messages name the row themselves (as an image reader names the file). */
  default boolean messagesNameTheRow() {
    return false;
  }

  /** Called once per task, before any row, with the model it feeds: checks that it can feed it. */
  default void prepare(SavedModelEmbedder model) {}
}
