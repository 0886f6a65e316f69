/* The Match's internal workspace layout, shared by match_da.c and (later)
 * match_couples.c. Not installed. match_check.c deliberately does not
 * include this file: the checker shares no code with the matcher. */
#ifndef RANKMC_MATCH_INT_H
#define RANKMC_MATCH_INT_H

#include "internal.h"
#include "rankmc/match.h"

/* Digits of the radix sort that builds program lists from the edges. */
#define RMC_MATCH_RADIX_BITS 16
#define RMC_MATCH_RADIX (1u << RMC_MATCH_RADIX_BITS)

/* Supplemental lists and reversions: the expanded market (match_tracks.c). */
typedef struct rmc_match_tracks rmc_match_tracks;

struct rmc_match_ws {
    size_t max_app, max_prog, max_entries, max_seats; /* sizes it was made for */

    /* applicant side [max_app] */
    size_t *next;  /* next entry an applicant (or a program) proposes to */
    size_t *held;  /* entry index an applicant is matched through, or SIZE_MAX */
    rmc_id *stack; /* free applicants (or programs) still to process */

    /* program side */
    size_t *seat_off; /* [max_prog + 1] prefix sums of capacity */
    uint64_t *seat;   /* [max_seats] max-heap per program: rank << 32 | applicant */
    int32_t *n_held;  /* [max_prog] heap size = seats filled */
    bool *on_stack;   /* [max_prog] program-proposing: queued already */

    /* program-proposing: program lists built from the edges */
    size_t *plist_off; /* [max_prog + 1] program j's entries, best rank first */
    size_t *plist;     /* [max_entries] entry indices */
    size_t *ptmp;      /* [max_entries] radix-sort buffer */
    rmc_id *entry_app; /* [max_entries] applicant of each entry */
    size_t *count;     /* [RMC_MATCH_RADIX] counting-sort histogram */

    /* couples (match_couples.c); a couple has two applicants, so n_app / 2 */
    rmc_id *couple_of;  /* [max_app] couple of an applicant, or RMC_ID_NONE */
    size_t *cnext;      /* [max_app / 2] next joint-list entry a couple proposes */
    size_t *cheld;      /* [max_app / 2] entry a couple holds, or RMC_MATCH_HELD_NONE */
    size_t n_proposals; /* couples procedure: proposals so far */
    rmc_id *dirty;      /* [max_prog] ring of programs that freed a seat, to rescan */
    size_t dirty_head;  /* first queued entry of dirty */
    size_t n_dirty;     /* programs queued (on_stack marks them; each at most once) */
    bool have_lists;    /* program lists built this run (first rescan) */
    bool keep_lists;    /* the caller changed only capacities since the last run:
                         * program lists built then still hold (match_tracks.c) */
    size_t round;       /* rounds (scans) done */
    bool converged;     /* the last round moved nobody: stable */
    bool cycled;        /* the state repeated: it would never converge */
    /* couples from this index on were built by match_tracks from its checked
     * input: check_couples does not check their entries again (SIZE_MAX: it
     * checks every couple's) */
    size_t couples_built_from;
    /* Brent's cycle detection: the state brent_lam rounds ago */
    size_t *snap_held;  /* [max_app] held */
    size_t *snap_cheld; /* [max_app / 2] cheld */
    rmc_id *snap_dirty; /* [max_prog] the rescan queue, head first */
    size_t snap_n_dirty, brent_power, brent_lam;
    /* restarts: the order couples enter, the entry each starts from, and
     * the best entry each was seated at since the last snapshot */
    rmc_id *corder;   /* [max_app / 2] couple entering k-th */
    size_t *cstart;   /* [max_app / 2] first entry couple c proposes */
    size_t *cyc_best; /* [max_app / 2] or RMC_MATCH_HELD_NONE: not seated since */
    /* the couples' rescans (scan_couples) skip a couple none of whose
     * programs freed a seat since its last scan found nothing, holding the
     * same entry: it would find nothing again. The couples with an entry at
     * each program (per input, rmc_match_couples_reset), and per couple: */
    size_t *cprog_off;    /* [max_prog + 1] */
    rmc_id *cprog_couple; /* [cap_cprog] */
    rmc_id *cprog_last;   /* [max_prog] scratch of the build */
    rmc_id *cprog_tmp;    /* [cap_ctmp] scratch of the build: (program, couple) pairs */
    size_t cap_cprog, cap_ctmp;
    bool cflag;               /* seats freed mark cstale (the rounds, not the couples' entry) */
    bool *cstale;             /* [max_app / 2] a seat freed at one of its programs since */
    size_t *cscan_held;       /* [max_app / 2] the entry it held at its last empty scan */
    rmc_match_tracks *tracks; /* NULL until a market with supplemental lists or reversions */
};

