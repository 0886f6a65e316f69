/* Tests for the Match (match_da.c, match_check.c, match_fixed.c): the NRMP
 * worked example, hand-solved cases, brute force over every matching of
 * tiny random markets, invariants on many random markets (stability, the
 * rural hospitals theorem, applicant optimality), the random-market
 * proposal counts of Wilson (1972), the checker on broken matchings, usage
 * errors and an allocation-failure sweep. */
#include "test_util.h"

#include <string.h>

#include "internal.h"
#include "match_int.h"
#include "model_int.h"
#include "rankmc/match.h"

/* ---- a small market in edge form, built from both sides' lists ---- */

enum { MAXA = 4096, MAXP = 512 };

typedef struct market {
    size_t n_app, n_prog;
    int32_t *cap;  /* [n_prog] */
    size_t *off;   /* [n_app + 1] */
    rmc_id *prog;  /* [n_entries] */
    int32_t *rank; /* [n_entries] */
} market;

typedef struct outcome {
    rmc_id *app_prog;
    int32_t *app_choice;
    int32_t *fill;
    rmc_match_result res;
} outcome;

static void *xmalloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    assert_non_null(p);
    return p;
}

static market market_new(size_t n_app, size_t n_prog, size_t n_entries)
{
    market mk = {n_app,
                 n_prog,
                 xmalloc(n_prog * sizeof(int32_t)),
                 xmalloc((n_app + 1) * sizeof(size_t)),
                 xmalloc(n_entries * sizeof(rmc_id)),
                 xmalloc(n_entries * sizeof(int32_t))};
    mk.off[0] = 0;
    return mk;
}

static void market_free(market *mk)
{
    free(mk->cap);
    free(mk->off);
    free(mk->prog);
    free(mk->rank);
}

static rmc_match_input market_input(const market *mk)
{
    const rmc_match_input in = {.n_app = mk->n_app,
                                .n_prog = mk->n_prog,
                                .capacity = mk->cap,
                                .app_off = mk->off,
                                .choice_prog = mk->prog,
                                .choice_rank = mk->rank};
    return in;
}

static outcome outcome_new(size_t n_app, size_t n_prog)
{
    outcome o = {xmalloc(n_app * sizeof(rmc_id)),
                 xmalloc(n_app * sizeof(int32_t)),
                 xmalloc(n_prog * sizeof(int32_t)),
                 {0}};
    o.res.app_prog = o.app_prog;
    o.res.app_choice = o.app_choice;
    o.res.fill = o.fill;
    return o;
}

static void outcome_free(outcome *o)
{
    free(o->app_prog);
    free(o->app_choice);
    free(o->fill);
}

/* Build from lists: apref[i] = programs, -1 ended; ppref[j] = applicants, -1 ended. */
static market market_from_lists(size_t n_app, size_t n_prog, const int *cap, const int *apref,
                                size_t astride, const int *ppref, size_t pstride)
{
    market mk = market_new(n_app, n_prog, n_app * n_prog);
    for (size_t j = 0; j < n_prog; j++) {
        mk.cap[j] = cap[j];
    }
    size_t e = 0;
    for (size_t i = 0; i < n_app; i++) {
        for (size_t k = 0; k < astride && apref[i * astride + k] >= 0; k++) {
            const int j = apref[i * astride + k];
            mk.prog[e] = j;
            mk.rank[e] = RMC_RANK_NONE;
            for (size_t r = 0; r < pstride && ppref[(size_t)j * pstride + r] >= 0; r++) {
                if (ppref[(size_t)j * pstride + r] == (int)i) {
                    mk.rank[e] = (int32_t)r;
                }
            }
            e++;
        }
        mk.off[i + 1] = e;
    }
    return mk;
}

/* One workspace for every solve: it is reused across markets of different
 * sizes, as a replicate loop reuses it (and it keeps the sanitizer build
 * fast). Sized for the largest random market below. */
enum { WS_APP = 1500, WS_PROG = 200, WS_ENTRIES = 1500 * 200, WS_SEATS = 200 * 6 };
static rmc_match_ws *g_ws;

static int group_setup(void **state)
{
    (void)state;
    return rmc_match_ws_alloc(WS_APP, WS_PROG, WS_ENTRIES, WS_SEATS, &g_ws) == RMC_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    rmc_match_ws_free(g_ws);
    return 0;
}

static rmc_status solve(const market *mk, rmc_proposing side, outcome *o)
{
    const rmc_match_input in = market_input(mk);
    rmc_diag d = {0};
    return rmc_match_run(g_ws, &in, side, 0, &o->res, &d);
}

/* ---- a local PRNG (splitmix64) so random cases do not depend on GSL ---- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *s, size_t n)
{
    return (size_t)(rng_next(s) % n);
}

static void shuffle(uint64_t *s, int *a, size_t n)
{
    for (size_t k = n; k > 1; k--) {
        const size_t r = rng_below(s, k);
        const int t = a[k - 1];
        a[k - 1] = a[r];
        a[r] = t;
    }
}

/* Random market: each applicant lists a random subset of programs in random
 * order (p_list each), each program ranks a random subset of applicants in
 * random order (p_rank each), capacities 0..max_cap. */
static market random_market(uint64_t *s, size_t n_app, size_t n_prog, int max_cap, double p_list,
                            double p_rank)
{
    market mk = market_new(n_app, n_prog, n_app * n_prog);
    int *perm = xmalloc((n_app > n_prog ? n_app : n_prog) * sizeof(int));
    int32_t *prank = xmalloc(n_app * n_prog * sizeof(int32_t));
    for (size_t j = 0; j < n_prog; j++) {
        mk.cap[j] = (int32_t)rng_below(s, (size_t)max_cap + 1);
        for (size_t i = 0; i < n_app; i++) {
            perm[i] = (int)i;
        }
        shuffle(s, perm, n_app);
        for (size_t r = 0; r < n_app; r++) {
            const bool ranked = (double)rng_next(s) < p_rank * 18446744073709551616.0;
            prank[(size_t)perm[r] * n_prog + j] = ranked ? (int32_t)r : RMC_RANK_NONE;
        }
    }
    size_t e = 0;
    for (size_t i = 0; i < n_app; i++) {
        for (size_t j = 0; j < n_prog; j++) {
            perm[j] = (int)j;
        }
        shuffle(s, perm, n_prog);
        for (size_t k = 0; k < n_prog; k++) {
            if ((double)rng_next(s) < p_list * 18446744073709551616.0) {
                mk.prog[e] = perm[k];
                mk.rank[e] = prank[i * n_prog + (size_t)perm[k]];
                e++;
            }
        }
        mk.off[i + 1] = e;
    }
    free(perm);
    free(prank);
    return mk;
}

/* Position of applicant i's match in its list; n_prog + 1 when unmatched. */
static size_t pos_of(const market *mk, size_t i, rmc_id j)
{
    for (size_t e = mk->off[i]; e < mk->off[i + 1] && j != RMC_ID_NONE; e++) {
        if (mk->prog[e] == j) {
            return e - mk->off[i];
        }
    }
    return mk->n_prog + 1;
}

/* ---- the NRMP worked example ---- */

enum { MERCY, CITY, GENERAL };
enum { ANDERSON, CHEN, FORD, DAVIS, EASTMAN };
static const int nrmp_cap[3] = {2, 2, 2};
static const int nrmp_apref[5][4] = {{CITY, -1},
                                     {CITY, MERCY, -1},
                                     {CITY, GENERAL, MERCY, -1},
                                     {MERCY, CITY, GENERAL, -1},
                                     {CITY, MERCY, GENERAL, -1}};
static const int nrmp_ppref[3][6] = {{CHEN, FORD, -1},
                                     {EASTMAN, ANDERSON, CHEN, DAVIS, FORD, -1},
                                     {EASTMAN, ANDERSON, FORD, DAVIS, -1}};
static const rmc_id nrmp_expected[5] = {CITY, MERCY, GENERAL, GENERAL, CITY};

/* The example with applicant k stored at index perm[k]. */
static market nrmp_market(const int *perm)
{
    int apref[5][4], ppref[3][6];
    for (int k = 0; k < 5; k++) {
        memcpy(apref[perm[k]], nrmp_apref[k], sizeof apref[0]);
    }
    for (int j = 0; j < 3; j++) {
        for (int r = 0; r < 6; r++) {
            ppref[j][r] = nrmp_ppref[j][r] < 0 ? -1 : perm[nrmp_ppref[j][r]];
        }
    }
    return market_from_lists(5, 3, nrmp_cap, &apref[0][0], 4, &ppref[0][0], 6);
}

static void test_match_run_nrmp_example_any_order(void **state)
{
    (void)state;
    int perm[5] = {0, 1, 2, 3, 4};
    uint64_t s = 2385;
    for (int t = 0; t < 120; t++) {
        market mk = nrmp_market(perm);
        for (int side = 0; side < 2; side++) {
            outcome o = outcome_new(5, 3);
            assert_int_equal(solve(&mk, (rmc_proposing)side, &o), RMC_OK);
            for (int k = 0; k < 5; k++) {
                assert_int_equal(o.app_prog[perm[k]], nrmp_expected[k]);
            }
            assert_int_equal(o.fill[MERCY], 1);
            assert_int_equal(o.fill[CITY], 2);
            assert_int_equal(o.fill[GENERAL], 2);
            assert_true(o.res.converged);
            const rmc_match_input in = market_input(&mk);
            assert_int_equal(rmc_match_check(&in, o.app_prog, NULL), RMC_OK);
            if (side == 0) {
                /* Anderson 1st, Chen 2nd, Ford 2nd, Davis 3rd, Eastman 1st choice. */
                const int32_t choice[5] = {0, 1, 1, 2, 0};
                for (int k = 0; k < 5; k++) {
                    assert_int_equal(o.app_choice[perm[k]], choice[k]);
                }
            }
            outcome_free(&o);
        }
        market_free(&mk);
        shuffle(&s, perm, 5);
    }
}

/* ---- hand-solved cases ---- */

static void test_match_run_capacity_two(void **state)
{
    (void)state;
    const int cap[1] = {2};
    const int apref[3][2] = {{0, -1}, {0, -1}, {0, -1}};
    const int ppref[1][4] = {{1, 2, 0, -1}};
    market mk = market_from_lists(3, 1, cap, &apref[0][0], 2, &ppref[0][0], 4);
    outcome o = outcome_new(3, 1);
    assert_int_equal(solve(&mk, RMC_PROPOSE_APPLICANTS, &o), RMC_OK);
    assert_int_equal(o.app_prog[0], RMC_ID_NONE);
    assert_int_equal(o.app_choice[0], -1);
    assert_int_equal(o.app_prog[1], 0);
    assert_int_equal(o.app_prog[2], 0);
    assert_int_equal(o.fill[0], 2);
    assert_int_equal(o.res.n_proposals, 3);
    outcome_free(&o);
    market_free(&mk);
}

