/* Deferred acceptance with capacities (Gale and Shapley 1962; the NRMP's
 * applicant-proposing version: Roth and Peranson 1999), applicant- or
 * program-proposing, on edge-form input (match.h).
 *
 * Applicant-proposing: free applicants wait on a stack. One pops and walks
 * its list from `next`; each entry is one proposal. Program j holds its
 * tentatively accepted applicants in a max-heap keyed by j's rank of them
 * (worst at the top), stored in j's slice seat[seat_off[j] ..
 * seat_off[j] + capacity[j]) of one contiguous array. A proposal to a
 * program with a free seat is a heap push; to a full program it compares
 * with the top and, when better, replaces it (sift-down) and the displaced
 * applicant continues from its own `next`. choice_rank gives the program's
 * rank directly, so a proposal costs O(log capacity) and no rank table is
 * needed. The result is the applicant-optimal stable matching, whatever the
 * order applicants are processed in (Dubins and Freedman 1981).
 *
 * Program-proposing: each program's list is built from the edges by a
 * radix sort on rank (16-bit digits) and a stable counting sort on program,
 * in workspace arrays; programs with free seats wait on a stack and propose
 * down their lists; an applicant keeps the earliest entry of its own list
 * offered so far. The result is the program-optimal stable matching.
 *
 * Invariants (asserted after every match): no program holds more than its
 * capacity; every held applicant is held by exactly one program, the one
 * named by its held entry. Nothing is allocated in rmc_match_run.
 */
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "match_int.h"

static void ws_free_arrays(rmc_match_ws *w)
{
    rmc_free(w->next);
    rmc_free(w->held);
    rmc_free(w->stack);
    rmc_free(w->seat_off);
    rmc_free(w->seat);
    rmc_free(w->n_held);
    rmc_free(w->on_stack);
    rmc_free(w->plist_off);
    rmc_free(w->plist);
    rmc_free(w->ptmp);
    rmc_free(w->entry_app);
    rmc_free(w->count);
    rmc_free(w->couple_of);
    rmc_free(w->cnext);
    rmc_free(w->cheld);
    rmc_free(w->dirty);
    rmc_free(w->snap_held);
    rmc_free(w->snap_cheld);
    rmc_free(w->corder);
    rmc_free(w->cstart);
    rmc_free(w->cyc_best);
    rmc_free(w->snap_dirty);
    rmc_free(w->cprog_off);
    rmc_free(w->cprog_couple);
    rmc_free(w->cprog_last);
    rmc_free(w->cprog_tmp);
    rmc_free(w->cstale);
    rmc_free(w->cscan_held);
    rmc_match_tracks_free(w->tracks);
}

rmc_status rmc_match_ws_alloc(size_t n_app, size_t n_prog, size_t n_entries, size_t n_seats,
                              rmc_match_ws **out)
{
    *out = NULL;
    rmc_match_ws *w = NULL;
    rmc_status st = rmc_calloc_array((void **)&w, 1, sizeof *w, NULL);
    if (st != RMC_OK) {
        return st;
    }
    w->max_app = n_app;
    w->max_prog = n_prog;
    w->max_entries = n_entries;
    w->max_seats = n_seats;
    w->couples_built_from = SIZE_MAX;
    const size_t stack_len = n_app > n_prog ? n_app : n_prog;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->next, stack_len, sizeof *w->next, NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->held, n_app, sizeof *w->held, NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->stack, stack_len, sizeof *w->stack, NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->seat_off, n_prog + 1, sizeof(size_t), NULL),
                 fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->seat, n_seats, sizeof *w->seat, NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->n_held, n_prog, sizeof *w->n_held, NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->on_stack, n_prog, sizeof *w->on_stack, NULL),
                 fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->plist_off, n_prog + 1, sizeof(size_t), NULL),
                 fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->plist, n_entries, sizeof(size_t), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->ptmp, n_entries, sizeof(size_t), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->entry_app, n_entries, sizeof(rmc_id), NULL),
                 fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->count, RMC_MATCH_RADIX, sizeof(size_t), NULL),
                 fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->couple_of, n_app, sizeof(rmc_id), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->cnext, n_app / 2, sizeof(size_t), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->cheld, n_app / 2, sizeof(size_t), NULL), fail);
    /* A ring: a program is queued at most once at a time (match_couples.c). */
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->dirty, n_prog, sizeof(rmc_id), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->snap_held, n_app, sizeof(size_t), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->snap_cheld, n_app / 2, sizeof(size_t), NULL),
                 fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->snap_dirty, n_prog, sizeof(rmc_id), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->corder, n_app / 2, sizeof(rmc_id), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->cstart, n_app / 2, sizeof(size_t), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->cyc_best, n_app / 2, sizeof(size_t), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->cprog_off, n_prog + 1, sizeof(size_t), NULL),
                 fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->cprog_last, n_prog, sizeof(rmc_id), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->cstale, n_app / 2, sizeof(bool), NULL), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->cscan_held, n_app / 2, sizeof(size_t), NULL),
                 fail);
    *out = w;
    return RMC_OK;
