/**
 * Data for one-shot learning as plain Java arrays: no TensorFlow, only the JDK and Guava.
 *
 * <ul>
 *   <li>Datasets: {@link io.siamese.data.LabeledDataset} (features, labels, optional group labels
 *       and names) and {@link io.siamese.data.ExampleShape}; splits in {@link
 *       io.siamese.data.Splits} (by class or by group).
 *   <li>Loaders: {@link io.siamese.data.OmniglotLoader} (Omniglot-style folders or zips of PNGs),
 *       {@link io.siamese.data.IdxLoader} (MNIST / Fashion-MNIST), {@link
 *       io.siamese.data.CsvLoader}; image utilities in {@link io.siamese.data.Images}.
 *   <li>Samplers return batches of indices, gathered into arrays by {@link
 *       io.siamese.data.LabeledDataset#gather}: {@link io.siamese.data.BalancedPairSampler}, {@link
 *       io.siamese.data.HardNegativePairSampler}, {@link io.siamese.data.TripletSampler}, {@link
 *       io.siamese.data.PkBatchSampler} and {@link io.siamese.data.EpisodeSampler}. All are seeded
 *       with {@link java.util.SplittableRandom}: the same seed gives the same batches on every
 *       machine.
 *   <li>Augmentation: {@link io.siamese.data.Augmenter} (the affine distortions of Koch et al.
 *       2015) on gathered image batches.
 *   <li>Synthetic data: {@link io.siamese.data.SyntheticGlyphs}.
 * </ul>
 */
package io.siamese.data;
