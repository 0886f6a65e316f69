/* The couples procedure (Roth and Peranson 1999, as the NRMP runs it since
 * 1998): applicant-proposing deferred acceptance in which a couple proposes
 * pairs of programs from its joint list, with a bound on the work.
 *
 * Agents are singles (applicants in no couple, proposing from their own
 * lists) and couples. Free agents wait on a stack. The singles settle
 * first; then the couples enter one at a time, each followed by one pass
 * of the targeted rescan below, so the singles a seat freed by the
 * couple's displacements now admits move before the next couple enters
 * (on the national synthetic market with tracks this left 14 of 40
 * replicates non-converged where entering every couple before any rescan
 * left 19; docs/match.md). A couple proposing pair
 * (pa, pb) is admitted only when each program would take its member(s)
 * (both at once when pa == pb); then both are placed, and whoever they
 * displace becomes free. When a couple member is displaced, the couple
 * withdraws its other member too (freeing that seat) and proposes again
 * from the pair after the one it held. Withdrawals can leave an applicant
 * rejected earlier by a program that now has room: when the stack empties,
 * a scan looks for blocking agents (a single or a couple that would be
 * admitted at an entry above the one it holds, counting its own members'
 * seats as free) and re-enters each one found at that entry at once: it
 * leaves its seat and takes the better one, and whoever it displaces is
 * settled (as above) before the scan goes on. Moving an agent only when the
 * move is admitted right then (rather than freeing every blocking agent
 * first) keeps one freed seat from unseating every applicant who wanted it.
 * A round is one pass of the singles' rescan and, when it leaves no
 * program queued (the singles have settled), one scan of the couples; the
 * procedure stops stable when a round moves nobody, or after max_rounds
 * rounds with RMC_NOT_CONVERGED
 * (the matching then is consistent but may be unstable).
 * With couples a stable matching need not exist, so a bound is essential.
 * The procedure is deterministic and its state after a round (who holds
 * what, and the programs queued for rescanning) determines every later
 * round, so a state seen before means it cycles for ever: Brent's cycle
 * detection compares the state with a snapshot taken at rounds 1, 2, 4, 8,
 * ... after the last snapshot and stops as soon as it repeats (a market
 * without a stable matching then costs a few rounds, not max_rounds).
 * A joint-list entry naming no program for either member means "both
 * unmatched": the couple stops there, unmatched, and wants only the pairs
 * above it (as rmc_match_check reads it).
 *
 * The order in which couples enter can decide whether a stable matching
 * is found (Roth and Peranson 1999): when the first pass cycles, a second
 * pass starts afresh with the couples entering in reverse order; both
 * share the bound. (On random small markets this leaves about a third of the
 * rare cases where a stable matching exists but is missed; docs/match.md.)
 *
 * Tests can drive it a round at a time: rmc_match_couples_init, then
 * rmc_match_couples_step until it reports the end, then
 * rmc_match_couples_done; rmc_match_couples_run does that, twice at most.
 *
 * Every settle phase terminates: agents only move down their lists within
 * it. Nothing is allocated. Invariants asserted: no program over capacity,
 * every applicant held at most once, both members placed as their couple's
 * held pair says, never more programs queued than exist.
 */
#include <string.h>

#include "match_int.h"

/* Would program p take n_new (1 or 2) applicants whose worst rank is
 * r_star, not counting excluded applicants x1, x2 (the couple's own members,
 * `own` of whom p holds) among those it holds? It keeps its best `capacity`
 * applicants. With none of its own there and one newcomer, that is whether
 * the worst one it holds ranks at or below r_star: the top of its heap. */
static bool admits(const rmc_match_ws *w, const rmc_match_input *in, size_t p, int32_t r_star,
                   size_t n_new, int64_t x1, int64_t x2, size_t own)
{
    const size_t cap = (size_t)in->capacity[p];
    const size_t n = (size_t)w->n_held[p];
    const uint64_t *h = w->seat + w->seat_off[p];
#ifndef NDEBUG
    size_t own_held = 0;
    for (size_t k = 0; k < n; k++) {
        const int64_t a = (int64_t)(uint32_t)h[k];
        own_held += a == x1 || a == x2;
    }
    RMC_ASSERT(own_held == own);
#endif
    if (n - own + n_new <= cap) {
        return true;
    }
    if (own == 0 && n_new == 1) {
        return n > 0 && (int32_t)(h[0] >> 32) >= r_star;
    }
    size_t better = 0;
    for (size_t k = 0; k < n; k++) {
        const int64_t a = (int64_t)(uint32_t)h[k];
        if (a != x1 && a != x2 && (int32_t)(h[k] >> 32) < r_star) {
            better++;
        }
    }
    return better + n_new <= cap;
}

