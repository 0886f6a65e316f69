/* Tests for accum.c: binning, row sums, fixed-point moves, merge-order
 * independence, the digest, dimension checks and allocation failure. Replicates are
 * filled by hand from a fixed-seed generator. */
#include "test_util.h"

#include <math.h>
#include <string.h>

#include "accum_int.h"
#include "internal.h"
#include "rankmc/accum.h"
#include "rankmc/rng.h"

enum { NA = 5, NP = 3, NI = 9, NF = 2 };

/* Interview k: applicant k / 2 (the last has 1), program k % 3. */
static const int32_t iv_prog[NI] = {0, 1, 2, 0, 1, 2, 0, 1, 2};

static rmc_accum_dims small_dims(size_t bins)
{
    rmc_accum_dims d = {0};
    d.n_app = NA;
    d.n_prog = NP;
    d.n_iv = NI;
    d.n_factors = NF;
    d.choice_len = 2;
    d.max_positions = 2;
    rmc_accum_dims_bin(&d, 3, bins);
    return d;
}

static void test_rmc_accum_dims_bin(void **state)
{
    (void)state;
    rmc_accum_dims d = {0};
    rmc_accum_dims_bin(&d, 200, 0);
    assert_int_equal(d.rank_bin_width, 1);
    assert_int_equal(d.rank_bins, 200);
    rmc_accum_dims_bin(&d, 200, 7);
    assert_int_equal(d.rank_bin_width, 29);
    assert_int_equal(d.rank_bins, 7);
    rmc_accum_dims_bin(&d, 10, 4); /* width 3: bins 0-2,3-5,6-8,9 */
    assert_int_equal(d.rank_bin_width, 3);
    assert_int_equal(d.rank_bins, 4);
    assert_int_equal(rmc_accum_rank_col(&d, 9), 3);
    assert_int_equal(rmc_accum_rank_col(&d, 5), 1);
    assert_int_equal(rmc_accum_rank_col(&d, -1), 4);
    rmc_accum_dims_bin(&d, 10, 6); /* width 2: only 5 bins */
    assert_int_equal(d.rank_bin_width, 2);
    assert_int_equal(d.rank_bins, 5);
    rmc_accum_dims_bin(&d, 0, 0);
    assert_int_equal(d.rank_bins, 1);
}

/* A random but valid replicate drawn from r: each program fills up to 2
 * seats among its ranked interviewees, each applicant at most once. */
typedef struct fake_rep {
    int32_t app_choice[NA], fill[NP], rank[NI];
    rmc_id app_iv[NA];
    float moves[NI * NF];
} fake_rep;

static void draw_rep(gsl_rng *g, fake_rep *f)
{
    int32_t next_rank[NP] = {0};
    for (size_t k = 0; k < NI; k++) {
        const bool ranked = gsl_rng_uniform(g) < 0.8;
        f->rank[k] = ranked ? next_rank[iv_prog[k]]++ : -1;
        for (size_t e = 0; e < NF; e++) {
            f->moves[k * NF + e] = (float)(gsl_rng_uniform(g) * 10.37 - 5.0);
        }
    }
    memset(f->fill, 0, sizeof f->fill);
    for (size_t i = 0; i < NA; i++) {
        f->app_iv[i] = -1;
        f->app_choice[i] = -1;
        const size_t k = 2 * i + (size_t)gsl_rng_uniform_int(g, i == NA - 1 ? 1 : 2);
        if (gsl_rng_uniform(g) < 0.6 && f->rank[k] >= 0 && f->fill[iv_prog[k]] < 2) {
            f->app_iv[i] = (rmc_id)k;
            f->app_choice[i] = (int32_t)(k - 2 * i);
            f->fill[iv_prog[k]]++;
        }
    }
}

static void add_rep(rmc_accum *a, const fake_rep *f)
{
    const rmc_accum_replicate rep = {f->app_choice, f->app_iv, f->fill, f->rank, f->moves, iv_prog};
    rmc_accum_add(a, &rep);
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    if (rmc_accum_rank_hist(a) != NULL) {
        uint16_t cols[NI];
        for (size_t k = 0; k < NI; k++) {
            cols[k] = (uint16_t)rmc_accum_rank_col(dm, f->rank[k]);
        }
        rmc_accum_add_ranks(a, cols, 1, NI, 0, NI);
    }
}

