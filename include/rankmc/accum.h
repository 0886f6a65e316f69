/* Accumulators for Monte Carlo replicates: integer histograms of list
 * positions, ROL choices, program fills and list depths, per-interview match
 * counts and fixed-point sums of meeting moves (docs/output.md describes
 * each table as it appears in the output file).
 *
 * Every table holds integers, so partial accumulators (one per thread) can
 * be merged in any order and give bit-identical totals: the determinism
 * promise of DESIGN 5. Moves are floats in the meeting; they are rounded to
 * fixed point (1/RMC_ACCUM_MOVE_SCALE spot) before they are summed, so their
 * sums are integers too.
 */
#ifndef RANKMC_ACCUM_H
#define RANKMC_ACCUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/dist.h"
#include "rankmc/model.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fixed-point unit of the move sums: a move of x spots adds
 * round(x * RMC_ACCUM_MOVE_SCALE) (ties to even) to an int64 sum. */
#define RMC_ACCUM_MOVE_SCALE 4096.0

/* The shape of every table. Columns of /interviews/rank_hist: list position
 * (0-based) p falls in bin p / rank_bin_width, bins 0 .. rank_bins-1; column
 * rank_bins counts "not ranked". /programs/depth_hist uses the same bins for
 * the deepest matched position, its last column counting "nobody matched". */
typedef struct rmc_accum_dims {
    size_t n_app;          /* applicants */
    size_t n_prog;         /* programs */
    size_t n_iv;           /* interviews */
    size_t n_factors;      /* meeting factors (columns of the move sums) */
    size_t max_list;       /* R: longest possible program list (max interviewees) */
    size_t rank_bin_width; /* list positions per bin, >= 1 (1 = no binning) */
    size_t rank_bins;      /* ceil(max_list / rank_bin_width), >= 1 */
    size_t choice_len;     /* L: longest applicant (or couple) ROL; choice_hist has L+1 columns */
    size_t max_positions;  /* C: largest program capacity (after reversions, at most its
                              positions plus the quotas into it); fill_hist has C+1 columns */
    size_t tracks;         /* 1: the model has advanced programs or reversions, and the
                              accumulator keeps partial_count, capacity_sum and the reverted
                              sums; 0: it does not */
    size_t n_couples;      /* couples whose outcomes are counted one by one
                              (rmc_accum_add_couples); 0: none */
} rmc_accum_dims;

/* Fill d's bin fields for a list of up to max_list names grouped into at
 * most `bins` bins (0 = one bin per position). Other fields are left alone.
 * The bin width is ceil(max_list / bins); the bin count may come out smaller
 * than `bins` when that divides unevenly. */
void rmc_accum_dims_bin(rmc_accum_dims *d, size_t max_list, size_t bins);

/* Column of rank_hist / depth_hist for a 0-based list position, or the last
 * column for a negative position (not ranked / nobody matched). */
static inline size_t rmc_accum_rank_col(const rmc_accum_dims *d, int32_t pos)
{
    return pos < 0 ? d->rank_bins : (size_t)pos / d->rank_bin_width;
}

typedef struct rmc_accum rmc_accum;

/* Bytes an accumulator of these dims takes, with or without the rank
 * histogram (a run keeps one rank histogram and one partial accumulator
 * without it per thread). SIZE_MAX when the size overflows. */
size_t rmc_accum_bytes(const rmc_accum_dims *dims, bool with_rank_hist);

/* A zeroed accumulator (tables 64-byte aligned). Caller owns it; free with
 * rmc_accum_free. RMC_ENOMEM; RMC_EUSAGE for inconsistent dims. */
rmc_status rmc_accum_alloc(const rmc_accum_dims *dims, bool with_rank_hist, rmc_accum **out,
                           rmc_diag *d);
void rmc_accum_free(rmc_accum *a);

/* One replicate's outcome, borrowed for the call. */
typedef struct rmc_accum_replicate {
    const int32_t *app_choice; /* [n_app] 0-based ROL position matched, or -1 unmatched */
    const rmc_id *app_iv;      /* [n_app] interview matched through, or -1 unmatched */
    const int32_t *fill;       /* [n_prog] seats filled */
    const int32_t *rank;       /* [n_iv] final 0-based list position, or -1 not ranked */
    const float *moves;        /* [n_iv * n_factors] spots moved, or NULL for none */
    const int32_t *iv_prog;    /* [n_iv] program of each interview (for depth) */
} rmc_accum_replicate;

/* Add one replicate: choice, fill and depth histograms, per-interview match
 * counts, move sums, and the replicate count. Does not touch rank_hist (see
 * rmc_accum_add_ranks). Allocates nothing; not thread safe on one a. */
