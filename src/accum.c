/* Integer accumulators for Monte Carlo replicates (see rankmc/accum.h).
 *
 * An rmc_accum is a set of flat, row-major uint32 histograms plus int64
 * fixed-point move sums, all allocated once, 64-byte aligned. A run keeps
 * one partial accumulator per thread (without the large rank histogram) and
 * one total accumulator holding the rank histogram, which threads fill for
 * disjoint interview ranges from a batch of per-replicate list positions.
 * Invariants: every row of rank_hist, choice_hist, fill_hist and depth_hist
 * sums to the replicate count; iv_matched[k] <= replicates. Because every
 * table is integer, merging partials in any order gives the same bits.
 */
#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <string.h>

#include "accum_int.h"
#include "sha256_int.h"

void rmc_accum_dims_bin(rmc_accum_dims *d, size_t max_list, size_t bins)
{
    const size_t len = max_list > 0 ? max_list : 1;
    const size_t want = (bins == 0 || bins > len) ? len : bins;
    d->max_list = max_list;
    d->rank_bin_width = (len + want - 1) / want;
    d->rank_bins = (len + d->rank_bin_width - 1) / d->rank_bin_width;
}

bool rmc_accum_sizes_of(const rmc_accum_dims *d, rmc_accum_sizes *s)
{
    return rmc_mul_ok(d->n_iv, d->rank_bins + 1, &s->rank) &&
           rmc_mul_ok(d->n_app, d->choice_len + 1, &s->choice) &&
           rmc_mul_ok(d->n_prog, d->max_positions + 1, &s->fill) &&
           rmc_mul_ok(d->n_prog, d->rank_bins + 1, &s->depth) &&
           rmc_mul_ok(d->n_iv, d->n_factors, &s->move) &&
           rmc_mul_ok(d->n_app, RMC_ACCUM_SOAP_COLS, &s->soap) && (s->iv = d->n_iv, true);
}

size_t rmc_accum_bytes(const rmc_accum_dims *dims, bool with_rank_hist)
{
    rmc_accum_sizes s;
    if (!rmc_accum_sizes_of(dims, &s)) {
        return SIZE_MAX;
    }
    const double bytes =
        (with_rank_hist ? 4.0 * (double)s.rank : 0.0) + 4.0 * (double)s.choice +
        4.0 * (double)s.fill + 4.0 * (double)s.depth + 4.0 * (double)s.iv + 8.0 * (double)s.move +
        4.0 * (double)dims->n_prog + 4.0 * (double)s.soap + 4.0 * (double)s.fill + 512.0 +
        (dims->tracks ? 4.0 * (double)dims->n_app + 8.0 * (double)dims->n_prog : 0.0) +
        4.0 * RMC_COUPLE_N_OUTCOMES * (double)dims->n_couples;
    return bytes >= (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
}

void rmc_accum_free(rmc_accum *a)
{
    if (a == NULL) {
        return;
    }
    rmc_free(a->couple_count);
    rmc_free(a->soap_fill_hist);
    rmc_free(a->soap_hist);
    rmc_free(a->depth);
    rmc_free(a->partial_count);
    rmc_free(a->capacity_sum);
    rmc_free(a->move_sum);
    rmc_free(a->iv_matched);
    rmc_free(a->depth_hist);
    rmc_free(a->fill_hist);
    rmc_free(a->choice_hist);
    rmc_free(a->rank_hist);
    rmc_free(a);
}

static rmc_status accum_alloc(const rmc_accum_dims *dims, bool with_rank_hist, bool with_moves,
                              rmc_accum **out, rmc_diag *d)
{
    *out = NULL;
    rmc_accum_sizes s;
    if (dims->rank_bin_width == 0 || dims->rank_bins == 0 ||
        dims->rank_bins * dims->rank_bin_width < dims->max_list || dims->rank_bins > UINT16_MAX ||
        !rmc_accum_sizes_of(dims, &s)) {
        return RMC_FAIL(d, RMC_EUSAGE, "accumulator dimensions are inconsistent or too large");
    }
    rmc_accum *a = NULL;
    rmc_status st = rmc_alloc_aligned((void **)&a, 1, sizeof *a, d);
    if (st != RMC_OK) {
        return st;
    }
    a->dims = *dims;
    a->first_unconverged = -1;
    a->first_unstable = -1;
    if (with_rank_hist) {
        RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->rank_hist, s.rank, 4, d), fail);
    }
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->choice_hist, s.choice, 4, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->fill_hist, s.fill, 4, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->depth_hist, s.depth, 4, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->iv_matched, s.iv, 4, d), fail);
    if (with_moves) {
        RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->move_sum, s.move, 8, d), fail);
    }
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->depth, dims->n_prog, 4, d), fail);
    if (dims->tracks) {
        RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->partial_count, dims->n_app, 4, d), fail);
        RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->capacity_sum, dims->n_prog, 8, d), fail);
    }
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->soap_hist, s.soap, 4, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&a->soap_fill_hist, s.fill, 4, d), fail);
    if (dims->n_couples > 0) {
        RMC_TRY_GOTO(st,
                     rmc_alloc_aligned((void **)&a->couple_count,
                                       dims->n_couples * RMC_COUPLE_N_OUTCOMES, 4, d),
                     fail);
    }
    *out = a;
    return RMC_OK;
