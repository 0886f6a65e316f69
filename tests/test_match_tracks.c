/* Tests for supplemental lists and reversions in the Match
 * (match_tracks.c, match_check.c; docs/match.md): hand-solved markets (the
 * NRMP rules one at a time), the NRMP worked example through the reversion
 * path, and brute force over every outcome of tiny random markets with
 * tracks, supplemental lists, reversions and couples, against a
 * re-implementation of the stability definition here:
 *  - the checker agrees with the definition on every enumerated outcome;
 *  - every converged result is stable by it;
 *  - without couples and supplemental lists (reversions allowed) the
 *    result is the applicant-optimal stable matching for its final
 *    capacities (each applicant does at least as well as in any stable
 *    matching with those capacities);
 *  - with supplemental lists or couples a stable outcome need not exist and
 *    nothing else is claimed; the test counts the markets where one exists
 *    but the procedure did not converge and bounds that rate. */
#include "test_util.h"

#include <string.h>

#include "internal.h"
#include "rankmc/match.h"

#define NONE RMC_ID_NONE
#define RNONE RMC_RANK_NONE

enum { MA = 8, MP = 6, ME = 64, MB = 32, MR = 4 };

/* A market built by hand or at random; converted to rmc_match_input. */
typedef struct mkt {
    size_t n_app, n_prog;
    int32_t cap[MP];
    size_t off[MA + 1];
    rmc_id prog[ME];
    int32_t rank[ME];
    int32_t supp[ME];
    size_t n_sup, sup_off[MA + 1];
    rmc_id sup_prog[ME];
    int32_t sup_rank[ME];
    size_t n_couples;
    rmc_id ca[MA / 2], cb[MA / 2];
    size_t crol_off[MA / 2 + 1];
    rmc_id cpa[ME], cpb[ME];
    int32_t cra[ME], crb[ME];
    size_t n_rev;
    rmc_id rd[MR], rr[MR];
    int32_t rq[MR];
} mkt;

static rmc_match_input input_of(const mkt *k)
{
    const rmc_match_input in = {.n_app = k->n_app,
                                .n_prog = k->n_prog,
                                .capacity = k->cap,
                                .app_off = k->off,
                                .choice_prog = k->prog,
                                .choice_rank = k->rank,
                                .n_couples = k->n_couples,
                                .couple_a = k->ca,
                                .couple_b = k->cb,
                                .crol_off = k->crol_off,
                                .crol_pa = k->cpa,
                                .crol_pb = k->cpb,
                                .crol_rank_a = k->cra,
                                .crol_rank_b = k->crb,
                                .n_sup = k->n_sup,
                                .choice_supp = k->supp,
                                .sup_off = k->sup_off,
                                .sup_prog = k->sup_prog,
                                .sup_rank = k->sup_rank,
                                .n_rev = k->n_rev,
                                .rev_donor = k->rd,
                                .rev_receiver = k->rr,
                                .rev_positions = k->rq};
    return in;
}

typedef struct res_buf {
    rmc_id prog[MA], pgy1[MA];
    int32_t choice[MA], fill[MP], cap[MP], moved[MR];
    rmc_match_result r;
    rmc_status st;
} res_buf;

static void run(const mkt *k, res_buf *b)
{
    const rmc_match_input in = input_of(k);
    size_t seats = 0;
    for (size_t j = 0; j < k->n_prog; j++) {
        seats += (size_t)k->cap[j];
    }
    rmc_match_ws *w = NULL;
    assert_int_equal(rmc_match_ws_alloc(k->n_app, k->n_prog, k->off[k->n_app], seats, &w), RMC_OK);
    memset(b, 0, sizeof *b);
    b->r = (rmc_match_result){.app_prog = b->prog,
                              .app_choice = b->choice,
                              .fill = b->fill,
                              .app_pgy1 = b->pgy1,
                              .capacity_final = b->cap,
                              .rev_moved = b->moved};
    rmc_diag d = {0};
    b->st = rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &b->r, &d);
    assert_true(b->st == RMC_OK || b->st == RMC_NOT_CONVERGED);
    /* The same workspace again gives the same answer (the extension is reused). */
    res_buf again = *b;
    again.r.app_prog = again.prog;
    again.r.app_choice = again.choice;
    again.r.fill = again.fill;
    again.r.app_pgy1 = again.pgy1;
    again.r.capacity_final = again.cap;
    again.r.rev_moved = again.moved;
    assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &again.r, &d), b->st);
    assert_memory_equal(again.prog, b->prog, sizeof b->prog);
    assert_memory_equal(again.pgy1, b->pgy1, sizeof b->pgy1);
    assert_memory_equal(again.cap, b->cap, sizeof b->cap);
    rmc_match_ws_free(w);
}

static rmc_status check(const mkt *k, const res_buf *b)
{
    const rmc_match_input in = input_of(k);
    const rmc_match_outcome o = {b->prog, b->pgy1, b->cap, b->moved};
    rmc_diag d = {0};
    return rmc_match_check_outcome(&in, &o, &d);
}

