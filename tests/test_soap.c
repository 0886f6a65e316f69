/* Tests for SOAP (src/soap.c): the offer rounds on hand-made lists (who is
 * offered what in which round, binding acceptance, no repeated offer),
 * brute force against a plain restatement of the rules on many tiny random
 * lists with their invariants, and one replicate on small models: closed
 * forms for the eligibility share, the application law and the declines,
 * the program's list (names it ranked first, names it refused left off),
 * visa sponsorship, tracks, and that SOAP never moves a Main-Match
 * placement. */
#include "test_util.h"

#include <string.h>

#include "model_fixture.h"
#include "rankmc/match.h"
#include "rankmc/soap.h"

/* ---- the rounds on given lists ---- */

typedef struct lists {
    size_t n_app, n_prog;
    size_t app_off[17], prog_off[9];
    rmc_id app_prog[64], prog_app[64];
    int32_t places[8];
    uint64_t declines[16];
} lists;

static rmc_soap_lists view(const lists *x, int32_t rounds)
{
    return (rmc_soap_lists){x->n_app,    x->n_prog,   rounds,    x->app_off,  x->app_prog,
                            x->prog_off, x->prog_app, x->places, x->declines, NULL};
}

static void test_soap_rounds_one_program(void **state)
{
    (void)state;
    /* One program, 2 places, list 3 1 4 0 2; applicant 1 declines round 1. */
    lists x = {.n_app = 5, .n_prog = 1};
    for (size_t a = 0; a <= 5; a++) {
        x.app_off[a] = a;
    }
    memset(x.app_prog, 0, sizeof x.app_prog);
    const rmc_id order[5] = {3, 1, 4, 0, 2};
    memcpy(x.prog_app, order, sizeof order);
    x.prog_off[0] = 0;
    x.prog_off[1] = 5;
    x.places[0] = 2;
    x.declines[1] = 1;
    rmc_soap_rounds_ws *w = NULL;
    assert_int_equal(rmc_soap_rounds_ws_alloc(5, 1, &w, NULL), RMC_OK);
    rmc_id placed[5];
    int32_t round_of[5];
    rmc_soap_offer log[16];
    size_t n_log = 0;
    const rmc_soap_lists L = view(&x, 4);
    assert_int_equal(rmc_soap_rounds(&L, w, placed, round_of, log, 16, &n_log), 2);
    /* round 1: 3 accepts, 1 declines; round 2: one place left, offered to 4 */
    assert_int_equal(n_log, 3);
    const rmc_soap_offer want[3] = {{1, 0, 3, 1}, {1, 0, 1, 0}, {2, 0, 4, 1}};
    for (size_t e = 0; e < 3; e++) {
        assert_int_equal(log[e].round, want[e].round);
        assert_int_equal(log[e].program, want[e].program);
        assert_int_equal(log[e].applicant, want[e].applicant);
        assert_int_equal(log[e].accepted, want[e].accepted);
    }
    const rmc_id want_placed[5] = {RMC_ID_NONE, RMC_ID_NONE, RMC_ID_NONE, 0, 0};
    const int32_t want_round[5] = {0, 0, 0, 1, 2};
    for (size_t a = 0; a < 5; a++) {
        assert_int_equal(placed[a], want_placed[a]);
        assert_int_equal(round_of[a], want_round[a]);
    }
    /* One round only: just the first round's offers. */
    const rmc_soap_lists L1 = view(&x, 1);
    assert_int_equal(rmc_soap_rounds(&L1, w, placed, round_of, log, 16, &n_log), 1);
    assert_int_equal(n_log, 2);
    rmc_soap_rounds_ws_free(w);
}

