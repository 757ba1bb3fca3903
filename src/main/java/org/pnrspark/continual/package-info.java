/**
 * Continual strategies, composed over any method: what happens from task 1 on. Fine-tuning, CaSSLe's
 * distillation, Pseudo-Negative Regularization, and plain feature distillation. A strategy says whether it needs the
 * frozen previous model, which head it trains to meet it and with which learning rate, and what it adds to or
 * replaces in the method's objective (docs/design.md, "Adding a continual strategy").
 */
package org.pnrspark.continual;