/* Builders for the hand-made markets. */
static void add_app(mkt *k, const rmc_id *progs, const int32_t *supp, size_t n)
{
    const size_t i = k->n_app++;
    k->off[i + 1] = k->off[i] + n;
    for (size_t e = 0; e < n; e++) {
        k->prog[k->off[i] + e] = progs[e];
        k->supp[k->off[i] + e] = supp != NULL ? supp[e] : -1;
        k->rank[k->off[i] + e] = 0; /* set by set_ranks */
    }
}

static void add_list(mkt *k, const rmc_id *progs, size_t n)
{
    const size_t s = k->n_sup++;
    k->sup_off[s + 1] = k->sup_off[s] + n;
    for (size_t z = 0; z < n; z++) {
        k->sup_prog[k->sup_off[s] + z] = progs[z];
    }
}

/* Program j ranks applicants in the order `order` (n of them, best
 * first); everyone else unranked. Fills primary and supplemental ranks;
 * list_owner[s] is the applicant of list s. */
static void set_ranks(mkt *k, const rmc_id order[MP][MA], const size_t *n_order,
                      const rmc_id *list_owner)
{
    for (size_t i = 0; i < k->n_app; i++) {
        for (size_t e = k->off[i]; e < k->off[i + 1]; e++) {
            const rmc_id j = k->prog[e];
            k->rank[e] = RNONE;
            for (size_t q = 0; q < n_order[j]; q++) {
                if (order[j][q] == (rmc_id)i) {
                    k->rank[e] = (int32_t)q;
                }
            }
        }
    }
    for (size_t s = 0; s < k->n_sup; s++) {
        for (size_t z = k->sup_off[s]; z < k->sup_off[s + 1]; z++) {
            const rmc_id j = k->sup_prog[z];
            k->sup_rank[z] = RNONE;
            for (size_t q = 0; q < n_order[j]; q++) {
                if (order[j][q] == list_owner[s]) {
                    k->sup_rank[z] = (int32_t)q;
                }
            }
        }
    }
}

/* Programs: A advanced (0), S1 (1), S2 (2) preliminary, C categorical (3).
 * x (0) ranks A with list [S1, S2], then C; y (1) ranks S1. */
enum { PA, PS1, PS2, PC };

static void supp_market(mkt *k, bool s2_exists, bool z_wants_a)
{
    memset(k, 0, sizeof *k);
    k->n_prog = 4;
    const int32_t cap[] = {1, 1, 1, 1};
    memcpy(k->cap, cap, sizeof cap);
    const rmc_id xl[] = {PA, PC};
    const int32_t xs[] = {0, -1};
    add_app(k, xl, xs, 2);
    const rmc_id yl[] = {PS1};
    add_app(k, yl, NULL, 1);
    if (z_wants_a) {
        const rmc_id zl[] = {PA};
        add_app(k, zl, NULL, 1);
    }
    const rmc_id list[] = {PS1, PS2};
    add_list(k, list, s2_exists ? 2 : 1);
    const rmc_id order[MP][MA] = {{2, 0}, {1, 0}, {0}, {0}};
    const size_t n_order[] = {2, 2, 1, 1};
    const rmc_id owner[] = {0};
    set_ranks(k, order, n_order, owner);
}

static void test_supplemental_hand_cases(void **state)
{
    (void)state;
    mkt k;
    res_buf b;
    /* x holds A; S1 prefers y, so x's PGY-1 is S2. */
    supp_market(&k, true, false);
    run(&k, &b);
    assert_int_equal(b.st, RMC_OK);
    assert_int_equal(b.prog[0], PA);
    assert_int_equal(b.pgy1[0], PS2);
    assert_int_equal(b.choice[0], 0); /* position in the primary list */
    assert_int_equal(b.prog[1], PS1);
    assert_int_equal(b.pgy1[1], NONE);
    assert_int_equal(b.fill[PS2], 1);
    assert_int_equal(check(&k, &b), RMC_OK);
    /* Without S2: partially matched at A; x goes no further down (C stays
     * empty although it ranked x). */
    supp_market(&k, false, false);
    run(&k, &b);
    assert_int_equal(b.st, RMC_OK);
    assert_int_equal(b.prog[0], PA);
    assert_int_equal(b.pgy1[0], NONE);
    assert_int_equal(b.fill[PC], 0);
    assert_int_equal(check(&k, &b), RMC_OK);
    /* z takes A (A ranks z first): x loses A and its PGY-1, and matches C. */
    supp_market(&k, true, true);
    run(&k, &b);
    assert_int_equal(b.st, RMC_OK);
    assert_int_equal(b.prog[2], PA);
    assert_int_equal(b.prog[0], PC);
    assert_int_equal(b.pgy1[0], NONE);
    assert_int_equal(b.fill[PS2], 0);
    assert_int_equal(b.choice[0], 1);
    assert_int_equal(check(&k, &b), RMC_OK);
    /* The checker rejects x at A with S2 while S1 would take it (y moved
     * away), and x at C while A with S2 was possible. */
    supp_market(&k, true, false);
    run(&k, &b);
    b.prog[1] = NONE;
    b.fill[PS1] = 0;
    assert_int_equal(check(&k, &b), RMC_EINTERNAL);
    run(&k, &b);
    b.prog[0] = PC;
    b.pgy1[0] = NONE;
    assert_int_equal(check(&k, &b), RMC_EINTERNAL);
    /* A PGY-1 without the advanced program is not acceptable. */
    run(&k, &b);
    b.prog[0] = NONE;
    assert_int_equal(check(&k, &b), RMC_EINTERNAL);
}

