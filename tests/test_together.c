/* Programs that rank a couple's partners together (model.ini
 * couples.rank_together; src/together.c): the moves on hand-made lists,
 * the invariants over many replicates' meetings of a market with couples,
 * and the engine (src/sim.c) on tests/data/sim_joint: its lists are the
 * meetings' lists with the move, off changes nothing, 1 and 2 threads
 * agree. */
#define _DEFAULT_SOURCE
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "model_fixture.h"
#include "rankmc/meeting.h"
#include "rankmc/rankmc.h"
#include "together_int.h"

/* Couples (2c, 2c + 1) for c < n_couples: the couple arrays the move reads. */
static void add_couples(rmc_model *m, size_t n_couples)
{
    m->n_couples = n_couples;
    FX_NEW(m->couple_a, n_couples);
    FX_NEW(m->couple_b, n_couples);
    FX_NEW(m->couple_of, m->n_app);
    for (size_t i = 0; i < m->n_app; i++) {
        m->couple_of[i] = i < 2 * n_couples ? (rmc_id)(i / 2) : RMC_ID_NONE;
    }
    for (size_t c = 0; c < n_couples; c++) {
        m->couple_a[c] = (rmc_id)(2 * c);
        m->couple_b[c] = (rmc_id)(2 * c + 1);
    }
    assert_int_equal(rmc_together_plan(m, NULL), RMC_OK); /* as the loader does */
}

static void free_model(rmc_model *m)
{
    free(m->couple_a);
    free(m->couple_b);
    free(m->couple_of);
    rmc_free(m->tog_off);
    rmc_free(m->tog_iv);
    fx_free(m);
}

/* ---- hand-made lists ---- */

/* Program P0 interviewed applicants 0..9 (interview k = applicant k), P1
 * applicants 2 and 4 (interviews 10, 11). Couples: (0,1), (2,3), (4,5),
 * (6,7); 8 and 9 single. */
static rmc_model *hand_model(void)
{
    rmc_model *m = fx_alloc(10, 2, 12);
    for (size_t k = 0; k < 10; k++) {
        m->iv_app[k] = (rmc_id)k;
        m->iv_prog[k] = 0;
    }
    m->iv_app[10] = 2;
    m->iv_prog[10] = 1;
    m->iv_app[11] = 4;
    m->iv_prog[11] = 1;
    fx_index(m);
    add_couples(m, 4);
    m->params.couples_rank_together = 1;
    return m;
}

/* P0's list given by position: order[x] is the applicant at place x (-1
 * ends it; the rest unranked); P1's ranks 10 -> r10, 11 -> r11. */
static void set_list(int32_t *rank, const int *order, int32_t r10, int32_t r11)
{
    for (size_t k = 0; k < 10; k++) {
        rank[k] = RMC_RANK_NONE;
    }
    for (int32_t x = 0; order[x] >= 0; x++) {
        rank[order[x]] = x;
    }
    rank[10] = r10;
    rank[11] = r11;
}

static void expect_order(const int32_t *rank, const int *want)
{
    int32_t x = 0;
    for (; want[x] >= 0; x++) {
        if (rank[want[x]] != x) {
            fail_msg("place %d: applicant %d has rank %d", (int)x, want[x], (int)rank[want[x]]);
        }
    }
    int32_t ranked = 0;
    for (size_t k = 0; k < 10; k++) {
        ranked += rank[k] != RMC_RANK_NONE;
    }
    assert_int_equal(ranked, x);
}

