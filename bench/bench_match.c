/* Benchmarks of the Match (rmc_match_run) on synthetic markets.
 *
 * (a) national: 50,000 applicants, 6,000 programs, 40,000 positions; each
 *     applicant interviews at ~12 programs (more often at desirable ones) and
 *     ranks them by desirability plus noise; programs rank their
 *     interviewees in random order. Times rmc_match_run alone.
 * (b) dense: 10,000 applicants x 1,000 programs x 10 positions, complete
 *     uniform random lists on both sides (matchingR's
 *     galeShapley.collegeAdmissions reference workload). Times the match
 *     from both sides' lists in memory: building the edge input (program
 *     ranks looked up from the programs' lists) plus rmc_match_run, and
 *     reports the whole process's peak RSS; run it alone (`bench_match b`)
 *     for a clean RSS figure.
 * (c) market (a) with 1,500 couples (3,000 applicants, ~6%, as in the NRMP),
 *     each joint list the 15 best pairs of its members' own lists (by sum of
 *     positions): rmc_match_run with the couples procedure.
 * Usage: bench_match [a|b|c|all] [RUNS [N_COUPLES]] (default all, 7 runs, 1500 couples).
 */
#define _POSIX_C_SOURCE 200809L /* bench.h: mkdtemp */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "rankmc/match.h"

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double rng_unif(void)
{
    return (double)(rng_next() >> 11) * 0x1.0p-53;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    if (p == NULL) {
        fprintf(stderr, "bench_match: out of memory\n");
        exit(1);
    }
    return p;
}

static void shuffle(int32_t *a, size_t n)
{
    for (size_t k = n; k > 1; k--) {
        const size_t r = (size_t)(rng_next() % k);
        const int32_t t = a[k - 1];
        a[k - 1] = a[r];
        a[r] = t;
    }
}

typedef struct market {
    size_t n_app, n_prog, n_seats;
    int32_t *cap;
    size_t *off;
    rmc_id *prog;
    int32_t *rank;
} market;

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

/* Sort list entries e0..e1 of applicant by key descending (insertion sort, short lists). */
static void sort_by_key(rmc_id *prog, double *key, size_t n)
{
    for (size_t a = 1; a < n; a++) {
        const rmc_id p = prog[a];
        const double k = key[a];
        size_t b = a;
        for (; b > 0 && key[b - 1] < k; b--) {
            prog[b] = prog[b - 1];
            key[b] = key[b - 1];
        }
        prog[b] = p;
        key[b] = k;
    }
}

static market national_market(void)
{
    enum { N_APP = 50000, N_PROG = 6000, N_POS = 40000, LIST = 12 };
    market mk = {
        N_APP, N_PROG, 0, xmalloc(N_PROG * sizeof(int32_t)), xmalloc((N_APP + 1) * sizeof(size_t)),
        NULL,  NULL};
    double *desir = xmalloc(N_PROG * sizeof(double));
    for (size_t j = 0; j < N_PROG; j++) {
        mk.cap[j] = 1; /* then N_POS - N_PROG more seats spread at random */
        desir[j] = rng_unif();
    }
    for (size_t s = N_PROG; s < N_POS; s++) {
        mk.cap[rng_next() % N_PROG]++;
    }
    mk.n_seats = N_POS;
    /* Lists of 8..16, mean 12; interviews favour desirable programs. */
    mk.off[0] = 0;
    for (size_t i = 0; i < N_APP; i++) {
        mk.off[i + 1] = mk.off[i] + 8 + (size_t)(rng_next() % 9);
    }
    const size_t n_entries = mk.off[N_APP];
    mk.prog = xmalloc(n_entries * sizeof(rmc_id));
    mk.rank = xmalloc(n_entries * sizeof(int32_t));
    double *key = xmalloc(n_entries * sizeof(double));
    for (size_t i = 0; i < N_APP; i++) {
        for (size_t e = mk.off[i]; e < mk.off[i + 1]; e++) {
            rmc_id j;
            bool dup;
            do {
                j = (rmc_id)(rng_next() % N_PROG);
                dup = rng_unif() > 0.3 + 0.7 * desir[j];
                for (size_t f = mk.off[i]; f < e && !dup; f++) {
                    dup = mk.prog[f] == j;
                }
            } while (dup);
            mk.prog[e] = j;
            key[e] = desir[j] + 0.3 * rng_unif();
        }
        sort_by_key(mk.prog + mk.off[i], key + mk.off[i], mk.off[i + 1] - mk.off[i]);
    }
    /* Programs rank their interviewees in random order: random distinct
     * ranks = a random permutation of each program's interview count. */
    int32_t *count = calloc(N_PROG, sizeof(int32_t));
    for (size_t e = 0; e < n_entries; e++) {
        key[e] = rng_unif();
        count[mk.prog[e]]++;
    }
    size_t *order = xmalloc(n_entries * sizeof(size_t));
    for (size_t e = 0; e < n_entries; e++) {
        order[e] = e;
    }
    /* rank = position among the program's interviewees ordered by key */
    int32_t *next = calloc(N_PROG, sizeof(int32_t));
    for (size_t k = n_entries; k > 1; k--) {
        const size_t r = (size_t)(rng_next() % k);
        const size_t t = order[k - 1];
        order[k - 1] = order[r];
        order[r] = t;
    }
    for (size_t k = 0; k < n_entries; k++) {
        const size_t e = order[k];
        mk.rank[e] = next[mk.prog[e]]++;
    }
    free(next);
    free(order);
    free(count);
    free(key);
    free(desir);
    return mk;
}

