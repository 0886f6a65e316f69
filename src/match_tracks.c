/* Supplemental lists and reversions (NRMP; docs/match.md) on top of the
 * Match of match_da.c and match_couples.c.
 *
 * Supplemental lists. A single whose list links a supplemental list to
 * some entry becomes a one-person "couple": the applicant (member a) and a
 * PGY-1 twin (member b, an extra applicant index n_app + k with an empty
 * row). Its joint list follows the primary list: an entry without a list
 * is the pair (program, none); an entry with list [s1 .. sm] is the pairs
 * (program, s1), ..., (program, sm), then (program, none). So the
 * supplemental list is tried only while the applicant holds the advanced
 * program; finding no PGY-1 it stays at (program, none), partially
 * matched, and goes no further down; displaced from the advanced program
 * it loses the PGY-1 seat too (the couple withdraws its other member), and
 * pushed out of the PGY-1 it tries the next program of the list while
 * keeping the advanced one. The couples procedure (rescans, cycle
 * detection, restarts) then runs unchanged, and a converged result is
 * stable in the couples sense, which for such a couple is exactly the
 * definition of docs/match.md.
 *
 * Reversions. Match; then, from that matching's unfilled positions, move
 * to each reversion's receiver (in input order) as many of its donor's
 * unfilled positions as its quota has left; if any moved, match again with
 * the new capacities; until none moves. Every pass but the last moves at
 * least one position and quotas only shrink, so there are at most 1 +
 * sum(rev_positions) matches; the result is the Match of the final
 * capacities (stable for them when it converged), and no reversion with
 * quota left has a donor with an unfilled position.
 * A pass changes only capacities, so the passes after the first keep the
 * program lists the first one sorted (keep_lists); each is otherwise a
 * fresh Match, and the result is the same as re-running from scratch.
 *
 * The expanded input lives in a workspace extension that grows the first
 * time a market needs more (then it is reused); markets without
 * supplemental lists or reversions never reach this file.
 */
#include <string.h>

#include "match_int.h"

struct rmc_match_tracks {
    size_t cap_app, cap_prog, cap_rev, cap_pairs, cap_couples;
    rmc_match_ws *inner;  /* sized for the expanded market */
    size_t *app_off;      /* [cap_app + 1] expanded rows (twins empty) */
    rmc_id *sup_app;      /* [cap_app] applicants expanded, in index order */
    rmc_id *couple_a;     /* [cap_couples] */
    rmc_id *couple_b;     /* [cap_couples] */
    size_t *crol_off;     /* [cap_couples + 1] */
    rmc_id *crol_pa;      /* [cap_pairs] */
    rmc_id *crol_pb;      /* [cap_pairs] */
    int32_t *crol_rank_a; /* [cap_pairs] */
    int32_t *crol_rank_b; /* [cap_pairs] */
    int32_t *pair_entry;  /* [cap_pairs] expanded pairs: primary-list position of the pair */
    rmc_id *app_prog;     /* [cap_app] expanded result */
    int32_t *app_choice;  /* [cap_app] */
    int32_t *capacity;    /* [cap_prog] current capacities */
    int32_t *unfilled;    /* [cap_prog] */
    int32_t *moved;       /* [cap_rev] */
    rmc_id *list_owner;   /* [n_sup] applicant of each supplemental list (validation) */
    rmc_id *linker;       /* [n_sup] applicants linking a list, in index order (check_sup) */
    size_t n_link, cap_sup;
};

static void tracks_free_arrays(rmc_match_tracks *t)
{
    void *const arrs[] = {
        t->app_off,  t->sup_app,     t->couple_a,    t->couple_b,   t->crol_off, t->crol_pa,
        t->crol_pb,  t->crol_rank_a, t->crol_rank_b, t->pair_entry, t->app_prog, t->app_choice,
        t->capacity, t->unfilled,    t->moved,       t->list_owner, t->linker};
    for (size_t i = 0; i < sizeof arrs / sizeof arrs[0]; i++) {
        rmc_free(arrs[i]);
    }
    rmc_match_ws_free(t->inner);
}

