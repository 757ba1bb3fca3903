/**
 * Checks against the reference: the losses against golden values and gradients ({@code parity --vectors}) and
 * every network, forward and backward, against PyTorch ({@code parity --networks}).
 */
package org.pnrspark.parity;