/* Reversions: D (0) 2 positions, wanted by one applicant; R (1) 1 position
 * wanted by three; T (2) 1 position wanted by nobody. */
static void rev_market(mkt *k, bool chain)
{
    memset(k, 0, sizeof *k);
    k->n_prog = 3;
    const int32_t cap[] = {2, 1, 1};
    memcpy(k->cap, cap, sizeof cap);
    const rmc_id a0[] = {0}, a1[] = {1, 0}, a2[] = {1};
    add_app(k, a0, NULL, 1);
    add_app(k, a1, NULL, 2);
    add_app(k, a2, NULL, 1);
    add_app(k, a2, NULL, 1);
    const rmc_id order[MP][MA] = {{1, 0}, {1, 2, 3}, {0}};
    const size_t n_order[] = {2, 3, 0};
    set_ranks(k, order, n_order, NULL);
    k->n_rev = 1;
    k->rd[0] = 0;
    k->rr[0] = 1;
    k->rq[0] = 2;
    if (chain) { /* T's unfilled position goes to R too */
        k->n_rev = 2;
        k->rd[1] = 2;
        k->rr[1] = 1;
        k->rq[1] = 1;
    }
}

static void test_reversion_hand_cases(void **state)
{
    (void)state;
    mkt k;
    res_buf b;
    /* First match: R holds 1 (its best), D holds only 0 and leaves one
     * position unfilled; it moves to R, and in the second match R takes 1
     * and 2 (its best two); 3 stays out. */
    rev_market(&k, false);
    run(&k, &b);
    assert_int_equal(b.st, RMC_OK);
    assert_int_equal(b.r.n_reverted, 1);
    assert_int_equal(b.moved[0], 1);
    assert_int_equal(b.cap[0], 1);
    assert_int_equal(b.cap[1], 2);
    assert_int_equal(b.prog[0], 0);
    assert_int_equal(b.prog[1], 1);
    assert_int_equal(b.prog[2], 1);
    assert_int_equal(b.prog[3], NONE);
    assert_int_equal(check(&k, &b), RMC_OK);
    /* Claiming no move is refused by the checker: quota left, donor not full. */
    res_buf wrong = b;
    wrong.moved[0] = 0;
    wrong.cap[0] = 2;
    wrong.cap[1] = 1;
    wrong.prog[2] = NONE;
    assert_int_equal(check(&k, &wrong), RMC_EINTERNAL);
    /* T's unfilled position reverts to R as well: 3 matches at R. */
    rev_market(&k, true);
    run(&k, &b);
    assert_int_equal(b.r.n_reverted, 2);
    assert_int_equal(b.cap[1], 3);
    assert_int_equal(b.cap[2], 0);
    assert_int_equal(b.prog[3], 1);
    assert_int_equal(check(&k, &b), RMC_OK);
}

/* The NRMP's worked example ("Run a Match", nrmp.md) through the
 * reversion path: a reversion with quota 0 changes nothing. */
static void test_nrmp_example_through_tracks(void **state)
{
    (void)state;
    enum { MERCY, CITY, GENERAL };
    enum { ANDERSON, CHEN, FORD, DAVIS, EASTMAN };
    mkt k;
    memset(&k, 0, sizeof k);
    k.n_prog = 3;
    k.cap[0] = k.cap[1] = k.cap[2] = 2;
    const rmc_id l0[] = {CITY}, l1[] = {CITY, MERCY}, l2[] = {CITY, GENERAL, MERCY},
                 l3[] = {MERCY, CITY, GENERAL}, l4[] = {CITY, MERCY, GENERAL};
    add_app(&k, l0, NULL, 1);
    add_app(&k, l1, NULL, 2);
    add_app(&k, l2, NULL, 3);
    add_app(&k, l3, NULL, 3);
    add_app(&k, l4, NULL, 3);
    const rmc_id order[MP][MA] = {
        {CHEN, FORD}, {EASTMAN, ANDERSON, CHEN, DAVIS, FORD}, {EASTMAN, ANDERSON, FORD, DAVIS}};
    const size_t n_order[] = {2, 5, 4};
    set_ranks(&k, order, n_order, NULL);
    k.n_rev = 1;
    k.rd[0] = MERCY;
    k.rr[0] = CITY;
    k.rq[0] = 0;
    res_buf b;
    run(&k, &b);
    assert_int_equal(b.st, RMC_OK);
    const rmc_id want[] = {CITY, MERCY, GENERAL, GENERAL, CITY};
    assert_memory_equal(b.prog, want, sizeof want);
    assert_int_equal(b.fill[MERCY], 1);
    assert_int_equal(b.r.n_reverted, 0);
    assert_int_equal(check(&k, &b), RMC_OK);
    /* With a quota of 1 Mercy's unfilled position reverts to City, which
     * then takes Chen (above Davis, who is not displaced: City ranks Chen
     * 3rd, so City holds Eastman, Anderson, Chen); Mercy keeps nobody. */
    k.rq[0] = 1;
    run(&k, &b);
    assert_int_equal(b.st, RMC_OK);
    assert_int_equal(b.r.n_reverted, 1);
    assert_int_equal(b.cap[MERCY], 1);
    assert_int_equal(b.cap[CITY], 3);
    assert_int_equal(b.prog[CHEN], CITY);
    assert_int_equal(check(&k, &b), RMC_OK);
}