/* Queue program p for rescanning unless it is queued already. The queue is
 * a ring of n_prog slots: on_stack marks the programs in it, so it never
 * holds one twice and never more than n_prog. */
static void dirty_push(rmc_match_ws *w, size_t n_prog, size_t p)
{
    if (w->on_stack[p]) {
        return;
    }
    RMC_ASSERT(w->n_dirty < n_prog);
    w->on_stack[p] = true;
    w->dirty[(w->dirty_head + w->n_dirty++) % n_prog] = (rmc_id)p;
}

/* The program at the head of the rescan queue, removed from it. */
static size_t dirty_pop(rmc_match_ws *w, size_t n_prog)
{
    RMC_ASSERT(w->n_dirty > 0);
    const size_t p = (size_t)w->dirty[w->dirty_head];
    w->dirty_head = (w->dirty_head + 1) % n_prog;
    w->n_dirty--;
    w->on_stack[p] = false;
    return p;
}

/* Remove applicant a from program p's seats. p may now admit an applicant
 * it rejected before, so it is queued for the next scan. */
static void unhold(rmc_match_ws *w, const rmc_match_input *in, size_t p, size_t a)
{
    uint64_t *h = w->seat + w->seat_off[p];
    const size_t n = (size_t)w->n_held[p];
    for (size_t k = 0; k < n; k++) {
        if ((size_t)(uint32_t)h[k] == a) {
            heap_remove_at(h, n, k);
            w->n_held[p]--;
            dirty_push(w, in->n_prog, p);
            /* p may admit them now (not while the couples enter: every
             * couple's first scan looks at all of its pairs) */
            for (size_t q = w->cprog_off[p]; w->cflag && q < w->cprog_off[p + 1]; q++) {
                w->cstale[w->cprog_couple[q]] = true;
            }
            return;
        }
    }
    RMC_ASSERT(false && "applicant to withdraw is not held");
}

/* The couple's programs for entry e; member m (0: a, 1: b). */
static inline rmc_id pair_prog(const rmc_match_input *in, size_t e, int m)
{
    return m == 0 ? in->crol_pa[e] : in->crol_pb[e];
}

static inline int32_t pair_rank(const rmc_match_input *in, size_t e, int m)
{
    return m == 0 ? in->crol_rank_a[e] : in->crol_rank_b[e];
}

static inline size_t member(const rmc_match_input *in, size_t c, int m)
{
    return (size_t)(m == 0 ? in->couple_a[c] : in->couple_b[c]);
}

/* Does entry e say "both unmatched"? The couple's list ends there. */
static inline bool is_stop(const rmc_match_input *in, size_t e)
{
    return in->crol_pa[e] == RMC_ID_NONE && in->crol_pb[e] == RMC_ID_NONE;
}

/* Free couple c: withdraw both members from wherever they are held. */
static void withdraw_couple(rmc_match_ws *w, const rmc_match_input *in, size_t c)
{
    const size_t e = w->cheld[c];
    if (e == RMC_MATCH_HELD_NONE) {
        return;
    }
    for (int m = 0; m < 2; m++) {
        const rmc_id p = pair_prog(in, e, m);
        if (p != RMC_ID_NONE) {
            unhold(w, in, (size_t)p, member(in, c, m));
        }
    }
    w->cheld[c] = RMC_MATCH_HELD_NONE;
}

/* Free whoever holds applicant a's seat after a was pushed out; returns the
 * agent to push (single a, or n_app + its couple). */
static rmc_id displaced(rmc_match_ws *w, const rmc_match_input *in, size_t a)
{
    const rmc_id c = w->couple_of[a];
    if (c == RMC_ID_NONE) {
        w->held[a] = RMC_MATCH_HELD_NONE;
        return (rmc_id)a;
    }
    const size_t e = w->cheld[c];
    const int m_out = member(in, (size_t)c, 0) == a ? 0 : 1;
    const rmc_id partner_prog = pair_prog(in, e, 1 - m_out);
    if (partner_prog != RMC_ID_NONE) {
        unhold(w, in, (size_t)partner_prog, member(in, (size_t)c, 1 - m_out));
    }
    w->cheld[c] = RMC_MATCH_HELD_NONE;
    w->cnext[c] = e + 1;
    return (rmc_id)(in->n_app + (size_t)c);
}