#define RMC_MATCH_HELD_NONE SIZE_MAX

/* Default bound on the couples procedure's rounds when max_rounds is 0. */
#define RMC_MATCH_DEFAULT_ROUNDS 100000 /* as match.couples_max_rounds in params.def */

/* Seat heaps: key = rank << 32 | applicant, max-heap (worst rank on top). */
static inline uint64_t seat_key(int32_t rank, size_t app)
{
    return ((uint64_t)(uint32_t)rank << 32) | (uint64_t)(uint32_t)app;
}

/* Insert key into the max-heap h of n elements (room for n + 1). */
static inline void heap_push(uint64_t *h, size_t n, uint64_t key)
{
    size_t c = n;
    while (c > 0) {
        const size_t p = (c - 1) / 2;
        if (h[p] >= key) {
            break;
        }
        h[c] = h[p];
        c = p;
    }
    h[c] = key;
}

/* Replace the top of the max-heap h of n elements by a smaller key. */
static inline void heap_replace_top(uint64_t *h, size_t n, uint64_t key)
{
    size_t p = 0;
    for (;;) {
        size_t c = 2 * p + 1;
        if (c >= n) {
            break;
        }
        if (c + 1 < n && h[c + 1] > h[c]) {
            c++;
        }
        if (h[c] <= key) {
            break;
        }
        h[p] = h[c];
        p = c;
    }
    h[p] = key;
}

/* Applicant i proposes down its list until held or exhausted, from
 * w->next[i] (the singles-only Match of match_da.c, and the singles before
 * any couple enters in match_couples.c). Returns the applicant it displaced
 * (who must propose next), or -1. */
static inline int64_t rmc_match_propose_from(rmc_match_ws *w, const rmc_match_input *in, size_t i,
                                             size_t *n_proposals)
{
    const size_t end = in->app_off[i + 1];
    for (size_t e = w->next[i]; e < end; e++) {
        const int32_t r = in->choice_rank[e];
        ++*n_proposals;
        if (r == RMC_RANK_NONE) {
            continue;
        }
        const size_t j = (size_t)in->choice_prog[e];
        const size_t cap = (size_t)in->capacity[j];
        uint64_t *h = w->seat + w->seat_off[j];
        const size_t n = (size_t)w->n_held[j];
        if (n < cap) {
            heap_push(h, n, seat_key(r, i));
            w->n_held[j] = (int32_t)(n + 1);
            w->held[i] = e;
            w->next[i] = e + 1;
            return -1;
        }
        if (cap > 0 && (uint32_t)(h[0] >> 32) > (uint32_t)r) {
            const size_t out = (size_t)(uint32_t)h[0];
            heap_replace_top(h, n, seat_key(r, i));
            w->held[i] = e;
            w->held[out] = RMC_MATCH_HELD_NONE;
            w->next[i] = e + 1;
            return (int64_t)out;
        }
    }
    w->next[i] = end;
    return -1;
}

/* Remove element k of the max-heap h of n elements. */
static inline void heap_remove_at(uint64_t *h, size_t n, size_t k)
{
    const uint64_t last = h[n - 1];
    n--;
    if (k == n) {
        return;
    }
    size_t c = k;
    while (c > 0 && h[(c - 1) / 2] < last) { /* sift up */
        h[c] = h[(c - 1) / 2];
        c = (c - 1) / 2;
    }
    if (c != k) {
        h[c] = last;
        return;
    }
    for (;;) { /* sift down */
        size_t m = 2 * c + 1;
        if (m >= n) {
            break;
        }
        if (m + 1 < n && h[m + 1] > h[m]) {
            m++;
        }
        if (h[m] <= last) {
            break;
        }
        h[c] = h[m];
        c = m;
    }
    h[c] = last;
}

