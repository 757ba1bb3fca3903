/**
 * Small shared pieces: Hadoop filesystem access with atomic writes, native thread settings, and output
 * capture.
 */
package org.pnrspark.util;