/* Seat applicant a at p with rank r (p admits it); push whoever it displaces. */
static void place(rmc_match_ws *w, const rmc_match_input *in, size_t p, int32_t r, size_t a,
                  size_t *top)
{
    uint64_t *h = w->seat + w->seat_off[p];
    const size_t n = (size_t)w->n_held[p];
    if (n < (size_t)in->capacity[p]) {
        heap_push(h, n, seat_key(r, a));
        w->n_held[p]++;
        return;
    }
    const size_t out = (size_t)(uint32_t)h[0];
    RMC_ASSERT((int32_t)(h[0] >> 32) > r);
    heap_replace_top(h, n, seat_key(r, a));
    w->stack[(*top)++] = displaced(w, in, out);
}

/* Of couple c's members, how many program p holds: its seats are the
 * programs of the pair it holds. */
static size_t own_at(const rmc_match_ws *w, const rmc_match_input *in, size_t c, rmc_id p)
{
    const size_t e = w->cheld[c];
    if (e == RMC_MATCH_HELD_NONE) {
        return 0;
    }
    return (size_t)(in->crol_pa[e] == p) + (size_t)(in->crol_pb[e] == p);
}

/* Would couple c be admitted at entry e (its own seats counted as free)? */
static bool pair_admitted(const rmc_match_ws *w, const rmc_match_input *in, size_t c, size_t e)
{
    const rmc_id pa = in->crol_pa[e], pb = in->crol_pb[e];
    const int32_t ra = in->crol_rank_a[e], rb = in->crol_rank_b[e];
    if ((pa == RMC_ID_NONE && pb == RMC_ID_NONE) || (pa != RMC_ID_NONE && ra == RMC_RANK_NONE) ||
        (pb != RMC_ID_NONE && rb == RMC_RANK_NONE)) {
        return false;
    }
    const int64_t xa = in->couple_a[c], xb = in->couple_b[c];
    if (pa == pb) {
        return admits(w, in, (size_t)pa, ra > rb ? ra : rb, 2, xa, xb, own_at(w, in, c, pa));
    }
    return (pa == RMC_ID_NONE || admits(w, in, (size_t)pa, ra, 1, xa, xb, own_at(w, in, c, pa))) &&
           (pb == RMC_ID_NONE || admits(w, in, (size_t)pb, rb, 1, xa, xb, own_at(w, in, c, pb)));
}

/* Seat free couple c at entry e, which admits it. */
static void seat_couple(rmc_match_ws *w, const rmc_match_input *in, size_t c, size_t e, size_t *top)
{
    w->cheld[c] = e;
    w->cnext[c] = e + 1;
    if (e < w->cyc_best[c]) {
        w->cyc_best[c] = e;
    }
    for (int m = 0; m < 2; m++) {
        const rmc_id p = pair_prog(in, e, m);
        if (p != RMC_ID_NONE) {
            place(w, in, (size_t)p, pair_rank(in, e, m), member(in, c, m), top);
        }
    }
}

/* Couple c proposes down its joint list until admitted, at a "both
 * unmatched" entry (it stays there, unmatched) or at the end. */
static void propose_couple(rmc_match_ws *w, const rmc_match_input *in, size_t c, size_t *top)
{
    for (size_t e = w->cnext[c]; e < in->crol_off[c + 1]; e++) {
        if (is_stop(in, e)) {
            w->cnext[c] = e;
            return;
        }
        w->n_proposals++;
        if (pair_admitted(w, in, c, e)) {
            seat_couple(w, in, c, e, top);
            return;
        }
    }
    w->cnext[c] = in->crol_off[c + 1];
}

/* Would program p take one more applicant of rank r (no exclusions)? */
static inline bool admits_one(const rmc_match_ws *w, const rmc_match_input *in, size_t p, int32_t r)
{
    const size_t n = (size_t)w->n_held[p];
    if (n < (size_t)in->capacity[p]) {
        return true;
    }
    return n > 0 && (int32_t)(w->seat[w->seat_off[p]] >> 32) > r;
}