fail:
    rmc_accum_free(a);
    return st;
}

rmc_status rmc_accum_alloc(const rmc_accum_dims *dims, bool with_rank_hist, rmc_accum **out,
                           rmc_diag *d)
{
    return accum_alloc(dims, with_rank_hist, true, out, d);
}

rmc_status rmc_accum_alloc_partial(const rmc_accum_dims *dims, rmc_accum **out, rmc_diag *d)
{
    return accum_alloc(dims, false, false, out, d);
}

/* Deepest matched list position of each program this replicate, into the
 * depth histogram. */
static void add_depth(rmc_accum *a, const rmc_accum_replicate *rep)
{
    const rmc_accum_dims *dm = &a->dims;
    for (size_t j = 0; j < dm->n_prog; j++) {
        a->depth[j] = -1;
    }
    for (size_t i = 0; i < dm->n_app; i++) {
        const rmc_id k = rep->app_iv[i];
        if (k >= 0) {
            const rmc_id j = rep->iv_prog[k];
            const int32_t pos = rep->rank[k];
            RMC_ASSERT(pos >= 0 && j >= 0 && (size_t)j < dm->n_prog);
            if (pos > a->depth[j]) {
                a->depth[j] = pos;
            }
        }
    }
    const size_t cols = dm->rank_bins + 1;
    for (size_t j = 0; j < dm->n_prog; j++) {
        a->depth_hist[j * cols + rmc_accum_rank_col(dm, a->depth[j])]++;
    }
}

#if defined(__x86_64__)
/* add_moves for CPUs with AVX-512F and DQ: eight moves a step, converted
 * by vcvtpd2qq, which rounds in the current mode as cvtsd2si does (and
 * gives the same value for out-of-range inputs), so the sums are the same
 * bits. Returns the moves done (a multiple of 8). */
__attribute__((target("avx512f,avx512dq"))) static size_t
add_moves_avx512(int64_t *sum, const float *moves, size_t n)
{
    const __m512d scale = _mm512_set1_pd(RMC_ACCUM_MOVE_SCALE);
    size_t e = 0;
    for (; e + 8 <= n; e += 8) {
        const __m512d x = _mm512_mul_pd(_mm512_cvtps_pd(_mm256_loadu_ps(moves + e)), scale);
        const __m512i s = _mm512_add_epi64(_mm512_loadu_si512(sum + e), _mm512_cvtpd_epi64(x));
        _mm512_storeu_si512(sum + e, s);
    }
    return e;
}
#endif

static void add_moves(rmc_accum *a, const float *moves)
{
    const size_t n = a->dims.n_iv * a->dims.n_factors;
    size_t e = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
        e = add_moves_avx512(a->move_sum, moves, n);
    }
#endif
    for (; e < n; e++) {
        a->move_sum[e] += rmc_accum_move_fixed(moves[e]);
    }
}

#if defined(__x86_64__)
/* rmc_accum_add_moves_i32 for CPUs with AVX-512F and DQ: eight moves a
 * step, rounded as add_moves_avx512 does, added in 64 bits and stored back
 * narrowed when all eight fit int32; from a step where one does not, the
 * scalar loop does the rest. Returns the moves done. */
__attribute__((target("avx512f,avx512dq"))) static size_t
add_moves_i32_avx512(int32_t *sum, const float *moves, size_t n)
{
    const __m512d scale = _mm512_set1_pd(RMC_ACCUM_MOVE_SCALE);
    size_t e = 0;
    for (; e + 8 <= n; e += 8) {
        const __m512d x = _mm512_mul_pd(_mm512_cvtps_pd(_mm256_loadu_ps(moves + e)), scale);
        const __m512i t = _mm512_add_epi64(
            _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)(const void *)(sum + e))),
            _mm512_cvtpd_epi64(x));
        const __m256i narrow = _mm512_cvtepi64_epi32(t);
        if (_mm512_cmpneq_epi64_mask(_mm512_cvtepi32_epi64(narrow), t) != 0) {
            break;
        }
        _mm256_storeu_si256((__m256i *)(void *)(sum + e), narrow);
    }
    return e;
}
/* The same for AVX2 CPUs: eight moves a step, rounded by vcvtpd2dq (the
 * current rounding mode, as cvtsd2si; a move that does not fit int32 comes
 * out as INT32_MIN) and added in 32 bits; a step with an INT32_MIN move or
 * a sum that wraps is left, with the rest, to the scalar loop. */
