/**
 * JMH benchmarks: each measured benchmark sits beside its baseline in the same class, so that
 * ratios are taken within one run. Build with {@code mvn -DskipTests package} and run {@code java
 * -jar siamese-bench/target/benchmarks.jar}.
 */
package io.siamese.bench;
