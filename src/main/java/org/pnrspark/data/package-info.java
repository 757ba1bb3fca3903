/**
 * Datasets and scenarios: the file formats (Fashion-MNIST IDX, CIFAR-100 binary, class folders, DomainNet lists,
 * packed shards) read through Hadoop's FileSystem, and the class-, data-, domain-incremental and permuted-pixels
 * splits of the training images into tasks (docs/reference.md §1.2, §9).
 */
package org.pnrspark.data;
