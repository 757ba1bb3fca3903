/**
 * The Spark side of a run: the driver's task loop ({@link org.pnrspark.train.ContinualTrainer}), one averaging
 * round with dl4j-spark's parameter averaging, the executors' loader that builds minibatches of views and teacher
 * outputs, the momentum target and MoCo's queues kept on the driver, checkpoints, resume and the checks made before
 * anything is written.
 */
package org.pnrspark.train;