static void test_match_run_unacceptable_empty_zero_capacity(void **state)
{
    (void)state;
    /* a0 lists P0 (which does not rank a0), then P1; a1 lists nothing;
     * a2 lists Z (capacity 0, ranks a2 first), then P1; P1 ranks a2 over a0
     * but has 2 seats. */
    const int cap[3] = {1, 2, 0};
    const int apref[3][3] = {{0, 1, -1}, {-1}, {2, 1, -1}};
    const int ppref[3][3] = {{-1}, {2, 0, -1}, {2, -1}};
    market mk = market_from_lists(3, 3, cap, &apref[0][0], 3, &ppref[0][0], 3);
    for (int side = 0; side < 2; side++) {
        outcome o = outcome_new(3, 3);
        assert_int_equal(solve(&mk, (rmc_proposing)side, &o), RMC_OK);
        assert_int_equal(o.app_prog[0], 1);
        assert_int_equal(o.app_choice[0], 1);
        assert_int_equal(o.app_prog[1], RMC_ID_NONE);
        assert_int_equal(o.app_prog[2], 1);
        assert_int_equal(o.app_choice[2], 1);
        assert_int_equal(o.fill[0], 0);
        assert_int_equal(o.fill[1], 2);
        assert_int_equal(o.fill[2], 0);
        outcome_free(&o);
    }
    market_free(&mk);
}

static void test_match_run_two_sides_differ(void **state)
{
    (void)state;
    /* Opposed preferences: each side gets its first choice when it proposes. */
    const int cap[2] = {1, 1};
    const int apref[2][3] = {{0, 1, -1}, {1, 0, -1}};
    const int ppref[2][3] = {{1, 0, -1}, {0, 1, -1}};
    market mk = market_from_lists(2, 2, cap, &apref[0][0], 3, &ppref[0][0], 3);
    outcome o = outcome_new(2, 2);
    assert_int_equal(solve(&mk, RMC_PROPOSE_APPLICANTS, &o), RMC_OK);
    assert_int_equal(o.app_prog[0], 0);
    assert_int_equal(o.app_prog[1], 1);
    assert_int_equal(o.res.n_proposals, 2);
    assert_int_equal(solve(&mk, RMC_PROPOSE_PROGRAMS, &o), RMC_OK);
    assert_int_equal(o.app_prog[0], 1);
    assert_int_equal(o.app_prog[1], 0);
    assert_int_equal(o.app_choice[0], 1);
    assert_int_equal(o.res.n_proposals, 2);
    outcome_free(&o);
    market_free(&mk);
}

static void test_match_run_empty_market(void **state)
{
    (void)state;
    market mk = market_new(0, 0, 0);
    outcome o = outcome_new(0, 0);
    assert_int_equal(solve(&mk, RMC_PROPOSE_APPLICANTS, &o), RMC_OK);
    assert_int_equal(o.res.n_proposals, 0);
    assert_int_equal(solve(&mk, RMC_PROPOSE_PROGRAMS, &o), RMC_OK);
    outcome_free(&o);
    market_free(&mk);
}

/* ---- brute force on tiny markets ---- */

/* Enumerate every assignment of applicants to acceptable entries or none;
 * keep the stable ones (rmc_match_check); DA must be the applicant-optimal
 * (applicant-proposing) and applicant-pessimal = program-optimal one. */
static void brute_force_case(uint64_t seed, int case_no)
{
    uint64_t s = seed;
    const size_t n_app = 1 + rng_below(&s, 5), n_prog = 1 + rng_below(&s, 3);
    market mk = random_market(&s, n_app, n_prog, 2, 0.8, 0.8);
    const rmc_match_input in = market_input(&mk);
    outcome oa = outcome_new(n_app, n_prog), op = outcome_new(n_app, n_prog);
    assert_int_equal(solve(&mk, RMC_PROPOSE_APPLICANTS, &oa), RMC_OK);
    assert_int_equal(solve(&mk, RMC_PROPOSE_PROGRAMS, &op), RMC_OK);
    rmc_id cur[5];
    size_t digit[5] = {0}, n_stable = 0;
    bool seen_a = false, seen_p = false;
    for (;;) {
        for (size_t i = 0; i < n_app; i++) {
            const size_t len = mk.off[i + 1] - mk.off[i];
            cur[i] = digit[i] == len ? RMC_ID_NONE : mk.prog[mk.off[i] + digit[i]];
        }
        if (rmc_match_check(&in, cur, NULL) == RMC_OK) {
            n_stable++;
            bool eq_a = true, eq_p = true;
            for (size_t i = 0; i < n_app; i++) {
                const size_t pc = pos_of(&mk, i, cur[i]);
                if (pos_of(&mk, i, oa.app_prog[i]) > pc || pos_of(&mk, i, op.app_prog[i]) < pc) {
                    print_error("seed %llu case %d: applicant %zu not optimal\n",
                                (unsigned long long)seed, case_no, i);
                    fail();
                }
                eq_a = eq_a && cur[i] == oa.app_prog[i];
                eq_p = eq_p && cur[i] == op.app_prog[i];
            }
            seen_a = seen_a || eq_a;
            seen_p = seen_p || eq_p;
        }
        size_t i = 0;
        while (i < n_app && ++digit[i] > mk.off[i + 1] - mk.off[i]) {
            digit[i++] = 0;
        }
        if (i == n_app) {
            break;
        }
    }
    if (n_stable == 0 || !seen_a || !seen_p) {
        print_error("seed %llu case %d: %zu stable, DA results found %d %d\n",
                    (unsigned long long)seed, case_no, n_stable, seen_a, seen_p);
        fail();
    }
    outcome_free(&oa);
    outcome_free(&op);
    market_free(&mk);
}

static void test_match_run_brute_force_tiny(void **state)
{
    (void)state;
    const int n_cases = rmc_test_quick() ? 300 : 3000;
    for (int c = 0; c < n_cases; c++) {
        brute_force_case(1000003u * (uint64_t)c + 37u, c);
    }
}

/* ---- random markets of all sizes ---- */

static void random_case(uint64_t seed, int case_no)
{
    uint64_t s = seed;
    const size_t n_app = 1 + rng_below(&s, case_no % 10 == 0 ? 1500 : 60);
    const size_t n_prog = 1 + rng_below(&s, case_no % 10 == 0 ? 200 : 20);
    const double p_list = 0.05 + 0.9 * (double)rng_below(&s, 1000) / 1000.0;
    market mk = random_market(&s, n_app, n_prog, 1 + (int)rng_below(&s, 6), p_list, 0.85);
    const rmc_match_input in = market_input(&mk);
    outcome oa = outcome_new(n_app, n_prog), op = outcome_new(n_app, n_prog);
    rmc_diag d = {0};
    assert_int_equal(solve(&mk, RMC_PROPOSE_APPLICANTS, &oa), RMC_OK);
    assert_int_equal(solve(&mk, RMC_PROPOSE_PROGRAMS, &op), RMC_OK);
    const rmc_status sa = rmc_match_check(&in, oa.app_prog, &d);
    const rmc_status sp = rmc_match_check(&in, op.app_prog, &d);
    if (sa != RMC_OK || sp != RMC_OK) {
        print_error("seed %llu case %d: %s\n", (unsigned long long)seed, case_no, d.message);
        fail();
    }
    for (size_t j = 0; j < n_prog; j++) {
        if (oa.fill[j] != op.fill[j]) {
            print_error("seed %llu case %d: fill of program %zu differs\n",
                        (unsigned long long)seed, case_no, j);
            fail();
        }
    }
    for (size_t i = 0; i < n_app; i++) {
        const bool same_set = (oa.app_prog[i] == RMC_ID_NONE) == (op.app_prog[i] == RMC_ID_NONE);
        if (!same_set || oa.app_choice[i] > op.app_choice[i] + (op.app_choice[i] < 0) * 100000) {
            print_error("seed %llu case %d: applicant %zu: %d vs %d\n", (unsigned long long)seed,
                        case_no, i, oa.app_choice[i], op.app_choice[i]);
            fail();
        }
    }
    outcome_free(&oa);
    outcome_free(&op);
    market_free(&mk);
}

static void test_match_run_random_markets(void **state)
{
    (void)state;
    const int n_cases = rmc_test_quick() ? 60 : 600;
    for (int c = 0; c < n_cases; c++) {
        random_case(7919u * (uint64_t)c + 11u, c);
    }
}

/* Large ranks exercise the radix sort's second digit. */
static void test_match_run_large_ranks(void **state)
{
    (void)state;
    uint64_t s = 99;
    market mk = random_market(&s, 300, 40, 5, 0.3, 0.9);
    for (size_t e = 0; e < mk.off[mk.n_app]; e++) {
        if (mk.rank[e] != RMC_RANK_NONE) {
            mk.rank[e] = mk.rank[e] * 7001 + 65521; /* distinct, order kept, > 2^16 */
        }
    }
    const rmc_match_input in = market_input(&mk);
    outcome o = outcome_new(mk.n_app, mk.n_prog);
    assert_int_equal(solve(&mk, RMC_PROPOSE_PROGRAMS, &o), RMC_OK);
    assert_int_equal(rmc_match_check(&in, o.app_prog, NULL), RMC_OK);
    outcome_free(&o);
    market_free(&mk);
}

/* Program lists with tied ranks (a program ranking two applicants the
 * same) are built by the radix sort, which keeps entry order among ties;
 * without ties they go straight to their slots. Both must give the same
 * lists: the program-proposing result of a market with ties equals that of
 * the market with each tie broken by entry order into distinct dense ranks
 * (then the direct path). A wrong order changes which applicant a program
 * proposes to first. */
static void test_match_run_tied_ranks_lists(void **state)
{
    (void)state;
    for (uint64_t c = 0; c < 200; c++) {
        uint64_t s = 4242 + 977 * c;
        market mk = random_market(&s, 2 + rng_below(&s, 40), 1 + rng_below(&s, 8), 4, 0.6, 0.9);
        const size_t n = mk.off[mk.n_app];
        market tb = market_new(mk.n_app, mk.n_prog, n > 0 ? n : 1);
        memcpy(tb.cap, mk.cap, mk.n_prog * sizeof *tb.cap);
        memcpy(tb.off, mk.off, (mk.n_app + 1) * sizeof *tb.off);
        memcpy(tb.prog, mk.prog, (n > 0 ? n : 1) * sizeof *tb.prog);
        for (size_t e = 0; e < n; e++) { /* ties: ranks 0..2 */
            mk.rank[e] = mk.rank[e] == RMC_RANK_NONE ? RMC_RANK_NONE : mk.rank[e] % 3;
        }
        for (size_t e = 0; e < n; e++) { /* dense rank of (rank, entry) in its program */
            int32_t r = RMC_RANK_NONE;
            if (mk.rank[e] != RMC_RANK_NONE) {
                r = 0;
                for (size_t f = 0; f < n; f++) {
                    r += mk.prog[f] == mk.prog[e] && mk.rank[f] != RMC_RANK_NONE &&
                         (mk.rank[f] < mk.rank[e] || (mk.rank[f] == mk.rank[e] && f < e));
                }
            }
            tb.rank[e] = r;
        }
        outcome o1 = outcome_new(mk.n_app, mk.n_prog), o2 = outcome_new(mk.n_app, mk.n_prog);
        assert_int_equal(solve(&mk, RMC_PROPOSE_PROGRAMS, &o1), RMC_OK);
        assert_int_equal(solve(&tb, RMC_PROPOSE_PROGRAMS, &o2), RMC_OK);
        assert_memory_equal(o1.app_prog, o2.app_prog, mk.n_app * sizeof *o1.app_prog);
        assert_memory_equal(o1.app_choice, o2.app_choice, mk.n_app * sizeof *o1.app_choice);
        assert_int_equal(o1.res.n_proposals, o2.res.n_proposals);
        outcome_free(&o1);
        outcome_free(&o2);
        market_free(&tb);
        market_free(&mk);
    }
}

/* ---- random-market theory: E[proposals], balanced n x n, complete lists ---- */