void rmc_match_tracks_free(rmc_match_tracks *t)
{
    if (t != NULL) {
        tracks_free_arrays(t);
        rmc_free(t);
    }
}

/* Replace *p by a fresh array of n elements when it holds fewer than n. */
static rmc_status grow(void **p, size_t have, size_t n, size_t elem, rmc_diag *d)
{
    if (n <= have && *p != NULL) {
        return RMC_OK;
    }
    void *fresh = NULL;
    RMC_TRY(rmc_alloc_array(&fresh, n > 0 ? n : 1, elem, d));
    rmc_free(*p);
    *p = fresh;
    return RMC_OK;
}

/* Supplemental input well formed; fills list_owner, and linker[0 ..
 * n_link) with the applicants that link a list (each owns one, so there
 * are at most n_sup). */
static rmc_status check_sup(rmc_match_tracks *t, const rmc_match_input *in, rmc_diag *d)
{
    t->n_link = 0;
    if (in->n_sup == 0) {
        return RMC_OK;
    }
    if (in->choice_supp == NULL || in->sup_off == NULL || in->sup_off[0] != 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "match input: %zu supplemental lists, malformed", in->n_sup);
    }
    RMC_TRY(grow((void **)&t->list_owner, t->cap_sup, in->n_sup, sizeof(rmc_id), d));
    RMC_TRY(grow((void **)&t->linker, t->cap_sup, in->n_sup, sizeof(rmc_id), d));
    t->cap_sup = in->n_sup > t->cap_sup ? in->n_sup : t->cap_sup;
    for (size_t s = 0; s < in->n_sup; s++) {
        t->list_owner[s] = RMC_ID_NONE;
        if (in->sup_off[s + 1] < in->sup_off[s]) {
            return RMC_FAIL(d, RMC_EUSAGE, "match input: supplemental list %zu is malformed", s);
        }
        for (size_t q = in->sup_off[s]; q < in->sup_off[s + 1]; q++) {
            if (in->sup_prog[q] < 0 || (size_t)in->sup_prog[q] >= in->n_prog ||
                in->sup_rank[q] < RMC_RANK_NONE) {
                return RMC_FAIL(d, RMC_EUSAGE, "match input: supplemental entry %zu is malformed",
                                q);
            }
        }
    }
    /* The entries in one run (check_input has checked app_off: it starts at
     * 0 and never decreases), the applicant found only at an entry that
     * names a list: most name none, and their test is the whole cost. */
    const size_t n_entries = in->app_off[in->n_app];
    size_t i = 0;
    for (size_t e = 0; e < n_entries; e++) {
        const int32_t s = in->choice_supp[e];
        if (s == -1) {
            continue;
        }
        while (in->app_off[i + 1] <= e) {
            i++;
        }
        if (s < -1 || (size_t)s >= in->n_sup ||
            (t->list_owner[s] != RMC_ID_NONE && t->list_owner[s] != (rmc_id)i)) {
            return RMC_FAIL(d, RMC_EUSAGE,
                            "match input: entry %zu names supplemental list %d, which is out "
                            "of range or serves another applicant",
                            e, (int)s);
        }
        t->list_owner[s] = (rmc_id)i;
        if (t->n_link == 0 || t->linker[t->n_link - 1] != (rmc_id)i) {
            t->linker[t->n_link++] = (rmc_id)i;
        }
    }
    return RMC_OK;
}

/* Pairs single i expands to. */
static size_t pairs_of(const rmc_match_input *in, size_t i)
{
    size_t n = 0;
    for (size_t e = in->app_off[i]; e < in->app_off[i + 1]; e++) {
        const int32_t s = in->choice_supp[e];
        n += 1 + (s >= 0 ? in->sup_off[s + 1] - in->sup_off[s] : 0);
    }
    return n;
}

static void put_pair(rmc_match_tracks *t, size_t q, rmc_id pa, int32_t ra, rmc_id pb, int32_t rb,
                     int32_t entry)
{
    t->crol_pa[q] = pa;
    t->crol_rank_a[q] = ra;
    t->crol_pb[q] = pb;
    t->crol_rank_b[q] = rb;
    t->pair_entry[q] = entry;
}