static uint64_t row_sum(const uint32_t *t, size_t row, size_t cols)
{
    uint64_t s = 0;
    for (size_t c = 0; c < cols; c++) {
        s += t[row * cols + c];
    }
    return s;
}

static void check_rows(const rmc_accum *a, uint64_t n)
{
    const rmc_accum_dims *d = rmc_accum_get_dims(a);
    assert_int_equal(rmc_accum_replicates(a), n);
    for (size_t k = 0; k < NI; k++) {
        assert_int_equal(row_sum(rmc_accum_rank_hist(a), k, d->rank_bins + 1), n);
        assert_true(rmc_accum_iv_matched(a)[k] <= n);
    }
    for (size_t i = 0; i < NA; i++) {
        assert_int_equal(row_sum(rmc_accum_choice_hist(a), i, d->choice_len + 1), n);
    }
    for (size_t j = 0; j < NP; j++) {
        assert_int_equal(row_sum(rmc_accum_fill_hist(a), j, d->max_positions + 1), n);
        assert_int_equal(row_sum(rmc_accum_depth_hist(a), j, d->rank_bins + 1), n);
    }
}

/* The same 60 replicates split over 3 partials, merged in two different
 * orders, equal one accumulator fed directly, bit for bit. */
static void test_rmc_accum_merge_order_independent(void **state)
{
    (void)state;
    const rmc_accum_dims dm = small_dims(0);
    rmc_accum *direct = NULL, *t1 = NULL, *t2 = NULL, *part[3] = {NULL, NULL, NULL};
    assert_int_equal(rmc_accum_alloc(&dm, true, &direct, NULL), RMC_OK);
    assert_int_equal(rmc_accum_alloc(&dm, true, &t1, NULL), RMC_OK);
    assert_int_equal(rmc_accum_alloc(&dm, true, &t2, NULL), RMC_OK);
    for (size_t p = 0; p < 3; p++) {
        assert_int_equal(rmc_accum_alloc(&dm, true, &part[p], NULL), RMC_OK);
    }
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 2385, 0, RMC_STREAM_TEST, 0);
    for (size_t n = 0; n < 60; n++) {
        fake_rep f;
        draw_rep(rmc_rng_gsl(r), &f);
        add_rep(direct, &f);
        add_rep(part[(n * 7) % 3], &f);
        if (n % 11 == 3) {
            rmc_accum_count_unconverged(direct, n);
            rmc_accum_count_unconverged(part[n % 3], n);
        }
    }
    for (size_t p = 0; p < 3; p++) {
        assert_int_equal(rmc_accum_merge(t1, part[p], NULL), RMC_OK);
        assert_int_equal(rmc_accum_merge(t2, part[2 - p], NULL), RMC_OK);
    }
    check_rows(direct, 60);
    const rmc_accum *both[2] = {t1, t2};
    for (size_t t = 0; t < 2; t++) {
        check_rows(both[t], 60);
        assert_int_equal(rmc_accum_unconverged(both[t]), rmc_accum_unconverged(direct));
        assert_int_equal(rmc_accum_first_unconverged(both[t]), 3);
        assert_memory_equal(rmc_accum_rank_hist(both[t]), rmc_accum_rank_hist(direct), NI * 4 * 4);
        assert_memory_equal(rmc_accum_choice_hist(both[t]), rmc_accum_choice_hist(direct),
                            NA * 3 * 4);
        assert_memory_equal(rmc_accum_fill_hist(both[t]), rmc_accum_fill_hist(direct), NP * 3 * 4);
        assert_memory_equal(rmc_accum_depth_hist(both[t]), rmc_accum_depth_hist(direct),
                            NP * 4 * 4);
        assert_memory_equal(rmc_accum_iv_matched(both[t]), rmc_accum_iv_matched(direct), NI * 4);
        assert_memory_equal(rmc_accum_move_sum(both[t]), rmc_accum_move_sum(direct), NI * NF * 8);
    }
    rmc_accum_clear(t1);
    assert_int_equal(rmc_accum_replicates(t1), 0);
    assert_int_equal(rmc_accum_first_unconverged(t1), -1);
    assert_int_equal(rmc_accum_rank_hist(t1)[0], 0);
    assert_int_equal(rmc_accum_move_sum(t1)[NI * NF - 1], 0);
    rmc_rng_free(r);
    for (size_t p = 0; p < 3; p++) {
        rmc_accum_free(part[p]);
    }
    rmc_accum_free(t2);
    rmc_accum_free(t1);
    rmc_accum_free(direct);
}