__attribute__((target("avx2"))) static size_t add_moves_i32_avx2(int32_t *sum, const float *moves,
                                                                 size_t n)
{
    const __m256d scale = _mm256_set1_pd(RMC_ACCUM_MOVE_SCALE);
    const __m256i indefinite = _mm256_set1_epi32(INT32_MIN);
    size_t e = 0;
    for (; e + 8 <= n; e += 8) {
        const __m256 f = _mm256_loadu_ps(moves + e);
        const __m128i lo =
            _mm256_cvtpd_epi32(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(f)), scale));
        const __m128i hi =
            _mm256_cvtpd_epi32(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(f, 1)), scale));
        const __m256i v = _mm256_set_m128i(hi, lo);
        const __m256i s = _mm256_loadu_si256((const __m256i *)(const void *)(sum + e));
        const __m256i r = _mm256_add_epi32(s, v);
        const __m256i wrapped =
            _mm256_and_si256(_mm256_xor_si256(s, r), _mm256_xor_si256(v, r)); /* sign bit */
        const __m256i bad = _mm256_or_si256(wrapped, _mm256_cmpeq_epi32(v, indefinite));
        if (_mm256_movemask_ps(_mm256_castsi256_ps(bad)) != 0) {
            break;
        }
        _mm256_storeu_si256((__m256i *)(void *)(sum + e), r);
    }
    return e;
}
#endif

void rmc_accum_add_moves_i32(rmc_accum *total, int32_t *sum, const float *moves)
{
    const size_t n = total->dims.n_iv * total->dims.n_factors;
    size_t e = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
        e = add_moves_i32_avx512(sum, moves, n); /* up to a step that leaves int32, if any */
    } else if (__builtin_cpu_supports("avx2")) {
        e = add_moves_i32_avx2(sum, moves, n);
    }
#endif
    for (; e < n; e++) {
        rmc_accum_add_move_i32(&sum[e], &total->move_sum[e], moves[e]);
    }
}

/* Cells at .. at + n - 1 of every thread's int32 sums added into dst[0 ..
 * n) and zeroed: the fold of both rmc_accum_fold_moves_i32 (in interview
 * order) and rmc_accum_fold_moves_i32_by (row by row). */
static inline void fold_cells(int64_t *dst, int32_t *const *sums, size_t n_sums, size_t at,
                              size_t n)
{
    for (size_t c = 0; c < n; c++) {
        int64_t add = 0;
        for (size_t t = 0; t < n_sums; t++) {
            add += sums[t][at + c];
            sums[t][at + c] = 0;
        }
        dst[c] += add;
    }
}

void rmc_accum_fold_moves_i32(rmc_accum *total, int32_t *const *sums, size_t n_sums, size_t k_begin,
                              size_t k_end)
{
    RMC_ASSERT(total->move_sum != NULL && k_end <= total->dims.n_iv);
    const size_t f = total->dims.n_factors;
    if (k_end > k_begin) {
        fold_cells(total->move_sum + k_begin * f, sums, n_sums, k_begin * f, (k_end - k_begin) * f);
    }
}

/* Rows of the total prefetched ahead in rmc_accum_fold_moves_i32_by: each
 * is one scattered cache line (8 int64) of a table of n_iv lines. At
 * national scale (607k rows, one thread's sums) the fold took 20-28 ms
 * prefetching 8 rows ahead, 14 ms at 16, 32 or 64, against 7-8 ms for
 * rmc_accum_fold_moves_i32 in interview order (once per batch). */
#define FOLD_MOVES_AHEAD 16

void rmc_accum_fold_moves_i32_by(rmc_accum *total, int32_t *const *sums, size_t n_sums,
                                 const rmc_id *order, size_t e_begin, size_t e_end)
{
    RMC_ASSERT(total->move_sum != NULL);
    const size_t f = total->dims.n_factors;
    for (size_t e = e_begin; e < e_end; e++) {
        if (e + FOLD_MOVES_AHEAD < e_end) {
            __builtin_prefetch(total->move_sum + (size_t)order[e + FOLD_MOVES_AHEAD] * f, 1);
        }
        RMC_ASSERT(order[e] >= 0 && (size_t)order[e] < total->dims.n_iv);
        fold_cells(total->move_sum + (size_t)order[e] * f, sums, n_sums, e * f, f);
    }
}

/* Applicants ahead whose choice-histogram cell rmc_accum_add prefetches:
 * the rows are scattered a row apart (choice_len + 1 cells) over the
 * table, and the cell in a row differs from row to row. */
#define ADD_AHEAD 16

void rmc_accum_add(rmc_accum *a, const rmc_accum_replicate *rep)
{
    const rmc_accum_dims *dm = &a->dims;
    const size_t ccols = dm->choice_len + 1;
    for (size_t i = 0; i < dm->n_app; i++) {
        if (i + ADD_AHEAD < dm->n_app) {
            const size_t x = i + ADD_AHEAD;
            const int32_t cx = rep->app_iv[x] >= 0 ? rep->app_choice[x] : -1;
            __builtin_prefetch(
                a->choice_hist + x * ccols +
                    (cx < 0 || (size_t)cx >= dm->choice_len ? dm->choice_len : (size_t)cx),
                1, 3);
        }
        const int32_t c = rep->app_iv[i] >= 0 ? rep->app_choice[i] : -1;
        RMC_ASSERT(c < (int32_t)dm->choice_len);
        a->choice_hist[i * ccols + (c < 0 ? dm->choice_len : (size_t)c)]++;
        if (rep->app_iv[i] >= 0) {
            a->iv_matched[rep->app_iv[i]]++;
        }
    }
    const size_t fcols = dm->max_positions + 1;
    for (size_t j = 0; j < dm->n_prog; j++) {
        const int32_t f = rep->fill[j];
        RMC_ASSERT(f >= 0 && (size_t)f <= dm->max_positions);
        a->fill_hist[j * fcols + (size_t)f]++;
    }
    add_depth(a, rep);
    if (rep->moves != NULL) {
        RMC_ASSERT(a->move_sum != NULL);
        add_moves(a, rep->moves);
    }
    a->replicates++;
}