/* ---- brute force ---- */

static uint64_t rs;
static uint32_t rnd(uint32_t n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)((rs >> 11) % n);
}

/* Each agent's bundles in preference order: a single (one applicant, a),
 * an applicant with supplemental lists (a and its PGY-1), or a couple
 * (a and b). Seats of bundle q: (pa[q], ra[q]) for a, (pb[q], rb[q]) for b. */
typedef struct agent {
    size_t a, b; /* applicants; b == SIZE_MAX for singles and supplemental */
    bool sup;
    size_t n;
    rmc_id pa[MB], pb[MB];
    int32_t ra[MB], rb[MB];
} agent;

typedef struct bf {
    const mkt *k;
    size_t n_ag;
    agent ag[MA];
    size_t choice[MA]; /* bundle index, n = unmatched */
    int32_t cap[MP];
    int32_t moved[MR];
} bf;

static void agents_of(const mkt *k, bf *s)
{
    s->k = k;
    s->n_ag = 0;
    bool in_couple[MA] = {false};
    for (size_t c = 0; c < k->n_couples; c++) {
        in_couple[k->ca[c]] = in_couple[k->cb[c]] = true;
    }
    for (size_t i = 0; i < k->n_app; i++) {
        if (in_couple[i]) {
            continue;
        }
        agent *g = &s->ag[s->n_ag++];
        memset(g, 0, sizeof *g);
        g->a = i;
        g->b = SIZE_MAX;
        for (size_t e = k->off[i]; e < k->off[i + 1]; e++) {
            const int32_t l = k->n_sup > 0 ? k->supp[e] : -1;
            g->sup = g->sup || l >= 0;
            for (size_t z = l >= 0 ? k->sup_off[l] : 0; l >= 0 && z < k->sup_off[l + 1]; z++) {
                g->pa[g->n] = k->prog[e];
                g->ra[g->n] = k->rank[e];
                g->pb[g->n] = k->sup_prog[z];
                g->rb[g->n++] = k->sup_rank[z];
            }
            g->pa[g->n] = k->prog[e];
            g->ra[g->n] = k->rank[e];
            g->pb[g->n] = NONE;
            g->rb[g->n++] = RNONE;
        }
    }
    for (size_t c = 0; c < k->n_couples; c++) {
        agent *g = &s->ag[s->n_ag++];
        memset(g, 0, sizeof *g);
        g->a = (size_t)k->ca[c];
        g->b = (size_t)k->cb[c];
        for (size_t e = k->crol_off[c]; e < k->crol_off[c + 1]; e++) {
            g->pa[g->n] = k->cpa[e];
            g->ra[g->n] = k->cra[e];
            g->pb[g->n] = k->cpb[e];
            g->rb[g->n++] = k->crb[e];
        }
    }
}

static bool acceptable(const agent *g, size_t q)
{
    return (g->pa[q] == NONE || g->ra[q] != RNONE) && (g->pb[q] == NONE || g->rb[q] != RNONE) &&
           (g->pa[q] != NONE || g->pb[q] != NONE);
}

/* Would program j take `need` seats of worst rank r, agent x's seats free? */
static bool would_take(const bf *s, size_t x, rmc_id j, int32_t r, int need)
{
    int others = 0, better = 0;
    for (size_t h = 0; h < s->n_ag; h++) {
        const agent *g = &s->ag[h];
        const size_t q = s->choice[h];
        if (h == x || q == g->n) {
            continue;
        }
        if (g->pa[q] == j) {
            others++;
            better += g->ra[q] < r;
        }
        if (g->pb[q] == j) {
            others++;
            better += g->rb[q] < r;
        }
    }
    return others + need <= s->cap[j] || better + need <= s->cap[j];
}

/* The definition of docs/match.md, restated over bundles. */
static bool bf_stable(const bf *s)
{
    const mkt *k = s->k;
    int32_t fill[MP] = {0};
    for (size_t h = 0; h < s->n_ag; h++) {
        const agent *g = &s->ag[h];
        const size_t q = s->choice[h];
        if (q < g->n) {
            fill[g->pa[q] >= 0 ? g->pa[q] : 0] += g->pa[q] >= 0;
            fill[g->pb[q] >= 0 ? g->pb[q] : 0] += g->pb[q] >= 0;
        }
    }
    for (size_t j = 0; j < k->n_prog; j++) {
        if (fill[j] > s->cap[j]) {
            return false;
        }
    }
    for (size_t r = 0; r < k->n_rev; r++) {
        if (s->moved[r] < k->rq[r] && fill[k->rd[r]] < s->cap[k->rd[r]]) {
            return false;
        }
    }
    for (size_t h = 0; h < s->n_ag; h++) {
        const agent *g = &s->ag[h];
        for (size_t q = 0; q < s->choice[h]; q++) {
            if (!acceptable(g, q)) {
                continue;
            }
            bool ok;
            if (g->pa[q] == g->pb[q]) {
                ok = would_take(s, h, g->pa[q], g->ra[q] > g->rb[q] ? g->ra[q] : g->rb[q], 2);
            } else {
                ok = (g->pa[q] == NONE || would_take(s, h, g->pa[q], g->ra[q], 1)) &&
                     (g->pb[q] == NONE || would_take(s, h, g->pb[q], g->rb[q], 1));
            }
            if (ok) {
                return false;
            }
        }
    }
    return true;
}