static void test_match_run_random_market_proposals(void **state)
{
    (void)state;
    const double expected[3] = {5.0 / 2.0, 35.0 / 8.0, 25475.0 / 3888.0};
    const int n_rep = rmc_test_quick() ? 4000 : 40000;
    uint64_t s = 20261125;
    for (size_t n = 2; n <= 4; n++) {
        double sum = 0.0, sum2 = 0.0;
        for (int rep = 0; rep < n_rep; rep++) {
            market mk = random_market(&s, n, n, 1, 1.0, 1.0);
            for (size_t j = 0; j < n; j++) {
                mk.cap[j] = 1;
            }
            outcome o = outcome_new(n, n);
            assert_int_equal(solve(&mk, RMC_PROPOSE_APPLICANTS, &o), RMC_OK);
            const double x = (double)o.res.n_proposals;
            sum += x;
            sum2 += x * x;
            outcome_free(&o);
            market_free(&mk);
        }
        const double mean = sum / n_rep;
        const double se = sqrt((sum2 / n_rep - mean * mean) / (n_rep - 1));
        assert_close(mean, expected[n - 2], 0.0, 5.0 * se);
    }
}

/* ---- the checker on broken matchings ---- */

static void test_match_check_catches_violations(void **state)
{
    (void)state;
    const int id[5] = {0, 1, 2, 3, 4};
    market mk = nrmp_market(id);
    const rmc_match_input in = market_input(&mk);
    rmc_id m[5];
    rmc_diag d = {0};
    memcpy(m, nrmp_expected, sizeof m);
    assert_int_equal(rmc_match_check(&in, m, &d), RMC_OK);
    m[EASTMAN] = RMC_ID_NONE; /* City has a free seat and Eastman wants it */
    assert_int_equal(rmc_match_check(&in, m, &d), RMC_EINTERNAL);
    /* Chen (1) is the first to block: City ranked her and has a free seat. */
    assert_non_null(strstr(d.message, "blocking pair: applicant 1 prefers program 1"));
    assert_non_null(strstr(d.message, "free seat"));
    memcpy(m, nrmp_expected, sizeof m);
    m[FORD] = CITY; /* Ford: City over General, City full; over capacity */
    assert_int_equal(rmc_match_check(&in, m, &d), RMC_EINTERNAL);
    assert_non_null(strstr(d.message, "capacity 2"));
    memcpy(m, nrmp_expected, sizeof m);
    m[DAVIS] = MERCY; /* Mercy did not rank Davis */
    assert_int_equal(rmc_match_check(&in, m, &d), RMC_EINTERNAL);
    assert_non_null(strstr(d.message, "did not rank"));
    memcpy(m, nrmp_expected, sizeof m);
    m[ANDERSON] = GENERAL; /* not on Anderson's list */
    assert_int_equal(rmc_match_check(&in, m, &d), RMC_EINTERNAL);
    assert_non_null(strstr(d.message, "not on its list"));
    memcpy(m, nrmp_expected, sizeof m);
    m[CHEN] = CITY;            /* City holds Anderson, Eastman, Chen: over capacity */
    m[ANDERSON] = RMC_ID_NONE; /* now 2 at City, but City ranks Anderson over Chen */
    assert_int_equal(rmc_match_check(&in, m, &d), RMC_EINTERNAL);
    assert_non_null(strstr(d.message, "above its lowest held applicant, at "));
    m[0] = 7;
    assert_int_equal(rmc_match_check(&in, m, &d), RMC_EINTERNAL);
    market_free(&mk);
}

/* ---- couples ---- */

/* A market of singles plus couples; couple c's joint list is pairs
 * cpair[c][k] = {pa, pb} (-1 ended by pa == -2), ranks from ppref. */
typedef struct cmarket {
    market mk;
    size_t n_couples;
    rmc_id ca[32], cb[32];
    size_t coff[33];
    rmc_id cpa[256], cpb[256];
    int32_t cra[256], crb[256];
} cmarket;

static int32_t rank_in(const int *ppref, size_t pstride, int j, int a)
{
    for (size_t r = 0; j >= 0 && r < pstride && ppref[(size_t)j * pstride + r] >= 0; r++) {
        if (ppref[(size_t)j * pstride + r] == a) {
            return (int32_t)r;
        }
    }
    return RMC_RANK_NONE;
}

static void cmarket_add_couple(cmarket *cm, int a, int b, const int (*pairs)[2], size_t n_pairs,
                               const int *ppref, size_t pstride)
{
    const size_t c = cm->n_couples++;
    cm->ca[c] = a;
    cm->cb[c] = b;
    size_t e = cm->coff[c];
    for (size_t k = 0; k < n_pairs; k++, e++) {
        cm->cpa[e] = pairs[k][0];
        cm->cpb[e] = pairs[k][1];
        cm->cra[e] = rank_in(ppref, pstride, pairs[k][0], a);
        cm->crb[e] = rank_in(ppref, pstride, pairs[k][1], b);
    }
    cm->coff[c + 1] = e;
}

static rmc_match_input cmarket_input(const cmarket *cm)
{
    rmc_match_input in = market_input(&cm->mk);
    in.n_couples = cm->n_couples;
    in.couple_a = cm->ca;
    in.couple_b = cm->cb;
    in.crol_off = cm->coff;
    in.crol_pa = cm->cpa;
    in.crol_pb = cm->cpb;
    in.crol_rank_a = cm->cra;
    in.crol_rank_b = cm->crb;
    return in;
}

static rmc_status csolve(const cmarket *cm, size_t max_rounds, outcome *o, rmc_diag *d)
{
    const rmc_match_input in = cmarket_input(cm);
    return rmc_match_run(g_ws, &in, RMC_PROPOSE_APPLICANTS, max_rounds, &o->res, d);
}

static void test_match_run_couples_hand_solved(void **state)
{
    (void)state;
    /* Applicants 0, 1 are a couple, 2 is single. P0, P1, P2 one seat each.
     * P0 ranks 2 over 0; the couple wants (P0, P1) then (P2, P1); 2 wants P0. */
    const int cap[3] = {1, 1, 1};
    const int apref[3][2] = {{-1}, {-1}, {0, -1}};
    const int ppref[3][3] = {{2, 0, -1}, {1, -1}, {0, -1}};
    cmarket cm = {.mk = market_from_lists(3, 3, cap, &apref[0][0], 2, &ppref[0][0], 3)};
    const int pairs[2][2] = {{0, 1}, {2, 1}};
    cmarket_add_couple(&cm, 0, 1, pairs, 2, &ppref[0][0], 3);
    outcome o = outcome_new(3, 3);
    rmc_diag d = {0};
    assert_int_equal(csolve(&cm, 0, &o, &d), RMC_OK);
    assert_true(o.res.converged);
    assert_int_equal(o.app_prog[0], 2);
    assert_int_equal(o.app_prog[1], 1);
    assert_int_equal(o.app_prog[2], 0);
    assert_int_equal(o.app_choice[0], 1);
    assert_int_equal(o.app_choice[1], 1);
    assert_int_equal(o.app_choice[2], 0);
    const rmc_match_input in = cmarket_input(&cm);
    assert_int_equal(rmc_match_check(&in, o.app_prog, &d), RMC_OK);
    /* The couple at (P0, P1) would be blocked by single 2 at P0. */
    const rmc_id bad[3] = {0, 1, RMC_ID_NONE};
    assert_int_equal(rmc_match_check(&in, bad, &d), RMC_EINTERNAL);
    assert_non_null(strstr(d.message, "blocking pair: applicant 2"));
    /* Placements that are no pair on the joint list. */
    const rmc_id split[3] = {2, RMC_ID_NONE, 0};
    assert_int_equal(rmc_match_check(&in, split, &d), RMC_EINTERNAL);
    assert_non_null(strstr(d.message, "not a ranked pair"));
    outcome_free(&o);
    market_free(&cm.mk);
}

static void test_match_run_couples_same_program(void **state)
{
    (void)state;
    /* The couple wants both seats of P0 (capacity cap0), else a alone at P0. */
    for (int cap0 = 1; cap0 <= 2; cap0++) {
        const int cap[1] = {cap0};
        const int apref[2][1] = {{-1}, {-1}};
        const int ppref[1][3] = {{1, 0, -1}};
        cmarket cm = {.mk = market_from_lists(2, 1, cap, &apref[0][0], 1, &ppref[0][0], 3)};
        const int pairs[2][2] = {{0, 0}, {0, -1}};
        cmarket_add_couple(&cm, 0, 1, pairs, 2, &ppref[0][0], 3);
        outcome o = outcome_new(2, 1);
        assert_int_equal(csolve(&cm, 0, &o, NULL), RMC_OK);
        assert_int_equal(o.app_prog[0], 0);
        assert_int_equal(o.app_prog[1], cap0 == 2 ? 0 : RMC_ID_NONE);
        assert_int_equal(o.app_choice[0], cap0 == 2 ? 0 : 1);
        assert_int_equal(o.fill[0], cap0);
        const rmc_match_input in = cmarket_input(&cm);
        assert_int_equal(rmc_match_check(&in, o.app_prog, NULL), RMC_OK);
        outcome_free(&o);
        market_free(&cm.mk);
    }
}

/* Roth (1984): couple (0, 1) wants only (H0, H1); single 2 wants H0 then
 * H1; H0 ranks 0 over 2, H1 ranks 2 over 1; one seat each. No stable
 * matching exists: the procedure must stop at its bound, and the checker
 * must reject every candidate. */
static void test_match_run_couples_no_stable_matching(void **state)
{
    (void)state;
    const int cap[2] = {1, 1};
    const int apref[3][3] = {{-1}, {-1}, {0, 1, -1}};
    const int ppref[2][3] = {{0, 2, -1}, {2, 1, -1}};
    cmarket cm = {.mk = market_from_lists(3, 2, cap, &apref[0][0], 3, &ppref[0][0], 3)};
    const int pairs[1][2] = {{0, 1}};
    cmarket_add_couple(&cm, 0, 1, pairs, 1, &ppref[0][0], 3);
    outcome o = outcome_new(3, 2);
    rmc_diag d = {0};
    assert_int_equal(csolve(&cm, 25, &o, &d), RMC_NOT_CONVERGED);
    assert_false(o.res.converged);
    int filled = 0;
    for (int i = 0; i < 3; i++) {
        filled += o.app_prog[i] != RMC_ID_NONE;
    }
    assert_int_equal(filled, o.fill[0] + o.fill[1]);
    const rmc_match_input in = cmarket_input(&cm);
    const rmc_id cands[5][3] = {{0, 1, RMC_ID_NONE},
                                {RMC_ID_NONE, RMC_ID_NONE, 0},
                                {RMC_ID_NONE, RMC_ID_NONE, 1},
                                {RMC_ID_NONE, RMC_ID_NONE, RMC_ID_NONE},
                                {0, 1, 1}};
    const char *why[5] = {"blocking pair: applicant 2", "blocking couple", "blocking pair",
                          "blocking", "capacity"};
    for (int k = 0; k < 5; k++) {
        assert_int_equal(rmc_match_check(&in, cands[k], &d), RMC_EINTERNAL);
        assert_non_null(strstr(d.message, why[k]));
    }
    outcome_free(&o);
    market_free(&cm.mk);
}

/* Random markets with couples: a converged result is stable (checker);
 * a non-converged one is still a consistent matching. */