/* The expanded market in t, its input in *x. */
static rmc_status expand(rmc_match_ws *w, rmc_match_tracks *t, const rmc_match_input *in,
                         rmc_match_input *x, size_t *n_sa, rmc_diag *d)
{
    /* couple_of of the original couples, in w's array (check_couples of the
     * inner run fills the inner one) */
    for (size_t i = 0; i < in->n_app; i++) {
        w->couple_of[i] = RMC_ID_NONE;
    }
    for (size_t c = 0; c < in->n_couples; c++) {
        const rmc_id a = in->couple_a[c], b = in->couple_b[c];
        if (a < 0 || b < 0 || (size_t)a >= in->n_app || (size_t)b >= in->n_app) {
            return RMC_FAIL(d, RMC_EUSAGE, "match input: couple %zu is malformed", c);
        }
        w->couple_of[a] = w->couple_of[b] = (rmc_id)c;
    }
    /* the singles that link a supplemental list (a couple's member is
     * not expanded) */
    size_t k = 0, pairs = in->n_couples > 0 ? in->crol_off[in->n_couples] : 0;
    for (size_t q = 0; q < t->n_link; q++) {
        const size_t i = (size_t)t->linker[q];
        if (w->couple_of[i] == RMC_ID_NONE) {
            k++;
            pairs += pairs_of(in, i);
        }
    }
    const size_t n_app = in->n_app + k, n_couples = in->n_couples + k;
    RMC_TRY(grow((void **)&t->app_off, t->cap_app + 1, n_app + 1, sizeof(size_t), d));
    RMC_TRY(grow((void **)&t->sup_app, t->cap_app, n_app, sizeof(rmc_id), d));
    RMC_TRY(grow((void **)&t->app_prog, t->cap_app, n_app, sizeof(rmc_id), d));
    RMC_TRY(grow((void **)&t->app_choice, t->cap_app, n_app, sizeof(int32_t), d));
    t->cap_app = n_app > t->cap_app ? n_app : t->cap_app;
    RMC_TRY(grow((void **)&t->couple_a, t->cap_couples, n_couples, sizeof(rmc_id), d));
    RMC_TRY(grow((void **)&t->couple_b, t->cap_couples, n_couples, sizeof(rmc_id), d));
    RMC_TRY(grow((void **)&t->crol_off, t->cap_couples + 1, n_couples + 1, sizeof(size_t), d));
    t->cap_couples = n_couples > t->cap_couples ? n_couples : t->cap_couples;
    void **const pa[] = {(void **)&t->crol_pa, (void **)&t->crol_pb, (void **)&t->crol_rank_a,
                         (void **)&t->crol_rank_b, (void **)&t->pair_entry};
    for (size_t a = 0; a < 5; a++) {
        RMC_TRY(grow(pa[a], t->cap_pairs, pairs, 4, d));
    }
    t->cap_pairs = pairs > t->cap_pairs ? pairs : t->cap_pairs;
    memcpy(t->app_off, in->app_off, (in->n_app + 1) * sizeof *t->app_off);
    for (size_t j = 0; j < k; j++) {
        t->app_off[in->n_app + 1 + j] = in->app_off[in->n_app];
    }
    size_t q = 0;
    t->crol_off[0] = 0;
    for (size_t c = 0; c < in->n_couples; c++) {
        t->couple_a[c] = in->couple_a[c];
        t->couple_b[c] = in->couple_b[c];
        for (size_t e = in->crol_off[c]; e < in->crol_off[c + 1]; e++, q++) {
            put_pair(t, q, in->crol_pa[e], in->crol_rank_a[e], in->crol_pb[e], in->crol_rank_b[e],
                     (int32_t)(e - in->crol_off[c]));
        }
        t->crol_off[c + 1] = q;
    }
    size_t c = in->n_couples;
    for (size_t l = 0; l < t->n_link; l++) {
        const size_t i = (size_t)t->linker[l];
        if (w->couple_of[i] != RMC_ID_NONE) {
            continue;
        }
        t->sup_app[c - in->n_couples] = (rmc_id)i;
        t->couple_a[c] = (rmc_id)i;
        t->couple_b[c] = (rmc_id)(in->n_app + c - in->n_couples);
        for (size_t e = in->app_off[i]; e < in->app_off[i + 1]; e++) {
            const rmc_id p = in->choice_prog[e];
            const int32_t r = in->choice_rank[e], s = in->choice_supp[e];
            const int32_t pos = (int32_t)(e - in->app_off[i]);
            for (size_t z = s >= 0 ? in->sup_off[s] : 0; s >= 0 && z < in->sup_off[s + 1]; z++) {
                put_pair(t, q++, p, r, in->sup_prog[z], in->sup_rank[z], pos);
            }
            put_pair(t, q++, p, r, RMC_ID_NONE, RMC_RANK_NONE, pos);
        }
        t->crol_off[++c] = q;
    }
    *x = *in;
    x->n_app = n_app;
    x->app_off = t->app_off;
    x->capacity = t->capacity;
    x->n_couples = n_couples;
    x->couple_a = t->couple_a;
    x->couple_b = t->couple_b;
    x->crol_off = t->crol_off;
    x->crol_pa = t->crol_pa;
    x->crol_pb = t->crol_pb;
    x->crol_rank_a = t->crol_rank_a;
    x->crol_rank_b = t->crol_rank_b;
    x->n_sup = 0;
    x->choice_supp = NULL;
    x->n_rev = 0;
    *n_sa = k;
    return RMC_OK;
}