/* Seat offsets from capacities, empty heaps, nobody held (match_da.c). */
RMC_INTERNAL void rmc_match_setup_programs(rmc_match_ws *w, const rmc_match_input *in);

/* Program j's ranked entries, best rank first, in plist[plist_off[j] ..
 * plist_off[j+1]); entry_app[e] = applicant of entry e (match_da.c). */
RMC_INTERNAL void rmc_match_build_program_lists(rmc_match_ws *w, const rmc_match_input *in);

/* The Roth-Peranson couples procedure (match_couples.c): applicant-proposing,
 * each attempt at most max_rounds rounds (0: RMC_MATCH_DEFAULT_ROUNDS), up
 * to max_restarts restarts drawn from seed (docs/match.md). in was checked
 * against w by rmc_match_run. RMC_OK, RMC_NOT_CONVERGED, RMC_EUSAGE.
 * Each attempt: rmc_match_couples_init, _step until it returns true or the
 * rounds reach the bound; when it did not converge, rmc_match_couples_plan
 * sets up the next attempt; then _done. */
RMC_INTERNAL rmc_status rmc_match_couples_run(rmc_match_ws *w, const rmc_match_input *in,
                                              size_t max_rounds, size_t max_restarts, uint64_t seed,
                                              rmc_match_result *res, rmc_diag *d);

/* Validate the couples (RMC_EUSAGE) and set the first attempt's plan: the
 * couples enter in index order (couple 0 first), each from the top of its
 * joint list. */
RMC_INTERNAL rmc_status rmc_match_couples_reset(rmc_match_ws *w, const rmc_match_input *in,
                                                rmc_diag *d);

/* Plan restart number `restart` (1, 2, ...) after an attempt that did not
 * converge: restart 1 reverses the order couples enter; later ones draw a
 * random order from (seed, restart) and, when the attempt cycled, move one
 * couple seated during the cycle (drawn the same way) to start below the
 * best pair it held in the cycle (docs/match.md). */
RMC_INTERNAL void rmc_match_couples_plan(rmc_match_ws *w, const rmc_match_input *in, size_t restart,
                                         uint64_t seed);

/* Start an attempt of the couples procedure on `in` (rmc_match_couples_reset
 * called first): singles propose, then couples one at a time in the planned
 * order from their planned entries, until everyone is held or out of list.
 * w->round is 0 afterwards. */
RMC_INTERNAL void rmc_match_couples_init(rmc_match_ws *w, const rmc_match_input *in);

/* One round: move every blocking single (at programs that freed a seat)
 * and every blocking couple, settling whoever they displace; w->round
 * counts rounds. Returns true when the procedure is over: w->converged (the
 * round moved nobody; the matching is stable) or w->cycled (the state after
 * this round was seen before, so it would cycle for ever). */
RMC_INTERNAL bool rmc_match_couples_step(rmc_match_ws *w, const rmc_match_input *in);

/* Write the current matching into res (consistent whatever the state):
 * RMC_OK when converged, else RMC_NOT_CONVERGED. */
RMC_INTERNAL rmc_status rmc_match_couples_done(const rmc_match_ws *w, const rmc_match_input *in,
                                               rmc_match_result *res);

/* A Match with supplemental lists or reversions (match_tracks.c): the
 * applicants with lists as one-person couples with a PGY-1 twin, matched
 * again after each reversion pass until no position moves. in was checked
 * against w. The workspace extension grows here when needed (RMC_ENOMEM). */
RMC_INTERNAL rmc_status rmc_match_tracks_run(rmc_match_ws *w, const rmc_match_input *in,
                                             rmc_proposing side, size_t max_rounds,
                                             size_t max_restarts, uint64_t seed,
                                             rmc_match_result *res, rmc_diag *d);
RMC_INTERNAL void rmc_match_tracks_free(rmc_match_tracks *t);

#endif
