/**
 * Every loss of the reference as a small pure function of named arrays, defined once in SameDiff so that the
 * same definition trains and is checked against the reference's golden values and gradients
 * (docs/reference.md §3–§5).
 */
package org.pnrspark.loss;