static void test_soap_rounds_best_offer_binding(void **state)
{
    (void)state;
    /* Programs 0 and 1 (one place each) both want applicant 0 first, then 1.
     * Applicant 0 prefers program 1. Round 1: both offer to 0, who takes 1
     * (binding); program 0's offer lapses and is not repeated; round 2:
     * program 0 offers to applicant 1. */
    lists x = {.n_app = 2, .n_prog = 2};
    x.app_off[0] = 0;
    x.app_off[1] = 2;
    x.app_off[2] = 4;
    const rmc_id ap[4] = {1, 0, 0, 1};
    memcpy(x.app_prog, ap, sizeof ap);
    const rmc_id pa[4] = {0, 1, 0, 1};
    memcpy(x.prog_app, pa, sizeof pa);
    x.prog_off[0] = 0;
    x.prog_off[1] = 2;
    x.prog_off[2] = 4;
    x.places[0] = x.places[1] = 1;
    rmc_soap_rounds_ws *w = NULL;
    assert_int_equal(rmc_soap_rounds_ws_alloc(2, 2, &w, NULL), RMC_OK);
    rmc_id placed[2];
    int32_t round_of[2];
    rmc_soap_offer log[8];
    size_t n_log = 0;
    const rmc_soap_lists L = view(&x, 4);
    assert_int_equal(rmc_soap_rounds(&L, w, placed, round_of, log, 8, &n_log), 2);
    assert_int_equal(placed[0], 1);
    assert_int_equal(round_of[0], 1);
    assert_int_equal(placed[1], 0);
    assert_int_equal(round_of[1], 2);
    assert_int_equal(n_log, 3);
    assert_int_equal(log[0].program, 0);
    assert_int_equal(log[0].accepted, 0);
    assert_int_equal(log[1].program, 1);
    assert_int_equal(log[1].accepted, 1);
    assert_int_equal(log[2].round, 2);
    assert_int_equal(log[2].applicant, 1);
    rmc_soap_rounds_ws_free(w);
}

/* The rules restated plainly: offered[j][a] marks every offer ever made. */
static size_t reference_rounds(const lists *x, int32_t rounds, rmc_id *placed, rmc_soap_offer *log,
                               size_t *n_log)
{
    bool offered[8][16] = {{false}};
    int32_t left[8];
    size_t n = 0, total = 0;
    for (size_t j = 0; j < x->n_prog; j++) {
        left[j] = x->places[j];
    }
    for (size_t a = 0; a < x->n_app; a++) {
        placed[a] = RMC_ID_NONE;
    }
    for (int32_t t = 1; t <= rounds; t++) {
        rmc_id got[16][8];
        size_t n_got[16] = {0};
        const size_t first = n;
        for (size_t j = 0; j < x->n_prog; j++) {
            int32_t made = 0;
            for (size_t e = x->prog_off[j]; e < x->prog_off[j + 1] && made < left[j]; e++) {
                const rmc_id a = x->prog_app[e];
                if (placed[a] == RMC_ID_NONE && !offered[j][a]) {
                    offered[j][a] = true;
                    got[a][n_got[a]++] = (rmc_id)j;
                    log[n++] = (rmc_soap_offer){t, (rmc_id)j, a, 0};
                    made++;
                }
            }
        }
        for (size_t a = 0; a < x->n_app; a++) {
            if (n_got[a] == 0 || (x->declines[a] >> (t - 1) & 1)) {
                continue;
            }
            /* the most preferred program among the offers */
            for (size_t e = x->app_off[a]; e < x->app_off[a + 1]; e++) {
                bool hit = false;
                for (size_t g = 0; g < n_got[a]; g++) {
                    hit = hit || got[a][g] == x->app_prog[e];
                }
                if (hit) {
                    placed[a] = x->app_prog[e];
                    left[placed[a]]--;
                    total++;
                    break;
                }
            }
        }
        for (size_t e = first; e < n; e++) {
            log[e].accepted = placed[log[e].applicant] == log[e].program;
        }
    }
    *n_log = n;
    return total;
}

/* A random instance: every applicant applies to a random subset of the
 * programs in random order; each program lists a random order of its
 * applicants (some left off). */
static void random_lists(lists *x, gsl_rng *g)
{
    x->n_app = 1 + gsl_rng_uniform_int(g, 8);
    x->n_prog = 1 + gsl_rng_uniform_int(g, 4);
    bool applied[16][8] = {{false}};
    x->app_off[0] = 0;
    for (size_t a = 0; a < x->n_app; a++) {
        rmc_id perm[8];
        for (size_t j = 0; j < x->n_prog; j++) {
            perm[j] = (rmc_id)j;
        }
        gsl_ran_shuffle(g, perm, x->n_prog, sizeof perm[0]);
        const size_t k = gsl_rng_uniform_int(g, x->n_prog + 1);
        for (size_t e = 0; e < k; e++) {
            x->app_prog[x->app_off[a] + e] = perm[e];
            applied[a][perm[e]] = true;
        }
        x->app_off[a + 1] = x->app_off[a] + k;
        x->declines[a] = gsl_rng_uniform(g) < 0.3 ? gsl_rng_get(g) & 15 : 0;
    }
    x->prog_off[0] = 0;
    for (size_t j = 0; j < x->n_prog; j++) {
        rmc_id perm[16];
        size_t k = 0;
        for (size_t a = 0; a < x->n_app; a++) {
            if (applied[a][j] && gsl_rng_uniform(g) < 0.85) {
                perm[k++] = (rmc_id)a;
            }
        }
        if (k > 1) {
            gsl_ran_shuffle(g, perm, k, sizeof perm[0]);
        }
        memcpy(x->prog_app + x->prog_off[j], perm, k * sizeof perm[0]);
        x->prog_off[j + 1] = x->prog_off[j] + k;
        x->places[j] = (int32_t)gsl_rng_uniform_int(g, 4);
    }
}