/* The outcome of the current choices in rmc_match_outcome form. */
static void bf_outcome(const bf *s, rmc_id *prog, rmc_id *pgy1)
{
    for (size_t i = 0; i < MA; i++) {
        prog[i] = pgy1[i] = NONE;
    }
    for (size_t h = 0; h < s->n_ag; h++) {
        const agent *g = &s->ag[h];
        const size_t q = s->choice[h];
        if (q == g->n) {
            continue;
        }
        prog[g->a] = g->pa[q];
        if (g->b != SIZE_MAX) {
            prog[g->b] = g->pb[q];
        } else {
            pgy1[g->a] = g->pb[q];
        }
    }
}

/* The agent choices that give the matcher's result (false: none does). */
static bool bf_from_result(bf *s, const res_buf *b)
{
    for (size_t h = 0; h < s->n_ag; h++) {
        const agent *g = &s->ag[h];
        const rmc_id want_a = b->prog[g->a];
        const rmc_id want_b = g->b != SIZE_MAX ? b->prog[g->b] : b->pgy1[g->a];
        s->choice[h] = g->n;
        for (size_t q = 0; q < g->n && (want_a != NONE || want_b != NONE); q++) {
            if (g->pa[q] == want_a && g->pb[q] == want_b && acceptable(g, q)) {
                s->choice[h] = q;
                break;
            }
        }
        if (s->choice[h] == g->n && (want_a != NONE || want_b != NONE)) {
            return false;
        }
    }
    return true;
}

typedef struct bf_stats {
    size_t leaves, stable, checker_calls;
    size_t sup_blocking; /* blocking applicants with supplemental lists counted */
    bool optimal_ok;
    const size_t *res_choice; /* result's choices, for the optimality claim */
    bool claim_optimal;
    bool same_cap; /* the current capacity vector is the result's */
} bf_stats;

static void bf_leaf(bf *s, bf_stats *t)
{
    t->leaves++;
    const bool st = bf_stable(s);
    t->stable += st;
    /* the checker agrees with the definition */
    rmc_id prog[MA], pgy1[MA];
    bf_outcome(s, prog, pgy1);
    const rmc_match_input in = input_of(s->k);
    const rmc_match_outcome o = {prog, pgy1, s->cap, s->moved};
    rmc_diag d = {0};
    const rmc_status cs = rmc_match_check_outcome(&in, &o, &d);
    t->checker_calls++;
    if ((cs == RMC_OK) != st) {
        print_error("checker says %s, definition %s stable: %s\n", rmc_strerror(cs),
                    st ? "" : "not", d.message);
        fail();
    }
    /* The counting checker: nothing exactly when stable, and as many
     * violations as the listing one finds. */
    rmc_match_violations v;
    assert_int_equal(rmc_match_check_count(&in, &o, &v, &d), RMC_OK);
    const size_t n_v = v.other + v.singles + v.sup + v.couples;
    assert_true((n_v == 0) == st);
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(1, &pr), RMC_OK);
    assert_int_equal(rmc_match_check_outcome_list(&in, &o, NULL, NULL, pr, &d), RMC_OK);
    assert_int_equal(rmc_problems_count(pr), n_v);
    rmc_problems_free(pr);
    t->sup_blocking += v.sup;
    if (st && t->claim_optimal && t->same_cap) {
        for (size_t h = 0; h < s->n_ag; h++) {
            if (s->choice[h] < t->res_choice[h]) {
                t->optimal_ok = false;
            }
        }
    }
}

static void bf_enum(bf *s, size_t h, int32_t *fill, bf_stats *t)
{
    if (h == s->n_ag) {
        bf_leaf(s, t);
        return;
    }
    const agent *g = &s->ag[h];
    for (size_t q = 0; q <= g->n; q++) {
        if (q < g->n) {
            if (!acceptable(g, q)) {
                continue;
            }
            const rmc_id pa = g->pa[q], pb = g->pb[q];
            if ((pa >= 0 && fill[pa] + 1 + (pb == pa) > s->cap[pa]) ||
                (pb >= 0 && pb != pa && fill[pb] + 1 > s->cap[pb])) {
                continue;
            }
            if (pa >= 0) {
                fill[pa]++;
            }
            if (pb >= 0) {
                fill[pb]++;
            }
            s->choice[h] = q;
            bf_enum(s, h + 1, fill, t);
            if (pa >= 0) {
                fill[pa]--;
            }
            if (pb >= 0) {
                fill[pb]--;
            }
        } else {
            s->choice[h] = q;
            bf_enum(s, h + 1, fill, t);
        }
    }
}