/* The batch column writers give rmc_accum_rank_col of every position, at
 * bin width 1 (the division-free path) and at widths 2, 3 and 7, for
 * unranked (-1) positions, 0 and every position up to the longest list. */
static void test_rmc_accum_rank_cols(void **state)
{
    (void)state;
    enum { N = 200 };
    int32_t pos[N];
    for (size_t k = 0; k < N; k++) {
        pos[k] = k % 5 == 0 ? -1 : (int32_t)(k * 37 % N); /* 0 .. N-1 scrambled */
    }
    const size_t bins_of[] = {0, N / 2, N / 3, N / 7};
    for (size_t t = 0; t < sizeof bins_of / sizeof *bins_of; t++) {
        rmc_accum_dims d = {0};
        rmc_accum_dims_bin(&d, N, bins_of[t]);
        uint8_t c8[N];
        uint16_t c16[N];
        rmc_accum_rank_cols_u8(&d, pos, N, c8);
        rmc_accum_rank_cols_u16(&d, pos, N, c16);
        for (size_t k = 0; k < N; k++) {
            const size_t want = rmc_accum_rank_col(&d, pos[k]);
            assert_int_equal(c8[k], want);
            assert_int_equal(c16[k], want);
        }
        assert_int_equal(c8[0], d.rank_bins); /* pos -1: the unranked column */
    }
    /* The multiply-shift path against the division: every position of
     * lists up to 5000 long at every width from 2 to 300 (bins from the
     * width), and the widest lists the path takes (max_list * width at
     * 2^32) and does not (just past: the division). */
    enum { LONG = 5000 };
    static int32_t all[LONG];
    static uint16_t cw[LONG];
    for (size_t k = 0; k < LONG; k++) {
        all[k] = (int32_t)k;
    }
    for (size_t len = 2; len <= LONG; len += 2499) {
        for (size_t want = 1; want <= len; want = want < 40 ? want + 1 : want * 3 / 2) {
            rmc_accum_dims dw = {0};
            rmc_accum_dims_bin(&dw, len, want);
            rmc_accum_rank_cols_u16(&dw, all, len, cw);
            for (size_t k = 0; k < len; k++) {
                assert_int_equal(cw[k], k / dw.rank_bin_width);
            }
        }
    }
    const size_t edge[][2] = {{65537, 65535}, {1u << 20, 1u << 12}, {(1u << 20) + 1, 1u << 12}};
    for (size_t e = 0; e < sizeof edge / sizeof *edge; e++) {
        rmc_accum_dims dw = {.max_list = edge[e][0], .rank_bin_width = edge[e][1]};
        dw.rank_bins = (dw.max_list + dw.rank_bin_width - 1) / dw.rank_bin_width;
        const int32_t top[6] = {(int32_t)dw.max_list - 1,
                                (int32_t)dw.max_list - 2,
                                (int32_t)dw.rank_bin_width,
                                (int32_t)dw.rank_bin_width - 1,
                                0,
                                -1};
        uint16_t ct[6];
        rmc_accum_rank_cols_u16(&dw, top, 6, ct);
        for (size_t k = 0; k < 6; k++) {
            assert_int_equal(ct[k], rmc_accum_rank_col(&dw, top[k]));
        }
    }
    /* 16-bit columns past a byte: 1000 bins of width 1. */
    rmc_accum_dims d = {0};
    rmc_accum_dims_bin(&d, 1000, 0);
    const int32_t wide[4] = {999, -1, 0, 256};
    uint16_t c16[4];
    rmc_accum_rank_cols_u16(&d, wide, 4, c16);
    assert_int_equal(c16[0], 999);
    assert_int_equal(c16[1], 1000);
    assert_int_equal(c16[2], 0);
    assert_int_equal(c16[3], 256);
}

/* Byte columns fold into the rank histogram exactly as 16-bit ones do:
 * a batch of 5 replicates in padded rows, folded in two interview ranges,
 * gives the histogram of the 16-bit fold (and each row sums to 5). */