fail:
    ws_free_arrays(w);
    rmc_free(w);
    return st;
}

void rmc_match_ws_free(rmc_match_ws *w)
{
    if (w == NULL) {
        return;
    }
    ws_free_arrays(w);
    rmc_free(w);
}

/* Sizes against the workspace, offsets, ids and capacities in range: a
 * malformed input is a caller bug reported as RMC_EUSAGE, never a crash. */
static rmc_status check_input(const rmc_match_ws *w, const rmc_match_input *in, rmc_diag *d)
{
    if (in->n_app > w->max_app || in->n_prog > w->max_prog) {
        return RMC_FAIL(d, RMC_EUSAGE,
                        "match of %zu applicants, %zu programs exceeds workspace "
                        "(%zu, %zu)",
                        in->n_app, in->n_prog, w->max_app, w->max_prog);
    }
    if (in->app_off[0] != 0 || in->app_off[in->n_app] > w->max_entries) {
        return RMC_FAIL(d, RMC_EUSAGE, "match of %zu list entries exceeds workspace (%zu)",
                        in->app_off[in->n_app], w->max_entries);
    }
    for (size_t i = 0; i < in->n_app; i++) {
        if (in->app_off[i + 1] < in->app_off[i]) {
            return RMC_FAIL(d, RMC_EUSAGE, "match input: app_off decreases at applicant %zu", i);
        }
    }
    size_t seats = 0;
    for (size_t j = 0; j < in->n_prog; j++) {
        if (in->capacity[j] < 0) {
            return RMC_FAIL(d, RMC_EUSAGE, "match input: program %zu has capacity %d", j,
                            (int)in->capacity[j]);
        }
        seats += (size_t)in->capacity[j];
    }
    if (seats > w->max_seats) {
        return RMC_FAIL(d, RMC_EUSAGE, "match of %zu seats exceeds workspace (%zu)", seats,
                        w->max_seats);
    }
    /* Every replicate's input passes here: the entries are checked by one
     * branch-free pass (program as unsigned below n_prog, rank at least
     * RMC_RANK_NONE), and only a bad input is searched for its first bad
     * entry, the one the message names. */
    const size_t n_entries = in->app_off[in->n_app];
    const uint32_t n_prog = (uint32_t)in->n_prog;
    const int32_t *const rank = in->choice_rank;
    const rmc_id *const prog = in->choice_prog;
    unsigned bad = in->n_prog > UINT32_MAX || (n_prog == 0 && n_entries > 0);
    size_t e0 = 0;
#if defined(__x86_64__)
    /* Four entries a step with SSE2 (every x86-64): the program compared
     * unsigned as (x ^ 2^31) > (n_prog - 1) ^ 2^31 signed. The compiler
     * left the scalar pass unvectorised (a fifth of the Match's samples at
     * national scale, bench/RESULTS.md). */
    if (n_prog > 0) {
        const __m128i flip = _mm_set1_epi32(INT32_MIN);
        const __m128i last = _mm_set1_epi32((int32_t)((n_prog - 1) ^ 0x80000000u));
        const __m128i none = _mm_set1_epi32(RMC_RANK_NONE);
        __m128i acc = _mm_setzero_si128();
        for (; e0 + 4 <= n_entries; e0 += 4) {
            const __m128i j = _mm_loadu_si128((const __m128i *)(const void *)(prog + e0));
            const __m128i r = _mm_loadu_si128((const __m128i *)(const void *)(rank + e0));
            acc = _mm_or_si128(acc, _mm_cmpgt_epi32(_mm_xor_si128(j, flip), last));
            acc = _mm_or_si128(acc, _mm_cmplt_epi32(r, none));
        }
        bad |= _mm_movemask_epi8(acc) != 0;
    }
#endif
    for (size_t e = e0; e < n_entries; e++) {
        bad |= ((uint32_t)prog[e] >= n_prog) | (rank[e] < RMC_RANK_NONE);
    }
    for (size_t e = 0; bad && e < n_entries; e++) {
        const rmc_id j = prog[e];
        if (j < 0 || (size_t)j >= in->n_prog || rank[e] < RMC_RANK_NONE) {
            return RMC_FAIL(d, RMC_EUSAGE, "match input: entry %zu names program %d rank %d", e,
                            (int)j, (int)rank[e]);
        }
    }
    return RMC_OK;
}