static void test_moves_on_hand_made_lists(void **state)
{
    (void)state;
    rmc_model *m = hand_model();
    int32_t rank[12];
    /* (0,1): 1 at place 1, 0 far below at place 7 -> right after 1; the
     * five names between move down one. (2,3): adjacent already, 3 above
     * 2: no move. (4,5) and (6,7): one partner unranked: no move. */
    set_list(rank, (const int[]){8, 1, 3, 2, 9, 4, 6, 0, -1}, 0, 1);
    assert_int_equal(rmc_together_program(m, &m->params, 0, rank), 1);
    expect_order(rank, (const int[]){8, 1, 0, 3, 2, 9, 4, 6, -1});
    /* P1's ranks stay (only program 0's entries are touched) */
    assert_int_equal(rank[10], 0);
    assert_int_equal(rank[11], 1);
    /* applied again: nothing left to move */
    assert_int_equal(rmc_together_program(m, &m->params, 0, rank), 0);
    expect_order(rank, (const int[]){8, 1, 0, 3, 2, 9, 4, 6, -1});

    /* two couples interleaved: 0 2 8 1 9 3 -> 0 1 2 3 8 9 (each weaker
     * partner right after its stronger, the others in their order) */
    set_list(rank, (const int[]){0, 2, 8, 1, 9, 3, -1}, 0, 1);
    assert_int_equal(rmc_together_program(m, &m->params, 0, rank), 2);
    expect_order(rank, (const int[]){0, 1, 2, 3, 8, 9, -1});
    /* all ten ranked, every couple apart: four moves */
    set_list(rank, (const int[]){5, 8, 9, 6, 3, 1, 4, 0, 2, 7, -1}, 0, 1);
    assert_int_equal(rmc_together_program(m, &m->params, 0, rank), 4);
    expect_order(rank, (const int[]){5, 4, 8, 9, 6, 7, 3, 2, 1, 0, -1});

    /* the partner interviewed at another program only: P1 ranks 2 and 4;
     * their partners 3 and 5 are not at P1, so nothing moves there */
    set_list(rank, (const int[]){3, 5, 8, 2, 4, -1}, 1, 0);
    assert_int_equal(rmc_together_program(m, &m->params, 1, rank), 0);
    assert_int_equal(rank[10], 1);
    assert_int_equal(rank[11], 0);
    /* and at P0 the partners 2 (3rd) and 4 (4th) come up */
    assert_int_equal(rmc_together_program(m, &m->params, 0, rank), 2);
    expect_order(rank, (const int[]){3, 2, 5, 4, 8, -1});

    /* off, or a fixed program ROL: the list stays */
    const int list[] = {8, 1, 3, 2, 9, 4, 6, 0, -1};
    set_list(rank, list, 0, 1);
    m->params.couples_rank_together = 0;
    assert_int_equal(rmc_together_program(m, &m->params, 0, rank), 0);
    expect_order(rank, list);
    m->params.couples_rank_together = 1;
    m->has_prog_rol[0] = true;
    assert_int_equal(rmc_together_program(m, &m->params, 0, rank), 0);
    expect_order(rank, list);
    free_model(m);
}

/* ---- many replicates of a market with couples ---- */

/* Every program's meeting, then the move, in many replicates of a market
 * of 240 applicants (80 couples) at 24 programs, 7 interviews each: at
 * every program ranking both partners of a couple they are adjacent; the
 * stronger partner keeps its place relative to everyone but weaker
 * partners; the names that did not move keep their relative order; the
 * list holds the same names (positions 0 .. n-1); unranked names stay
 * unranked. Some moves are seen, and some couples were adjacent already. */