static void test_rmc_accum_add_ranks_u8(void **state)
{
    (void)state;
    const rmc_accum_dims dm = small_dims(0);
    rmc_accum *a8 = NULL, *a16 = NULL;
    assert_int_equal(rmc_accum_alloc(&dm, true, &a8, NULL), RMC_OK);
    assert_int_equal(rmc_accum_alloc(&dm, true, &a16, NULL), RMC_OK);
    enum { NB = 5, STRIDE = NI + 3 };
    uint8_t c8[NB * STRIDE];
    uint16_t c16[NB * STRIDE];
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 77, 0, RMC_STREAM_TEST, 0);
    for (size_t b = 0; b < NB; b++) {
        fake_rep f;
        draw_rep(rmc_rng_gsl(r), &f);
        for (size_t k = 0; k < STRIDE; k++) {
            const size_t col = k < NI ? rmc_accum_rank_col(&dm, f.rank[k]) : 99; /* padding */
            c8[b * STRIDE + k] = (uint8_t)col;
            c16[b * STRIDE + k] = (uint16_t)col;
        }
    }
    rmc_accum_add_ranks_u8(a8, c8, NB, STRIDE, 0, 4);
    rmc_accum_add_ranks_u8(a8, c8, NB, STRIDE, 4, NI);
    rmc_accum_add_ranks(a16, c16, NB, STRIDE, 0, NI);
    const size_t cols = dm.rank_bins + 1;
    assert_memory_equal(rmc_accum_rank_hist(a8), rmc_accum_rank_hist(a16), NI * cols * 4);
    for (size_t k = 0; k < NI; k++) {
        assert_int_equal(row_sum(rmc_accum_rank_hist(a8), k, cols), NB);
    }
    rmc_rng_free(r);
    rmc_accum_free(a16);
    rmc_accum_free(a8);
}

/* The fold gives the same histogram whichever way it prefetches: a batch
 * of 40 replicates folded at once (more than two a row line: whole rows
 * prefetched) equals the same columns folded two replicates at a time and
 * one at a time (the cells prefetched), on the u8 and the u16 fold. */
static void test_rmc_accum_add_ranks_batch_lengths(void **state)
{
    (void)state;
    const rmc_accum_dims dm = small_dims(0);
    enum { NB = 40, STRIDE = NI + 5 };
    uint8_t c8[NB * STRIDE];
    uint16_t c16[NB * STRIDE];
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 78, 0, RMC_STREAM_TEST, 0);
    for (size_t b = 0; b < NB; b++) {
        fake_rep f;
        draw_rep(rmc_rng_gsl(r), &f);
        for (size_t k = 0; k < STRIDE; k++) {
            const size_t col = k < NI ? rmc_accum_rank_col(&dm, f.rank[k]) : 77; /* padding */
            c8[b * STRIDE + k] = (uint8_t)col;
            c16[b * STRIDE + k] = (uint16_t)col;
        }
    }
    const size_t cols = dm.rank_bins + 1;
    rmc_accum *a[6] = {NULL};
    for (int x = 0; x < 6; x++) {
        assert_int_equal(rmc_accum_alloc(&dm, true, &a[x], NULL), RMC_OK);
    }
    rmc_accum_add_ranks_u8(a[0], c8, NB, STRIDE, 0, NI);
    rmc_accum_add_ranks(a[1], c16, NB, STRIDE, 0, NI);
    for (size_t b = 0; b < NB; b += 2) {
        rmc_accum_add_ranks_u8(a[2], c8 + b * STRIDE, 2, STRIDE, 0, NI);
        rmc_accum_add_ranks(a[3], c16 + b * STRIDE, 2, STRIDE, 0, NI);
    }
    for (size_t b = 0; b < NB; b++) {
        rmc_accum_add_ranks_u8(a[4], c8 + b * STRIDE, 1, STRIDE, 0, NI);
        rmc_accum_add_ranks(a[5], c16 + b * STRIDE, 1, STRIDE, 0, NI);
    }
    for (int x = 1; x < 6; x++) {
        assert_memory_equal(rmc_accum_rank_hist(a[0]), rmc_accum_rank_hist(a[x]), NI * cols * 4);
    }
    for (size_t k = 0; k < NI; k++) {
        assert_int_equal(row_sum(rmc_accum_rank_hist(a[0]), k, cols), NB);
    }
    for (int x = 0; x < 6; x++) {
        rmc_accum_free(a[x]);
    }
    rmc_rng_free(r);
}

