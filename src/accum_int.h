/* The accumulator's layout, for the modules that save and restore it
 * (h5io's checkpoints), and the fixed point of the move sums, for the
 * engine's meetings that add their moves where they make them (meeting.c,
 * sim.c). Not installed; everything else goes through rankmc/accum.h. */
#ifndef RANKMC_ACCUM_INT_H
#define RANKMC_ACCUM_INT_H

#include <math.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

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

/* llrint without the libm call: cvtsd2si rounds in the current mode
 * (nearest, ties to even, as llrint) and gives the same result for every
 * input, out-of-range ones included; it is how glibc's x86-64 llrint is
 * written. */
static inline int64_t rmc_accum_round(double x)
{
#if defined(__SSE2__) && defined(__x86_64__)
    return _mm_cvtsd_si64(_mm_set_sd(x));
#else
    return (int64_t)llrint(x);
#endif
}

/* A move of x spots in the move sums' fixed point (accum.h). */
static inline int64_t rmc_accum_move_fixed(float x)
{
    return rmc_accum_round((double)x * RMC_ACCUM_MOVE_SCALE);
}

/* One element of rmc_accum_add_moves_i32: move x into the int32 sum *sum;
 * a sum that would leave int32 goes whole into *spill (atomically: threads
 * may do so at once) and restarts at 0. The definition. */
static inline void rmc_accum_add_move_i32(int32_t *sum, int64_t *spill, float x)
{
    const int64_t t = (int64_t)*sum + rmc_accum_move_fixed(x);
    if (t >= INT32_MIN && t <= INT32_MAX) {
        *sum = (int32_t)t;
    } else {
        __atomic_fetch_add(spill, t, __ATOMIC_RELAXED);
        *sum = 0;
    }
}

/* One name's eight moves into its int32 sums sum[0 .. 8), each as
 * rmc_accum_add_move_i32 with spill[0 .. 8) (the same bits); mv[f] is the
 * float move f's value, widened to double (exact). With SSE2 four at a
 * time, rounded by cvtpd2dq (the current mode, as cvtsd2si; a move outside
 * int32 comes out as INT32_MIN) and added in 32 bits; where a move is
 * INT32_MIN or a sum wraps, all eight by the definition. For the engine's
 * meetings, which add each name's moves as they make them (from registers:
 * the moves need not go through memory). */
static inline void rmc_accum_add_moves8_i32(int32_t *sum, int64_t *spill, const double *mv)
{
#if defined(__SSE2__) && defined(__x86_64__)
    const __m128d scale = _mm_set1_pd(RMC_ACCUM_MOVE_SCALE);
    const __m128i v0 = _mm_unpacklo_epi64(_mm_cvtpd_epi32(_mm_mul_pd(_mm_loadu_pd(mv), scale)),
                                          _mm_cvtpd_epi32(_mm_mul_pd(_mm_loadu_pd(mv + 2), scale)));
    const __m128i v1 = _mm_unpacklo_epi64(_mm_cvtpd_epi32(_mm_mul_pd(_mm_loadu_pd(mv + 4), scale)),
                                          _mm_cvtpd_epi32(_mm_mul_pd(_mm_loadu_pd(mv + 6), scale)));
    const __m128i s0 = _mm_loadu_si128((const __m128i *)(const void *)sum);
    const __m128i s1 = _mm_loadu_si128((const __m128i *)(const void *)(sum + 4));
    const __m128i r0 = _mm_add_epi32(s0, v0), r1 = _mm_add_epi32(s1, v1);
    const __m128i indefinite = _mm_set1_epi32(INT32_MIN);
    /* the sign bit of (s ^ r) & (v ^ r): the 32-bit sum wrapped */
    const __m128i bad0 = _mm_or_si128(_mm_and_si128(_mm_xor_si128(s0, r0), _mm_xor_si128(v0, r0)),
                                      _mm_cmpeq_epi32(v0, indefinite));
    const __m128i bad1 = _mm_or_si128(_mm_and_si128(_mm_xor_si128(s1, r1), _mm_xor_si128(v1, r1)),
                                      _mm_cmpeq_epi32(v1, indefinite));
    if (_mm_movemask_ps(_mm_castsi128_ps(_mm_or_si128(bad0, bad1))) == 0) {
        _mm_storeu_si128((__m128i *)(void *)sum, r0);
        _mm_storeu_si128((__m128i *)(void *)(sum + 4), r1);
        return;
    }
#endif
    for (size_t f = 0; f < 8; f++) {
        rmc_accum_add_move_i32(&sum[f], &spill[f], (float)mv[f]);
    }
}

/* Add one replicate's moves to a thread's int32 sums sum[n_iv * n_factors]
 * in the fixed point of rmc_accum_add (the same rounding); an element whose
 * sum would leave int32 is added whole to total's move sums (atomically:
 * threads may do so at once) and restarts at 0, so no sum is ever lost. The
 * reference for the sums the meetings write themselves
 * (rmc_meeting_run_sums); the tests and bench_meeting call it. */
RMC_INTERNAL void rmc_accum_add_moves_i32(rmc_accum *total, int32_t *sum, const float *moves);

/* rmc_accum_fold_moves_i32 for sums kept in another order: row e of each
 * sum (n_factors elements) belongs to interview order[e]. Folds rows
 * e_begin .. e_end - 1 into total's move sums and zeroes them; threads may
 * call this on one total for disjoint row ranges when order is a
 * permutation (the engine's program order, model iv_by_prog). */
RMC_INTERNAL void rmc_accum_fold_moves_i32_by(rmc_accum *total, int32_t *const *sums, size_t n_sums,
                                              const rmc_id *order, size_t e_begin, size_t e_end);

#endif