static void propose_single(rmc_match_ws *w, const rmc_match_input *in, size_t i, size_t *top)
{
    for (size_t e = w->next[i]; e < in->app_off[i + 1]; e++) {
        const int32_t r = in->choice_rank[e];
        w->n_proposals++;
        if (r == RMC_RANK_NONE || !admits_one(w, in, (size_t)in->choice_prog[e], r)) {
            continue;
        }
        w->held[i] = e;
        w->next[i] = e + 1;
        place(w, in, (size_t)in->choice_prog[e], r, i, top);
        return;
    }
    w->next[i] = in->app_off[i + 1];
}

/* Run the stack until every agent is held or has exhausted its list. */
static void settle(rmc_match_ws *w, const rmc_match_input *in, size_t top)
{
    while (top > 0) {
        const size_t agent = (size_t)w->stack[--top];
        if (agent < in->n_app) {
            propose_single(w, in, agent, &top);
        } else {
            propose_couple(w, in, agent - in->n_app, &top);
        }
    }
}

/* Move single i to entry e of its list (admitted there now) and settle
 * whoever it displaces. */
static void move_single(rmc_match_ws *w, const rmc_match_input *in, size_t i, size_t e)
{
    if (w->held[i] != RMC_MATCH_HELD_NONE) {
        unhold(w, in, (size_t)in->choice_prog[w->held[i]], i);
    }
    w->held[i] = e;
    w->next[i] = e + 1;
    size_t top = 0;
    place(w, in, (size_t)in->choice_prog[e], in->choice_rank[e], i, &top);
    settle(w, in, top);
}

/* Move every single that would be admitted above its held entry there,
 * settling whoever it displaces. The full scan, O(list entries): only a
 * debug-build cross-check of scan_dirty. Returns whether anyone moved. */
#ifndef NDEBUG
static bool scan_singles(rmc_match_ws *w, const rmc_match_input *in)
{
    bool moved = false;
    for (size_t i = 0; i < in->n_app; i++) {
        if (w->couple_of[i] != RMC_ID_NONE) {
            continue;
        }
        const size_t end = w->held[i] == RMC_MATCH_HELD_NONE ? in->app_off[i + 1] : w->held[i];
        for (size_t e = in->app_off[i]; e < end; e++) {
            const int32_t r = in->choice_rank[e];
            if (r != RMC_RANK_NONE && admits_one(w, in, (size_t)in->choice_prog[e], r)) {
                move_single(w, in, i, e);
                moved = true;
                break;
            }
        }
    }
    return moved;
}
#endif

/* The targeted scan: in plain deferred acceptance a program's bar only
 * rises, so a single can block only at a program that has freed a seat
 * since (a withdrawal or a move: unhold queues it). Walk each queued
 * program's list best rank first and move every single who prefers it and
 * is admitted, stopping at the first one refused (worse ranks would be
 * refused too). Programs queued during this pass wait for the next. */
static bool scan_dirty(rmc_match_ws *w, const rmc_match_input *in)
{
    bool moved = false;
    const size_t n = w->n_dirty;
    if (n > 0 && !w->have_lists) {
        rmc_match_build_program_lists(w, in); /* once per run, when first needed */
        w->have_lists = true;
    }
    for (size_t k = 0; k < n; k++) {
        const size_t p = dirty_pop(w, in->n_prog);
        for (size_t q = w->plist_off[p]; q < w->plist_off[p + 1]; q++) {
            const size_t e = w->plist[q];
            const size_t i = (size_t)w->entry_app[e];
            if (w->couple_of[i] != RMC_ID_NONE ||
                (w->held[i] != RMC_MATCH_HELD_NONE && w->held[i] <= e)) {
                continue;
            }
            if (!admits_one(w, in, p, in->choice_rank[e])) {
                break;
            }
            move_single(w, in, i, e);
            moved = true;
        }
    }
    return moved;
}

/* The same for couples: move each to the best pair above its own that
 * would admit it, its own seats counted as free. */