static void test_soap_rounds_brute_force(void **state)
{
    (void)state;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 14);
    rmc_soap_rounds_ws *w = NULL;
    assert_int_equal(rmc_soap_rounds_ws_alloc(16, 8, &w, NULL), RMC_OK);
    size_t total_offers = 0, total_placed = 0, total_declined = 0;
    for (int it = 0; it < 3000; it++) {
        lists x;
        memset(&x, 0, sizeof x);
        random_lists(&x, g);
        const int32_t rounds = 1 + (int32_t)gsl_rng_uniform_int(g, 4);
        rmc_id placed[16], want[16];
        int32_t round_of[16];
        rmc_soap_offer log[64], ref[64];
        size_t n_log = 0, n_ref = 0;
        const rmc_soap_lists L = view(&x, rounds);
        const size_t n = rmc_soap_rounds(&L, w, placed, round_of, log, 64, &n_log);
        assert_int_equal(n, reference_rounds(&x, rounds, want, ref, &n_ref));
        assert_int_equal(n_log, n_ref);
        for (size_t a = 0; a < x.n_app; a++) {
            assert_int_equal(placed[a], want[a]);
        }
        for (size_t e = 0; e < n_log; e++) {
            assert_memory_equal(&log[e], &ref[e], sizeof log[e]);
        }
        /* invariants: capacity, no repeated offer, offers per round within
         * the places left, nothing offered to a placed applicant */
        int32_t fill[8] = {0};
        for (size_t a = 0; a < x.n_app; a++) {
            if (placed[a] != RMC_ID_NONE) {
                fill[placed[a]]++;
                assert_true(round_of[a] >= 1 && round_of[a] <= rounds);
            }
        }
        for (size_t j = 0; j < x.n_prog; j++) {
            assert_true(fill[j] <= x.places[j]);
        }
        for (size_t e = 0; e < n_log; e++) {
            for (size_t f = e + 1; f < n_log; f++) {
                assert_false(log[e].program == log[f].program &&
                             log[e].applicant == log[f].applicant);
            }
            const rmc_id a = log[e].applicant;
            assert_true(placed[a] == RMC_ID_NONE || round_of[a] >= log[e].round);
            total_declined += placed[a] != log[e].program;
        }
        total_offers += n_log;
        total_placed += n;
    }
    /* the instances exercise offers, acceptances and lapsed offers */
    assert_true(total_offers > 5000 && total_placed > 3000 && total_declined > 1000);
    rmc_soap_rounds_ws_free(w);
    gsl_rng_free(g);
}

/* ---- one replicate on a model ---- */

typedef struct replicate {
    rmc_model *m;
    rmc_rng *rng;
    rmc_soap_ws *w;
    rmc_id *app_prog, *soap_prog;
    int32_t *fill, *fill_after, *rank;
    uint8_t *partial, *track;
} replicate;

/* n_app unmatched applicants, programs with the given places (positions)
 * and nobody filled; no interviews unless the caller adds them. */
static replicate rep_make(size_t n_app, size_t n_prog, size_t n_iv)
{
    replicate x = {0};
    x.m = fx_alloc(n_app, n_prog, n_iv);
    FX_NEW(x.app_prog, n_app);
    FX_NEW(x.soap_prog, n_app);
    FX_NEW(x.partial, n_app);
    FX_NEW(x.fill, n_prog);
    FX_NEW(x.fill_after, n_prog);
    FX_NEW(x.track, n_prog);
    x.m->track = x.track;
    FX_NEW(x.rank, n_iv + 1);
    for (size_t a = 0; a < n_app; a++) {
        x.app_prog[a] = RMC_ID_NONE;
    }
    assert_int_equal(rmc_rng_alloc(NULL, &x.rng, NULL), RMC_OK);
    return x;
}

static void rep_ready(replicate *x)
{
    fx_index(x->m);
    assert_int_equal(rmc_soap_ws_alloc(x->m, &x->m->params, &x->w, NULL), RMC_OK);
}