static void bench_national(int runs)
{
    rng_state = 20261125;
    market mk = national_market();
    const rmc_match_input in = market_input(&mk);
    rmc_match_ws *w = NULL;
    rmc_id *app_prog = xmalloc(mk.n_app * sizeof(rmc_id));
    int32_t *app_choice = xmalloc(mk.n_app * sizeof(int32_t));
    int32_t *fill = xmalloc(mk.n_prog * sizeof(int32_t));
    rmc_match_result res = {.app_prog = app_prog, .app_choice = app_choice, .fill = fill};
    if (rmc_match_ws_alloc(mk.n_app, mk.n_prog, mk.off[mk.n_app], mk.n_seats, &w) != RMC_OK) {
        exit(1);
    }
    for (int side = 0; side < 2; side++) {
        double t[64];
        for (int r = 0; r < runs; r++) {
            const double t0 = bench_now();
            if (rmc_match_run(w, &in, (rmc_proposing)side, 0, &res, NULL) != RMC_OK) {
                exit(1);
            }
            t[r] = bench_now() - t0;
        }
        size_t matched = 0;
        for (size_t i = 0; i < mk.n_app; i++) {
            matched += app_prog[i] != RMC_ID_NONE;
        }
        const double tmed = bench_median(t, (size_t)runs), tmin = t[0];
        printf("(a) national %zu x %zu, %zu seats, %zu entries, %s-proposing: matched %zu, "
               "proposals %zu; rmc_match_run median %.2f ms, min %.2f ms (%d runs)\n",
               mk.n_app, mk.n_prog, mk.n_seats, mk.off[mk.n_app], side ? "program" : "applicant",
               matched, res.n_proposals, 1e3 * tmed, 1e3 * tmin, runs);
    }
    rmc_match_ws_free(w);
    free(app_prog);
    free(app_choice);
    free(fill);
    market_free(&mk);
}

typedef struct couples {
    size_t n;
    rmc_id *a, *b, *pa, *pb;
    int32_t *ra, *rb;
    size_t *off;
} couples;

/* Couple k = applicants 2k, 2k+1; joint list = the n_pairs pairs (x, y) of
 * positions in the members' own lists with the smallest x + y (then x). */