void rmc_accum_add(rmc_accum *a, const rmc_accum_replicate *rep);

/* Add n_rep replicates' rank_hist columns for interviews k_begin .. k_end-1:
 * cols[b * stride + k] is replicate b's column (rmc_accum_rank_col) for
 * interview k. Threads may call this on one a for disjoint interview ranges.
 * a must have a rank histogram. */
void rmc_accum_add_ranks(rmc_accum *a, const uint16_t *cols, size_t n_rep, size_t stride,
                         size_t k_begin, size_t k_end);

/* One replicate's rank_hist columns: out[k] = rmc_accum_rank_col(d, pos[k])
 * for k < n, as bytes (d->rank_bins + 1 <= 256) or 16-bit. Written without a
 * division per interview when the bin width is 1 (the national market). */
void rmc_accum_rank_cols_u8(const rmc_accum_dims *d, const int32_t *pos, size_t n, uint8_t *out);
void rmc_accum_rank_cols_u16(const rmc_accum_dims *d, const int32_t *pos, size_t n, uint16_t *out);

/* A thread's accumulator without the rank histogram and without move sums
 * (the engine keeps a thread's moves in int32 sums and folds them into the
 * total after each batch, below). rmc_accum_add must then be given
 * rep->moves == NULL; merging it into a full accumulator adds no moves. */
rmc_status rmc_accum_alloc_partial(const rmc_accum_dims *dims, rmc_accum **out, rmc_diag *d);

/* Add n_sums threads' int32 move sums of interviews k_begin .. k_end-1 into
 * total's move sums and zero them. Threads may call this on one total for
 * disjoint interview ranges. Integer sums: the result is the same bits as
 * rmc_accum_add of every replicate's moves, in any order. */
void rmc_accum_fold_moves_i32(rmc_accum *total, int32_t *const *sums, size_t n_sums, size_t k_begin,
                              size_t k_end);

/* The same with one-byte columns, for histograms of at most 256 columns
 * (rank_bins + 1 <= 256): the engine's batch buffer then takes half the
 * memory and half the memory traffic. */
void rmc_accum_add_ranks_u8(rmc_accum *a, const uint8_t *cols, size_t n_rep, size_t stride,
                            size_t k_begin, size_t k_end);

/* Bins of the couples procedure's restart histogram: replicates that took
 * 0, 1, ..., RMC_ACCUM_RESTART_BINS - 2 restarts, and the last bin that
 * many or more. */
#define RMC_ACCUM_RESTART_BINS 32

/* Count one replicate's couples procedure: n_restarts restarts, converged
 * in the end or not (every replicate, couples or not: the histogram sums to
 * the replicates). */
void rmc_accum_count_restarts(rmc_accum *a, size_t n_restarts, bool converged);

/* A couple's outcome in one replicate, one bit each (rmc_accum_add_couples),
 * and the columns of the per-couple counts. "Both in one city" and "both in
 * one region" are of couples with both partners matched, to programs in one
 * city / one region (region includes city). "Neither" is the replicates
 * minus both and one. */
typedef enum {
    RMC_COUPLE_BOTH = 0,   /* both partners matched */
    RMC_COUPLE_ONE = 1,    /* exactly one partner matched */
    RMC_COUPLE_CITY = 2,   /* both matched, in one city */
    RMC_COUPLE_REGION = 3, /* both matched, in one region */
    RMC_COUPLE_N_OUTCOMES = 4
} rmc_couple_outcome;

/* Count one replicate's couples: outcome[c] has bit (1 << o) for each
 * rmc_couple_outcome o of couple c (c < dims.n_couples). Adds to the
 * per-couple counts and, for each outcome, the replicate's number of
 * couples with it to rows RMC_REP_COUPLE_BOTH, _ONE, _CITY and _REGION of
 * rmc_accum_rep_sums (for the SE of the per-replicate shares). */
void rmc_accum_add_couples(rmc_accum *a, const uint8_t *outcome);

/* Per couple, replicates with each outcome: row c, column o (borrowed,
 * [dims.n_couples][RMC_COUPLE_N_OUTCOMES]); NULL when dims.n_couples is 0. */
const uint32_t *rmc_accum_couple_counts(const rmc_accum *a);

/* Rows of the per-replicate matched counts by applicant type: one per
 * rmc_type, then one for every applicant. */
#define RMC_ACCUM_TYPE_GROUPS (RMC_N_TYPES + 1)

/* Count one replicate's matched applicants by type: matched[t] for type t,
 * matched[RMC_N_TYPES] for all of them. Adds each count to its sum and its
 * square to its sum of squares (exact uint64: the SE of a group's match
 * rate from the per-replicate rates, docs/output.md). */
