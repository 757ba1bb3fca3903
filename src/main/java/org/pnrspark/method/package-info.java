/**
 * The self-supervised methods (SimCLR, MoCo v2+, BYOL, Barlow Twins, VICReg): each wires its encoder, projector,
 * optional predictor and own loss, and composes the continual strategy of the run over them
 * ({@link org.pnrspark.method.Methods#of}).
 */
package org.pnrspark.method;