void rmc_match_setup_programs(rmc_match_ws *w, const rmc_match_input *in)
{
    w->seat_off[0] = 0;
    for (size_t j = 0; j < in->n_prog; j++) {
        w->seat_off[j + 1] = w->seat_off[j] + (size_t)in->capacity[j];
        w->n_held[j] = 0;
    }
    for (size_t i = 0; i < in->n_app; i++) {
        w->held[i] = RMC_MATCH_HELD_NONE;
    }
}

static size_t run_applicants(rmc_match_ws *w, const rmc_match_input *in)
{
    size_t n_proposals = 0;
    size_t top = 0;
    for (size_t i = in->n_app; i-- > 0;) {
        w->next[i] = in->app_off[i];
        w->stack[top++] = (rmc_id)i;
    }
    while (top > 0) {
        int64_t i = w->stack[--top];
        /* A displaced applicant proposes at once: it is free, and the order
         * in which free applicants propose does not change the result. */
        while (i >= 0) {
            i = rmc_match_propose_from(w, in, (size_t)i, &n_proposals);
        }
    }
    return n_proposals;
}

/* One stable counting-sort pass of src[0..n) into dst by the digit
 * key(e) >> shift & mask, or by program when by_prog. */
static void sort_pass(rmc_match_ws *w, const rmc_match_input *in, const size_t *src, size_t *dst,
                      size_t n, unsigned shift, bool by_prog)
{
    const size_t n_bins = by_prog ? in->n_prog : RMC_MATCH_RADIX;
    size_t *count = by_prog ? w->plist_off : w->count;
    memset(count, 0, (n_bins + (by_prog ? 1 : 0)) * sizeof *count);
    for (size_t k = 0; k < n; k++) {
        const size_t e = src[k];
        const size_t b = by_prog ? (size_t)in->choice_prog[e]
                                 : ((uint32_t)in->choice_rank[e] >> shift) & (RMC_MATCH_RADIX - 1);
        count[b]++;
    }
    size_t sum = 0;
    for (size_t b = 0; b < n_bins; b++) {
        const size_t c = count[b];
        count[b] = sum;
        sum += c;
    }
    for (size_t k = 0; k < n; k++) {
        const size_t e = src[k];
        const size_t b = by_prog ? (size_t)in->choice_prog[e]
                                 : ((uint32_t)in->choice_rank[e] >> shift) & (RMC_MATCH_RADIX - 1);
        dst[count[b]++] = e;
    }
    if (by_prog) {
        /* count[b] now holds the end of bin b: shift into offsets. */
        for (size_t b = n_bins; b > 0; b--) {
            count[b] = count[b - 1];
        }
        count[0] = 0;
    }
}

/* The program lists by LSD radix on rank, then a stable pass by program:
 * for any ranks; ties in rank keep entry order. */
static void build_lists_radix(rmc_match_ws *w, const rmc_match_input *in)
{
    size_t n = 0;
    int32_t max_rank = 0;
    for (size_t i = 0; i < in->n_app; i++) {
        for (size_t e = in->app_off[i]; e < in->app_off[i + 1]; e++) {
            w->entry_app[e] = (rmc_id)i;
            if (in->choice_rank[e] != RMC_RANK_NONE) {
                w->ptmp[n++] = e;
                max_rank = in->choice_rank[e] > max_rank ? in->choice_rank[e] : max_rank;
            }
        }
    }
    size_t *src = w->ptmp, *dst = w->plist;
    for (unsigned shift = 0; shift < 32 && ((uint32_t)max_rank >> shift) != 0;
         shift += RMC_MATCH_RADIX_BITS) {
        sort_pass(w, in, src, dst, n, shift, false);
        size_t *const t = src;
        src = dst;
        dst = t;
    }
    /* The final pass must land in plist. */
    if (dst != w->plist) {
        memcpy(w->ptmp, w->plist, n * sizeof *w->plist);
        src = w->ptmp;
    }
    sort_pass(w, in, src, w->plist, n, 0, true);
}