static rmc_status check_rev(const rmc_match_input *in, rmc_diag *d)
{
    for (size_t r = 0; r < in->n_rev; r++) {
        const rmc_id a = in->rev_donor[r], b = in->rev_receiver[r];
        if (a < 0 || b < 0 || (size_t)a >= in->n_prog || (size_t)b >= in->n_prog || a == b ||
            in->rev_positions[r] < 0) {
            return RMC_FAIL(d, RMC_EUSAGE, "match input: reversion %zu is malformed", r);
        }
    }
    return RMC_OK;
}

/* One reversion pass over the matching in fill: returns positions moved. */
static size_t revert(rmc_match_tracks *t, const rmc_match_input *in, const int32_t *fill)
{
    for (size_t j = 0; j < in->n_prog; j++) {
        t->unfilled[j] = t->capacity[j] - fill[j];
    }
    size_t moved = 0;
    for (size_t r = 0; r < in->n_rev; r++) {
        const size_t a = (size_t)in->rev_donor[r], b = (size_t)in->rev_receiver[r];
        int32_t k = in->rev_positions[r] - t->moved[r];
        k = k < t->unfilled[a] ? k : t->unfilled[a];
        if (k > 0) {
            t->capacity[a] -= k;
            t->capacity[b] += k;
            t->unfilled[a] -= k;
            t->moved[r] += k;
            moved += (size_t)k;
        }
    }
    return moved;
}

static void write_back(const rmc_match_tracks *t, const rmc_match_input *in, size_t n_sa,
                       rmc_match_result *res)
{
    for (size_t i = 0; i < in->n_app; i++) {
        res->app_prog[i] = t->app_prog[i];
        res->app_choice[i] = t->app_choice[i];
        if (res->app_pgy1 != NULL) {
            res->app_pgy1[i] = RMC_ID_NONE;
        }
    }
    for (size_t k = 0; k < n_sa; k++) {
        const size_t i = (size_t)t->sup_app[k], c = in->n_couples + k;
        if (res->app_pgy1 != NULL) {
            res->app_pgy1[i] = t->app_prog[in->n_app + k];
        }
        if (t->app_choice[i] >= 0) {
            res->app_choice[i] = t->pair_entry[t->crol_off[c] + (size_t)t->app_choice[i]];
        }
    }
    if (res->capacity_final != NULL) {
        memcpy(res->capacity_final, t->capacity, in->n_prog * sizeof *t->capacity);
    }
    if (res->rev_moved != NULL && in->n_rev > 0) {
        memcpy(res->rev_moved, t->moved, in->n_rev * sizeof *t->moved);
    }
}

