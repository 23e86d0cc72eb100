package io.siamese.core;

import io.siamese.core.encoder.EncoderSpec;
import java.util.HashSet;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The inference path of a model and nothing else: the encoder's variables, {@code input} to {@code
 * embedding}, and what the loss binding needs to compare (the Koch head and its {@code score}
 * signature). No loss, no gradients, no optimizer state. What the SavedModel export holds, and what
 * {@link SiameseModel#loadForInference} runs.
 */
final class InferenceGraph {
  final Placeholder<TFloat32> input;
  final Operand<TFloat32> embedding;
  final VariableStore variables;
  /** Every variable of this graph: all of them are read by inference. */
  final Set<String> inferenceVariables;

  /** @param binding a binding made for this graph alone (it keeps the graph's handles) */
  InferenceGraph(Graph g, EncoderSpec spec, LossBinding binding, long seed) {
    Ops tf = Ops.create(g);
    EncoderGraph encoder = new EncoderGraph(tf, spec, seed);
    this.input =
        tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(InputTensors.batchShape(spec.inputShape(), -1)));
    this.embedding = tf.withName("embedding").identity(encoder.apply(tf, input, false, null));
    binding.buildInference(tf, spec.embeddingSize());
    this.variables = new VariableStore(g, tf);
    Set<String> names = new HashSet<>(encoder.variableNames());
    names.addAll(binding.inferenceVariables());
    this.inferenceVariables = Set.copyOf(names);
  }
}