/* Moves summed in a thread's int32 sums and folded into a total equal the
 * int64 sums of rmc_accum_add, bit for bit, also when a sum leaves int32
 * (moves of up to 2e6 spots: 8.2e9 in fixed point, so sums spill into the
 * total) and when the fold is split over interview ranges. A partial made
 * by rmc_accum_alloc_partial merges into a total without adding moves. */
static void test_rmc_accum_moves_i32(void **state)
{
    (void)state;
    const rmc_accum_dims dm = small_dims(0);
    rmc_accum *direct = NULL, *total = NULL, *part = NULL;
    assert_int_equal(rmc_accum_alloc(&dm, false, &direct, NULL), RMC_OK);
    assert_int_equal(rmc_accum_alloc(&dm, true, &total, NULL), RMC_OK);
    assert_int_equal(rmc_accum_alloc_partial(&dm, &part, NULL), RMC_OK);
    assert_null(rmc_accum_move_sum(part));
    int32_t s1[NI * NF] = {0}, s2[NI * NF] = {0};
    int32_t *const sums[2] = {s1, s2};
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 911, 0, RMC_STREAM_TEST, 0);
    for (size_t n = 0; n < 40; n++) {
        fake_rep f;
        draw_rep(rmc_rng_gsl(r), &f);
        for (size_t e = 0; e < NI * NF; e++) {
            const double u = gsl_rng_uniform(rmc_rng_gsl(r));
            f.moves[e] = u < 0.3 ? (float)((u - 0.15) * 1.3e7) : f.moves[e]; /* large, both signs */
        }
        const rmc_accum_replicate rep = {f.app_choice, f.app_iv, f.fill, f.rank, f.moves, iv_prog};
        rmc_accum_add(direct, &rep);
        const rmc_accum_replicate none = {f.app_choice, f.app_iv, f.fill, f.rank, NULL, iv_prog};
        rmc_accum_add(part, &none);
        rmc_accum_add_moves_i32(total, sums[n % 2], f.moves);
        if (n % 7 == 6) {
            rmc_accum_fold_moves_i32(total, sums, 2, 0, 5);
            rmc_accum_fold_moves_i32(total, sums, 2, 5, NI);
        }
    }
    rmc_accum_fold_moves_i32(total, sums, 2, 0, NI);
    for (size_t e = 0; e < NI * NF; e++) {
        assert_int_equal(s1[e], 0);
        assert_int_equal(s2[e], 0);
    }
    assert_int_equal(rmc_accum_merge(total, part, NULL), RMC_OK);
    assert_int_equal(rmc_accum_replicates(total), 40);
    assert_memory_equal(rmc_accum_move_sum(total), rmc_accum_move_sum(direct), NI * NF * 8);
    bool spilled = false; /* the large moves did leave int32 */
    for (size_t e = 0; e < NI * NF; e++) {
        const int64_t v = rmc_accum_move_sum(direct)[e];
        spilled = spilled || v > INT32_MAX || v < INT32_MIN;
    }
    assert_true(spilled);
    assert_memory_equal(rmc_accum_choice_hist(total), rmc_accum_choice_hist(direct), NA * 3 * 4);
    rmc_rng_free(r);
    rmc_accum_free(part);
    rmc_accum_free(total);
    rmc_accum_free(direct);
}

/* A row of eight moves for rmc_accum_add_moves8_i32's test, drawn from g:
 * ordinary moves, moves whose fixed point leaves int32 (up to 1e7 spots),
 * the boundaries +-2^19 spots (+-2^31 in fixed point: INT32_MIN fits,
 * +2^31 does not) and their neighbours, ties of the rounding (k + 1/2
 * units) and -0. */
static void draw_moves8(gsl_rng *g, float *mv)
{
    static const float special[] = {0x1p19f,  -0x1p19f,       0x1.fffffep18f, -0x1.fffffep18f,
                                    0x1p-13f, -0x1p-13f,      0x3p-13f,       -0x3p-13f,
                                    -0.0f,    0x1.000002p19f, 2.385f,         -0.37f};
    const size_t n_special = sizeof special / sizeof special[0];
    for (size_t f = 0; f < 8; f++) {
        const double u = gsl_rng_uniform(g);
        mv[f] = u < 0.6    ? (float)(gsl_rng_uniform(g) * 41.3 - 20.0)
                : u < 0.75 ? (float)((gsl_rng_uniform(g) - 0.5) * 2e7)
                           : special[gsl_rng_uniform_int(g, n_special)];
    }
}