/* Every reversion vector, then every assignment within its capacities. */
static void bf_all(bf *s, size_t r, bf_stats *t, const res_buf *b)
{
    const mkt *k = s->k;
    if (r == k->n_rev) {
        for (size_t j = 0; j < k->n_prog; j++) {
            s->cap[j] = k->cap[j];
        }
        for (size_t x = 0; x < k->n_rev; x++) {
            s->cap[k->rd[x]] -= s->moved[x];
            s->cap[k->rr[x]] += s->moved[x];
        }
        for (size_t j = 0; j < k->n_prog; j++) {
            if (s->cap[j] < 0) {
                return;
            }
        }
        t->same_cap = memcmp(s->cap, b->cap, k->n_prog * sizeof *s->cap) == 0;
        int32_t fill[MP] = {0};
        bf_enum(s, 0, fill, t);
        return;
    }
    for (int32_t m = 0; m <= k->rq[r]; m++) {
        s->moved[r] = m;
        bf_all(s, r + 1, t, b);
    }
}

/* Random tiny market: programs of random tracks; singles list 1-3
 * programs; advanced entries usually linked to the applicant's one
 * supplemental list of 1-2 preliminary programs; sometimes a couple; 0-2
 * acyclic reversions (donor index below receiver). */
static void random_market(mkt *k, bool sup, bool couples, bool revs)
{
    memset(k, 0, sizeof *k);
    k->n_app = 2 + rnd(4);
    k->n_prog = 2 + rnd(3);
    int track[MP];
    for (size_t j = 0; j < k->n_prog; j++) {
        k->cap[j] = 1 + (int32_t)rnd(2);
        track[j] = sup ? (int)rnd(3) : 0; /* 0 categorical, 1 preliminary, 2 advanced */
    }
    int32_t prank[MP][MA];
    for (size_t j = 0; j < k->n_prog; j++) {
        rmc_id perm[MA];
        for (size_t i = 0; i < k->n_app; i++) {
            perm[i] = (rmc_id)i;
        }
        for (size_t i = k->n_app; i > 1; i--) {
            const size_t x = rnd((uint32_t)i);
            const rmc_id tmp = perm[i - 1];
            perm[i - 1] = perm[x];
            perm[x] = tmp;
        }
        for (size_t q = 0; q < k->n_app; q++) {
            prank[j][perm[q]] = rnd(8) == 0 ? RNONE : (int32_t)q;
        }
    }
    const bool couple = couples && k->n_app >= 3 && rnd(2) == 0;
    const size_t n_single = couple ? k->n_app - 2 : k->n_app;
    for (size_t i = 0; i < k->n_app; i++) {
        k->off[i + 1] = k->off[i];
        if (i >= n_single) {
            continue;
        }
        bool used[MP] = {false};
        const size_t len = 1 + rnd(3);
        int32_t list = -1;
        for (size_t t = 0; t < len; t++) {
            const rmc_id j = (rmc_id)rnd((uint32_t)k->n_prog);
            if (used[j]) {
                continue;
            }
            used[j] = true;
            const size_t e = k->off[i + 1]++;
            k->prog[e] = j;
            k->rank[e] = prank[j][i];
            k->supp[e] = -1;
            if (track[j] == 2 && rnd(4) != 0) {
                if (list < 0) { /* the applicant's list: 1-2 preliminary programs */
                    bool in_list[MP] = {false};
                    list = (int32_t)k->n_sup++;
                    k->sup_off[list + 1] = k->sup_off[list];
                    const size_t want = 1 + rnd(2);
                    for (size_t a = 0; a < 4 && k->sup_off[list + 1] - k->sup_off[list] < want;
                         a++) {
                        const rmc_id p = (rmc_id)rnd((uint32_t)k->n_prog);
                        if (track[p] != 1 || in_list[p]) {
                            continue;
                        }
                        in_list[p] = true;
                        const size_t z = k->sup_off[list + 1]++;
                        k->sup_prog[z] = p;
                        k->sup_rank[z] = prank[p][i];
                    }
                }
                k->supp[e] = list;
            }
        }
    }
    if (couple) {
        k->n_couples = 1;
        k->ca[0] = (rmc_id)(k->n_app - 2);
        k->cb[0] = (rmc_id)(k->n_app - 1);
        const size_t n = 1 + rnd(4);
        for (size_t q = 0; q < n; q++) {
            rmc_id pa = rnd(4) == 0 ? NONE : (rmc_id)rnd((uint32_t)k->n_prog);
            rmc_id pb = rnd(4) == 0 ? NONE : (rmc_id)rnd((uint32_t)k->n_prog);
            if (pa == NONE && pb == NONE) {
                pa = 0;
            }
            bool dup = false;
            for (size_t e = 0; e < k->crol_off[1]; e++) {
                dup = dup || (k->cpa[e] == pa && k->cpb[e] == pb);
            }
            if (dup) {
                continue;
            }
            const size_t e = k->crol_off[1]++;
            k->cpa[e] = pa;
            k->cpb[e] = pb;
            k->cra[e] = pa == NONE ? RNONE : prank[pa][k->ca[0]];
            k->crb[e] = pb == NONE ? RNONE : prank[pb][k->cb[0]];
        }
    }
    const size_t n_rev = revs ? rnd(3) : 0;
    for (size_t r = 0; r < n_rev; r++) {
        const rmc_id a = (rmc_id)rnd((uint32_t)k->n_prog - 1);
        const rmc_id b = a + 1 + (rmc_id)rnd((uint32_t)(k->n_prog - 1 - (size_t)a));
        bool dup = false;
        for (size_t x = 0; x < k->n_rev; x++) {
            dup = dup || (k->rd[x] == a && k->rr[x] == b);
        }
        if (!dup) {
            k->rd[k->n_rev] = a;
            k->rr[k->n_rev] = b;
            k->rq[k->n_rev++] = 1 + (int32_t)rnd((uint32_t)k->cap[a]);
        }
    }
}

