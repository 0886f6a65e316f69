/* The accumulator's layout, for the modules that save and restore it
 * (h5io's checkpoints). Not installed; everything else goes through
 * rankmc/accum.h. */
#ifndef RANKMC_ACCUM_INT_H
#define RANKMC_ACCUM_INT_H

#include "internal.h"
#include "rankmc/accum.h"

/* A field added here must also be merged (rmc_accum_merge), cleared and
 * summed over ranks (rmc_accum_reduce; tests/test_dist.c checks it). */
struct rmc_accum {
    rmc_accum_dims dims;
    uint64_t replicates;       /* replicates added */
    uint64_t unconverged;      /* replicates whose couples procedure hit its bound */
    uint64_t unstable;         /* replicates whose matching failed the stability check */
    int64_t first_unconverged; /* lowest such replicate index, or -1 */
    int64_t first_unstable;    /* lowest such replicate index, or -1 */
    uint64_t restart_hist[2][RMC_ACCUM_RESTART_BINS]; /* [converged 0, not 1][restarts] */
    /* Per-replicate counts (rows RMC_REP_*): sums and sums of squares. */
    uint64_t rep_sum[RMC_ACCUM_REP_ROWS], rep_sumsq[RMC_ACCUM_REP_ROWS];
    uint64_t soap_replicates; /* replicates that ran SOAP (rmc_accum_add_soap) */
    uint32_t *rank_hist;      /* [n_iv][rank_bins+1] or NULL */
    uint32_t *choice_hist;    /* [n_app][choice_len+1] */
    uint32_t *fill_hist;      /* [n_prog][max_positions+1] */
    uint32_t *depth_hist;     /* [n_prog][rank_bins+1] */
    uint32_t *iv_matched;     /* [n_iv] */
    int64_t *move_sum;        /* [n_iv][n_factors], units of 1/RMC_ACCUM_MOVE_SCALE spot */
    uint32_t *soap_hist;      /* [n_app][RMC_ACCUM_SOAP_COLS] */
    uint32_t *soap_fill_hist; /* [n_prog][max_positions+1]: fill after SOAP */
    int32_t *depth;           /* [n_prog] scratch: deepest matched position this replicate */
    /* dims.tracks only (else NULL / 0) */
    uint32_t *partial_count; /* [n_app] replicates partially matched */
    uint64_t *capacity_sum;  /* [n_prog] sum of capacities after reversions */
    uint32_t *couple_count;  /* [n_couples][RMC_COUPLE_N_OUTCOMES], or NULL (dims.n_couples 0) */
};

/* Elements in each table of an accumulator of dims d; false on overflow. */
typedef struct rmc_accum_sizes {
    size_t rank, choice, fill, depth, iv, move, soap;
} rmc_accum_sizes;
RMC_INTERNAL bool rmc_accum_sizes_of(const rmc_accum_dims *d, rmc_accum_sizes *s);

#endif