static bool scan_couples(rmc_match_ws *w, const rmc_match_input *in)
{
    bool moved = false;
    for (size_t c = 0; c < in->n_couples; c++) {
        const size_t end = w->cheld[c] == RMC_MATCH_HELD_NONE ? in->crol_off[c + 1] : w->cheld[c];
        /* Admission only gets harder at a program that seats someone, so
         * a couple whose last scan found nothing, holding the same entry,
         * with no seat freed at its programs since, finds nothing again:
         * skipping it leaves every move and its order as they were. */
        if (!w->cstale[c] && w->cscan_held[c] == w->cheld[c]) {
#ifndef NDEBUG
            /* checked builds: the skip is exact */
            for (size_t e = in->crol_off[c]; e < end && !is_stop(in, e); e++) {
                RMC_ASSERT(!pair_admitted(w, in, c, e));
            }
#endif
            continue;
        }
        w->cstale[c] = false;
        w->cscan_held[c] = w->cheld[c];
        for (size_t e = in->crol_off[c]; e < end && !is_stop(in, e); e++) {
            if (pair_admitted(w, in, c, e)) {
                withdraw_couple(w, in, c);
                size_t top = 0;
                seat_couple(w, in, c, e, &top);
                settle(w, in, top);
                moved = true;
                break;
            }
        }
    }
    return moved;
}

/* Couples well formed: members distinct and in one couple each, programs
 * in range or RMC_ID_NONE, ranks >= RMC_RANK_NONE (the entries of the
 * couples match_tracks built, w->couples_built_from on, are so by
 * construction: not checked again, a pass over every supplemental pair of
 * every replicate). Fills couple_of. */
static rmc_status check_couples(rmc_match_ws *w, const rmc_match_input *in, rmc_diag *d)
{
    if (in->n_couples > in->n_app / 2 || in->crol_off[0] != 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "match input: %zu couples among %zu applicants",
                        in->n_couples, in->n_app);
    }
    for (size_t i = 0; i < in->n_app; i++) {
        w->couple_of[i] = RMC_ID_NONE;
    }
    for (size_t c = 0; c < in->n_couples; c++) {
        const rmc_id a = in->couple_a[c], b = in->couple_b[c];
        if (a < 0 || b < 0 || (size_t)a >= in->n_app || (size_t)b >= in->n_app || a == b ||
            w->couple_of[a] != RMC_ID_NONE || w->couple_of[b] != RMC_ID_NONE ||
            in->crol_off[c + 1] < in->crol_off[c]) {
            return RMC_FAIL(d, RMC_EUSAGE, "match input: couple %zu (%d, %d) is malformed", c,
                            (int)a, (int)b);
        }
        w->couple_of[a] = w->couple_of[b] = (rmc_id)c;
        for (size_t e = in->crol_off[c]; c < w->couples_built_from && e < in->crol_off[c + 1];
             e++) {
            const rmc_id pa = in->crol_pa[e], pb = in->crol_pb[e];
            if (pa < RMC_ID_NONE || pb < RMC_ID_NONE || (pa >= 0 && (size_t)pa >= in->n_prog) ||
                (pb >= 0 && (size_t)pb >= in->n_prog) || in->crol_rank_a[e] < RMC_RANK_NONE ||
                in->crol_rank_b[e] < RMC_RANK_NONE) {
                return RMC_FAIL(d, RMC_EUSAGE, "match input: couple entry %zu is malformed", e);
            }
        }
    }
    return RMC_OK;
}

static void write_couples_result(const rmc_match_ws *w, const rmc_match_input *in,
                                 rmc_match_result *res)
{
    size_t n_matched = 0, n_filled = 0;
    for (size_t i = 0; i < in->n_app; i++) {
        res->app_prog[i] = RMC_ID_NONE;
        res->app_choice[i] = -1;
        const size_t e = w->held[i];
        if (w->couple_of[i] == RMC_ID_NONE && e != RMC_MATCH_HELD_NONE) {
            res->app_prog[i] = in->choice_prog[e];
            res->app_choice[i] = (int32_t)(e - in->app_off[i]);
            n_matched++;
        }
    }
    for (size_t c = 0; c < in->n_couples; c++) {
        const size_t e = w->cheld[c];
        for (int m = 0; m < 2 && e != RMC_MATCH_HELD_NONE; m++) {
            const size_t a = member(in, c, m);
            res->app_prog[a] = pair_prog(in, e, m);
            res->app_choice[a] = (int32_t)(e - in->crol_off[c]);
            n_matched += res->app_prog[a] != RMC_ID_NONE;
        }
    }
    for (size_t j = 0; j < in->n_prog; j++) {
        RMC_ASSERT(w->n_held[j] >= 0 && w->n_held[j] <= in->capacity[j]);
        res->fill[j] = w->n_held[j];
        n_filled += (size_t)w->n_held[j];
    }
    RMC_ASSERT(n_filled == n_matched);
    (void)n_filled;
    (void)n_matched;
#ifndef NDEBUG
    /* Every seat holds the applicant whose result names that program. */
    for (size_t j = 0; j < in->n_prog; j++) {
        for (size_t k = 0; k < (size_t)w->n_held[j]; k++) {
            const size_t a = (size_t)(uint32_t)w->seat[w->seat_off[j] + k];
            RMC_ASSERT(res->app_prog[a] == (rmc_id)j);
        }
    }
#endif
}