void rmc_accum_count_types(rmc_accum *a, const uint64_t matched[RMC_ACCUM_TYPE_GROUPS]);

/* Count one replicate's tracks outcomes (dims.tracks only): partial[i] is 1
 * when applicant i was partially matched (an advanced program and no
 * PGY-1), capacity[j] program j's capacity after reversions, reverted the
 * positions reversions moved (its sum and sum of squares are kept). */
void rmc_accum_count_tracks(rmc_accum *a, const uint8_t *partial, const int32_t *capacity,
                            uint64_t reverted);

/* The tracks tables (NULL when dims.tracks is 0): replicates in which each
 * applicant was partially matched [n_app]; the sum over replicates of each
 * program's capacity after reversions [n_prog]. The positions reverted and
 * the applicants partially matched per replicate are rows RMC_REP_REVERTED
 * and RMC_REP_PARTIAL of rmc_accum_rep_sums. */
const uint32_t *rmc_accum_partial_count(const rmc_accum *a);
const uint64_t *rmc_accum_capacity_sum(const rmc_accum *a);
/* SOAP outcome of an applicant, the columns of the SOAP histogram: matched
 * in the Main Match (fully), unmatched there and placed in SOAP, partially
 * matched and given a PGY-1 place in SOAP, partially matched and nothing
 * in SOAP, unplaced. */
enum {
    RMC_SOAP_COL_MAIN,
    RMC_SOAP_COL_PLACED,
    RMC_SOAP_COL_PARTIAL_PLACED,
    RMC_SOAP_COL_PARTIAL,
    RMC_SOAP_COL_UNPLACED,
    RMC_ACCUM_SOAP_COLS
};

/* Per-replicate SOAP totals (sums and sums of squares kept): SOAP-eligible
 * applicants, places offered in SOAP, applicants placed in SOAP, positions
 * filled after the Match, positions filled after SOAP. */
enum {
    RMC_SOAP_TOTAL_ELIGIBLE,
    RMC_SOAP_TOTAL_PLACES,
    RMC_SOAP_TOTAL_PLACED,
    RMC_SOAP_TOTAL_FILLED_MATCH,
    RMC_SOAP_TOTAL_FILLED_SOAP,
    RMC_ACCUM_SOAP_TOTALS
};

/* Every count per replicate that the accumulator keeps as a sum and a sum
 * of squares over replicates (for a mean and its standard error), as rows
 * of one table: applicants matched by type (RMC_ACCUM_TYPE_GROUPS rows,
 * rmc_accum_count_types); couples with both and with exactly one partner
 * matched (rmc_accum_add_couples); positions reverted and applicants
 * partially matched (rmc_accum_count_tracks; 0 without tracks); the SOAP
 * totals (RMC_ACCUM_SOAP_TOTALS rows, rmc_accum_add_soap); couples with
 * both partners matched in one city, in one region (rmc_accum_add_couples);
 * in the non-converged replicates whose matching was checked, the
 * applicants (singles, with supplemental lists or not) and the couples
 * that block it (rmc_accum_count_blocking; the other replicates add 0).
 * Sums are exact uint64. */
enum {
    RMC_REP_TYPE,
    RMC_REP_COUPLE_BOTH = RMC_REP_TYPE + RMC_ACCUM_TYPE_GROUPS,
    RMC_REP_COUPLE_ONE,
    RMC_REP_REVERTED,
    RMC_REP_PARTIAL,
    RMC_REP_SOAP,
    RMC_REP_COUPLE_CITY = RMC_REP_SOAP + RMC_ACCUM_SOAP_TOTALS,
    RMC_REP_COUPLE_REGION,
    RMC_REP_BLOCK_APPLICANTS,
    RMC_REP_BLOCK_COUPLES,
    RMC_ACCUM_REP_ROWS
};

/* Rows first .. first + n - 1 of that table: sum[r] and sumsq[r] (r from 0). */
void rmc_accum_rep_sums(const rmc_accum *a, size_t first, size_t n, uint64_t *sum, uint64_t *sumsq);

/* One replicate's SOAP, borrowed for the call. */
typedef struct rmc_accum_soap {
    const rmc_id *app_prog;    /* [n_app] Main-Match program, or -1 */
    const uint8_t *partial;    /* [n_app] 1 = partially matched, or NULL for none */
    const rmc_id *soap_prog;   /* [n_app] program placed at in SOAP, or -1 */
    const int32_t *fill_after; /* [n_prog] fill after SOAP */
    uint64_t totals[RMC_ACCUM_SOAP_TOTALS];
} rmc_accum_soap;

