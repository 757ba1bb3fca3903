/**
 * Networks: the encoders (small CNN, ResNet-18 with the CIFAR or ImageNet stem), the heads, the batch norm and
 * optimisers of the reference (momentum SGD, LARS), and the loss layer ({@link org.pnrspark.model.SslLossLayer}) that
 * runs a weighted sum of {@code loss} functions inside a DL4J graph.
 */
package org.pnrspark.model;