/* Program j's list = its ranked entries, best rank first, in
 * plist[plist_off[j] .. plist_off[j+1]). When no program gives two entries
 * the same rank (the engine's ranks are list positions) and the ranks fit,
 * entry e goes straight to slot rank within its program's span of
 * max rank + 1 slots, and the spans are compacted: the radix sort's order
 * (rank ascending; no ties to break) in three passes over the entries and
 * none over a 2^16-bin histogram. The slots are 32-bit (ptmp's room taken
 * as twice as many) and only written: two entries of one rank at a program
 * leave fewer filled slots than ranked entries, which the compaction
 * counts. Otherwise the radix sort. */
void rmc_match_build_program_lists(rmc_match_ws *w, const rmc_match_input *in)
{
    size_t *const span = w->plist_off; /* span of program j in span[j + 1] */
    for (size_t j = 0; j <= in->n_prog; j++) {
        span[j] = 0;
    }
    size_t n_ranked = 0;
    for (size_t i = 0; i < in->n_app; i++) {
        for (size_t e = in->app_off[i]; e < in->app_off[i + 1]; e++) {
            w->entry_app[e] = (rmc_id)i;
            const int32_t r = in->choice_rank[e];
            size_t *const sp = &span[(size_t)in->choice_prog[e] + 1];
            if (r != RMC_RANK_NONE) {
                n_ranked++;
                if ((size_t)r >= *sp) {
                    *sp = (size_t)r + 1;
                }
            }
        }
    }
    for (size_t j = 0; j < in->n_prog; j++) { /* spans into slot bases */
        span[j + 1] += span[j];
        if (span[j + 1] > w->max_entries) {
            build_lists_radix(w, in);
            return;
        }
    }
    const size_t n_entries = in->app_off[in->n_app];
    if (n_entries >= UINT32_MAX) {
        build_lists_radix(w, in);
        return;
    }
    uint32_t *const slot = (uint32_t *)w->ptmp; /* span[n_prog] <= max_entries slots */
    for (size_t q = 0; q < span[in->n_prog]; q++) {
        slot[q] = UINT32_MAX;
    }
    for (size_t e = 0; e < n_entries; e++) {
        const int32_t r = in->choice_rank[e];
        if (r != RMC_RANK_NONE) {
            slot[span[in->choice_prog[e]] + (size_t)r] = (uint32_t)e;
        }
    }
    size_t q = 0;
    for (size_t j = 0; j < in->n_prog; j++) {
        const size_t lo = span[j], hi = span[j + 1];
        w->plist_off[j] = q; /* span[j] is plist_off[j]: read before it is overwritten */
        for (size_t k = lo; k < hi; k++) {
            if (slot[k] != UINT32_MAX) {
                w->plist[q++] = slot[k];
            }
        }
    }
    w->plist_off[in->n_prog] = q;
    if (q != n_ranked) {
        build_lists_radix(w, in); /* two entries of one rank at a program */
    }
}

static size_t run_programs(rmc_match_ws *w, const rmc_match_input *in)
{
    rmc_match_build_program_lists(w, in);
    size_t n_proposals = 0;
    size_t top = 0;
    for (size_t j = in->n_prog; j-- > 0;) {
        w->next[j] = w->plist_off[j];
        w->on_stack[j] = true;
        w->stack[top++] = (rmc_id)j;
    }
    while (top > 0) {
        const size_t j = (size_t)w->stack[--top];
        w->on_stack[j] = false;
        const size_t end = w->plist_off[j + 1];
        while (w->n_held[j] < in->capacity[j] && w->next[j] < end) {
            const size_t e = w->plist[w->next[j]++];
            const size_t i = (size_t)w->entry_app[e];
            n_proposals++;
            const size_t cur = w->held[i];
            if (cur != RMC_MATCH_HELD_NONE && cur < e) {
                continue; /* i holds an entry earlier in its own list */
            }
            w->held[i] = e;
            w->n_held[j]++;
            if (cur != RMC_MATCH_HELD_NONE) {
                const size_t jo = (size_t)in->choice_prog[cur];
                w->n_held[jo]--;
                if (!w->on_stack[jo]) {
                    w->on_stack[jo] = true;
                    w->stack[top++] = (rmc_id)jo;
                }
            }
        }
    }
    return n_proposals;
}