/* Add one replicate's SOAP: the applicants' SOAP histogram, the programs'
 * fill after SOAP, the totals' sums and squares, and the SOAP replicate
 * count. A run adds it for every replicate or for none. */
void rmc_accum_add_soap(rmc_accum *a, const rmc_accum_soap *s);

/* Replicates with SOAP (0: SOAP was off). */
uint64_t rmc_accum_soap_replicates(const rmc_accum *a);
const uint32_t *rmc_accum_soap_hist(const rmc_accum *a);      /* [n_app][RMC_ACCUM_SOAP_COLS] */
const uint32_t *rmc_accum_soap_fill_hist(const rmc_accum *a); /* [n_prog][max_positions + 1] */

/* Count one non-converged (couples) or unstable replicate, remembering
 * the lowest such replicate index. */
void rmc_accum_count_unconverged(rmc_accum *a, uint64_t replicate);
void rmc_accum_count_unstable(rmc_accum *a, uint64_t replicate);

/* A non-converged replicate's matching, checked: the applicants and the
 * couples that block it (rows RMC_REP_BLOCK_APPLICANTS and _COUPLES). */
void rmc_accum_count_blocking(rmc_accum *a, uint64_t applicants, uint64_t couples);

/* Zero every table and counter (dims and allocations are kept). */
void rmc_accum_clear(rmc_accum *a);

/* dst += src for every table both have (rank_hist only when both have one)
 * and the counters (first indices: the lower). Integer sums and minima: the
 * order of merges does not matter.
 * RMC_EUSAGE when the dims differ. */
rmc_status rmc_accum_merge(rmc_accum *dst, const rmc_accum *src, rmc_diag *d);

/* Collective over g's ranks (rankmc/dist.h): rank 0's a becomes the sum of
 * every rank's a (tables and counters summed, first indices the lowest);
 * the other ranks' a are cleared, so what they add afterwards is new. Every
 * rank's a has the same dims and all or none have a rank histogram. Exact:
 * integer sums, each no larger than on one process doing all the work. */
rmc_status rmc_accum_reduce(rmc_accum *a, const rmc_dist *g, rmc_diag *d);

/* Read access. Tables are row-major; NULL rank_hist when it was not made. */
const rmc_accum_dims *rmc_accum_get_dims(const rmc_accum *a);
uint64_t rmc_accum_replicates(const rmc_accum *a);
uint64_t rmc_accum_unconverged(const rmc_accum *a);
uint64_t rmc_accum_unstable(const rmc_accum *a);
int64_t rmc_accum_first_unconverged(const rmc_accum *a); /* -1 when none */
int64_t rmc_accum_first_unstable(const rmc_accum *a);    /* -1 when none */
/* [2][RMC_ACCUM_RESTART_BINS]: row 0 converged replicates, row 1 the
 * non-converged ones, by restarts taken. */
const uint64_t *rmc_accum_restart_hist(const rmc_accum *a);
const uint32_t *rmc_accum_rank_hist(const rmc_accum *a);   /* [n_iv][rank_bins + 1] */
const uint32_t *rmc_accum_choice_hist(const rmc_accum *a); /* [n_app][choice_len + 1] */
const uint32_t *rmc_accum_fill_hist(const rmc_accum *a);   /* [n_prog][max_positions + 1] */
const uint32_t *rmc_accum_depth_hist(const rmc_accum *a);  /* [n_prog][rank_bins + 1] */
const uint32_t *rmc_accum_iv_matched(const rmc_accum *a);  /* [n_iv] */
const int64_t *rmc_accum_move_sum(const rmc_accum *a);     /* [n_iv][n_factors], fixed point */

/* The SHA-256 of every table in a, as 64 lowercase hex digits: replicates,
 * non-converged and unstable counts (uint64, native byte order), then
 * choice_hist, fill_hist, depth_hist, iv_matched, move_sum and rank_hist when
 * present, then (dims.tracks only) partial_count, capacity_sum, the
 * reverted and the partially-matched sums and sums of squares, then, when
 * any replicate had SOAP, the SOAP replicate count, soap_hist,
 * soap_fill_hist and the SOAP totals' sums and squares, each as stored. Equal totals give equal
 * digests on machines of the same byte order (what `rankmc bench` prints as its checksum). */
void rmc_accum_sha256(const rmc_accum *a, char hex[65]);

/* Mean move of interview k for factor f in spots: move_sum / (replicates *
 * RMC_ACCUM_MOVE_SCALE); 0 with no replicates. */
double rmc_accum_mean_move(const rmc_accum *a, size_t k, size_t f);

#ifdef __cplusplus
}
#endif
#endif