static void test_match_run_couples_random(void **state)
{
    (void)state;
    const int n_cases = rmc_test_quick() ? 200 : 2000;
    int n_converged = 0;
    for (int c = 0; c < n_cases; c++) {
        uint64_t s = 104729u * (uint64_t)c + 5u;
        const bool medium = c % 10 == 9;
        const size_t n_app = medium ? 64 + rng_below(&s, 137) : 2 + rng_below(&s, 14);
        const size_t n_prog = medium ? 5 + rng_below(&s, 16) : 1 + rng_below(&s, 5);
        cmarket cm = {.mk = random_market(&s, n_app, n_prog, 3, medium ? 0.3 : 0.7, 0.8)};
        const size_t max_couples = medium ? 32 : 4;
        const size_t n_couples =
            1 + rng_below(&s, n_app / 2 < max_couples ? n_app / 2 : max_couples);
        /* Program ranks must be distinct and consistent: singles get odd
         * ranks, couple members even ranks from a per-program permutation
         * (or none, one time in six). */
        for (size_t e = 0; e < cm.mk.off[n_app]; e++) {
            cm.mk.rank[e] = cm.mk.rank[e] == RMC_RANK_NONE ? RMC_RANK_NONE : 2 * cm.mk.rank[e] + 1;
        }
        int32_t mrank[20][64];
        for (size_t j = 0; j < n_prog; j++) {
            int perm[64];
            for (int m = 0; m < 64; m++) {
                perm[m] = m;
            }
            shuffle(&s, perm, 2 * n_couples);
            for (size_t m = 0; m < 2 * n_couples; m++) {
                mrank[j][m] = rng_below(&s, 6) == 0 ? RMC_RANK_NONE : (int32_t)(2 * perm[m]);
            }
        }
        for (size_t k = 0; k < n_couples; k++) {
            const size_t n_pairs = rng_below(&s, 8);
            cm.ca[k] = (rmc_id)(2 * k);
            cm.cb[k] = (rmc_id)(2 * k + 1);
            size_t e = cm.coff[k];
            for (size_t q = 0; q < n_pairs; q++, e++) {
                cm.cpa[e] = rng_below(&s, 5) == 0 ? RMC_ID_NONE : (rmc_id)rng_below(&s, n_prog);
                cm.cpb[e] = rng_below(&s, 5) == 0 ? RMC_ID_NONE : (rmc_id)rng_below(&s, n_prog);
                cm.cra[e] = cm.cpa[e] == RMC_ID_NONE ? RMC_RANK_NONE : mrank[cm.cpa[e]][2 * k];
                cm.crb[e] = cm.cpb[e] == RMC_ID_NONE ? RMC_RANK_NONE : mrank[cm.cpb[e]][2 * k + 1];
            }
            cm.coff[k + 1] = e;
        }
        cm.n_couples = n_couples;
        outcome o = outcome_new(n_app, n_prog);
        rmc_diag d = {0};
        const rmc_status st = csolve(&cm, 50, &o, &d);
        const rmc_match_input in = cmarket_input(&cm);
        if (st == RMC_OK) {
            n_converged++;
            const rmc_status sc = rmc_match_check(&in, o.app_prog, &d);
            if (sc != RMC_OK) {
                print_error("case %d (seed %llu): %s\n", c,
                            (unsigned long long)(104729u * (uint64_t)c + 5u), d.message);
                fail();
            }
        } else {
            assert_int_equal(st, RMC_NOT_CONVERGED);
            assert_false(o.res.converged);
        }
        int32_t fill[20] = {0};
        for (size_t i = 0; i < n_app; i++) {
            if (o.app_prog[i] != RMC_ID_NONE) {
                fill[o.app_prog[i]]++;
            }
        }
        for (size_t j = 0; j < n_prog; j++) {
            assert_int_equal(fill[j], o.fill[j]);
            assert_true(fill[j] <= cm.mk.cap[j]);
        }
        outcome_free(&o);
        market_free(&cm.mk);
    }
    /* Most small markets with couples have a stable matching that the
     * procedure finds; this guards against a procedure that never converges. */
    print_message("couples: %d of %d random markets converged\n", n_converged, n_cases);
    assert_true(n_converged > n_cases * 8 / 10);
}

/* ---- couples fixtures, brute force, and the procedure a round at a time ---- */

/* Read tests/data/<name>/market.txt: '#' comment lines, then
 *   market N_APP N_PROG N_COUPLES
 *   capacity C_0 .. C_{N_PROG-1}
 *   app I K  (PROG RANK) x K          one line per applicant, in order
 *   couple A B K  (PA RA PB RB) x K    one line per couple
 * with -1 for "no program" (RMC_ID_NONE) and "not ranked" (RMC_RANK_NONE). */
static cmarket load_cmarket(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/market.txt", RMC_TEST_DATA, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int ch;
    while ((ch = fgetc(f)) == '#') {
        while ((ch = fgetc(f)) != '\n' && ch != EOF) {
        }
    }
    ungetc(ch, f);
    size_t n_app = 0, n_prog = 0, n_couples = 0;
    assert_int_equal(fscanf(f, " market %zu %zu %zu capacity", &n_app, &n_prog, &n_couples), 3);
    assert_true(n_couples <= 32);
    cmarket cm = {.mk = market_new(n_app, n_prog, n_app * n_prog)};
    for (size_t j = 0; j < n_prog; j++) {
        assert_int_equal(fscanf(f, "%d", &cm.mk.cap[j]), 1);
    }
    size_t e = 0;
    for (size_t i = 0; i < n_app; i++) {
        size_t id = 0, k = 0;
        assert_int_equal(fscanf(f, " app %zu %zu", &id, &k), 2);
        assert_true(id == i && k <= n_prog);
        for (size_t q = 0; q < k; q++, e++) {
            assert_int_equal(fscanf(f, "%d %d", &cm.mk.prog[e], &cm.mk.rank[e]), 2);
        }
        cm.mk.off[i + 1] = e;
    }
    e = 0;
    for (size_t c = 0; c < n_couples; c++) {
        size_t k = 0;
        assert_int_equal(fscanf(f, " couple %d %d %zu", &cm.ca[c], &cm.cb[c], &k), 3);
        assert_true(e + k <= 256);
        for (size_t q = 0; q < k; q++, e++) {
            assert_int_equal(
                fscanf(f, "%d %d %d %d", &cm.cpa[e], &cm.cra[e], &cm.cpb[e], &cm.crb[e]), 4);
        }
        cm.coff[c + 1] = e;
    }
    cm.n_couples = n_couples;
    fclose(f);
    return cm;
}

/* Exhaustive search: every assignment of each single (unmatched or any
 * program on its list) and each couple (unmatched or any pair on its joint
 * list), skipping only those over capacity, judged by rmc_match_check. */
typedef struct brute {
    const cmarket *cm;
    rmc_match_input in;
    rmc_id *asg;   /* [n_app] the assignment being built */
    int32_t *used; /* [n_prog] seats it uses */
    rmc_id *owner; /* [n_app] couple of a member (first member only), or -1 */
    rmc_id *first; /* [n_app] the first stable matching found */
    size_t n_stable;
} brute;

static void brute_try(brute *b, size_t i);

/* Assign applicant i program p (or none) and go on; undo afterwards. */
static void brute_place(brute *b, size_t i, rmc_id p, size_t i_next)
{
    if (p != RMC_ID_NONE && b->used[p] >= b->cm->mk.cap[p]) {
        return;
    }
    if (p != RMC_ID_NONE) {
        b->used[p]++;
    }
    b->asg[i] = p;
    brute_try(b, i_next);
    b->asg[i] = RMC_ID_NONE;
    if (p != RMC_ID_NONE) {
        b->used[p]--;
    }
}

static void brute_couple(brute *b, size_t i, size_t c)
{
    const size_t a = (size_t)b->cm->ca[c], m = (size_t)b->cm->cb[c];
    for (size_t e = b->cm->coff[c]; e < b->cm->coff[c + 1]; e++) {
        const rmc_id pa = b->cm->cpa[e], pb = b->cm->cpb[e];
        if ((pa == RMC_ID_NONE && pb == RMC_ID_NONE) ||
            (pb != RMC_ID_NONE && b->used[pb] >= b->cm->mk.cap[pb])) {
            continue; /* both unmatched: tried once, below */
        }
        if (pb != RMC_ID_NONE) {
            b->used[pb]++;
        }
        b->asg[m] = pb;
        brute_place(b, a, pa, i + 1);
        b->asg[m] = RMC_ID_NONE;
        if (pb != RMC_ID_NONE) {
            b->used[pb]--;
        }
    }
    brute_try(b, i + 1); /* both unmatched */
}

static void brute_try(brute *b, size_t i)
{
    while (i < b->cm->mk.n_app && b->owner[i] == -2) {
        i++; /* second members are placed with their couple */
    }
    if (i == b->cm->mk.n_app) {
        if (rmc_match_check(&b->in, b->asg, NULL) == RMC_OK && b->n_stable++ == 0) {
            memcpy(b->first, b->asg, b->cm->mk.n_app * sizeof(rmc_id));
        }
        return;
    }
    if (b->owner[i] >= 0) {
        brute_couple(b, i, (size_t)b->owner[i]);
        return;
    }
    brute_try(b, i + 1); /* unmatched */
    for (size_t e = b->cm->mk.off[i]; e < b->cm->mk.off[i + 1]; e++) {
        brute_place(b, i, b->cm->mk.prog[e], i + 1);
    }
}

/* Number of stable matchings of cm; the first one found goes to first. */
static size_t brute_count_stable(const cmarket *cm, rmc_id *first)
{
    const size_t n = cm->mk.n_app;
    brute b = {cm,
               cmarket_input(cm),
               xmalloc(n * sizeof(rmc_id)),
               calloc(cm->mk.n_prog + 1, sizeof(int32_t)),
               xmalloc(n * sizeof(rmc_id)),
               first,
               0};
    for (size_t i = 0; i < n; i++) {
        b.asg[i] = RMC_ID_NONE;
        b.owner[i] = -1;
    }
    for (size_t c = 0; c < cm->n_couples; c++) {
        const size_t lo = (size_t)(cm->ca[c] < cm->cb[c] ? cm->ca[c] : cm->cb[c]);
        const size_t hi = (size_t)(cm->ca[c] < cm->cb[c] ? cm->cb[c] : cm->ca[c]);
        b.owner[lo] = (rmc_id)c;
        b.owner[hi] = -2;
    }
    brute_try(&b, 0);
    free(b.asg);
    free(b.used);
    free(b.owner);
    return b.n_stable;
}

/* Filled seats agree with the placements and respect capacities. */
static void assert_consistent(const cmarket *cm, const outcome *o)
{
    int32_t fill[MAXP] = {0};
    for (size_t i = 0; i < cm->mk.n_app; i++) {
        if (o->app_prog[i] != RMC_ID_NONE) {
            fill[o->app_prog[i]]++;
        }
    }
    for (size_t j = 0; j < cm->mk.n_prog; j++) {
        assert_int_equal(fill[j], o->fill[j]);
        assert_true(fill[j] <= cm->mk.cap[j]);
    }
}

/* The market on which the rescan queue of the old matcher (one slot per
 * program, appended to while a pass walked it) overran its allocation
 * (tests/data/couples_overflow, from tests/data/sim_couples): run it in a
 * workspace sized exactly to it, so ASan sees any overrun. No stable
 * matching exists; the procedure must say so, and its cycle detection must
 * stop it long before a bound of 10^9 rounds. */
