/**
 * Every loss of the reference as a small pure function of named arrays, defined once in SameDiff so that the
 * same definition trains and is checked against the reference's golden values and gradients
 * (docs/reference.md §3–§5). The golden files have no case of {@code cassle_predictive_mse} (CaSSLe's VICReg
 * distiller); it is checked against VICReg-PNR's {@code vicreg_pnr} without its pseudo-negative term
 * ({@code FrozenOutputsMatterTest}).
 */
package org.pnrspark.loss;