/* Copy the state that determines the next rounds into the snapshot. */
static void snap_take(rmc_match_ws *w, const rmc_match_input *in)
{
    memcpy(w->snap_held, w->held, in->n_app * sizeof *w->held);
    memcpy(w->snap_cheld, w->cheld, in->n_couples * sizeof *w->cheld);
    for (size_t k = 0; k < w->n_dirty; k++) {
        w->snap_dirty[k] = w->dirty[(w->dirty_head + k) % in->n_prog];
    }
    w->snap_n_dirty = w->n_dirty;
    for (size_t c = 0; c < in->n_couples; c++) {
        w->cyc_best[c] = RMC_MATCH_HELD_NONE; /* seated since this snapshot */
    }
}

/* Is the state the one in the snapshot? (next and cnext follow from held
 * and cheld: a held agent resumes after its entry, a free one is done.) */
static bool snap_equal(const rmc_match_ws *w, const rmc_match_input *in)
{
    if (w->n_dirty != w->snap_n_dirty ||
        memcmp(w->snap_held, w->held, in->n_app * sizeof *w->held) != 0 ||
        memcmp(w->snap_cheld, w->cheld, in->n_couples * sizeof *w->cheld) != 0) {
        return false;
    }
    for (size_t k = 0; k < w->n_dirty; k++) {
        if (w->snap_dirty[k] != w->dirty[(w->dirty_head + k) % in->n_prog]) {
            return false;
        }
    }
    return true;
}

/* The couples with an entry at each program, each once per program, into
 * w->cprog_off / cprog_couple (grown as needed). One walk of the couples'
 * pairs counts each program's couples and lists the (program, couple)
 * pairs found, in w->cprog_tmp; the list is then scattered by program,
 * with cprog_off[p] as the cursor, shifted back after. */
static rmc_status index_couples(rmc_match_ws *w, const rmc_match_input *in, rmc_diag *d)
{
    size_t *const off = w->cprog_off;
    for (size_t p = 0; p <= in->n_prog; p++) {
        off[p] = 0;
    }
    for (size_t p = 0; p < in->n_prog; p++) {
        w->cprog_last[p] = RMC_ID_NONE;
    }
    size_t n = 0;
    for (size_t c = 0; c < in->n_couples; c++) {
        /* at most two programs an entry */
        const size_t need = 2 * (n + 2 * (in->crol_off[c + 1] - in->crol_off[c]));
        if (need > w->cap_ctmp) {
            const size_t cap = need > 2 * w->cap_ctmp ? need : 2 * w->cap_ctmp;
            rmc_id *fresh = NULL;
            RMC_TRY(rmc_alloc_array((void **)&fresh, cap, sizeof *fresh, d));
            if (n > 0) {
                memcpy(fresh, w->cprog_tmp, 2 * n * sizeof *fresh);
            }
            rmc_free(w->cprog_tmp);
            w->cprog_tmp = fresh;
            w->cap_ctmp = cap;
        }
        rmc_id *const tmp = w->cprog_tmp;
        for (size_t e = in->crol_off[c]; e < in->crol_off[c + 1]; e++) {
            for (int m = 0; m < 2; m++) {
                const rmc_id p = pair_prog(in, e, m);
                if (p == RMC_ID_NONE || w->cprog_last[p] == (rmc_id)c) {
                    continue;
                }
                w->cprog_last[p] = (rmc_id)c;
                off[p + 1]++;
                tmp[2 * n] = p;
                tmp[2 * n + 1] = (rmc_id)c;
                n++;
            }
        }
    }
    for (size_t p = 0; p < in->n_prog; p++) {
        off[p + 1] += off[p];
    }
    if (n > w->cap_cprog) {
        rmc_free(w->cprog_couple);
        w->cprog_couple = NULL;
        w->cap_cprog = 0;
        RMC_TRY(rmc_alloc_array((void **)&w->cprog_couple, n, sizeof(rmc_id), d));
        w->cap_cprog = n;
    }
    for (size_t k = 0; k < n; k++) {
        w->cprog_couple[off[w->cprog_tmp[2 * k]]++] = w->cprog_tmp[2 * k + 1];
    }
    for (size_t p = in->n_prog; p > 0; p--) {
        off[p] = off[p - 1];
    }
    off[0] = 0;
    return RMC_OK;
}