static void brute_force_class(bool sup, bool couples, bool revs, size_t n_markets,
                              double max_miss_rate)
{
    size_t with_stable = 0, missed = 0, converged = 0, leaves = 0, sup_blocking = 0;
    for (size_t t = 0; t < n_markets; t++) {
        mkt k;
        random_market(&k, sup, couples, revs);
        res_buf b;
        run(&k, &b);
        bf s;
        agents_of(&k, &s);
        size_t res_choice[MA];
        assert_true(bf_from_result(&s, &b));
        memcpy(res_choice, s.choice, sizeof res_choice);
        memcpy(s.cap, b.cap, sizeof s.cap);
        memcpy(s.moved, b.moved, sizeof s.moved);
        const bool res_stable = bf_stable(&s);
        if (b.st == RMC_OK) {
            converged++;
            assert_true(res_stable);
            assert_int_equal(check(&k, &b), RMC_OK);
        }
        bool any_sup = false;
        for (size_t h = 0; h < s.n_ag; h++) {
            any_sup = any_sup || s.ag[h].sup;
        }
        bf_stats st = {.optimal_ok = true,
                       .res_choice = res_choice,
                       .claim_optimal = b.st == RMC_OK && k.n_couples == 0 && !any_sup};
        memset(s.moved, 0, sizeof s.moved);
        bf_all(&s, 0, &st, &b);
        leaves += st.leaves;
        sup_blocking += st.sup_blocking;
        assert_true(st.optimal_ok);
        with_stable += st.stable > 0;
        missed += st.stable > 0 && b.st != RMC_OK;
        if (k.n_couples == 0 && !any_sup) {
            assert_int_equal(b.st, RMC_OK); /* deferred acceptance always converges */
        }
    }
    printf("brute force (supplemental %d, couples %d, reversions %d): %zu markets, %zu "
           "outcomes, %zu converged, %zu with a stable outcome, %zu missed\n",
           sup, couples, revs, n_markets, leaves, converged, with_stable, missed);
    assert_true((double)missed <= max_miss_rate * (double)with_stable);
    assert_true(!sup || sup_blocking > 0); /* the counter's supplemental path was exercised */
}

static void test_brute_force_reversions(void **state)
{
    (void)state;
    rs = 0x1234567u;
    brute_force_class(false, false, true, rmc_test_quick() ? 300 : 5000, 0.0);
}

static void test_brute_force_supplemental(void **state)
{
    (void)state;
    rs = 0xabcdefu;
    brute_force_class(true, false, false, rmc_test_quick() ? 300 : 5000, 0.01);
    brute_force_class(true, false, true, rmc_test_quick() ? 300 : 5000, 0.01);
}

static void test_brute_force_everything(void **state)
{
    (void)state;
    rs = 0x5eed5eedu;
    brute_force_class(true, true, true, rmc_test_quick() ? 300 : 5000, 0.02);
}

/* Market 1164 of test_brute_force_everything's stream (supplemental lists,
 * a couple, reversions): a stable outcome exists. The couples procedure
 * missed it while every round scanned the couples before the singles had
 * settled; since the singles settle first (a round that leaves programs
 * queued for rescanning scans no couple) it converges to a stable one. */
static void test_singles_settle_before_couples(void **state)
{
    (void)state;
    rs = 0x5eed5eedu;
    mkt k;
    for (size_t t = 0; t <= 1164; t++) {
        random_market(&k, true, true, true);
    }
    assert_true(k.n_couples > 0);
    res_buf b;
    run(&k, &b);
    assert_int_equal(b.st, RMC_OK);
    assert_int_equal(check(&k, &b), RMC_OK);
    bf s;
    agents_of(&k, &s);
    assert_true(bf_from_result(&s, &b));
    memcpy(s.cap, b.cap, sizeof s.cap);
    memcpy(s.moved, b.moved, sizeof s.moved);
    assert_true(bf_stable(&s));
}

/* One workspace reused for market after market (as a thread reuses its own
 * over replicates, whose ranks differ) gives each market the result of a
 * fresh workspace: nothing of one market's Match, its program lists
 * included, carries into the next one's. */