static void test_match_run_couples_rescan_queue(void **state)
{
    (void)state;
    cmarket cm = load_cmarket("couples_overflow");
    const rmc_match_input in = cmarket_input(&cm);
    size_t seats = 0;
    for (size_t j = 0; j < in.n_prog; j++) {
        seats += (size_t)in.capacity[j];
    }
    rmc_match_ws *w = NULL;
    assert_int_equal(rmc_match_ws_alloc(in.n_app, in.n_prog, in.app_off[in.n_app], seats, &w),
                     RMC_OK);
    outcome o = outcome_new(in.n_app, in.n_prog);
    rmc_diag d = {0};
    assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 1000000000, &o.res, &d),
                     RMC_NOT_CONVERGED);
    assert_false(o.res.converged);
    assert_true(w->cycled);
    assert_true(w->round < 200);
    assert_consistent(&cm, &o);
    assert_int_equal(rmc_match_check(&in, o.app_prog, &d), RMC_EINTERNAL);
    rmc_match_ws_free(w);
    outcome_free(&o);
    market_free(&cm.mk);
}

/* tests/data/couples_no_stable (reduced from the market above): brute force
 * finds no stable matching; driven a round at a time, the procedure detects
 * its cycle within a few rounds and then stays done. */
static void test_match_couples_step_no_stable(void **state)
{
    (void)state;
    cmarket cm = load_cmarket("couples_no_stable");
    rmc_id first[8];
    assert_int_equal(brute_count_stable(&cm, first), 0);
    const rmc_match_input in = cmarket_input(&cm);
    assert_int_equal(rmc_match_couples_reset(g_ws, &in, NULL), RMC_OK);
    rmc_match_couples_init(g_ws, &in);
    assert_int_equal(g_ws->round, 0);
    size_t rounds = 0;
    while (!rmc_match_couples_step(g_ws, &in)) {
        assert_true(++rounds < 16);
    }
    assert_true(g_ws->cycled);
    assert_false(g_ws->converged);
    const size_t r = g_ws->round;
    assert_true(rmc_match_couples_step(g_ws, &in));
    assert_int_equal(g_ws->round, r);
    outcome o = outcome_new(in.n_app, in.n_prog);
    assert_int_equal(rmc_match_couples_done(g_ws, &in, &o.res), RMC_NOT_CONVERGED);
    assert_false(o.res.converged);
    assert_consistent(&cm, &o);
    outcome_free(&o);
    market_free(&cm.mk);
}

/* Driven a round at a time, the hand-solved market converges to the same
 * matching as rmc_match_run. */
static void test_match_couples_step_converges(void **state)
{
    (void)state;
    const int cap[3] = {1, 1, 1};
    const int apref[3][2] = {{-1}, {-1}, {0, -1}};
    const int ppref[3][3] = {{2, 0, -1}, {1, -1}, {0, -1}};
    cmarket cm = {.mk = market_from_lists(3, 3, cap, &apref[0][0], 2, &ppref[0][0], 3)};
    const int pairs[2][2] = {{0, 1}, {2, 1}};
    cmarket_add_couple(&cm, 0, 1, pairs, 2, &ppref[0][0], 3);
    const rmc_match_input in = cmarket_input(&cm);
    assert_int_equal(rmc_match_couples_reset(g_ws, &in, NULL), RMC_OK);
    rmc_match_couples_init(g_ws, &in);
    while (!rmc_match_couples_step(g_ws, &in)) {
        assert_true(g_ws->round < 16);
    }
    assert_true(g_ws->converged);
    assert_false(g_ws->cycled);
    outcome o = outcome_new(3, 3);
    assert_int_equal(rmc_match_couples_done(g_ws, &in, &o.res), RMC_OK);
    const rmc_id expect[3] = {2, 1, 0};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(o.app_prog[i], expect[i]);
    }
    outcome_free(&o);
    market_free(&cm.mk);
}

/* A "both unmatched" entry ends a couple's list (tests/data/
 * couples_both_unmatched): the only stable matching leaves couple (0, 1)
 * unmatched; the matcher used to skip that entry, take (none, P0) below it
 * and cycle. */
static void test_match_run_couples_both_unmatched(void **state)
{
    (void)state;
    cmarket cm = load_cmarket("couples_both_unmatched");
    rmc_id first[8];
    assert_int_equal(brute_count_stable(&cm, first), 1);
    outcome o = outcome_new(cm.mk.n_app, cm.mk.n_prog);
    assert_int_equal(csolve(&cm, 0, &o, NULL), RMC_OK);
    for (size_t i = 0; i < cm.mk.n_app; i++) {
        assert_int_equal(o.app_prog[i], first[i]);
    }
    assert_int_equal(o.app_choice[0], -1);
    outcome_free(&o);
    market_free(&cm.mk);
}

/* The checker: a couple placed below its own "both unmatched" entry is
 * blocked by it (tests/data/couples_stop_entry has no stable matching, and
 * the matching that ignored the entry was once accepted). */
static void test_match_check_couple_below_stop_entry(void **state)
{
    (void)state;
    cmarket cm = load_cmarket("couples_stop_entry");
    const rmc_match_input in = cmarket_input(&cm);
    const rmc_id m[4] = {RMC_ID_NONE, 1, 1, 0};
    rmc_diag d = {0};
    assert_int_equal(rmc_match_check(&in, m, &d), RMC_EINTERNAL);
    assert_non_null(strstr(d.message, "prefers both unmatched"));
    rmc_id first[8];
    assert_int_equal(brute_count_stable(&cm, first), 0);
    outcome o = outcome_new(4, cm.mk.n_prog);
    assert_int_equal(csolve(&cm, 0, &o, NULL), RMC_NOT_CONVERGED);
    outcome_free(&o);
    market_free(&cm.mk);
}

/* tests/data/couples_order (replicate 778 of tests/data/sim_couples): a
 * stable matching exists. When every couple entered before any rescan,
 * the first attempt (couple 0 first) cycled and only the restart with the
 * couples in reverse order found it; with the singles a freed seat admits
 * moved after each couple's entry (rmc_match_couples_init), the first
 * attempt converges to a stable matching, and rmc_match_run needs no
 * restart. */
static void test_match_run_couples_second_pass(void **state)
{
    (void)state;
    cmarket cm = load_cmarket("couples_order");
    const rmc_match_input in = cmarket_input(&cm);
    assert_int_equal(rmc_match_couples_reset(g_ws, &in, NULL), RMC_OK);
    rmc_match_couples_init(g_ws, &in);
    while (!rmc_match_couples_step(g_ws, &in)) {
        assert_true(g_ws->round < 1000);
    }
    assert_true(g_ws->converged);
    outcome o = outcome_new(in.n_app, in.n_prog);
    assert_int_equal(csolve(&cm, 0, &o, NULL), RMC_OK);
    assert_true(o.res.converged);
    assert_int_equal((int)o.res.n_restarts, 0);
    assert_int_equal(rmc_match_check(&in, o.app_prog, NULL), RMC_OK);
    assert_consistent(&cm, &o);
    outcome_free(&o);
    market_free(&cm.mk);
}

/* A tiny random market with couples: singles list programs in random order,
 * couples pair random programs (none one time in five), programs rank
 * everyone in one random order (not at all one time in six). */
static cmarket random_cmarket(uint64_t *s, size_t n_app, size_t n_prog, size_t n_couples)
{
    cmarket cm = {.mk = market_new(n_app, n_prog, n_app * n_prog)};
    int32_t prank[4][8];
    int perm[8];
    for (size_t j = 0; j < n_prog; j++) {
        cm.mk.cap[j] = (int32_t)(1 + rng_below(s, 2));
        for (int i = 0; i < 8; i++) {
            perm[i] = i;
        }
        shuffle(s, perm, n_app);
        for (size_t i = 0; i < n_app; i++) {
            prank[j][perm[i]] = rng_below(s, 6) == 0 ? RMC_RANK_NONE : (int32_t)i;
        }
    }
    size_t e = 0;
    for (size_t i = 0; i < n_app; i++) {
        for (int j = 0; j < 8; j++) {
            perm[j] = j;
        }
        shuffle(s, perm, n_prog);
        const size_t len = i < 2 * n_couples ? 0 : rng_below(s, n_prog + 1);
        for (size_t k = 0; k < len; k++, e++) {
            cm.mk.prog[e] = perm[k];
            cm.mk.rank[e] = prank[perm[k]][i];
        }
        cm.mk.off[i + 1] = e;
    }
    e = 0;
    for (size_t c = 0; c < n_couples; c++) {
        cm.ca[c] = (rmc_id)(2 * c);
        cm.cb[c] = (rmc_id)(2 * c + 1);
        const size_t n_pairs = rng_below(s, 7);
        for (size_t q = 0; q < n_pairs; q++, e++) {
            cm.cpa[e] = rng_below(s, 5) == 0 ? RMC_ID_NONE : (rmc_id)rng_below(s, n_prog);
            cm.cpb[e] = rng_below(s, 5) == 0 ? RMC_ID_NONE : (rmc_id)rng_below(s, n_prog);
            cm.cra[e] = cm.cpa[e] == RMC_ID_NONE ? RMC_RANK_NONE : prank[cm.cpa[e]][2 * c];
            cm.crb[e] = cm.cpb[e] == RMC_ID_NONE ? RMC_RANK_NONE : prank[cm.cpb[e]][2 * c + 1];
        }
        cm.coff[c + 1] = e;
    }
    cm.n_couples = n_couples;
    return cm;
}

/* Brute force over every matching of tiny random markets with couples: a
 * converged result is stable; the procedure ends without one (its cycle
 * detected) mostly where none exists. Roth-Peranson is a heuristic, so it
 * can miss a stable matching that exists; that must stay rare. */
static void test_match_run_couples_brute_force(void **state)
{
    (void)state;
    const int n_cases = rmc_test_quick() ? 300 : 3000;
    int n_conv = 0, n_none = 0, n_missed = 0;
    for (int t = 0; t < n_cases; t++) {
        uint64_t s = 7919u * (uint64_t)t + 3u;
        const size_t n_app = 2 + rng_below(&s, 5);
        const size_t n_prog = 1 + rng_below(&s, 3);
        const size_t n_couples = 1 + rng_below(&s, n_app / 2 < 2 ? n_app / 2 : 2);
        cmarket cm = random_cmarket(&s, n_app, n_prog, n_couples);
        rmc_id first[8];
        const size_t n_stable = brute_count_stable(&cm, first);
        outcome o = outcome_new(n_app, n_prog);
        const rmc_status st = csolve(&cm, 1000000, &o, NULL);
        assert_consistent(&cm, &o);
        const rmc_match_input in = cmarket_input(&cm);
        if (st == RMC_OK) {
            n_conv++;
            assert_int_equal(rmc_match_check(&in, o.app_prog, NULL), RMC_OK);
            assert_true(n_stable > 0);
        } else {
            assert_int_equal(st, RMC_NOT_CONVERGED);
            assert_true(g_ws->cycled);
            n_none += n_stable == 0;
            n_missed += n_stable > 0;
        }
        outcome_free(&o);
        market_free(&cm.mk);
    }
    print_message("couples brute force: %d markets, %d converged, %d without a stable matching, "
                  "%d with one the procedure missed\n",
                  n_cases, n_conv, n_none, n_missed);
    assert_true(n_none > 0);
    assert_true(n_missed * 200 <= n_cases);
}

/* The smallest market an independent check found where the procedure
 * missed the only stable matching: applicants a=0, b=1 (a couple), s=2,
 * x=3, y=4; P0 and P1 two seats each; s ranks [P0, P1], x and y [P1];
 * the couple (P1,P0), (P0,P1), (P0,P0); P0 ranks b > a > s, P1 ranks
 * y > s > b > x > a. The only stable matching (brute force below) puts
 * the couple at (P0,P0), s and y at P1 and x unmatched. Without restarts
 * the couple cycles between (P0,P1) and (P1,P0): no order of entry makes
 * it propose (P0,P0), since that needs s at P1 first, which needs the
 * couple at (P0,P0). */