static couples make_couples(const market *mk, size_t n, size_t n_pairs)
{
    couples c = {n,
                 xmalloc(n * sizeof(rmc_id)),
                 xmalloc(n * sizeof(rmc_id)),
                 xmalloc(n * n_pairs * sizeof(rmc_id)),
                 xmalloc(n * n_pairs * sizeof(rmc_id)),
                 xmalloc(n * n_pairs * sizeof(int32_t)),
                 xmalloc(n * n_pairs * sizeof(int32_t)),
                 xmalloc((n + 1) * sizeof(size_t))};
    c.off[0] = 0;
    for (size_t k = 0; k < n; k++) {
        const size_t a = 2 * k, b = 2 * k + 1;
        const size_t la = mk->off[a + 1] - mk->off[a], lb = mk->off[b + 1] - mk->off[b];
        size_t e = c.off[k];
        c.a[k] = (rmc_id)a;
        c.b[k] = (rmc_id)b;
        for (size_t sum = 0; sum <= la + lb - 2 && e < c.off[k] + n_pairs; sum++) {
            for (size_t x = 0; x <= sum && e < c.off[k] + n_pairs; x++) {
                const size_t y = sum - x;
                if (x < la && y < lb) {
                    c.pa[e] = mk->prog[mk->off[a] + x];
                    c.ra[e] = mk->rank[mk->off[a] + x];
                    c.pb[e] = mk->prog[mk->off[b] + y];
                    c.rb[e] = mk->rank[mk->off[b] + y];
                    e++;
                }
            }
        }
        c.off[k + 1] = e;
    }
    return c;
}

static void bench_national_couples(int runs, size_t n_couples)
{
    rng_state = 20261125;
    market mk = national_market();
    couples c = make_couples(&mk, n_couples, 15);
    rmc_match_input in = market_input(&mk);
    in.n_couples = c.n;
    in.couple_a = c.a;
    in.couple_b = c.b;
    in.crol_off = c.off;
    in.crol_pa = c.pa;
    in.crol_pb = c.pb;
    in.crol_rank_a = c.ra;
    in.crol_rank_b = c.rb;
    rmc_match_ws *w = NULL;
    rmc_id *app_prog = xmalloc(mk.n_app * sizeof(rmc_id));
    int32_t *app_choice = xmalloc(mk.n_app * sizeof(int32_t));
    int32_t *fill = xmalloc(mk.n_prog * sizeof(int32_t));
    rmc_match_result res = {.app_prog = app_prog, .app_choice = app_choice, .fill = fill};
    if (rmc_match_ws_alloc(mk.n_app, mk.n_prog, mk.off[mk.n_app], mk.n_seats, &w) != RMC_OK) {
        exit(1);
    }
    double t[64];
    rmc_status st = RMC_OK;
    for (int r = 0; r < runs; r++) {
        const double t0 = bench_now();
        st = rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &res, NULL);
        t[r] = bench_now() - t0;
        if (st != RMC_OK && st != RMC_NOT_CONVERGED) {
            exit(1);
        }
    }
    size_t matched = 0, couples_matched = 0;
    for (size_t i = 0; i < mk.n_app; i++) {
        matched += app_prog[i] != RMC_ID_NONE;
    }
    for (size_t k = 0; k < c.n; k++) {
        couples_matched += app_prog[c.a[k]] != RMC_ID_NONE && app_prog[c.b[k]] != RMC_ID_NONE;
    }
    rmc_diag dd = {0};
    const double stable = rmc_match_check(&in, app_prog, &dd) == RMC_OK;
    if (!stable) {
        printf("%s\n", dd.message);
    }
    const double tmed = bench_median(t, (size_t)runs), tmin = t[0];
    printf("(c) national with %zu couples: %s, %s; matched %zu, couples both matched %zu; "
           "proposals %zu; rmc_match_run median %.2f ms, min %.2f ms (%d runs)\n",
           c.n, st == RMC_OK ? "converged" : "NOT converged", stable ? "stable" : "UNSTABLE",
           matched, couples_matched, res.n_proposals, 1e3 * tmed, 1e3 * tmin, runs);
    rmc_match_ws_free(w);
    free(app_prog);
    free(app_choice);
    free(fill);
    free(c.a);
    free(c.b);
    free(c.pa);
    free(c.pb);
    free(c.ra);
    free(c.rb);
    free(c.off);
    market_free(&mk);
}

/* Complete uniform lists: applicant prefs (programs in order) and program
 * prefs (applicants in order), as a preference-matrix library takes them. */