rmc_status rmc_match_couples_reset(rmc_match_ws *w, const rmc_match_input *in, rmc_diag *d)
{
    if (!w->keep_lists) {
        /* a new input; a pass that changed only capacities (keep_lists,
         * match_tracks.c) has the same couples: checked, and indexed */
        RMC_TRY(check_couples(w, in, d));
        RMC_TRY(index_couples(w, in, d));
    }
    for (size_t c = 0; c < in->n_couples; c++) {
        w->corder[c] = (rmc_id)c;
        w->cstart[c] = in->crol_off[c];
    }
    return RMC_OK;
}

/* Word k of the restart stream `seed` (splitmix64 of a counter): the
 * caller draws seed from its replicate's own random stream, so a restart's
 * draws depend on nothing but the replicate. */
static uint64_t restart_word(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + (k + 1) * UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform on 0 .. n-1 from one word (n small: the bias is below 2^-40). */
static size_t below(uint64_t word, size_t n)
{
    return (size_t)((word >> 11) % (uint64_t)n);
}

void rmc_match_couples_plan(rmc_match_ws *w, const rmc_match_input *in, size_t restart,
                            uint64_t seed)
{
    const size_t n = in->n_couples;
    if (restart == 1) {
        for (size_t k = 0; k < n / 2; k++) { /* the last couple enters first */
            const rmc_id t = w->corder[k];
            w->corder[k] = w->corder[n - 1 - k];
            w->corder[n - 1 - k] = t;
        }
        return;
    }
    const uint64_t base = (uint64_t)restart << 32;
    for (size_t k = n; k > 1; k--) { /* Fisher-Yates on the current order */
        const size_t j = below(restart_word(seed, base + k), k);
        const rmc_id t = w->corder[k - 1];
        w->corder[k - 1] = w->corder[j];
        w->corder[j] = t;
    }
    if (!w->cycled) {
        return; /* out of rounds: no cycle to break */
    }
    size_t n_moved = 0;
    for (size_t c = 0; c < n; c++) {
        n_moved += w->cyc_best[c] != RMC_MATCH_HELD_NONE;
    }
    if (n_moved == 0) {
        return;
    }
    size_t pick = below(restart_word(seed, base), n_moved);
    for (size_t c = 0; c < n; c++) {
        if (w->cyc_best[c] != RMC_MATCH_HELD_NONE && pick-- == 0) {
            /* Start below the best pair held in the cycle, and at least
             * one pair lower than last time (a couple the scan lifts back
             * above its start cycles among the same pairs otherwise). The
             * full list still counts for stability: scan_couples looks
             * from the top. */
            const size_t e = w->cyc_best[c] + 1, lower = w->cstart[c] + 1;
            const size_t want = e > lower ? e : lower;
            size_t start = w->cstart[c]; /* never past a "both unmatched" entry */
            while (start < want && start < in->crol_off[c + 1] && !is_stop(in, start)) {
                start++;
            }
            w->cstart[c] = start;
            break;
        }
    }
}

void rmc_match_couples_init(rmc_match_ws *w, const rmc_match_input *in)
{
    rmc_match_setup_programs(w, in);
    w->n_proposals = 0;
    w->cflag = false;
    for (size_t c = 0; c < in->n_couples; c++) {
        w->cnext[c] = w->cstart[c];
        w->cheld[c] = RMC_MATCH_HELD_NONE;
        w->cyc_best[c] = RMC_MATCH_HELD_NONE;
    }
    for (size_t i = 0; i < in->n_app; i++) {
        w->next[i] = in->app_off[i];
    }
    for (size_t j = 0; j < in->n_prog; j++) {
        w->on_stack[j] = false;
    }
    w->n_dirty = w->dirty_head = 0;
    /* The program lists depend on the lists and ranks, not on capacities. */
    w->have_lists = w->have_lists && w->keep_lists;
    /* The singles first, by the singles-only Match's proposals (only
     * singles are held yet, so whoever is displaced is a single): their
     * matching is the singles' applicant-optimal one whatever the order,
     * and so are the proposals counted. */
    for (size_t i = 0; i < in->n_app; i++) {
        for (int64_t a = w->couple_of[i] == RMC_ID_NONE ? (int64_t)i : -1; a >= 0;) {
            a = rmc_match_propose_from(w, in, (size_t)a, &w->n_proposals);
        }
    }
    /* Then the couples one at a time, in corder: each proposes, whoever it
     * displaces settles, and one pass of the targeted rescan moves the
     * singles that a seat it freed (a displaced couple's withdrawal) now
     * admits, before the next couple enters. */
    for (size_t k = 0; k < in->n_couples; k++) {
        w->stack[0] = (rmc_id)(in->n_app + (size_t)w->corder[k]);
        settle(w, in, 1);
        (void)scan_dirty(w, in);
    }
    for (size_t c = 0; c < in->n_couples; c++) {
        w->cstale[c] = true; /* every couple's first scan */
    }
    w->cflag = true;
    w->converged = w->cycled = false;
    w->round = 0;
    w->brent_power = 1;
    w->brent_lam = 0;
    snap_take(w, in);
}

bool rmc_match_couples_step(rmc_match_ws *w, const rmc_match_input *in)
{
    if (w->converged || w->cycled) {
        return true;
    }
    /* The singles settle before the couples are scanned: a round whose
     * rescan leaves programs queued scans no couple (on the national
     * market with couples 51 of 1,540 replicates did not converge, 83
     * when every round scanned the couples; docs/match.md). */
    const bool singles_moved = scan_dirty(w, in);
    const bool couples_moved = w->n_dirty == 0 && scan_couples(w, in);
    w->round++;
    w->converged = !singles_moved && !couples_moved && w->n_dirty == 0;
    if (w->converged) {
#ifndef NDEBUG
        /* The targeted scans miss no blocking single: a full scan moves nobody. */
        RMC_ASSERT(!scan_singles(w, in));
#endif
        return true;
    }
    if (snap_equal(w, in)) {
        w->cycled = true; /* Brent: the state repeats, so it never converges */
        return true;
    }
    if (++w->brent_lam == w->brent_power) {
        snap_take(w, in);
        w->brent_power *= 2;
        w->brent_lam = 0;
    }
    return false;
}

rmc_status rmc_match_couples_done(const rmc_match_ws *w, const rmc_match_input *in,
                                  rmc_match_result *res)
{
    write_couples_result(w, in, res);
    res->n_proposals = w->n_proposals;
    res->converged = w->converged;
    return w->converged ? RMC_OK : RMC_NOT_CONVERGED;
}

rmc_status rmc_match_couples_run(rmc_match_ws *w, const rmc_match_input *in, size_t max_rounds,
                                 size_t max_restarts, uint64_t seed, rmc_match_result *res,
                                 rmc_diag *d)
{
    const size_t bound = max_rounds > 0 ? max_rounds : RMC_MATCH_DEFAULT_ROUNDS;
    size_t proposals = 0, restart = 0;
    RMC_TRY(rmc_match_couples_reset(w, in, d));
    const bool keep = w->keep_lists;
    for (;;) {
        rmc_match_couples_init(w, in);
        size_t rounds = 0;
        while (rounds < bound && !rmc_match_couples_step(w, in)) {
            rounds++;
        }
        proposals += w->n_proposals;
        if (w->converged || restart == max_restarts) {
            break;
        }
        rmc_match_couples_plan(w, in, ++restart, seed);
        /* A restart changes only the couples' order and starts: the
         * program lists an attempt built still hold. */
        w->keep_lists = true;
    }
    w->keep_lists = keep;
    const rmc_status st = rmc_match_couples_done(w, in, res);
    res->n_proposals = proposals;
    res->n_restarts = restart;
    return st;
}
