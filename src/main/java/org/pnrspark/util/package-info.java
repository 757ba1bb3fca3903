/**
 * Small shared pieces: Hadoop filesystem access with atomic writes, native thread settings, output
 * capture, and durations as the console shows them.
 */
package org.pnrspark.util;