static void test_invariants_over_replicates(void **state)
{
    (void)state;
    rmc_model *m = fx_market(240, 24, 7, 11);
    add_couples(m, 80);
    m->params.couples_rank_together = 1;
    rmc_meeting_ws *ws = NULL;
    rmc_rng *r = NULL;
    assert_int_equal(rmc_meeting_ws_alloc(m, &ws, NULL), RMC_OK);
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    double *day = fx_calloc(m->n_app, sizeof *day);
    int32_t *before = fx_calloc(m->n_iv, sizeof *before);
    int32_t *after = fx_calloc(m->n_iv, sizeof *after);
    float *moves = fx_calloc(m->n_iv * RMC_N_FACTORS, sizeof *moves);
    rmc_id *at = fx_calloc(m->n_iv, sizeof *at); /* the interview at each place */
    bool *weaker = fx_calloc(m->n_iv, sizeof *weaker);
    size_t n_moved = 0, n_adjacent = 0, n_pairs = 0;
    const uint64_t reps = rmc_test_quick() ? 20 : 200;
    for (uint64_t rep = 0; rep < reps; rep++) {
        rmc_meeting_draw_applicants(m, &m->params, r, 5, rep, day);
        for (size_t j = 0; j < m->n_prog; j++) {
            rmc_meeting_run(m, &m->params, j, day, r, 5, rep, ws, before, moves);
        }
        memcpy(after, before, m->n_iv * sizeof *after);
        for (size_t j = 0; j < m->n_prog; j++) {
            n_moved += rmc_together_program(m, &m->params, j, after);
        }
        for (size_t j = 0; j < m->n_prog; j++) {
            const size_t lo = m->prog_off[j], hi = m->prog_off[j + 1];
            size_t n_ranked = 0;
            for (size_t e = lo; e < hi; e++) {
                const rmc_id k = m->iv_by_prog[e];
                assert_int_equal(before[k] < 0, after[k] < 0);
                n_ranked += after[k] >= 0;
                weaker[k] = false;
            }
            for (size_t e = lo; e < hi; e++) {
                at[e - lo] = RMC_ID_NONE;
            }
            for (size_t e = lo; e < hi; e++) {
                const rmc_id k = m->iv_by_prog[e];
                if (after[k] >= 0) {
                    assert_true((size_t)after[k] < n_ranked);
                    assert_int_equal(at[after[k]], RMC_ID_NONE);
                    at[after[k]] = k;
                }
            }
            /* couples at j: adjacent, the same one stronger as before */
            for (size_t e = lo; e < hi; e++) {
                const rmc_id k = m->iv_by_prog[e], i = m->iv_app[k];
                if (after[k] < 0 || i % 2 != 0 || (size_t)i >= 160) {
                    continue;
                }
                for (size_t f = lo; f < hi; f++) {
                    const rmc_id q = m->iv_by_prog[f];
                    if (m->iv_app[q] != i + 1 || after[q] < 0) {
                        continue;
                    }
                    n_pairs++;
                    const bool a_first = before[k] < before[q];
                    assert_int_equal(after[k] < after[q], a_first);
                    const rmc_id s = a_first ? k : q, w = a_first ? q : k;
                    assert_int_equal(after[w], after[s] + 1);
                    n_adjacent += before[w] == before[s] + 1;
                    weaker[w] = true;
                }
            }
            /* the names that stayed (all but weaker partners) keep their order */
            for (size_t x = 0; x < n_ranked; x++) {
                for (size_t y = x + 1; y < n_ranked; y++) {
                    const rmc_id kx = at[x], ky = at[y];
                    if (!weaker[kx] && !weaker[ky]) {
                        assert_true(before[kx] < before[ky]);
                    }
                }
            }
        }
    }
    /* each couple at a program with both ranked moved unless adjacent (or
     * made adjacent by another couple's move: then it needs none) */
    assert_true(n_moved + n_adjacent <= n_pairs && n_moved + n_adjacent + n_pairs / 50 > n_pairs);
    assert_true(n_moved > 50 && n_adjacent > 0);
    free(weaker);
    free(at);
    free(moves);
    free(after);
    free(before);
    free(day);
    rmc_rng_free(r);
    rmc_meeting_ws_free(ws);
    free_model(m);
}

/* ---- the engine ---- */

static rmc_accum *run(const rmc_model *m, const rmc_params *p, uint64_t seed, uint64_t n,
                      int threads)
{
    return rmc_test_run(m, p, seed, n, threads, NULL);
}

/* The list positions of a one-replicate run (its rank histogram, one
 * position a bin) into rank[], RMC_RANK_NONE for unranked. */
static void positions_of(const rmc_accum *a, size_t n_iv, int32_t *rank)
{
    const rmc_accum_dims *d = rmc_accum_get_dims(a);
    assert_int_equal(d->rank_bin_width, 1);
    const uint32_t *h = rmc_accum_rank_hist(a);
    for (size_t k = 0; k < n_iv; k++) {
        rank[k] = -2;
        for (size_t b = 0; b <= d->rank_bins; b++) {
            if (h[k * (d->rank_bins + 1) + b] == 1) {
                assert_int_equal(rank[k], -2);
                rank[k] = b == d->rank_bins ? RMC_RANK_NONE : (int32_t)b;
            }
        }
        assert_true(rank[k] != -2);
    }
}

