package org.pnrspark.continual;

import org.pnrspark.config.JobConfig;
import org.pnrspark.model.LossTerm;

import java.util.List;
import java.util.stream.Stream;

/**
 * What a continual strategy sees of a method: the run's configuration, the method's own loss terms, the width of
 * its projections, and its distillers (CaSSLe's and PNR's per-method variants), which the method declares in its
 * own file so that no strategy chooses by method.
 */
public record MethodObjective(JobConfig config, List<LossTerm> ownTerms, int embeddingDim, Distillers distillers) {
    public MethodObjective {
        ownTerms = List.copyOf(ownTerms);
    }

    /** The method's own terms followed by {@code extra}. */
    public List<LossTerm> ownTermsAnd(LossTerm extra) {
        return and(ownTerms, extra);
    }

    /** {@code terms} followed by {@code extra}: a method's own loss extended by a strategy's term. */
    public static List<LossTerm> and(List<LossTerm> terms, LossTerm extra) {
        return Stream.concat(terms.stream(), Stream.of(extra)).toList();
    }

    /**
     * A method's distillers (docs/reference.md §4, §5).
     *
     * @param predictorHiddenDim    hidden width of the distill predictor g (the method's distill_proj_hidden_dim)
     * @param predictorLrScale      g's learning rate over the network's (BYOL's predictive distillers at distill_lamb
     *                              &lt; 1: 1 / distill_lamb; else 1)
     * @param cassle                CaSSLe's distillation term, added to the method's own loss
     * @param pnr                   the whole objective under PNR (the method's own terms where PNR keeps them)
     * @param pnrWithQueues         PNR contrasts with queues (MoCo v2+): p = norm(g(q)), and a second queue holds the
     *                              frozen model's keys
     */
    public record Distillers(int predictorHiddenDim, double predictorLrScale, LossTerm cassle, List<LossTerm> pnr,
            boolean pnrWithQueues) {
        public Distillers {
            pnr = List.copyOf(pnr);
        }
    }
}