static void test_match_run_couples_minimal_miss(void **state)
{
    (void)state;
    const int cap[2] = {2, 2};
    const int apref[5][3] = {{-1}, {-1}, {0, 1, -1}, {1, -1}, {1, -1}};
    const int ppref[2][6] = {{1, 0, 2, -1}, {4, 2, 1, 3, 0, -1}};
    cmarket cm = {.mk = market_from_lists(5, 2, cap, &apref[0][0], 3, &ppref[0][0], 6)};
    const int pairs[3][2] = {{1, 0}, {0, 1}, {0, 0}};
    cmarket_add_couple(&cm, 0, 1, pairs, 3, &ppref[0][0], 6);
    rmc_id first[8];
    assert_int_equal(brute_count_stable(&cm, first), 1);
    const rmc_id want[5] = {0, 0, 1, RMC_ID_NONE, 1};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(first[i], want[i]);
    }
    const rmc_match_input in = cmarket_input(&cm);
    outcome o = outcome_new(5, 2);
    rmc_diag d = {0};
    assert_int_equal(csolve(&cm, 0, &o, &d), RMC_OK);
    assert_true(o.res.converged);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(o.app_prog[i], want[i]);
    }
    assert_int_equal(o.app_choice[0], 2);
    assert_int_equal(rmc_match_check(&in, o.app_prog, &d), RMC_OK);
    /* The listing checker: nothing for the stable matching; for the couple
     * at (P0,P1) (stable for verifiers that keep a couple's own seats
     * taken) exactly one violation, the couple blocking with (P1,P0); for
     * a matching with x at P1 over y and the couple unmatched, several. */
    const char *ids[5] = {"a", "b", "s", "x", "y"}, *pids[2] = {"P0", "P1"};
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(10, &pr), RMC_OK);
    assert_int_equal(rmc_match_check_list(&in, o.app_prog, ids, pids, pr, &d), RMC_OK);
    assert_int_equal(rmc_problems_count(pr), 0);
    const rmc_id weak[5] = {0, 1, 0, RMC_ID_NONE, 1};
    assert_int_equal(rmc_match_check_list(&in, weak, ids, pids, pr, &d), RMC_OK);
    assert_int_equal(rmc_problems_count(pr), 1);
    assert_non_null(strstr(rmc_problems_get(pr, 0),
                           "blocking couple: couple of applicants 'a' and 'b' prefers programs "
                           "('P1', 'P0') (rank 1 on its joint list)"));
    assert_int_equal(rmc_match_check(&in, weak, &d), RMC_EINTERNAL);
    rmc_problems_free(pr);
    assert_int_equal(rmc_problems_alloc(10, &pr), RMC_OK);
    const rmc_id many[5] = {RMC_ID_NONE, RMC_ID_NONE, 1, 1, 1};
    assert_int_equal(rmc_match_check_list(&in, many, NULL, NULL, pr, &d), RMC_OK);
    /* P1 over capacity; s blocks at P0 (free seats); the couple blocks. */
    assert_int_equal(rmc_problems_count(pr), 3);
    assert_non_null(strstr(rmc_problems_get(pr, 0), "program 1 holds 3 applicants, capacity 2"));
    assert_non_null(
        strstr(rmc_problems_get(pr, 1), "blocking pair: applicant 2 prefers program 0"));
    assert_non_null(strstr(rmc_problems_get(pr, 2), "blocking couple: couple 0"));
    rmc_problems_free(pr);
    /* The counting checker finds the same, by kind. */
    const rmc_id *const matchings[3] = {o.app_prog, weak, many};
    const rmc_match_violations counts[3] = {{0, 0, 0, 0}, {0, 0, 0, 1}, {1, 1, 0, 1}};
    for (int k = 0; k < 3; k++) {
        const rmc_match_outcome mo = {.app_prog = matchings[k]};
        rmc_match_violations v = {9, 9, 9, 9};
        assert_int_equal(rmc_match_check_count(&in, &mo, &v, &d), RMC_OK);
        assert_int_equal(v.other, counts[k].other);
        assert_int_equal(v.singles, counts[k].singles);
        assert_int_equal(v.sup, counts[k].sup);
        assert_int_equal(v.couples, counts[k].couples);
    }
    const rmc_match_outcome mo = {.app_prog = weak};
    assert_int_equal(rmc_match_check_count(&in, &mo, NULL, &d), RMC_EUSAGE);
    outcome_free(&o);
    market_free(&cm.mk);
}

/* ---- a random-market study of the couples procedure ---- */

/* A random market with couples, of any size the cmarket holds: programs
 * have a common quality and sit in one of two regions; applicants a common
 * score. A single lists 1..5 programs by quality plus noise; a program
 * ranks applicants by score plus noise and leaves one in eight unranked;
 * a couple's members each like 1..4 programs, and the joint list orders
 * the pairs of those (and "one member unmatched") by the sum of the
 * members' utilities, a pair within one region first, up to 8 pairs, a
 * "both unmatched" entry one time in ten. Capacities 1..3. */
static cmarket study_cmarket(uint64_t *s, size_t n_app, size_t n_prog, size_t n_couples)
{
    cmarket cm = {.mk = market_new(n_app, n_prog, n_app * n_prog)};
    double q[MAXP], z[64], u[64];
    int32_t prank[16][64];
    for (size_t j = 0; j < n_prog; j++) {
        cm.mk.cap[j] = (int32_t)(1 + rng_below(s, 3));
        q[j] = (double)rng_below(s, 1000) / 1000.0;
    }
    for (size_t i = 0; i < n_app; i++) {
        z[i] = (double)rng_below(s, 1000) / 1000.0;
    }
    for (size_t j = 0; j < n_prog; j++) {
        int order[64];
        for (size_t i = 0; i < n_app; i++) {
            order[i] = (int)i;
            u[i] = z[i] + (double)rng_below(s, 1000) / 1000.0;
        }
        for (size_t a = 1; a < n_app; a++) { /* insertion sort, best first */
            for (size_t b = a; b > 0 && u[order[b]] > u[order[b - 1]]; b--) {
                const int t = order[b];
                order[b] = order[b - 1];
                order[b - 1] = t;
            }
        }
        for (size_t r = 0; r < n_app; r++) {
            prank[j][order[r]] = rng_below(s, 8) == 0 ? RMC_RANK_NONE : (int32_t)r;
        }
    }
    size_t e = 0;
    double util[2][16];
    int list[2][16];
    size_t len[2];
    for (size_t i = 0; i < n_app; i++) {
        const int who = i < 2 * n_couples ? (int)(i % 2) : 0;
        const size_t max_len = i < 2 * n_couples ? 4 : 5;
        len[who] = 1 + rng_below(s, n_prog < max_len ? n_prog : max_len);
        int perm[16];
        double v[16];
        for (size_t j = 0; j < n_prog; j++) {
            perm[j] = (int)j;
            v[j] = q[j] + (double)rng_below(s, 1000) / 1000.0;
        }
        for (size_t a = 1; a < n_prog; a++) {
            for (size_t b = a; b > 0 && v[perm[b]] > v[perm[b - 1]]; b--) {
                const int t = perm[b];
                perm[b] = perm[b - 1];
                perm[b - 1] = t;
            }
        }
        for (size_t k = 0; k < len[who]; k++) {
            list[who][k] = perm[k];
            util[who][k] = v[perm[k]];
        }
        if (i >= 2 * n_couples) {
            for (size_t k = 0; k < len[0]; k++, e++) {
                cm.mk.prog[e] = list[0][k];
                cm.mk.rank[e] = prank[list[0][k]][i];
            }
        }
        cm.mk.off[i + 1] = e;
        if (i < 2 * n_couples && who == 1) { /* the couple's joint list */
            const size_t c = i / 2;
            rmc_id pa[32], pb[32];
            double pu[32];
            size_t n = 0;
            for (size_t x = 0; x <= len[0]; x++) {
                for (size_t y = 0; y <= len[1]; y++) {
                    if (x == len[0] && y == len[1]) {
                        continue;
                    }
                    pa[n] = x < len[0] ? list[0][x] : RMC_ID_NONE;
                    pb[n] = y < len[1] ? list[1][y] : RMC_ID_NONE;
                    pu[n] = (x < len[0] ? util[0][x] : -1.0) + (y < len[1] ? util[1][y] : -1.0) +
                            (pa[n] >= 0 && pb[n] >= 0 && pa[n] % 2 == pb[n] % 2 ? 1.0 : 0.0);
                    n++;
                }
            }
            size_t idx[32];
            for (size_t k = 0; k < n; k++) {
                idx[k] = k;
            }
            for (size_t a = 1; a < n; a++) {
                for (size_t b = a; b > 0 && pu[idx[b]] > pu[idx[b - 1]]; b--) {
                    const size_t t = idx[b];
                    idx[b] = idx[b - 1];
                    idx[b - 1] = t;
                }
            }
            const size_t n_pairs = n < 8 ? n : 8;
            const size_t stop_at = rng_below(s, 10) == 0 ? rng_below(s, n_pairs + 1) : SIZE_MAX;
            size_t f = cm.coff[c];
            for (size_t k = 0; k < n_pairs; k++, f++) {
                if (k == stop_at) {
                    cm.cpa[f] = cm.cpb[f] = RMC_ID_NONE;
                    cm.cra[f] = cm.crb[f] = RMC_RANK_NONE;
                    f++;
                }
                cm.cpa[f] = pa[idx[k]];
                cm.cpb[f] = pb[idx[k]];
                cm.cra[f] = pa[idx[k]] >= 0 ? prank[pa[idx[k]]][2 * c] : RMC_RANK_NONE;
                cm.crb[f] = pb[idx[k]] >= 0 ? prank[pb[idx[k]]][2 * c + 1] : RMC_RANK_NONE;
            }
            cm.ca[c] = (rmc_id)(2 * c);
            cm.cb[c] = (rmc_id)(2 * c + 1);
            cm.coff[c + 1] = f;
        }
    }
    cm.n_couples = n_couples;
    return cm;
}

/* Does cm have a stable matching? Every placement of the couples (a pair
 * of its joint list above its first "both unmatched" entry, or both
 * unmatched) is tried; the singles of a stable matching then form a
 * stable matching of the singles market with the couples' seats taken,
 * and in every such matching each single holds a program between its
 * applicant-optimal and program-optimal ones (or is unmatched in both),
 * so only those are tried, each candidate judged by rmc_match_check.
 * Checked against the plain enumeration on tiny markets. */
typedef struct exist {
    const cmarket *cm;
    rmc_match_input in;
    market red;                   /* the singles market, capacities reduced */
    rmc_id asg[64];               /* the candidate */
    size_t lo[64], hi[64];        /* singles: positions to try in their lists */
    rmc_id *sa, *sp;              /* applicant- and program-optimal singles matchings */
    int32_t *choice_a, *choice_p; /* their list positions */
    size_t n_tried;
} exist;

static bool exist_singles(exist *x, size_t i)
{
    const cmarket *cm = x->cm;
    while (i < cm->mk.n_app && i < 2 * cm->n_couples) {
        i++;
    }
    if (i == cm->mk.n_app) {
        x->n_tried++;
        return rmc_match_check(&x->in, x->asg, NULL) == RMC_OK;
    }
    if (x->lo[i] == SIZE_MAX) {
        x->asg[i] = RMC_ID_NONE;
        return exist_singles(x, i + 1);
    }
    for (size_t k = x->lo[i]; k <= x->hi[i]; k++) {
        x->asg[i] = cm->mk.prog[cm->mk.off[i] + k];
        if (exist_singles(x, i + 1)) {
            return true;
        }
    }
    return false;
}