/* A one-replicate run's lists are its meetings' lists, with the move when
 * on and without it when off (the rank histogram records the final
 * positions, the ones the Match sees); the move changed some lists. */
static void test_engine_lists_are_moved_meeting_lists(void **state)
{
    (void)state;
    rmc_model *m = rmc_test_load_model(RMC_TEST_DATA "/sim_joint");
    rmc_params on = *rmc_model_params(m), off = on;
    assert_int_equal(off.couples_rank_together, 0); /* the engine's default */
    on.couples_rank_together = 1;
    rmc_meeting_ws *ws = NULL;
    rmc_rng *r = NULL;
    assert_int_equal(rmc_meeting_ws_alloc(m, &ws, NULL), RMC_OK);
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    double *day = fx_calloc(m->n_app, sizeof *day);
    int32_t *want = fx_calloc(m->n_iv, sizeof *want), *got = fx_calloc(m->n_iv, sizeof *got);
    float *moves = fx_calloc(m->n_iv * RMC_N_FACTORS, sizeof *moves);
    size_t seeds_moved = 0;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        rmc_meeting_draw_applicants(m, &off, r, seed, 0, day);
        for (size_t j = 0; j < m->n_prog; j++) {
            rmc_meeting_run(m, &off, j, day, r, seed, 0, ws, want, moves);
        }
        rmc_accum *a = run(m, &off, seed, 1, 1);
        positions_of(a, m->n_iv, got);
        assert_memory_equal(got, want, m->n_iv * sizeof *got);
        rmc_accum_free(a);
        size_t moved = 0;
        for (size_t j = 0; j < m->n_prog; j++) {
            moved += rmc_together_program(m, &on, j, want);
        }
        seeds_moved += moved > 0;
        a = run(m, &on, seed, 1, 1);
        positions_of(a, m->n_iv, got);
        assert_memory_equal(got, want, m->n_iv * sizeof *got);
        rmc_accum_free(a);
    }
    assert_true(seeds_moved > 0);
    free(moves);
    free(got);
    free(want);
    free(day);
    rmc_rng_free(r);
    rmc_meeting_ws_free(ws);
    rmc_model_free(m);
}

/* On: 1 and 2 threads give the same tables (the move draws nothing), and
 * so does a run resumed from two batches' totals; on and off give
 * different ones. */
static void test_engine_thread_invariant(void **state)
{
    (void)state;
    rmc_model *m = rmc_test_load_model(RMC_TEST_DATA "/sim_joint");
    rmc_params on = *rmc_model_params(m);
    on.couples_rank_together = 1;
    const uint64_t n = 3 * RMC_SIM_BATCH;
    rmc_accum *a1 = run(m, &on, 7, n, 1), *a2 = run(m, &on, 7, n, 2);
    rmc_accum *off = run(m, rmc_model_params(m), 7, n, 2);
    char h1[65], h2[65], h0[65];
    rmc_accum_sha256(a1, h1);
    rmc_accum_sha256(a2, h2);
    rmc_accum_sha256(off, h0);
    assert_string_equal(h1, h2);
    assert_string_not_equal(h1, h0);
    rmc_accum *part = run(m, &on, 7, 2 * RMC_SIM_BATCH, 2);
    rmc_accum *resumed = rmc_test_run(m, &on, 7, n, 1, part);
    char hr[65];
    rmc_accum_sha256(resumed, hr);
    assert_string_equal(h1, hr);
    rmc_accum_free(resumed);
    rmc_accum_free(part);
    const rmc_accum_dims *d = rmc_accum_get_dims(a1);
    assert_memory_equal(rmc_accum_couple_counts(a1), rmc_accum_couple_counts(a2),
                        d->n_couples * RMC_COUPLE_N_OUTCOMES * 4);
    assert_int_equal(rmc_accum_unconverged(a1), rmc_accum_unconverged(a2));
    rmc_accum_free(off);
    rmc_accum_free(a2);
    rmc_accum_free(a1);
    rmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moves_on_hand_made_lists),
        cmocka_unit_test(test_invariants_over_replicates),
        cmocka_unit_test(test_engine_lists_are_moved_meeting_lists),
        cmocka_unit_test(test_engine_thread_invariant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
