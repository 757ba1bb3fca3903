/**
 * Benchmarks that print figures: training steps in one JVM, averaging rounds through Spark, serialisation of the
 * averaged state, and image decoding with augmentation.
 */
package org.pnrspark.bench;