/* Add one replicate's count v to row r of the per-replicate table. */
static void add_rep(rmc_accum *a, size_t r, uint64_t v)
{
    a->rep_sum[r] += v;
    a->rep_sumsq[r] += v * v;
}

void rmc_accum_add_soap(rmc_accum *a, const rmc_accum_soap *s)
{
    const rmc_accum_dims *dm = &a->dims;
    for (size_t i = 0; i < dm->n_app; i++) {
        const bool partial = s->partial != NULL && s->partial[i];
        const bool placed = s->soap_prog[i] != RMC_ID_NONE;
        size_t col = RMC_SOAP_COL_UNPLACED;
        if (partial) {
            col = placed ? RMC_SOAP_COL_PARTIAL_PLACED : RMC_SOAP_COL_PARTIAL;
        } else if (s->app_prog[i] != RMC_ID_NONE) {
            RMC_ASSERT(!placed);
            col = RMC_SOAP_COL_MAIN;
        } else if (placed) {
            col = RMC_SOAP_COL_PLACED;
        }
        a->soap_hist[i * RMC_ACCUM_SOAP_COLS + col]++;
    }
    const size_t fcols = dm->max_positions + 1;
    for (size_t j = 0; j < dm->n_prog; j++) {
        const int32_t f = s->fill_after[j];
        RMC_ASSERT(f >= 0 && (size_t)f <= dm->max_positions);
        a->soap_fill_hist[j * fcols + (size_t)f]++;
    }
    for (size_t t = 0; t < RMC_ACCUM_SOAP_TOTALS; t++) {
        add_rep(a, RMC_REP_SOAP + t, s->totals[t]);
    }
    a->soap_replicates++;
}

uint64_t rmc_accum_soap_replicates(const rmc_accum *a)
{
    return a->soap_replicates;
}

const uint32_t *rmc_accum_soap_hist(const rmc_accum *a)
{
    return a->soap_hist;
}

const uint32_t *rmc_accum_soap_fill_hist(const rmc_accum *a)
{
    return a->soap_fill_hist;
}

/* The bins of rmc_accum_rank_col: an unranked interview (pos < 0) in the
 * last column; with width 1 the column is the position itself (a loop the
 * compiler vectorises). Otherwise p / w is (p * M) >> 32 with M =
 * ceil(2^32 / w), exact for every p < max_list when max_list * w <= 2^32:
 * p M / 2^32 = p / w + p e / 2^32 with 0 <= e < 1, the fraction of p / w is
 * at most (w - 1) / w, and p e / 2^32 < p / 2^32 < 1 / w, so the floor is
 * the quotient (tested against the division for every position of many
 * widths). A 32-bit division per interview was most of the column's time
 * (bench/RESULTS.md). Past that bound: the division (positions and widths
 * fit 32 bits: rank_bins <= UINT16_MAX and every list's length is an
 * int32). */
#define RANK_COLS_BODY(T)                                                                          \
    do {                                                                                           \
        const uint32_t bins = (uint32_t)d->rank_bins, width = (uint32_t)d->rank_bin_width;         \
        RMC_ASSERT(d->rank_bins <= UINT16_MAX && d->rank_bin_width <= UINT32_MAX);                 \
        if (width == 1) {                                                                          \
            for (size_t k = 0; k < n; k++) {                                                       \
                out[k] = (T)(pos[k] < 0 ? bins : (uint32_t)pos[k]);                                \
            }                                                                                      \
        } else if ((uint64_t)d->max_list * width <= (UINT64_C(1) << 32)) {                         \
            const uint64_t mul = ((UINT64_C(1) << 32) + width - 1) / width;                        \
            for (size_t k = 0; k < n; k++) {                                                       \
                RMC_ASSERT(pos[k] < 0 || (size_t)pos[k] < d->max_list);                            \
                out[k] = (T)(pos[k] < 0 ? bins : (uint32_t)(((uint64_t)pos[k] * mul) >> 32));      \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t k = 0; k < n; k++) {                                                       \
                out[k] = (T)(pos[k] < 0 ? bins : (uint32_t)pos[k] / width);                        \
            }                                                                                      \
        }                                                                                          \
    } while (0)