rmc_status rmc_match_tracks_run(rmc_match_ws *w, const rmc_match_input *in, rmc_proposing side,
                                size_t max_rounds, size_t max_restarts, uint64_t seed,
                                rmc_match_result *res, rmc_diag *d)
{
    if (w->tracks == NULL) {
        RMC_TRY(rmc_calloc_array((void **)&w->tracks, 1, sizeof *w->tracks, d));
    }
    rmc_match_tracks *t = w->tracks;
    RMC_TRY(check_sup(t, in, d));
    RMC_TRY(check_rev(in, d));
    RMC_TRY(grow((void **)&t->capacity, t->cap_prog, in->n_prog, sizeof(int32_t), d));
    RMC_TRY(grow((void **)&t->unfilled, t->cap_prog, in->n_prog, sizeof(int32_t), d));
    t->cap_prog = in->n_prog > t->cap_prog ? in->n_prog : t->cap_prog;
    RMC_TRY(grow((void **)&t->moved, t->cap_rev, in->n_rev, sizeof(int32_t), d));
    t->cap_rev = in->n_rev > t->cap_rev ? in->n_rev : t->cap_rev;
    memcpy(t->capacity, in->capacity, in->n_prog * sizeof *t->capacity);
    for (size_t r = 0; r < in->n_rev; r++) {
        t->moved[r] = 0;
    }
    rmc_match_input x;
    size_t n_sa = 0;
    RMC_TRY(expand(w, t, in, &x, &n_sa, d));
    if (n_sa > 0 && side == RMC_PROPOSE_PROGRAMS) {
        return RMC_FAIL(d, RMC_EUSAGE,
                        "program-proposing match with supplemental lists is not supported");
    }
    if (t->inner == NULL || t->inner->max_app < x.n_app || t->inner->max_prog < x.n_prog ||
        t->inner->max_entries < w->max_entries || t->inner->max_seats < w->max_seats) {
        rmc_match_ws_free(t->inner);
        t->inner = NULL;
        const rmc_status st =
            rmc_match_ws_alloc(x.n_app, x.n_prog, w->max_entries, w->max_seats, &t->inner);
        if (st != RMC_OK) {
            return RMC_FAIL(d, st, "cannot allocate the match workspace");
        }
    }
    rmc_match_result xr = {.app_prog = t->app_prog, .app_choice = t->app_choice, .fill = res->fill};
    size_t proposals = 0, restarts = 0, reverted = 0;
    rmc_status st;
    t->inner->keep_lists = false; /* a new input: its program lists are built afresh */
    for (;;) {
        /* x is in (checked by the caller) with empty twin rows, its
         * capacities moved between programs, and t->inner sized for it:
         * the couples procedure directly, without checking x again (its
         * couples are checked there). */
        t->inner->couples_built_from = in->n_couples; /* the rest are the sup lists' */
        st = x.n_couples > 0 && side == RMC_PROPOSE_APPLICANTS
                 ? rmc_match_couples_run(t->inner, &x, max_rounds, max_restarts, seed, &xr, d)
                 : rmc_match_run_restarts(t->inner, &x, side, max_rounds, max_restarts, seed, &xr,
                                          d);
        if (st != RMC_OK && st != RMC_NOT_CONVERGED) {
            t->inner->keep_lists = false;
            return st;
        }
        /* A reversion pass changes only x's capacities: the next pass keeps
         * the program lists this one built (the same lists, so the same
         * matching, without sorting every entry again). */
        t->inner->keep_lists = true;
        proposals += xr.n_proposals;
        restarts += xr.n_restarts;
        const size_t moved = in->n_rev > 0 ? revert(t, in, res->fill) : 0;
        if (moved == 0) {
            break;
        }
        reverted += moved;
    }
    t->inner->keep_lists = false;
    write_back(t, in, n_sa, res);
    res->n_proposals = proposals;
    res->n_restarts = restarts;
    res->n_reverted = reverted;
    res->converged = xr.converged;
    return st;
}
