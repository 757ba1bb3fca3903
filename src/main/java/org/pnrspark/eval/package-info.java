/**
 * Evaluation after every task: features of the training and test images extracted on the executors, the linear
 * probe (fast or the reference's offline protocol), k-NN, and the continual metrics of the accuracy matrix.
 */
package org.pnrspark.eval;