void rmc_accum_rank_cols_u8(const rmc_accum_dims *d, const int32_t *restrict pos, size_t n,
                            uint8_t *restrict out)
{
    RMC_ASSERT(d->rank_bins + 1 <= UINT8_MAX + 1);
    RANK_COLS_BODY(uint8_t);
}

void rmc_accum_rank_cols_u16(const rmc_accum_dims *d, const int32_t *restrict pos, size_t n,
                             uint16_t *restrict out)
{
    RANK_COLS_BODY(uint16_t);
}

/* The fold's rows are prefetched FOLD_AHEAD interviews ahead (for
 * writing): a batch's increments land on a few of a row's cache lines,
 * scattered over a 400 MiB table at national scale, and the misses, not
 * the adds, were the fold's time (bench/RESULTS.md). A short batch (at
 * most two replicates per line of a row) prefetches the cells it will
 * increment, so the lines none of its replicates touch are not fetched
 * (a 16-replicate fold of the national table about a quarter quicker);
 * a longer one the whole row, which costs fewer prefetches than one a
 * replicate and fetches about the same lines. */
#define FOLD_AHEAD 4

static inline void prefetch_row(const uint32_t *row, size_t ncol)
{
    const uintptr_t first = (uintptr_t)row & ~(uintptr_t)63, end = (uintptr_t)(row + ncol);
    for (uintptr_t line = first; line < end; line += 64) {
        __builtin_prefetch((const void *)line, 1, 3);
    }
}

/* The fold of rmc_accum_add_ranks(_u8): the batch's n_rep columns (of type
 * T) of interviews k_begin .. k_end - 1 added into their rows. */