static bool exist_place(exist *x, size_t c)
{
    const cmarket *cm = x->cm;
    if (c == cm->n_couples) {
        for (size_t j = 0; j < cm->mk.n_prog; j++) {
            if (x->red.cap[j] < 0) {
                return false;
            }
        }
        outcome oa = {x->sa, x->choice_a, NULL, {.app_prog = x->sa, .app_choice = x->choice_a}};
        int32_t fill_a[MAXP], fill_p[MAXP];
        oa.res.fill = fill_a;
        const rmc_match_input rin = market_input(&x->red);
        rmc_match_result rp = {.app_prog = x->sp, .app_choice = x->choice_p, .fill = fill_p};
        assert_int_equal(rmc_match_run(g_ws, &rin, RMC_PROPOSE_APPLICANTS, 0, &oa.res, NULL),
                         RMC_OK);
        assert_int_equal(rmc_match_run(g_ws, &rin, RMC_PROPOSE_PROGRAMS, 0, &rp, NULL), RMC_OK);
        for (size_t i = 2 * cm->n_couples; i < cm->mk.n_app; i++) {
            assert_true((x->sa[i] == RMC_ID_NONE) == (x->sp[i] == RMC_ID_NONE));
            x->lo[i] = x->sa[i] == RMC_ID_NONE ? SIZE_MAX : (size_t)x->choice_a[i];
            x->hi[i] = x->sa[i] == RMC_ID_NONE ? SIZE_MAX : (size_t)x->choice_p[i];
        }
        return exist_singles(x, 0);
    }
    const rmc_id a = cm->ca[c], b = cm->cb[c];
    for (size_t e = cm->coff[c]; e <= cm->coff[c + 1]; e++) {
        const bool both_none = e == cm->coff[c + 1] || (cm->cpa[e] < 0 && cm->cpb[e] < 0);
        const rmc_id pa = both_none ? RMC_ID_NONE : cm->cpa[e];
        const rmc_id pb = both_none ? RMC_ID_NONE : cm->cpb[e];
        if (!both_none && ((pa >= 0 && cm->cra[e] < 0) || (pb >= 0 && cm->crb[e] < 0))) {
            continue;
        }
        x->asg[a] = pa;
        x->asg[b] = pb;
        if (pa >= 0) {
            x->red.cap[pa]--;
        }
        if (pb >= 0) {
            x->red.cap[pb]--;
        }
        const bool found = exist_place(x, c + 1);
        if (pa >= 0) {
            x->red.cap[pa]++;
        }
        if (pb >= 0) {
            x->red.cap[pb]++;
        }
        if (found || both_none) {
            return found; /* the list ends at "both unmatched" */
        }
    }
    return false;
}

static bool has_stable(const cmarket *cm)
{
    exist x = {.cm = cm, .in = cmarket_input(cm)};
    x.red = cm->mk;
    int32_t cap[MAXP];
    rmc_id sa[64], sp[64];
    int32_t ca[64], cp[64];
    memcpy(cap, cm->mk.cap, cm->mk.n_prog * sizeof *cap);
    x.red.cap = cap;
    x.sa = sa;
    x.sp = sp;
    x.choice_a = ca;
    x.choice_p = cp;
    return exist_place(&x, 0);
}

/* The study: random markets of several sizes with 1 to 6 couples (fixed
 * seeds; RMC_COUPLES_STUDY=full runs ten times as many, docs/match.md). Every
 * converged result is stable by the checker; of the markets that have a
 * stable matching (by has_stable), the procedure must find one in well
 * over 99%. has_stable agrees with the plain enumeration on tiny ones. */
static void test_match_run_couples_study(void **state)
{
    (void)state;
    const int quick = rmc_test_quick();
    const char *full_env = getenv("RMC_COUPLES_STUDY");
    const bool full = full_env != NULL && strcmp(full_env, "full") == 0;
    const struct {
        size_t app_lo, app_hi, prog_lo, prog_hi, couples_hi;
        int n, n_full; /* markets in make check, and with RMC_COUPLES_STUDY=full */
    } sizes[3] = {
        {4, 8, 1, 4, 2, 3000, 30000}, {9, 20, 2, 6, 4, 1000, 10000}, {21, 40, 4, 10, 6, 60, 2000}};
    int n_markets = 0, n_with = 0, n_missed = 0, n_conv = 0, n_tiny = 0;
    for (int z = 0; z < 3; z++) {
        const int n_cases = full ? sizes[z].n_full : quick ? sizes[z].n / 10 : sizes[z].n;
        for (int t = 0; t < n_cases; t++) {
            uint64_t s = 104729u * (uint64_t)(t + 1) + 17u * (uint64_t)z;
            const size_t n_app =
                sizes[z].app_lo + rng_below(&s, sizes[z].app_hi - sizes[z].app_lo + 1);
            const size_t n_prog =
                sizes[z].prog_lo + rng_below(&s, sizes[z].prog_hi - sizes[z].prog_lo + 1);
            const size_t max_c = n_app / 2 < sizes[z].couples_hi ? n_app / 2 : sizes[z].couples_hi;
            const size_t n_couples = 1 + rng_below(&s, max_c);
            cmarket cm = study_cmarket(&s, n_app, n_prog, n_couples);
            const bool exists = has_stable(&cm);
            if (n_app <= 6 && n_prog <= 3) {
                rmc_id first[8];
                assert_int_equal(exists, brute_count_stable(&cm, first) > 0);
                n_tiny++;
            }
            outcome o = outcome_new(n_app, n_prog);
            const rmc_status st = csolve(&cm, 0, &o, NULL);
            assert_consistent(&cm, &o);
            const rmc_match_input in = cmarket_input(&cm);
            n_markets++;
            n_with += exists;
            if (st == RMC_OK) {
                n_conv++;
                assert_int_equal(rmc_match_check(&in, o.app_prog, NULL), RMC_OK);
                assert_true(exists);
            } else {
                assert_int_equal(st, RMC_NOT_CONVERGED);
                n_missed += exists;
            }
            outcome_free(&o);
            market_free(&cm.mk);
        }
    }
    print_message("couples study: %d markets (%d tiny ones cross-checked), %d with a stable "
                  "matching, %d converged, %d missed\n",
                  n_markets, n_tiny, n_with, n_conv, n_missed);
    assert_true(n_with < n_markets);       /* some have none: the study can tell */
    assert_true(n_missed * 400 <= n_with); /* under 0.25% */
}

/* ---- usage errors and allocation failures ---- */

static void test_match_run_exceeds_workspace(void **state)
{
    (void)state;
    const int id[5] = {0, 1, 2, 3, 4};
    market mk = nrmp_market(id);
    const rmc_match_input in = market_input(&mk);
    outcome o = outcome_new(5, 3);
    const size_t sizes[4][4] = {{4, 3, 12, 6}, {5, 2, 12, 6}, {5, 3, 11, 6}, {5, 3, 12, 5}};
    for (int k = 0; k < 4; k++) {
        rmc_match_ws *w = NULL;
        rmc_diag d = {0};
        assert_int_equal(rmc_match_ws_alloc(sizes[k][0], sizes[k][1], sizes[k][2], sizes[k][3], &w),
                         RMC_OK);
        assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &o.res, &d), RMC_EUSAGE);
        assert_non_null(strstr(d.message, "exceeds workspace"));
        rmc_match_ws_free(w);
    }
    rmc_match_ws *w = NULL;
    assert_int_equal(rmc_match_ws_alloc(5, 3, 12, 6, &w), RMC_OK);
    assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_PROGRAMS, 0, &o.res, NULL), RMC_OK);
    mk.prog[3] = 3; /* program out of range */
    assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &o.res, NULL), RMC_EUSAGE);
    mk.prog[3] = CITY;
    /* each kind of bad entry; with two, the first is the one named */
    const struct {
        size_t e;
        rmc_id prog;
        int32_t rank;
        const char *msg;
    } bad[4] = {{5, -1, 0, "entry 5 names program -1 rank 0"},
                {7, 3, 1, "entry 7 names program 3 rank 1"},
                {2, 0, -2, "entry 2 names program 0 rank -2"},
                {11, INT32_MAX, 0, "entry 11 names program 2147483647 rank 0"}};
    for (int k = 0; k < 4; k++) {
        const rmc_id p0 = mk.prog[bad[k].e], p9 = mk.prog[11];
        const int32_t r0 = mk.rank[bad[k].e];
        mk.prog[bad[k].e] = bad[k].prog;
        mk.rank[bad[k].e] = bad[k].rank;
        if (bad[k].e < 11) {
            mk.prog[11] = -5; /* a later bad entry: not the one named */
        }
        rmc_diag d = {0};
        assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &o.res, &d), RMC_EUSAGE);
        assert_non_null(strstr(d.message, bad[k].msg));
        mk.prog[11] = p9;
        mk.prog[bad[k].e] = p0;
        mk.rank[bad[k].e] = r0;
    }
    assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &o.res, NULL), RMC_OK);
    mk.cap[1] = -1;
    assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &o.res, NULL), RMC_EUSAGE);
    rmc_match_ws_free(w);
    rmc_match_ws_free(NULL);
    outcome_free(&o);
    market_free(&mk);
}

/* The input check finds a bad entry wherever it lies: in each lane of the
 * four-entry steps and in the tail after them (lists of 1 to 11 entries),
 * programs -1, n_prog, INT32_MAX and INT32_MIN and rank -2, each named in
 * the message; the last program and rank RMC_RANK_NONE are accepted. */
static void test_match_input_check_every_position(void **state)
{
    (void)state;
    enum { NP = 3, MAXE = 11 };
    int32_t cap[NP] = {1, 1, 1};
    rmc_id prog[MAXE];
    int32_t rank[MAXE];
    size_t off[2] = {0, 0};
    rmc_id app_prog[1];
    int32_t app_choice[1], fill[NP];
    rmc_match_ws *w = NULL;
    assert_int_equal(rmc_match_ws_alloc(1, NP, MAXE, NP, &w), RMC_OK);
    const struct {
        rmc_id prog;
        int32_t rank;
    } bad[5] = {{-1, 0}, {NP, 0}, {INT32_MAX, 1}, {INT32_MIN, 0}, {0, -2}};
    for (size_t n = 1; n <= MAXE; n++) {
        for (size_t e = 0; e < n; e++) {
            prog[e] = (rmc_id)(e % NP == 0 ? NP - 1 : e % NP);
            rank[e] = e % 2 == 0 ? RMC_RANK_NONE : (int32_t)e;
        }
        off[1] = n;
        const rmc_match_input in = {.n_app = 1,
                                    .n_prog = NP,
                                    .capacity = cap,
                                    .app_off = off,
                                    .choice_prog = prog,
                                    .choice_rank = rank};
        rmc_match_result res = {.app_prog = app_prog, .app_choice = app_choice, .fill = fill};
        assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &res, NULL), RMC_OK);
        for (size_t e = 0; e < n; e++) {
            for (int k = 0; k < 5; k++) {
                const rmc_id p0 = prog[e];
                const int32_t r0 = rank[e];
                prog[e] = bad[k].prog;
                rank[e] = bad[k].rank;
                rmc_diag d = {0};
                assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &res, &d),
                                 RMC_EUSAGE);
                char want[96];
                snprintf(want, sizeof want, "entry %zu names program %d rank %d", e,
                         (int)bad[k].prog, (int)bad[k].rank);
                assert_non_null(strstr(d.message, want));
                prog[e] = p0;
                rank[e] = r0;
            }
        }
    }
    rmc_match_ws_free(w);
}