/* An int32 sum to start from: 0, ordinary, or within a few units of either
 * end of int32 (so that any move but the smallest leaves it). */
static int32_t draw_start(gsl_rng *g)
{
    const double u = gsl_rng_uniform(g);
    const int32_t near = (int32_t)gsl_rng_uniform_int(g, 9000);
    return u < 0.3   ? 0
           : u < 0.6 ? (int32_t)gsl_rng_uniform_int(g, 2000000) - 1000000
           : u < 0.8 ? INT32_MAX - near
                     : INT32_MIN + near;
}

/* The engine's per-name add (rmc_accum_add_moves8_i32, its SSE2 path and
 * its fallback) gives the same int32 sums and the same spills into the
 * int64 sums as rmc_accum_add_moves_i32, the definition, element for
 * element: moves that leave int32, sums at either end of int32, the
 * rounding's ties and the boundaries of the conversion. */
static void test_rmc_accum_add_moves8_i32(void **state)
{
    (void)state;
    enum { ROWS = 64, F = 8 };
    rmc_accum_dims dm = small_dims(0);
    dm.n_iv = ROWS;
    dm.n_factors = F;
    rmc_accum *total = NULL;
    assert_int_equal(rmc_accum_alloc(&dm, false, &total, NULL), RMC_OK);
    int32_t *want = calloc(ROWS * F, sizeof *want), *got = calloc(ROWS * F, sizeof *got);
    int64_t *spill = calloc(ROWS * F, sizeof *spill);
    float *mv = calloc(ROWS * F, sizeof *mv);
    assert_non_null(want);
    assert_non_null(got);
    assert_non_null(spill);
    assert_non_null(mv);
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 2385, 0, RMC_STREAM_TEST, 0);
    gsl_rng *g = rmc_rng_gsl(r);
    size_t n_spills = 0, n_fast = 0;
    for (size_t round = 0; round < 200; round++) {
        for (size_t e = 0; e < ROWS * F; e++) {
            if (round % 16 == 0) { /* restart from near the ends of int32 now and then */
                want[e] = got[e] = draw_start(g);
            }
        }
        for (size_t k = 0; k < ROWS; k++) {
            draw_moves8(g, mv + k * F);
        }
        rmc_accum_add_moves_i32(total, want, mv);
        for (size_t k = 0; k < ROWS; k++) {
            bool ordinary = true; /* surely the four-at-a-time path */
            for (size_t f = 0; f < F; f++) {
                ordinary = ordinary && fabsf(mv[k * F + f]) < 100 && got[k * F + f] < (1 << 30) &&
                           got[k * F + f] > -(1 << 30);
            }
            n_fast += ordinary;
            double wide[F]; /* the floats' values, as the meetings hand them over */
            for (size_t f = 0; f < F; f++) {
                wide[f] = (double)mv[k * F + f];
            }
            rmc_accum_add_moves8_i32(got + k * F, spill + k * F, wide);
        }
        assert_memory_equal(got, want, ROWS * F * sizeof *got);
        assert_memory_equal(spill, rmc_accum_move_sum(total), ROWS * F * sizeof *spill);
    }
    for (size_t e = 0; e < ROWS * F; e++) {
        n_spills += spill[e] != 0;
    }
    assert_true(n_spills > ROWS); /* the fallback ran ... */
    assert_true(n_fast > 100);    /* ... and so did the four-at-a-time path */
    rmc_rng_free(r);
    free(mv);
    free(spill);
    free(got);
    free(want);
    rmc_accum_free(total);
}

/* Sums kept in another order (row e: interview order[e]) and folded by
 * rmc_accum_fold_moves_i32_by, over split row ranges, give the total
 * rmc_accum_fold_moves_i32 gives for the same sums in interview order, and
 * are zeroed. */