#define ADD_RANKS_BODY(T)                                                                          \
    do {                                                                                           \
        RMC_ASSERT(a->rank_hist != NULL && k_end <= a->dims.n_iv);                                 \
        const size_t ncol = a->dims.rank_bins + 1;                                                 \
        const bool by_cell = n_rep <= 2 * ((ncol * sizeof(uint32_t) + 63) / 64);                   \
        for (size_t k = k_begin; k < k_end; k++) {                                                 \
            uint32_t *row = a->rank_hist + k * ncol;                                               \
            if (k + FOLD_AHEAD < k_end && by_cell) {                                               \
                for (size_t b = 0; b < n_rep; b++) {                                               \
                    __builtin_prefetch(                                                            \
                        row + FOLD_AHEAD * ncol + cols[b * stride + k + FOLD_AHEAD], 1, 3);        \
                }                                                                                  \
            } else if (k + FOLD_AHEAD < k_end) {                                                   \
                prefetch_row(row + FOLD_AHEAD * ncol, ncol);                                       \
            }                                                                                      \
            for (size_t b = 0; b < n_rep; b++) {                                                   \
                const T c = cols[b * stride + k];                                                  \
                RMC_ASSERT(c < ncol);                                                              \
                row[c]++;                                                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

void rmc_accum_add_ranks(rmc_accum *a, const uint16_t *cols, size_t n_rep, size_t stride,
                         size_t k_begin, size_t k_end)
{
    ADD_RANKS_BODY(uint16_t);
}

void rmc_accum_add_ranks_u8(rmc_accum *a, const uint8_t *cols, size_t n_rep, size_t stride,
                            size_t k_begin, size_t k_end)
{
    ADD_RANKS_BODY(uint8_t);
}

static void lower_first(int64_t *first, int64_t r)
{
    if (r >= 0 && (*first < 0 || r < *first)) {
        *first = r;
    }
}

void rmc_accum_count_unconverged(rmc_accum *a, uint64_t replicate)
{
    a->unconverged++;
    lower_first(&a->first_unconverged, (int64_t)replicate);
}

void rmc_accum_count_restarts(rmc_accum *a, size_t n_restarts, bool converged)
{
    const size_t bin =
        n_restarts < RMC_ACCUM_RESTART_BINS - 1 ? n_restarts : RMC_ACCUM_RESTART_BINS - 1;
    a->restart_hist[converged ? 0 : 1][bin]++;
}

void rmc_accum_add_couples(rmc_accum *a, const uint8_t *outcome)
{
    uint64_t n[RMC_COUPLE_N_OUTCOMES] = {0};
    for (size_t c = 0; c < a->dims.n_couples; c++) {
        for (int o = 0; o < RMC_COUPLE_N_OUTCOMES; o++) {
            const unsigned bit = (outcome[c] >> o) & 1u;
            a->couple_count[c * RMC_COUPLE_N_OUTCOMES + (size_t)o] += bit;
            n[o] += bit;
        }
    }
    add_rep(a, RMC_REP_COUPLE_BOTH, n[RMC_COUPLE_BOTH]);
    add_rep(a, RMC_REP_COUPLE_ONE, n[RMC_COUPLE_ONE]);
    add_rep(a, RMC_REP_COUPLE_CITY, n[RMC_COUPLE_CITY]);
    add_rep(a, RMC_REP_COUPLE_REGION, n[RMC_COUPLE_REGION]);
}

const uint32_t *rmc_accum_couple_counts(const rmc_accum *a)
{
    return a->couple_count;
}

void rmc_accum_count_types(rmc_accum *a, const uint64_t matched[RMC_ACCUM_TYPE_GROUPS])
{
    for (size_t t = 0; t < RMC_ACCUM_TYPE_GROUPS; t++) {
        add_rep(a, RMC_REP_TYPE + t, matched[t]);
    }
}

void rmc_accum_rep_sums(const rmc_accum *a, size_t first, size_t n, uint64_t *sum, uint64_t *sumsq)
{
    RMC_ASSERT(first + n <= RMC_ACCUM_REP_ROWS);
    memcpy(sum, a->rep_sum + first, n * sizeof *sum);
    memcpy(sumsq, a->rep_sumsq + first, n * sizeof *sumsq);
}

void rmc_accum_count_tracks(rmc_accum *a, const uint8_t *partial, const int32_t *capacity,
                            uint64_t reverted)
{
    RMC_ASSERT(a->dims.tracks);
    uint64_t n_partial = 0;
    for (size_t i = 0; i < a->dims.n_app; i++) {
        a->partial_count[i] += partial[i];
        n_partial += partial[i];
    }
    for (size_t j = 0; j < a->dims.n_prog; j++) {
        RMC_ASSERT(capacity[j] >= 0);
        a->capacity_sum[j] += (uint64_t)capacity[j];
    }
    add_rep(a, RMC_REP_REVERTED, reverted);
    add_rep(a, RMC_REP_PARTIAL, n_partial);
}

const uint32_t *rmc_accum_partial_count(const rmc_accum *a)
{
    return a->partial_count;
}

const uint64_t *rmc_accum_capacity_sum(const rmc_accum *a)
{
    return a->capacity_sum;
}

const uint64_t *rmc_accum_restart_hist(const rmc_accum *a)
{
    return &a->restart_hist[0][0];
}

void rmc_accum_count_unstable(rmc_accum *a, uint64_t replicate)
{
    a->unstable++;
    lower_first(&a->first_unstable, (int64_t)replicate);
}

void rmc_accum_count_blocking(rmc_accum *a, uint64_t applicants, uint64_t couples)
{
    add_rep(a, RMC_REP_BLOCK_APPLICANTS, applicants);
    add_rep(a, RMC_REP_BLOCK_COUPLES, couples);
}

void rmc_accum_clear(rmc_accum *a)
{
    rmc_accum_sizes s;
    const bool ok = rmc_accum_sizes_of(&a->dims, &s);
    RMC_ASSERT(ok);
    (void)ok;
    if (a->rank_hist != NULL) {
        memset(a->rank_hist, 0, s.rank * 4);
    }
    memset(a->choice_hist, 0, s.choice * 4);
    memset(a->fill_hist, 0, s.fill * 4);
    memset(a->depth_hist, 0, s.depth * 4);
    memset(a->iv_matched, 0, s.iv * 4);
    if (a->move_sum != NULL) {
        memset(a->move_sum, 0, s.move * 8);
    }
    memset(a->restart_hist, 0, sizeof a->restart_hist);
    memset(a->rep_sum, 0, sizeof a->rep_sum);
    memset(a->rep_sumsq, 0, sizeof a->rep_sumsq);
    if (a->couple_count != NULL) {
        memset(a->couple_count, 0, a->dims.n_couples * RMC_COUPLE_N_OUTCOMES * 4);
    }
    if (a->dims.tracks) {
        memset(a->partial_count, 0, a->dims.n_app * 4);
        memset(a->capacity_sum, 0, a->dims.n_prog * 8);
    }
    memset(a->soap_hist, 0, s.soap * 4);
    memset(a->soap_fill_hist, 0, s.fill * 4);
    a->soap_replicates = 0;
    a->replicates = a->unconverged = a->unstable = 0;
    a->first_unconverged = a->first_unstable = -1;
}

static void add_u32(uint32_t *dst, const uint32_t *src, size_t n)
{
    for (size_t e = 0; e < n; e++) {
        dst[e] += src[e];
    }
}

rmc_status rmc_accum_merge(rmc_accum *dst, const rmc_accum *src, rmc_diag *d)
{
    if (memcmp(&dst->dims, &src->dims, sizeof dst->dims) != 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "cannot merge accumulators of different dimensions");
    }
    rmc_accum_sizes s;
    const bool ok = rmc_accum_sizes_of(&dst->dims, &s);
    RMC_ASSERT(ok);
    (void)ok;
    if (dst->rank_hist != NULL && src->rank_hist != NULL) {
        add_u32(dst->rank_hist, src->rank_hist, s.rank);
    }
    add_u32(dst->choice_hist, src->choice_hist, s.choice);
    add_u32(dst->fill_hist, src->fill_hist, s.fill);
    add_u32(dst->depth_hist, src->depth_hist, s.depth);
    add_u32(dst->iv_matched, src->iv_matched, s.iv);
    RMC_ASSERT(dst->move_sum != NULL || src->move_sum == NULL);
    for (size_t e = 0; src->move_sum != NULL && e < s.move; e++) {
        dst->move_sum[e] += src->move_sum[e];
    }
    dst->replicates += src->replicates;
    dst->unconverged += src->unconverged;
    dst->unstable += src->unstable;
    for (size_t k = 0; k < RMC_ACCUM_RESTART_BINS; k++) {
        dst->restart_hist[0][k] += src->restart_hist[0][k];
        dst->restart_hist[1][k] += src->restart_hist[1][k];
    }
    for (size_t r = 0; r < RMC_ACCUM_REP_ROWS; r++) {
        dst->rep_sum[r] += src->rep_sum[r];
        dst->rep_sumsq[r] += src->rep_sumsq[r];
    }
    if (dst->couple_count != NULL) {
        add_u32(dst->couple_count, src->couple_count, dst->dims.n_couples * RMC_COUPLE_N_OUTCOMES);
    }
    if (dst->dims.tracks) {
        add_u32(dst->partial_count, src->partial_count, dst->dims.n_app);
        for (size_t j = 0; j < dst->dims.n_prog; j++) {
            dst->capacity_sum[j] += src->capacity_sum[j];
        }
    }
    add_u32(dst->soap_hist, src->soap_hist, s.soap);
    add_u32(dst->soap_fill_hist, src->soap_fill_hist, s.fill);
    dst->soap_replicates += src->soap_replicates;
    lower_first(&dst->first_unconverged, src->first_unconverged);
    lower_first(&dst->first_unstable, src->first_unstable);
    return RMC_OK;
}

rmc_status rmc_accum_reduce(rmc_accum *a, const rmc_dist *g, rmc_diag *d)
{
    if (rmc_dist_size(g) == 1) {
        return RMC_OK;
    }
    rmc_accum_sizes s;
    const bool ok = rmc_accum_sizes_of(&a->dims, &s);
    RMC_ASSERT(ok);
    (void)ok;
    if (a->rank_hist != NULL) {
        RMC_TRY(rmc_dist_sum_u32(g, a->rank_hist, s.rank, d));
    }
    RMC_TRY(rmc_dist_sum_u32(g, a->choice_hist, s.choice, d));
    RMC_TRY(rmc_dist_sum_u32(g, a->fill_hist, s.fill, d));
    RMC_TRY(rmc_dist_sum_u32(g, a->depth_hist, s.depth, d));
    RMC_TRY(rmc_dist_sum_u32(g, a->iv_matched, s.iv, d));
    RMC_TRY(rmc_dist_sum_i64(g, a->move_sum, s.move, d));
    RMC_TRY(rmc_dist_sum_u32(g, a->soap_hist, s.soap, d));
    RMC_TRY(rmc_dist_sum_u32(g, a->soap_fill_hist, s.fill, d));
    RMC_TRY(rmc_dist_sum_u64(g, a->rep_sum, RMC_ACCUM_REP_ROWS, d));
    RMC_TRY(rmc_dist_sum_u64(g, a->rep_sumsq, RMC_ACCUM_REP_ROWS, d));
    if (a->couple_count != NULL) {
        RMC_TRY(rmc_dist_sum_u32(g, a->couple_count, a->dims.n_couples * RMC_COUPLE_N_OUTCOMES, d));
    }
    uint64_t counts[4] = {a->replicates, a->unconverged, a->unstable, a->soap_replicates};
    RMC_TRY(rmc_dist_sum_u64(g, counts, 4, d));
    RMC_TRY(rmc_dist_sum_u64(g, &a->restart_hist[0][0], 2 * RMC_ACCUM_RESTART_BINS, d));
    if (a->dims.tracks) {
        RMC_TRY(rmc_dist_sum_u32(g, a->partial_count, a->dims.n_app, d));
        RMC_TRY(rmc_dist_sum_u64(g, a->capacity_sum, a->dims.n_prog, d));
    }
    /* -1 (none) must lose to any index in the minimum. */
    int64_t first[2] = {a->first_unconverged < 0 ? INT64_MAX : a->first_unconverged,
                        a->first_unstable < 0 ? INT64_MAX : a->first_unstable};
    RMC_TRY(rmc_dist_all_min_i64(g, first, 2, d));
    if (rmc_dist_rank(g) != 0) {
        rmc_accum_clear(a);
        return RMC_OK;
    }
    a->replicates = counts[0];
    a->unconverged = counts[1];
    a->unstable = counts[2];
    a->soap_replicates = counts[3];
    a->first_unconverged = first[0] == INT64_MAX ? -1 : first[0];
    a->first_unstable = first[1] == INT64_MAX ? -1 : first[1];
    return RMC_OK;
}

const rmc_accum_dims *rmc_accum_get_dims(const rmc_accum *a)
{
    return &a->dims;
}

uint64_t rmc_accum_replicates(const rmc_accum *a)
{
    return a->replicates;
}

uint64_t rmc_accum_unconverged(const rmc_accum *a)
{
    return a->unconverged;
}

uint64_t rmc_accum_unstable(const rmc_accum *a)
{
    return a->unstable;
}

int64_t rmc_accum_first_unconverged(const rmc_accum *a)
{
    return a->first_unconverged;
}

int64_t rmc_accum_first_unstable(const rmc_accum *a)
{
    return a->first_unstable;
}

const uint32_t *rmc_accum_rank_hist(const rmc_accum *a)
{
    return a->rank_hist;
}

const uint32_t *rmc_accum_choice_hist(const rmc_accum *a)
{
    return a->choice_hist;
}

const uint32_t *rmc_accum_fill_hist(const rmc_accum *a)
{
    return a->fill_hist;
}

const uint32_t *rmc_accum_depth_hist(const rmc_accum *a)
{
    return a->depth_hist;
}

const uint32_t *rmc_accum_iv_matched(const rmc_accum *a)
{
    return a->iv_matched;
}

const int64_t *rmc_accum_move_sum(const rmc_accum *a)
{
    return a->move_sum;
}

double rmc_accum_mean_move(const rmc_accum *a, size_t k, size_t f)
{
    if (a->replicates == 0) {
        return 0.0;
    }
    const int64_t sum = a->move_sum[k * a->dims.n_factors + f];
    return (double)sum / ((double)a->replicates * RMC_ACCUM_MOVE_SCALE);
}

void rmc_accum_sha256(const rmc_accum *a, char hex[65])
{
    const rmc_accum_dims *dm = &a->dims;
    const uint64_t head[3] = {a->replicates, a->unconverged, a->unstable};
    rmc_sha256 s;
    rmc_sha256_init(&s);
    rmc_sha256_update(&s, head, sizeof head);
    rmc_sha256_update(&s, a->choice_hist, dm->n_app * (dm->choice_len + 1) * sizeof(uint32_t));
    rmc_sha256_update(&s, a->fill_hist, dm->n_prog * (dm->max_positions + 1) * sizeof(uint32_t));
    rmc_sha256_update(&s, a->depth_hist, dm->n_prog * (dm->rank_bins + 1) * sizeof(uint32_t));
    rmc_sha256_update(&s, a->iv_matched, dm->n_iv * sizeof(uint32_t));
    rmc_sha256_update(&s, a->move_sum, dm->n_iv * dm->n_factors * sizeof(int64_t));
    if (a->rank_hist != NULL) {
        rmc_sha256_update(&s, a->rank_hist, dm->n_iv * (dm->rank_bins + 1) * sizeof(uint32_t));
    }
    if (dm->tracks) { /* models without tracks keep their digest */
        const uint64_t rv[4] = {a->rep_sum[RMC_REP_REVERTED], a->rep_sumsq[RMC_REP_REVERTED],
                                a->rep_sum[RMC_REP_PARTIAL], a->rep_sumsq[RMC_REP_PARTIAL]};
        rmc_sha256_update(&s, a->partial_count, dm->n_app * sizeof(uint32_t));
        rmc_sha256_update(&s, a->capacity_sum, dm->n_prog * sizeof(uint64_t));
        rmc_sha256_update(&s, rv, sizeof rv);
    }
    if (dm->n_couples > 0) { /* totals without per-couple counts keep their old digest */
        rmc_sha256_update(&s, a->couple_count,
                          dm->n_couples * RMC_COUPLE_N_OUTCOMES * sizeof(uint32_t));
        const size_t rows[4] = {RMC_REP_COUPLE_BOTH, RMC_REP_COUPLE_ONE, RMC_REP_COUPLE_CITY,
                                RMC_REP_COUPLE_REGION};
        for (int k = 0; k < 4; k++) {
            rmc_sha256_update(&s, &a->rep_sum[rows[k]], sizeof(uint64_t));
            rmc_sha256_update(&s, &a->rep_sumsq[rows[k]], sizeof(uint64_t));
        }
    }
    const uint64_t *blk = a->rep_sum + RMC_REP_BLOCK_APPLICANTS;
    if (blk[0] + blk[1] > 0) { /* totals without blocking counts keep their old digest */
        rmc_sha256_update(&s, blk, 2 * sizeof(uint64_t));
        rmc_sha256_update(&s, a->rep_sumsq + RMC_REP_BLOCK_APPLICANTS, 2 * sizeof(uint64_t));
    }
    if (a->soap_replicates > 0) { /* totals without SOAP keep their old digest */
        rmc_sha256_update(&s, &a->soap_replicates, sizeof a->soap_replicates);
        rmc_sha256_update(&s, a->soap_hist, dm->n_app * RMC_ACCUM_SOAP_COLS * sizeof(uint32_t));
        rmc_sha256_update(&s, a->soap_fill_hist,
                          dm->n_prog * (dm->max_positions + 1) * sizeof(uint32_t));
        rmc_sha256_update(&s, a->rep_sum + RMC_REP_SOAP, RMC_ACCUM_SOAP_TOTALS * sizeof(uint64_t));
        rmc_sha256_update(&s, a->rep_sumsq + RMC_REP_SOAP,
                          RMC_ACCUM_SOAP_TOTALS * sizeof(uint64_t));
    }
    rmc_sha256_final_hex(&s, hex);
}