static rmc_soap_result rep_run(replicate *x, uint64_t r)
{
    const rmc_soap_state s = {x->app_prog, x->partial, NULL, x->fill, x->rank, NULL};
    rmc_soap_result out = {x->soap_prog, x->fill_after, 0, 0, 0};
    rmc_soap_run(x->m, &x->m->params, &s, x->rng, 3, r, x->w, &out);
    return out;
}

static void rep_free(replicate *x)
{
    rmc_soap_ws_free(x->w);
    rmc_rng_free(x->rng);
    x->m->track = NULL; /* x->track, freed below */
    free(x->app_prog);
    free(x->soap_prog);
    free(x->partial);
    free(x->fill);
    free(x->fill_after);
    free(x->track);
    free(x->rank);
    fx_free(x->m);
}

static uint64_t n_reps(uint64_t full)
{
    return rmc_test_quick() ? full / 4 : full;
}

/* |count / n - p| within 5 binomial standard errors. */
static void assert_share(uint64_t count, uint64_t n, double p)
{
    const double se = sqrt(p * (1.0 - p) / (double)n);
    assert_close((double)count / (double)n, p, 0.0, 5.0 * se + 1e-12);
}

static void test_soap_run_eligibility_share(void **state)
{
    (void)state;
    replicate x = rep_make(400, 1, 0);
    for (size_t a = 0; a < 400; a++) {
        x.m->app_type[a] = a < 200 ? RMC_TYPE_US_MD : RMC_TYPE_IMG;
    }
    x.m->params.soap_eligible_us = 0.9;
    x.m->params.soap_eligible_img = 0.4;
    x.m->positions[0] = 1000;
    rep_ready(&x);
    const uint64_t n = n_reps(200);
    uint64_t elig = 0, placed = 0;
    for (uint64_t r = 0; r < n; r++) {
        const rmc_soap_result out = rep_run(&x, r);
        elig += out.n_eligible;
        placed += out.n_placed;
        assert_int_equal(out.n_places, 1000);
    }
    /* eligible ~ Binomial(200, 0.9) + Binomial(200, 0.4) per replicate;
     * with room for all, every eligible applicant is placed in round 1 */
    const double mean = 200 * 0.9 + 200 * 0.4, var = 200 * 0.9 * 0.1 + 200 * 0.4 * 0.6;
    assert_close((double)elig / (double)n, mean, 0.0, 5.0 * sqrt(var / (double)n));
    assert_int_equal(placed, elig);
    rep_free(&x);
}

static void test_soap_run_application_law(void **state)
{
    (void)state;
    /* One applicant, one application, programs 0..2 with places 1, 1, 2
     * and desirability 0, log 3, 0 (sigma 1): weights 1, 3, 2, so
     * P(apply to j) = 1/6, 1/2, 1/3; it is placed where it applied. */
    replicate x = rep_make(1, 3, 0);
    x.m->params.soap_applications = 1;
    x.m->positions[2] = 2;
    x.m->desirability[1] = log(3.0);
    rep_ready(&x);
    const uint64_t n = n_reps(6000);
    uint64_t at[3] = {0, 0, 0};
    for (uint64_t r = 0; r < n; r++) {
        rep_run(&x, r);
        assert_true(x.soap_prog[0] >= 0 && x.soap_prog[0] < 3);
        at[x.soap_prog[0]]++;
    }
    assert_share(at[0], n, 1.0 / 6.0);
    assert_share(at[1], n, 0.5);
    assert_share(at[2], n, 1.0 / 3.0);
    rep_free(&x);
}