static void test_rmc_accum_fold_moves_i32_by(void **state)
{
    (void)state;
    const rmc_accum_dims dm = small_dims(0);
    rmc_accum *plain = NULL, *by = NULL;
    assert_int_equal(rmc_accum_alloc(&dm, false, &plain, NULL), RMC_OK);
    assert_int_equal(rmc_accum_alloc(&dm, false, &by, NULL), RMC_OK);
    const rmc_id order[NI] = {4, 0, 8, 3, 7, 1, 6, 2, 5};
    int32_t a1[NI * NF], a2[NI * NF], b1[NI * NF], b2[NI * NF];
    int32_t *const plain_sums[2] = {a1, a2}, *const by_sums[2] = {b1, b2};
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 37, 0, RMC_STREAM_TEST, 0);
    for (size_t round = 0; round < 3; round++) {
        for (size_t e = 0; e < NI; e++) {
            const size_t k = (size_t)order[e];
            for (size_t f = 0; f < NF; f++) {
                a1[k * NF + f] = b1[e * NF + f] = draw_start(rmc_rng_gsl(r));
                a2[k * NF + f] = b2[e * NF + f] = draw_start(rmc_rng_gsl(r));
            }
        }
        rmc_accum_fold_moves_i32(plain, plain_sums, 2, 0, NI);
        rmc_accum_fold_moves_i32_by(by, by_sums, 2, order, 0, 4);
        rmc_accum_fold_moves_i32_by(by, by_sums, 2, order, 4, NI);
        for (size_t e = 0; e < NI * NF; e++) {
            assert_int_equal(b1[e], 0);
            assert_int_equal(b2[e], 0);
        }
        assert_memory_equal(rmc_accum_move_sum(by), rmc_accum_move_sum(plain), NI * NF * 8);
    }
    rmc_rng_free(r);
    rmc_accum_free(by);
    rmc_accum_free(plain);
}

/* Known answers for one hand-made replicate, binned two positions per bin. */
static void test_rmc_accum_add_known_replicate(void **state)
{
    (void)state;
    const rmc_accum_dims dm = small_dims(2); /* max_list 3 -> width 2, bins 2 */
    assert_int_equal(dm.rank_bins, 2);
    rmc_accum *a = NULL;
    assert_int_equal(rmc_accum_alloc(&dm, true, &a, NULL), RMC_OK);
    fake_rep f = {.rank = {0, 0, -1, 1, 2, 0, 2, 1, 1}};
    for (size_t i = 0; i < NA; i++) {
        f.app_iv[i] = -1;
        f.app_choice[i] = -1;
    }
    f.app_iv[0] = 1; /* applicant 0 -> program 1 at position 0, 2nd choice */
    f.app_choice[0] = 1;
    f.app_iv[2] = 4; /* applicant 2 -> program 1 at position 2, 1st choice */
    f.app_choice[2] = 0;
    f.fill[1] = 2;
    f.moves[3 * NF + 1] = 2.385f;
    f.moves[5 * NF + 0] = -0.37f;
    add_rep(a, &f);
    add_rep(a, &f);
    check_rows(a, 2);
    const uint32_t *ch = rmc_accum_choice_hist(a);
    assert_int_equal(ch[0 * 3 + 1], 2);
    assert_int_equal(ch[2 * 3 + 0], 2);
    assert_int_equal(ch[1 * 3 + 2], 2);
    const uint32_t *dh = rmc_accum_depth_hist(a);
    assert_int_equal(dh[0 * 3 + 2], 2); /* program 0: nobody */
    assert_int_equal(dh[1 * 3 + 1], 2); /* program 1: position 2 -> bin 1 */
    const uint32_t *rh = rmc_accum_rank_hist(a);
    assert_int_equal(rh[2 * 3 + 2], 2); /* not ranked */
    assert_int_equal(rh[4 * 3 + 1], 2); /* position 2 -> bin 1 */
    assert_int_equal(rh[3 * 3 + 0], 2); /* position 1 -> bin 0 */
    assert_int_equal(rmc_accum_fill_hist(a)[1 * 3 + 2], 2);
    assert_int_equal(rmc_accum_iv_matched(a)[4], 2);
    assert_int_equal(rmc_accum_move_sum(a)[3 * NF + 1], 2 * llrint((double)2.385f * 4096.0));
    assert_close(rmc_accum_mean_move(a, 3, 1), 2.385, 0, 0.5 / 4096.0);
    assert_close(rmc_accum_mean_move(a, 5, 0), -0.37, 0, 0.5 / 4096.0);
    rmc_accum_free(a);
}

