/**
 * The command line: {@code train}, {@code parity}, {@code compare}, {@code bench} and {@code prepare}, their
 * arguments, and one-line errors with exit codes (2 for bad input, 1 for a failure).
 */
package org.pnrspark.cli;