static void test_soap_run_application_order(void **state)
{
    (void)state;
    /* The whole preference order is the Plackett-Luce law of the weights
     * 1, 3, 2 (places x exp(desirability)): P(1, 2, 0) = 1/2 x 2/3 = 1/3,
     * P(0, 1, 2) = 1/6 x 3/5 = 1/10, P(2, 0, 1) = 1/3 x 1/4 = 1/12. With
     * 45 applications and three programs the draws soon repeat, so the
     * Fenwick fallback takes over: both ways give this law. A program with
     * a huge weight (100) among many small ones forces the fallback too. */
    replicate x = rep_make(1, 3, 0);
    x.m->positions[2] = 2;
    x.m->desirability[1] = log(3.0);
    rep_ready(&x);
    const uint64_t n = n_reps(6000);
    uint64_t o120 = 0, o012 = 0, o201 = 0;
    for (uint64_t r = 0; r < n; r++) {
        rep_run(&x, r);
        size_t k = 0;
        const rmc_id *ap = rmc_soap_ws_applications(x.w, 0, &k);
        assert_int_equal(k, 3);
        o120 += ap[0] == 1 && ap[1] == 2;
        o012 += ap[0] == 0 && ap[1] == 1;
        o201 += ap[0] == 2 && ap[1] == 0;
        assert_int_equal(x.soap_prog[0], ap[0]); /* every program offers: the first wins */
    }
    assert_share(o120, n, 1.0 / 3.0);
    assert_share(o012, n, 0.1);
    assert_share(o201, n, 1.0 / 12.0);
    rep_free(&x);

    replicate y = rep_make(1, 40, 0);
    y.m->desirability[7] = log(100.0);
    y.m->params.soap_applications = 3;
    rep_ready(&y);
    uint64_t first7 = 0, second0 = 0;
    for (uint64_t r = 0; r < n; r++) {
        rep_run(&y, r);
        size_t k = 0;
        const rmc_id *ap = rmc_soap_ws_applications(y.w, 0, &k);
        assert_int_equal(k, 3);
        assert_true(ap[0] != ap[1] && ap[1] != ap[2] && ap[0] != ap[2]);
        first7 += ap[0] == 7;
        second0 += ap[0] == 7 && ap[1] == 0;
    }
    assert_share(first7, n, 100.0 / 139.0);
    assert_share(second0, n, 100.0 / 139.0 / 39.0);
    rep_free(&y);
}

static void test_soap_run_declines_closed_form(void **state)
{
    (void)state;
    /* One place, three applicants, decline q in every round: the program
     * offers to one new name per round, so it stays empty only when all
     * three decline their round: q^3. With two rounds, q^2. */
    const double q = 0.4;
    for (int rounds = 2; rounds <= 4; rounds += 2) {
        replicate x = rep_make(3, 1, 0);
        x.m->params.soap_decline = q;
        x.m->params.soap_rounds = rounds;
        rep_ready(&x);
        const uint64_t n = n_reps(8000);
        uint64_t empty = 0;
        for (uint64_t r = 0; r < n; r++) {
            const rmc_soap_result out = rep_run(&x, r);
            empty += out.n_placed == 0;
            assert_true(x.fill_after[0] <= 1);
        }
        assert_share(empty, n, rounds == 4 ? q * q * q : q * q);
        rep_free(&x);
    }
}

static void test_soap_run_program_list(void **state)
{
    (void)state;
    /* Program 0 (one place). Applicant 0: strong, never interviewed there.
     * Applicant 1: weak, ranked by program 0's meeting: offered first.
     * Applicant 2: the strongest, interviewed and not ranked: never
     * offered. Then with applicant 1 matched elsewhere and two places,
     * applicant 0 gets the second offer. */
    replicate x = rep_make(3, 2, 2);
    x.m->pre_score[0] = 3.0;
    x.m->pre_score[1] = -3.0;
    x.m->pre_score[2] = 5.0;
    x.m->iv_app[0] = 1;
    x.m->iv_prog[0] = 0;
    x.m->iv_app[1] = 2;
    x.m->iv_prog[1] = 0;
    x.rank[0] = 7;
    x.rank[1] = RMC_RANK_NONE;
    x.m->positions[1] = 0; /* program 1 has no place */
    x.m->params.soap_rounds = 1;
    rep_ready(&x);
    for (uint64_t r = 0; r < 50; r++) {
        const rmc_soap_result out = rep_run(&x, r);
        assert_int_equal(out.n_eligible, 3);
        assert_int_equal(out.n_placed, 1);
        assert_int_equal(x.soap_prog[1], 0);
        assert_int_equal(x.soap_prog[0], RMC_ID_NONE);
        assert_int_equal(x.soap_prog[2], RMC_ID_NONE);
    }
    x.m->positions[0] = 2;
    x.app_prog[1] = 1; /* matched in the Main Match at program 1 */
    x.m->positions[1] = 1;
    x.fill[1] = 1;
    x.m->params.soap_rounds = 4;
    for (uint64_t r = 0; r < 50; r++) {
        const rmc_soap_result out = rep_run(&x, r);
        assert_int_equal(out.n_eligible, 2);
        assert_int_equal(x.soap_prog[0], 0);
        assert_int_equal(x.soap_prog[1], RMC_ID_NONE); /* SOAP leaves the Match alone */
        assert_int_equal(x.soap_prog[2], RMC_ID_NONE);
        assert_int_equal(x.fill_after[0], 1);
        assert_int_equal(x.fill_after[1], 1);
    }
    rep_free(&x);
}