/* rmc_accum_sha256 digests exactly the documented bytes: an empty
 * accumulator with a rank histogram is 492 zero bytes here (3 uint64 counts,
 * then the tables), whose SHA-256 is computed independently (Python's
 * hashlib); equal totals give equal digests and one more replicate another. */
static void test_rmc_accum_sha256(void **state)
{
    (void)state;
    const rmc_accum_dims dm = small_dims(0);
    rmc_accum *a = NULL, *b = NULL;
    assert_int_equal(rmc_accum_alloc(&dm, true, &a, NULL), RMC_OK);
    assert_int_equal(rmc_accum_alloc(&dm, true, &b, NULL), RMC_OK);
    char ha[65], hb[65];
    rmc_accum_sha256(a, ha);
    assert_string_equal(ha, "aaf4a48db8af6b0cb05bff1b3b4847cb6235f0de26ccc6c56aa184032dba0063");
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 2385, 0, RMC_STREAM_TEST, 1);
    fake_rep f;
    draw_rep(rmc_rng_gsl(r), &f);
    add_rep(a, &f);
    add_rep(b, &f);
    rmc_accum_sha256(a, ha);
    rmc_accum_sha256(b, hb);
    assert_string_equal(ha, hb);
    add_rep(b, &f);
    rmc_accum_sha256(b, hb);
    assert_string_not_equal(ha, hb);
    rmc_rng_free(r);
    rmc_accum_free(b);
    rmc_accum_free(a);
}

static void test_rmc_accum_merge_dims_mismatch(void **state)
{
    (void)state;
    const rmc_accum_dims d1 = small_dims(0), d2 = small_dims(2);
    rmc_accum *a = NULL, *b = NULL;
    assert_int_equal(rmc_accum_alloc(&d1, false, &a, NULL), RMC_OK);
    assert_int_equal(rmc_accum_alloc(&d2, false, &b, NULL), RMC_OK);
    assert_null(rmc_accum_rank_hist(a));
    rmc_diag d = {0};
    assert_int_equal(rmc_accum_merge(a, b, &d), RMC_EUSAGE);
    assert_int_equal(d.status, RMC_EUSAGE);
    rmc_accum_free(b);
    rmc_accum_free(a);
    rmc_accum_dims bad = small_dims(0);
    bad.rank_bin_width = 0;
    rmc_accum *c = (rmc_accum *)1;
    assert_int_equal(rmc_accum_alloc(&bad, true, &c, NULL), RMC_EUSAGE);
    assert_null(c);
    assert_true(rmc_accum_bytes(&d1, true) > rmc_accum_bytes(&d1, false));
    bad = small_dims(0);
    bad.n_iv = SIZE_MAX / 2;
    assert_int_equal(rmc_accum_bytes(&bad, true), SIZE_MAX);
}

/* Fail each allocation in turn: clean RMC_ENOMEM, nothing leaked (ASan). */
static void test_rmc_accum_alloc_failure_sweep(void **state)
{
    (void)state;
    const rmc_accum_dims dm = small_dims(0);
    for (size_t k = 1;; k++) {
        rmc_mem_fail_at(k);
        rmc_accum *a = NULL;
        const rmc_status st = rmc_accum_alloc(&dm, true, &a, NULL);
        rmc_mem_fail_at(0);
        if (st == RMC_OK) {
            assert_true(k > 7);
            rmc_accum_free(a);
            break;
        }
        assert_int_equal(st, RMC_ENOMEM);
        assert_null(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_accum_dims_bin),
        cmocka_unit_test(test_rmc_accum_merge_order_independent),
        cmocka_unit_test(test_rmc_accum_add_known_replicate),
        cmocka_unit_test(test_rmc_accum_rank_cols),
        cmocka_unit_test(test_rmc_accum_add_ranks_u8),
        cmocka_unit_test(test_rmc_accum_add_ranks_batch_lengths),
        cmocka_unit_test(test_rmc_accum_moves_i32),
        cmocka_unit_test(test_rmc_accum_add_moves8_i32),
        cmocka_unit_test(test_rmc_accum_fold_moves_i32_by),
        cmocka_unit_test(test_rmc_accum_sha256),
        cmocka_unit_test(test_rmc_accum_merge_dims_mismatch),
        cmocka_unit_test(test_rmc_accum_alloc_failure_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