static void test_match_ws_alloc_failure_sweep(void **state)
{
    (void)state;
    rmc_match_ws *w = NULL;
    rmc_mem_fail_at(0);
    assert_int_equal(rmc_match_ws_alloc(100, 10, 500, 40, &w), RMC_OK);
    const size_t n_alloc = rmc_mem_fail_at(0);
    rmc_match_ws_free(w);
    assert_true(n_alloc >= 2);
    for (size_t k = 1; k <= n_alloc; k++) {
        rmc_mem_fail_at(k);
        w = (rmc_match_ws *)1;
        assert_int_equal(rmc_match_ws_alloc(100, 10, 500, 40, &w), RMC_ENOMEM);
        assert_null(w);
    }
    rmc_mem_fail_at(0);
    const int id[5] = {0, 1, 2, 3, 4};
    market mk = nrmp_market(id);
    const rmc_match_input in = market_input(&mk);
    for (size_t k = 1; k <= 5; k++) {
        rmc_mem_fail_at(k);
        assert_int_equal(rmc_match_check(&in, nrmp_expected, NULL), RMC_ENOMEM);
    }
    rmc_mem_fail_at(0);
    market_free(&mk);
}

/* ---- rmc_match_fixed on a hand-built model ---- */

typedef struct fixed_model {
    rmc_model m;
    int32_t positions[3];
    rmc_id iv_app[15], iv_prog[15];
    bool has_app_rol[5], has_prog_rol[3];
    size_t arol_off[6], prol_off[4];
    rmc_id arol_prog[15], arol_iv[15], prol_app[15], prol_iv[15];
} fixed_model;

/* The NRMP example as a model: every (applicant, program) pair interviewed,
 * interview k = i * 3 + j; fixed lists from nrmp_apref / nrmp_ppref. */
static void fixed_model_init(fixed_model *f, int drop_app, int drop_prog)
{
    memset(f, 0, sizeof *f);
    static char dir[] = "models/hand";
    f->m.dir = dir;
    f->m.n_app = 5;
    f->m.n_prog = 3;
    f->m.positions = f->positions;
    f->m.n_iv = 15;
    f->m.iv_app = f->iv_app;
    f->m.iv_prog = f->iv_prog;
    for (int k = 0; k < 15; k++) {
        f->iv_app[k] = k / 3;
        f->iv_prog[k] = k % 3;
    }
    size_t e = 0;
    for (int i = 0; i < 5; i++) {
        for (int k = 0; i != drop_app && nrmp_apref[i][k] >= 0; k++) {
            f->arol_prog[e] = nrmp_apref[i][k];
            f->arol_iv[e++] = i * 3 + nrmp_apref[i][k];
        }
        f->arol_off[i + 1] = e;
        f->has_app_rol[i] = i != drop_app;
    }
    e = 0;
    for (int j = 0; j < 3; j++) {
        f->positions[j] = 2;
        for (int k = 0; j != drop_prog && nrmp_ppref[j][k] >= 0; k++) {
            f->prol_app[e] = nrmp_ppref[j][k];
            f->prol_iv[e++] = nrmp_ppref[j][k] * 3 + j;
        }
        f->prol_off[j + 1] = e;
        f->has_prog_rol[j] = j != drop_prog;
    }
    f->m.has_app_rol = f->has_app_rol;
    f->m.arol_off = f->arol_off;
    f->m.arol_prog = f->arol_prog;
    f->m.arol_iv = f->arol_iv;
    f->m.has_prog_rol = f->has_prog_rol;
    f->m.prol_off = f->prol_off;
    f->m.prol_app = f->prol_app;
    f->m.prol_iv = f->prol_iv;
}

static void test_match_fixed_nrmp_model(void **state)
{
    (void)state;
    fixed_model f;
    fixed_model_init(&f, -1, -1);
    outcome o = outcome_new(5, 3);
    rmc_diag d = {0};
    for (int side = 0; side < 2; side++) {
        assert_int_equal(rmc_match_fixed(&f.m, (rmc_proposing)side, 0, true, &o.res, &d), RMC_OK);
        assert_memory_equal(o.app_prog, nrmp_expected, sizeof nrmp_expected);
        assert_int_equal(o.fill[MERCY], 1);
    }
    /* Mercy loses its fixed list (Chen and Ford drop out of it): it ranks
     * nobody, so Chen is unmatched and Mercy stays empty. */
    fixed_model_init(&f, -1, MERCY);
    assert_int_equal(rmc_match_fixed(&f.m, RMC_PROPOSE_APPLICANTS, 0, true, &o.res, &d), RMC_OK);
    assert_int_equal(o.app_prog[CHEN], RMC_ID_NONE);
    assert_int_equal(o.fill[MERCY], 0);
    /* Eastman loses their list: ranks nothing, unmatched. */
    fixed_model_init(&f, EASTMAN, -1);
    assert_int_equal(rmc_match_fixed(&f.m, RMC_PROPOSE_APPLICANTS, 0, true, &o.res, &d), RMC_OK);
    assert_int_equal(o.app_prog[EASTMAN], RMC_ID_NONE);
    assert_int_equal(o.app_prog[CHEN], CITY);
    outcome_free(&o);
}

/* Chen and Davis as a couple wanting (City, City), then (Mercy, General):
 * City ranks Eastman and Anderson above both, so they get their second pair
 * and the matching is the published one. Then a couple that is not
 * converging is reported as such. */
static void test_match_fixed_couples(void **state)
{
    (void)state;
    fixed_model f;
    fixed_model_init(&f, -1, -1);
    rmc_id ca[1] = {CHEN}, cb[1] = {DAVIS}, couple_of[5] = {-1, 0, -1, 0, -1};
    size_t coff[2] = {0, 2};
    rmc_id pa[2] = {CITY, MERCY}, pb[2] = {CITY, GENERAL};
    rmc_id iva[2] = {CHEN * 3 + CITY, CHEN * 3 + MERCY},
           ivb[2] = {DAVIS * 3 + CITY, DAVIS * 3 + GENERAL};
    f.m.n_couples = 1;
    f.m.couple_a = ca;
    f.m.couple_b = cb;
    f.m.crol_off = coff;
    f.m.crol_pa = pa;
    f.m.crol_pb = pb;
    f.m.crol_iva = iva;
    f.m.crol_ivb = ivb;
    f.m.couple_of = couple_of;
    outcome o = outcome_new(5, 3);
    rmc_diag d = {0};
    assert_int_equal(rmc_match_fixed(&f.m, RMC_PROPOSE_APPLICANTS, 0, true, &o.res, &d), RMC_OK);
    assert_memory_equal(o.app_prog, nrmp_expected, sizeof nrmp_expected);
    assert_int_equal(o.app_choice[CHEN], 1);
    assert_int_equal(o.app_choice[DAVIS], 1);
    assert_int_equal(rmc_match_fixed(&f.m, RMC_PROPOSE_PROGRAMS, 0, true, &o.res, &d), RMC_EUSAGE);
    /* (City, none): Chen alone at City, Davis unmatched is acceptable. City
     * ranks Chen below Eastman and Anderson, so it is refused; the couple
     * falls to (Mercy, General). */
    pb[0] = RMC_ID_NONE;
    ivb[0] = RMC_ID_NONE;
    assert_int_equal(rmc_match_fixed(&f.m, RMC_PROPOSE_APPLICANTS, 0, true, &o.res, &d), RMC_OK);
    assert_int_equal(o.app_prog[CHEN], MERCY);
    outcome_free(&o);
}

static void test_match_fixed_needs_both_lists(void **state)
{
    (void)state;
    fixed_model f;
    fixed_model_init(&f, -1, -1);
    outcome o = outcome_new(5, 3);
    rmc_diag d = {0};
    memset(f.has_app_rol, 0, sizeof f.has_app_rol);
    memset(f.arol_off, 0, sizeof f.arol_off);
    assert_int_equal(rmc_match_fixed(&f.m, RMC_PROPOSE_APPLICANTS, 0, false, &o.res, &d),
                     RMC_EINPUT);
    assert_string_equal(d.file, "applicant_rols.csv");
    assert_non_null(strstr(d.message, "no applicant has a fixed rank order list"));
    fixed_model_init(&f, -1, -1);
    memset(f.has_prog_rol, 0, sizeof f.has_prog_rol);
    memset(f.prol_off, 0, sizeof f.prol_off);
    assert_int_equal(rmc_match_fixed(&f.m, RMC_PROPOSE_PROGRAMS, 0, false, &o.res, &d), RMC_EINPUT);
    assert_string_equal(d.file, "program_rols.csv");
    fixed_model_init(&f, -1, -1);
    /* Every allocation of a run (input, workspace, checker) failing in turn. */
    rmc_mem_fail_at(0);
    assert_int_equal(rmc_match_fixed(&f.m, RMC_PROPOSE_APPLICANTS, 0, true, &o.res, &d), RMC_OK);
    const size_t n_alloc = rmc_mem_fail_at(0);
    assert_true(n_alloc > 10);
    for (size_t k = 1; k <= n_alloc; k++) {
        rmc_mem_fail_at(k);
        assert_int_equal(rmc_match_fixed(&f.m, RMC_PROPOSE_APPLICANTS, 0, true, &o.res, &d),
                         RMC_ENOMEM);
    }
    rmc_mem_fail_at(0);
    outcome_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_run_nrmp_example_any_order),
        cmocka_unit_test(test_match_run_capacity_two),
        cmocka_unit_test(test_match_run_unacceptable_empty_zero_capacity),
        cmocka_unit_test(test_match_run_two_sides_differ),
        cmocka_unit_test(test_match_run_empty_market),
        cmocka_unit_test(test_match_run_brute_force_tiny),
        cmocka_unit_test(test_match_run_random_markets),
        cmocka_unit_test(test_match_run_large_ranks),
        cmocka_unit_test(test_match_run_tied_ranks_lists),
        cmocka_unit_test(test_match_run_random_market_proposals),
        cmocka_unit_test(test_match_check_catches_violations),
        cmocka_unit_test(test_match_run_couples_hand_solved),
        cmocka_unit_test(test_match_run_couples_same_program),
        cmocka_unit_test(test_match_run_couples_no_stable_matching),
        cmocka_unit_test(test_match_run_couples_random),
        cmocka_unit_test(test_match_run_couples_rescan_queue),
        cmocka_unit_test(test_match_couples_step_no_stable),
        cmocka_unit_test(test_match_couples_step_converges),
        cmocka_unit_test(test_match_run_couples_both_unmatched),
        cmocka_unit_test(test_match_check_couple_below_stop_entry),
        cmocka_unit_test(test_match_run_couples_second_pass),
        cmocka_unit_test(test_match_run_couples_brute_force),
        cmocka_unit_test(test_match_run_couples_minimal_miss),
        cmocka_unit_test(test_match_run_couples_study),
        cmocka_unit_test(test_match_run_exceeds_workspace),
        cmocka_unit_test(test_match_input_check_every_position),
        cmocka_unit_test(test_match_ws_alloc_failure_sweep),
        cmocka_unit_test(test_match_fixed_nrmp_model),
        cmocka_unit_test(test_match_fixed_couples),
        cmocka_unit_test(test_match_fixed_needs_both_lists),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