static void test_soap_run_ranked_lists_exact(void **state)
{
    (void)state;
    /* Every applicant interviewed at every program, each applicant's
     * interviews in its own order (not the programs'), and ranked at all
     * but a fifth of them (distinct ranks per program): then no screen
     * draw enters, every program's list is its applicants ranked there, in
     * rank order, and the result must be the rounds' on those lists,
     * rebuilt here from the applications. A rank read from the wrong
     * interview, or a word put on the wrong program's list, changes the
     * lists. */
    enum { NA = 60, NP = 150 };
    replicate x = rep_make(NA, NP, (size_t)NA * NP);
    for (size_t a = 0; a < NA; a++) {
        for (size_t e = 0; e < NP; e++) {
            const size_t k = a * NP + e, j = (e * 7 + a) % NP;
            x.m->iv_app[k] = (rmc_id)a;
            x.m->iv_prog[k] = (rmc_id)j;
            x.rank[k] = (a + j) % 5 == 0 ? RMC_RANK_NONE : (int32_t)((a * 13 + j) % NA);
        }
    }
    for (size_t j = 0; j < NP; j++) {
        x.m->positions[j] = 1 + (int32_t)(j % 3);
        x.m->desirability[j] = 0.02 * (double)j;
    }
    x.m->params.soap_eligible_us = 1.0;
    x.m->params.soap_eligible_img = 1.0;
    x.m->params.soap_decline = 0.0;
    x.m->params.soap_applications = 20;
    x.m->params.soap_rounds = 3;
    rep_ready(&x);
    rmc_soap_rounds_ws *rw = NULL;
    assert_int_equal(rmc_soap_rounds_ws_alloc(NA, NP, &rw, NULL), RMC_OK);
    static size_t app_off[NA + 1], prog_off[NP + 1];
    static rmc_id app_prog[NA * NP], prog_app[NA * NP], placed[NA];
    static bool applied[NA][NP];
    static int32_t places[NP];
    size_t total_placed = 0;
    for (uint64_t r = 0; r < 8; r++) {
        const rmc_soap_result out = rep_run(&x, r);
        assert_int_equal(out.n_eligible, NA);
        app_off[0] = 0;
        for (size_t a = 0; a < NA; a++) {
            size_t n = 0;
            const rmc_id *ap = rmc_soap_ws_applications(x.w, a, &n);
            memcpy(app_prog + app_off[a], ap, n * sizeof *ap);
            memset(applied[a], 0, sizeof applied[a]);
            for (size_t e = 0; e < n; e++) {
                applied[a][ap[e]] = true;
            }
            app_off[a + 1] = app_off[a] + n;
        }
        prog_off[0] = 0;
        for (size_t j = 0; j < NP; j++) {
            places[j] = x.m->positions[j];
            size_t n = prog_off[j];
            for (int32_t rank = 0; rank < NA; rank++) { /* rank order */
                for (size_t a = 0; a < NA; a++) {
                    const size_t k = a * NP + (size_t)((j + NP * 7 - a) * 43 % NP);
                    assert_int_equal(x.m->iv_prog[k], j); /* 43 = 7^-1 mod 150 */
                    if (applied[a][j] && x.rank[k] == rank) {
                        prog_app[n++] = (rmc_id)a;
                    }
                }
            }
            prog_off[j + 1] = n;
        }
        const rmc_soap_lists L = {NA,       NP,       3,      app_off, app_prog,
                                  prog_off, prog_app, places, NULL,    NULL};
        const size_t n_placed = rmc_soap_rounds(&L, rw, placed, NULL, NULL, 0, NULL);
        assert_int_equal(out.n_placed, n_placed);
        assert_memory_equal(placed, x.soap_prog, sizeof placed);
        total_placed += n_placed;
    }
    assert_true(total_placed > 8 * NA / 2); /* the lists place most of them */
    rmc_soap_rounds_ws_free(rw);
    rep_free(&x);
}

