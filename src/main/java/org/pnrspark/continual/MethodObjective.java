package org.pnrspark.continual;

import org.pnrspark.config.JobConfig;
import org.pnrspark.config.MethodKind;
import org.pnrspark.model.LossTerm;

import java.util.List;
import java.util.stream.Stream;

/**
 * What a continual strategy sees of a method: which method it is (a strategy with per-method variants, as CaSSLe's
 * distillers and PNR's losses are, chooses by it), the run's configuration (the method's block holds its
 * distillation settings), the method's own loss terms and the width of its projections.
 */
public record MethodObjective(MethodKind kind, JobConfig config, List<LossTerm> ownTerms, int embeddingDim) {
    public MethodObjective {
        ownTerms = List.copyOf(ownTerms);
    }

    /** The method's own terms followed by {@code extra}. */
    public List<LossTerm> ownTermsAnd(LossTerm extra) {
        return Stream.concat(ownTerms.stream(), Stream.of(extra)).toList();
    }
}