static void write_result(const rmc_match_ws *w, const rmc_match_input *in, rmc_match_result *res)
{
    size_t n_matched = 0;
    for (size_t i = 0; i < in->n_app; i++) {
        const size_t e = w->held[i];
        if (e == RMC_MATCH_HELD_NONE) {
            res->app_prog[i] = RMC_ID_NONE;
            res->app_choice[i] = -1;
        } else {
            RMC_ASSERT(e >= in->app_off[i] && e < in->app_off[i + 1]);
            RMC_ASSERT(in->choice_rank[e] != RMC_RANK_NONE);
            res->app_prog[i] = in->choice_prog[e];
            res->app_choice[i] = (int32_t)(e - in->app_off[i]);
            n_matched++;
        }
    }
    size_t n_filled = 0;
    for (size_t j = 0; j < in->n_prog; j++) {
        RMC_ASSERT(w->n_held[j] >= 0 && w->n_held[j] <= in->capacity[j]);
        res->fill[j] = w->n_held[j];
        n_filled += (size_t)w->n_held[j];
    }
    /* Each applicant at most one program: seats filled == applicants held. */
    RMC_ASSERT(n_filled == n_matched);
    (void)n_matched;
    (void)n_filled;
}

#ifndef NDEBUG
/* Applicant-proposing: every heap entry is an applicant held by that program. */
static void assert_heaps(const rmc_match_ws *w, const rmc_match_input *in)
{
    for (size_t j = 0; j < in->n_prog; j++) {
        const uint64_t *h = w->seat + w->seat_off[j];
        for (size_t k = 0; k < (size_t)w->n_held[j]; k++) {
            const size_t i = (size_t)(uint32_t)h[k];
            RMC_ASSERT(i < in->n_app && w->held[i] != RMC_MATCH_HELD_NONE);
            RMC_ASSERT((size_t)in->choice_prog[w->held[i]] == j);
            RMC_ASSERT(k == 0 || h[(k - 1) / 2] >= h[k]);
        }
    }
}
#endif

rmc_status rmc_match_run(rmc_match_ws *w, const rmc_match_input *in, rmc_proposing side,
                         size_t max_rounds, rmc_match_result *res, rmc_diag *d)
{
    return rmc_match_run_restarts(w, in, side, max_rounds, RMC_MATCH_DEFAULT_RESTARTS, 0, res, d);
}

rmc_status rmc_match_run_restarts(rmc_match_ws *w, const rmc_match_input *in, rmc_proposing side,
                                  size_t max_rounds, size_t max_restarts, uint64_t restart_seed,
                                  rmc_match_result *res, rmc_diag *d)
{
    RMC_TRY(check_input(w, in, d));
    res->n_reverted = 0;
    if (in->n_sup > 0 || in->n_rev > 0) {
        return rmc_match_tracks_run(w, in, side, max_rounds, max_restarts, restart_seed, res, d);
    }
    if (res->app_pgy1 != NULL) {
        for (size_t i = 0; i < in->n_app; i++) {
            res->app_pgy1[i] = RMC_ID_NONE;
        }
    }
    if (res->capacity_final != NULL) {
        memcpy(res->capacity_final, in->capacity, in->n_prog * sizeof *in->capacity);
    }
    if (in->n_couples > 0) {
        if (side == RMC_PROPOSE_PROGRAMS) {
            return RMC_FAIL(d, RMC_EUSAGE,
                            "program-proposing match with couples is not "
                            "supported");
        }
        return rmc_match_couples_run(w, in, max_rounds, max_restarts, restart_seed, res, d);
    }
    rmc_match_setup_programs(w, in);
    if (side == RMC_PROPOSE_PROGRAMS) {
        res->n_proposals = run_programs(w, in);
    } else {
        res->n_proposals = run_applicants(w, in);
#ifndef NDEBUG
        assert_heaps(w, in);
#endif
    }
    write_result(w, in, res);
    res->converged = true;
    res->n_restarts = 0;
    return RMC_OK;
}