static void test_soap_run_visa_and_tracks(void **state)
{
    (void)state;
    /* Programs: 0 sponsors none (categorical), 1 J1 (preliminary), 2 J1_H1B
     * (advanced: no SOAP places), 3 J1_H1B categorical. Applicants 0..5 need
     * a J1 (never at 0), 6..11 no visa; 3..5 and 9..11 are partially
     * matched (holding program 2): preliminary places only. */
    replicate x = rep_make(12, 4, 0);
    const uint8_t sp[4] = {RMC_SPONSORS_NONE, RMC_SPONSORS_J1, RMC_SPONSORS_J1_H1B,
                           RMC_SPONSORS_J1_H1B};
    const uint8_t tr[4] = {RMC_TRACK_CATEGORICAL, RMC_TRACK_PRELIMINARY, RMC_TRACK_ADVANCED,
                           RMC_TRACK_CATEGORICAL};
    for (size_t j = 0; j < 4; j++) {
        x.m->sponsors[j] = sp[j];
        x.track[j] = tr[j];
        x.m->positions[j] = 3;
    }
    x.fill[2] = 3;
    x.m->positions[2] = 9; /* six advanced places left: never offered */
    for (size_t a = 0; a < 12; a++) {
        x.m->visa[a] = a < 6 ? RMC_VISA_J1 : RMC_VISA_NONE;
        if (a % 6 >= 3) {
            x.partial[a] = 1;
            x.app_prog[a] = 2;
        }
    }
    x.m->params.soap_applications = 2;
    rep_ready(&x);
    uint64_t placed = 0;
    for (uint64_t r = 0; r < 300; r++) {
        const rmc_soap_result out = rep_run(&x, r);
        assert_int_equal(out.n_places, 9);
        assert_int_equal(out.n_eligible, 12);
        for (size_t a = 0; a < 12; a++) {
            const rmc_id j = x.soap_prog[a];
            if (j == RMC_ID_NONE) {
                continue;
            }
            placed++;
            assert_true(j != 2);
            assert_true(x.m->visa[a] == RMC_VISA_NONE || j != 0);
            assert_true(!x.partial[a] || j == 1);
        }
        for (size_t j = 0; j < 4; j++) {
            assert_true(x.fill_after[j] >= x.fill[j] && x.fill_after[j] <= x.m->positions[j]);
        }
        assert_int_equal(x.fill_after[2], x.fill[2]);
    }
    assert_true(placed > 300 * 6);
    rep_free(&x);
}

static void test_soap_run_deterministic(void **state)
{
    (void)state;
    /* A replicate's result depends on (seed, replicate) only: two
     * workspaces, runs in different orders. */
    replicate x = rep_make(300, 20, 0);
    for (size_t j = 0; j < 20; j++) {
        x.m->positions[j] = 1 + (int32_t)(j % 4);
        x.m->desirability[j] = 0.1 * (double)j;
    }
    for (size_t a = 0; a < 300; a++) {
        x.m->pre_score[a] = 0.01 * (double)a - 1.5;
    }
    x.m->params.soap_decline = 0.2;
    rep_ready(&x);
    rmc_id first[3][300];
    for (uint64_t r = 0; r < 3; r++) {
        rep_run(&x, r);
        memcpy(first[r], x.soap_prog, sizeof first[r]);
    }
    rmc_soap_ws *w2 = NULL;
    assert_int_equal(rmc_soap_ws_alloc(x.m, &x.m->params, &w2, NULL), RMC_OK);
    rmc_soap_ws *w1 = x.w;
    x.w = w2;
    for (int r = 2; r >= 0; r--) {
        rep_run(&x, (uint64_t)r);
        assert_memory_equal(first[r], x.soap_prog, sizeof first[r]);
    }
    /* Lists ordered only as far as the rounds read them give the same
     * result as lists ordered in full: heads of 1, 2 and 5 names (the
     * rounds then need more nearly every time) and whole lists. */
    const size_t heads[4] = {1, 2, 5, 0};
    for (size_t h = 0; h < 4; h++) {
        rmc_soap_ws_set_head(w2, heads[h]);
        for (uint64_t r = 0; r < 3; r++) {
            rep_run(&x, r);
            assert_memory_equal(first[r], x.soap_prog, sizeof first[r]);
        }
    }
    x.w = w1;
    rmc_soap_ws_free(w2);
    rep_free(&x);
}

/* Applicant a's applications in w, for comparing workspaces. */
static void applications_of(const rmc_soap_ws *w, size_t n_app, rmc_id *out, size_t per)
{
    for (size_t a = 0; a < n_app; a++) {
        size_t n = 0;
        const rmc_id *ap = rmc_soap_ws_applications(w, a, &n);
        assert_true(n <= per);
        for (size_t e = 0; e < per; e++) {
            out[a * per + e] = e < n ? ap[e] : RMC_ID_NONE;
        }
    }
}

