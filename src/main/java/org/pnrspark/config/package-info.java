/**
 * Configuration: HOCON (defaults in {@code reference.conf}, benchmark files, {@code --set} overrides) turned into the
 * immutable records of {@link org.pnrspark.config.JobConfig}, every value checked once with a message that names the
 * key, the value, where it was set and what was expected. The lowest layer: it knows nothing of Spark or ND4J.
 */
package org.pnrspark.config;