static void bench_dense(int runs)
{
    enum { N_APP = 10000, N_PROG = 1000, CAP = 10 };
    rng_state = 7;
    const size_t n_entries = (size_t)N_APP * N_PROG;
    int32_t *apref = xmalloc(n_entries * sizeof(int32_t)); /* [i][k] program */
    int32_t *ppref = xmalloc(n_entries * sizeof(int32_t)); /* [j][r] applicant */
    for (size_t i = 0; i < N_APP; i++) {
        for (size_t k = 0; k < N_PROG; k++) {
            apref[i * N_PROG + k] = (int32_t)k;
        }
        shuffle(apref + i * N_PROG, N_PROG);
    }
    for (size_t j = 0; j < N_PROG; j++) {
        for (size_t r = 0; r < N_APP; r++) {
            ppref[j * N_APP + r] = (int32_t)r;
        }
        shuffle(ppref + j * N_APP, N_APP);
    }
    market mk = {N_APP,
                 N_PROG,
                 (size_t)N_PROG * CAP,
                 xmalloc(N_PROG * sizeof(int32_t)),
                 xmalloc((N_APP + 1) * sizeof(size_t)),
                 xmalloc(n_entries * sizeof(rmc_id)),
                 xmalloc(n_entries * sizeof(int32_t))};
    int32_t *prank = xmalloc(n_entries * sizeof(int32_t)); /* [j][i] rank */
    rmc_id *app_prog = xmalloc(N_APP * sizeof(rmc_id));
    int32_t *app_choice = xmalloc(N_APP * sizeof(int32_t));
    int32_t *fill = xmalloc(N_PROG * sizeof(int32_t));
    rmc_match_result res = {.app_prog = app_prog, .app_choice = app_choice, .fill = fill};
    rmc_match_ws *w = NULL;
    if (rmc_match_ws_alloc(N_APP, N_PROG, n_entries, mk.n_seats, &w) != RMC_OK) {
        exit(1);
    }
    double t_total[64], t_match[64];
    for (int run = 0; run < runs; run++) {
        const double t0 = bench_now();
        for (size_t j = 0; j < N_PROG; j++) {
            mk.cap[j] = CAP;
            for (size_t r = 0; r < N_APP; r++) {
                prank[j * N_APP + (size_t)ppref[j * N_APP + r]] = (int32_t)r;
            }
        }
        mk.off[0] = 0;
        for (size_t i = 0; i < N_APP; i++) {
            for (size_t k = 0; k < N_PROG; k++) {
                const int32_t j = apref[i * N_PROG + k];
                mk.prog[i * N_PROG + k] = j;
                mk.rank[i * N_PROG + k] = prank[(size_t)j * N_APP + i];
            }
            mk.off[i + 1] = (i + 1) * N_PROG;
        }
        const rmc_match_input in = market_input(&mk);
        const double t1 = bench_now();
        if (rmc_match_run(w, &in, RMC_PROPOSE_APPLICANTS, 0, &res, NULL) != RMC_OK) {
            exit(1);
        }
        const double t2 = bench_now();
        t_total[run] = t2 - t0;
        t_match[run] = t2 - t1;
    }
    size_t matched = 0;
    for (size_t i = 0; i < N_APP; i++) {
        matched += app_prog[i] != RMC_ID_NONE;
    }
    const double med_total = bench_median(t_total, (size_t)runs), min_total = t_total[0];
    const double med_match = bench_median(t_match, (size_t)runs), min_match = t_match[0];
    printf("(b) dense %d x %d x %d complete lists: matched %zu, proposals %zu; "
           "lists->edges + match median %.1f ms (min %.1f); rmc_match_run alone median %.1f ms "
           "(min %.1f); %d runs; process peak RSS %.0f MiB\n",
           N_APP, N_PROG, CAP, matched, res.n_proposals, 1e3 * med_total, 1e3 * min_total,
           1e3 * med_match, 1e3 * min_match, runs, bench_peak_rss_mib());
    rmc_match_ws_free(w);
    free(prank);
    free(app_prog);
    free(app_choice);
    free(fill);
    market_free(&mk);
    free(apref);
    free(ppref);
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    runs = runs < 1 ? 1 : (runs > 64 ? 64 : runs);
    if (strcmp(which, "a") == 0 || strcmp(which, "all") == 0) {
        bench_national(runs);
    }
    if (strcmp(which, "c") == 0 || strcmp(which, "all") == 0) {
        bench_national_couples(runs, argc > 3 ? (size_t)atol(argv[3]) : 1500);
    }
    if (strcmp(which, "b") == 0 || strcmp(which, "all") == 0) {
        bench_dense(runs);
    }
    return 0;
}