static void test_workspace_reused_across_markets(void **state)
{
    (void)state;
    rs = 0x7e57a11u;
    rmc_match_ws *w = NULL;
    assert_int_equal(rmc_match_ws_alloc(MA, MP, ME, 2 * MP, &w), RMC_OK);
    const size_t n_markets = rmc_test_quick() ? 300 : 3000;
    size_t reverted = 0;
    for (size_t t = 0; t < n_markets; t++) {
        mkt k;
        random_market(&k, true, t % 2 == 0, true);
        res_buf fresh;
        run(&k, &fresh);
        const rmc_match_input in = input_of(&k);
        res_buf b;
        memset(&b, 0, sizeof b);
        b.r = (rmc_match_result){.app_prog = b.prog,
                                 .app_choice = b.choice,
                                 .fill = b.fill,
                                 .app_pgy1 = b.pgy1,
                                 .capacity_final = b.cap,
                                 .rev_moved = b.moved};
        rmc_diag d = {0};
        assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &b.r, &d), fresh.st);
        assert_memory_equal(b.prog, fresh.prog, sizeof b.prog);
        assert_memory_equal(b.choice, fresh.choice, sizeof b.choice);
        assert_memory_equal(b.pgy1, fresh.pgy1, sizeof b.pgy1);
        assert_memory_equal(b.cap, fresh.cap, sizeof b.cap);
        reverted += b.r.n_reverted;
    }
    assert_true(reverted > 0); /* the reversion passes were exercised */
    rmc_match_ws_free(w);
}

/* Malformed supplemental and reversion input is a usage error. */
static void test_tracks_usage_errors(void **state)
{
    (void)state;
    mkt k;
    supp_market(&k, true, false);
    k.supp[0] = 5; /* no such list */
    const rmc_match_input in = input_of(&k);
    rmc_match_ws *w = NULL;
    assert_int_equal(rmc_match_ws_alloc(4, 4, 8, 8, &w), RMC_OK);
    rmc_id prog[MA], pgy1[MA];
    int32_t choice[MA], fill[MP];
    rmc_match_result r = {.app_prog = prog, .app_choice = choice, .fill = fill, .app_pgy1 = pgy1};
    rmc_diag d = {0};
    assert_int_equal(rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &r, &d), RMC_EUSAGE);
    /* a list linked by a second applicant (y's only entry, entry 2), and an
     * entry naming list -2: each named by its entry */
    supp_market(&k, true, false);
    k.supp[2] = 0;
    const rmc_match_input in_shared = input_of(&k);
    assert_int_equal(rmc_match_run(w, &in_shared, RMC_PROPOSE_APPLICANTS, 0, &r, &d), RMC_EUSAGE);
    assert_non_null(strstr(d.message, "entry 2 names supplemental list 0"));
    supp_market(&k, true, false);
    k.supp[1] = -2;
    const rmc_match_input in_neg = input_of(&k);
    assert_int_equal(rmc_match_run(w, &in_neg, RMC_PROPOSE_APPLICANTS, 0, &r, &d), RMC_EUSAGE);
    assert_non_null(strstr(d.message, "entry 1 names supplemental list -2"));
    supp_market(&k, true, false);
    const rmc_match_input in2 = input_of(&k);
    assert_int_equal(rmc_match_run(w, &in2, RMC_PROPOSE_PROGRAMS, 0, &r, &d), RMC_EUSAGE);
    rev_market(&k, false);
    k.rr[0] = 0; /* donor == receiver */
    const rmc_match_input in3 = input_of(&k);
    assert_int_equal(rmc_match_run(w, &in3, RMC_PROPOSE_APPLICANTS, 0, &r, &d), RMC_EUSAGE);
    /* A couple of the caller's beside supplemental lists is still checked
     * entry by entry (only the couples the tracks Match builds are not). */
    supp_market(&k, true, false);
    add_app(&k, NULL, NULL, 0);
    add_app(&k, NULL, NULL, 0);
    k.n_couples = 1;
    k.ca[0] = 2;
    k.cb[0] = 3;
    k.crol_off[1] = 1;
    k.cpa[0] = PA;
    k.cpb[0] = 99; /* no such program */
    const rmc_match_input in4 = input_of(&k);
    assert_int_equal(rmc_match_run(w, &in4, RMC_PROPOSE_APPLICANTS, 0, &r, &d), RMC_EUSAGE);
    assert_non_null(strstr(d.message, "malformed"));
    k.cpb[0] = PC; /* well formed (ranks no other entry has there): it runs */
    k.cra[0] = k.crb[0] = 5;
    const rmc_match_input in5 = input_of(&k);
    const rmc_status st = rmc_match_run(w, &in5, RMC_PROPOSE_APPLICANTS, 0, &r, &d);
    assert_true(st == RMC_OK || st == RMC_NOT_CONVERGED);
    rmc_match_ws_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_supplemental_hand_cases),
        cmocka_unit_test(test_reversion_hand_cases),
        cmocka_unit_test(test_nrmp_example_through_tracks),
        cmocka_unit_test(test_brute_force_reversions),
        cmocka_unit_test(test_brute_force_supplemental),
        cmocka_unit_test(test_brute_force_everything),
        cmocka_unit_test(test_singles_settle_before_couples),
        cmocka_unit_test(test_workspace_reused_across_markets),
        cmocka_unit_test(test_tracks_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