static void test_soap_run_stamp_wrap(void **state)
{
    (void)state;
    /* The stamps that mark the programs an applicant has drawn wrap past
     * UINT32_MAX (and are all cleared) early in a replicate, while the
     * array still holds small stamps of the previous replicate's
     * applicants (5 draws from 200 programs, so most stay): every
     * application and placement as in a workspace that never wraps. */
    enum { NA = 300, NP = 200, PER = 5 };
    replicate x = rep_make(NA, NP, 0);
    for (size_t j = 0; j < NP; j++) {
        x.m->positions[j] = 1;
        x.m->desirability[j] = 0.01 * (double)j;
    }
    x.m->params.soap_applications = PER;
    rep_ready(&x);
    static rmc_id ref_apps[3][NA * PER], apps[NA * PER];
    rmc_id ref_prog[3][NA];
    for (uint64_t r = 0; r < 3; r++) {
        rep_run(&x, r);
        applications_of(x.w, NA, ref_apps[r], PER);
        memcpy(ref_prog[r], x.soap_prog, sizeof ref_prog[r]);
    }
    rmc_soap_ws *w2 = NULL;
    assert_int_equal(rmc_soap_ws_alloc(x.m, &x.m->params, &w2, NULL), RMC_OK);
    rmc_soap_ws *w1 = x.w;
    x.w = w2;
    for (uint64_t r = 0; r < 3; r++) {
        rmc_soap_ws_set_stamp(w2, UINT32_MAX - 3);
        rep_run(&x, r);
        applications_of(w2, NA, apps, PER);
        assert_memory_equal(ref_apps[r], apps, sizeof apps);
        assert_memory_equal(ref_prog[r], x.soap_prog, sizeof ref_prog[r]);
    }
    x.w = w1;
    rmc_soap_ws_free(w2);
    rep_free(&x);
}

static void test_soap_run_plan_follows_keys(void **state)
{
    (void)state;
    /* The per-run plan (weights of a place, screen noise) is made once per
     * workspace and again when its keys change: a workspace that ran with
     * other preferences.sigma and interview.sigma_noise gives, after the
     * change, what a fresh workspace gives, and the change matters. */
    enum { NA = 200, NP = 30, PER = 4 };
    replicate x = rep_make(NA, NP, 0);
    for (size_t j = 0; j < NP; j++) {
        x.m->positions[j] = 1 + (int32_t)(j % 3);
        x.m->desirability[j] = 0.05 * (double)j;
        x.m->interviewers[j] = 1 + (int32_t)(j % 4);
    }
    for (size_t a = 0; a < NA; a++) {
        x.m->pre_score[a] = 0.01 * (double)a - 1.0;
    }
    x.m->params.soap_applications = PER;
    rep_ready(&x);
    static rmc_id before[NA * PER], after[NA * PER], fresh[NA * PER];
    rmc_id prog_after[NA];
    rep_run(&x, 1);
    applications_of(x.w, NA, before, PER);
    x.m->params.preferences_sigma *= 0.25;
    x.m->params.interview_sigma_noise *= 3.0;
    rep_run(&x, 1);
    applications_of(x.w, NA, after, PER);
    memcpy(prog_after, x.soap_prog, sizeof prog_after);
    assert_true(memcmp(before, after, sizeof after) != 0);
    rmc_soap_ws *w2 = NULL;
    assert_int_equal(rmc_soap_ws_alloc(x.m, &x.m->params, &w2, NULL), RMC_OK);
    rmc_soap_ws *w1 = x.w;
    x.w = w2;
    rep_run(&x, 1);
    applications_of(w2, NA, fresh, PER);
    assert_memory_equal(fresh, after, sizeof after);
    assert_memory_equal(prog_after, x.soap_prog, sizeof prog_after);
    x.w = w1;
    rmc_soap_ws_free(w2);
    rep_free(&x);
}

int main(void)
{
    (void)fx_market; /* the fixture's market builder is not needed here */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soap_rounds_one_program),
        cmocka_unit_test(test_soap_rounds_best_offer_binding),
        cmocka_unit_test(test_soap_rounds_brute_force),
        cmocka_unit_test(test_soap_run_eligibility_share),
        cmocka_unit_test(test_soap_run_application_law),
        cmocka_unit_test(test_soap_run_application_order),
        cmocka_unit_test(test_soap_run_declines_closed_form),
        cmocka_unit_test(test_soap_run_program_list),
        cmocka_unit_test(test_soap_run_ranked_lists_exact),
        cmocka_unit_test(test_soap_run_visa_and_tracks),
        cmocka_unit_test(test_soap_run_deterministic),
        cmocka_unit_test(test_soap_run_stamp_wrap),
        cmocka_unit_test(test_soap_run_plan_follows_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
