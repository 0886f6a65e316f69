/* An independent stability checker for the Match (match.h). It shares no
 * code with match_da.c or match_couples.c on purpose, so that a bug in the
 * matcher cannot hide itself: it recomputes everything from the edge input
 * and app_prog.
 *
 * A matching is stable (Gale and Shapley 1962; with capacities, Roth 1984;
 * with couples, Roth 1984 and Roth and Peranson 1999) when
 * (1) every matched pair is mutually acceptable: the program is on the
 *     applicant's list and ranked the applicant; a couple's two placements
 *     form a pair on its joint list, each ranked by its program (or both
 *     members are unmatched);
 * (2) no program holds more applicants than its capacity;
 * (3) no single a and program j block: a lists j above its match (or is
 *     unmatched), j ranked a, and j has a free seat or ranks a above the
 *     worst applicant it holds;
 * (4) no couple blocks with a pair (pa, pb) above its own on its joint list:
 *     each program named would take its member(s) (both at once when
 *     pa == pb), counting the couple's own current seats as free; an entry
 *     naming no program for either member ("both unmatched") above its own
 *     blocks at once (the couple would rather both be unmatched), and an
 *     unmatched couple sits at the first such entry, if any;
 * (5) supplemental lists (docs/match.md): a single i whose list links
 *     supplemental lists holds a bundle (p, s): p from its list, s a PGY-1
 *     program from the list linked to p's entry or none. Its bundles in
 *     order of preference are, entry by entry, (p, s1), ..., (p, sm),
 *     (p, none); s is acceptable only on p's list, ranked by s. No bundle
 *     above its own blocks: each program of it would take i, i's own seats
 *     counted as free (both at once when p == s);
 * (6) reversions: the final capacities are the initial ones with
 *     rev_moved[r] positions moved from each donor to its receiver, 0 <=
 *     rev_moved[r] <= rev_positions[r], and no reversion with quota left
 *     has a donor with an unfilled position; (2)-(5) use the final
 *     capacities.
 * Cost O(n_app + n_prog + list entries + couple entries x capacity), with
 * O(n_app + n_prog) scratch.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"
#include "rankmc/match.h"

typedef struct check_scratch {
    rmc_problems *list; /* NULL: stop at the first violation; else list them all */
    bool counting;      /* count every violation in n_found, no message */
    size_t n_found;
    const char *const *app_ids;  /* [n_app] names for messages, or NULL */
    const char *const *prog_ids; /* [n_prog] */
    char app_buf[2][160];        /* formatted names */
    char prog_buf[2][160];
    rmc_id *couple_of;  /* [n_app] couple index or RMC_ID_NONE */
    const rmc_id *pgy1; /* [n_app] supplemental PGY-1 programs, or NULL */
    const int32_t *cap; /* [n_prog] final capacities */
    int32_t *cap_buf;   /* [n_prog] in->capacity moved by rev_moved */
    bool *has_sup;      /* [n_app] a single whose list links a supplemental list */
    int32_t *rank;      /* [2 n_app] rank of each seat: i's matched program (i), its PGY-1
                           (n_app + i) */
    size_t *fill;       /* [n_prog + 1] counts, then offsets into by_prog */
    size_t *by_prog;    /* [2 n_app] seats (as above) grouped by program */
    int32_t *worst;     /* [n_prog] worst held rank, -1 when empty */
} check_scratch;

/* Program of seat o (an applicant's matched program, or its PGY-1). */
static rmc_id seat_prog(const rmc_match_input *in, const rmc_id *app_prog, const check_scratch *s,
                        size_t o)
{
    if (o < in->n_app) {
        return app_prog[o];
    }
    return s->pgy1 != NULL ? s->pgy1[o - in->n_app] : RMC_ID_NONE;
}

/* "applicant 3" (an index, when no ids are given) or "applicant 'Chen'"
 * (the model's id, quoted, so a numeric id is never read as an index);
 * slot 0 or 1 of the buffers. */
static const char *app_name(check_scratch *s, size_t i, int slot)
{
    if (s->app_ids == NULL) {
        snprintf(s->app_buf[slot], sizeof s->app_buf[slot], "applicant %zu", i);
    } else {
        snprintf(s->app_buf[slot], sizeof s->app_buf[slot], "applicant '%.100s'", s->app_ids[i]);
    }
    return s->app_buf[slot];
}

/* "program 2" or "program 'P2'" (as app_name); "unmatched" for none. With
 * bare set, the id alone ("'P2'"), for a list of programs. */
static const char *prog_name_as(check_scratch *s, rmc_id j, int slot, bool bare)
{
    if (j == RMC_ID_NONE) {
        snprintf(s->prog_buf[slot], sizeof s->prog_buf[slot], "unmatched");
    } else if (s->prog_ids == NULL) {
        snprintf(s->prog_buf[slot], sizeof s->prog_buf[slot], "%s%d", bare ? "" : "program ",
                 (int)j);
    } else {
        snprintf(s->prog_buf[slot], sizeof s->prog_buf[slot], "%s'%.100s'", bare ? "" : "program ",
                 s->prog_ids[j]);
    }
    return s->prog_buf[slot];
}

static const char *prog_name(check_scratch *s, rmc_id j, int slot)
{
    return prog_name_as(s, j, slot, false);
}

/* "couple 0 (applicant 0, applicant 1)" without ids (the couples' order),
 * "couple of applicants 'a' and 'b'" with them. */
static const char *couple_name(check_scratch *s, const rmc_match_input *in, size_t c, char *buf,
                               size_t cap)
{
    const size_t a = (size_t)in->couple_a[c], b = (size_t)in->couple_b[c];
    if (s->app_ids == NULL) {
        snprintf(buf, cap, "couple %zu (applicant %zu, applicant %zu)", c, a, b);
    } else {
        snprintf(buf, cap, "couple of applicants '%.100s' and '%.100s'", s->app_ids[a],
                 s->app_ids[b]);
    }
    return buf;
}

/* One violation: the first is the answer (RMC_EINTERNAL in d), or, when
 * listing or counting, one more line in the list or one more in n_found,
 * and the check goes on (RMC_OK). */
__attribute__((format(printf, 3, 4))) static rmc_status violation(check_scratch *s, rmc_diag *d,
                                                                  const char *fmt, ...)
{
    if (s->counting) {
        s->n_found++;
        return RMC_OK;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (s->list != NULL) {
        rmc_problems_add(s->list, NULL, 0, "%s", msg);
        return RMC_OK;
    }
    return RMC_FAIL(d, RMC_EINTERNAL, "%s", msg);
}

/* Position of program j in applicant i's list, or SIZE_MAX. */
static size_t find_entry(const rmc_match_input *in, size_t i, rmc_id j)
{
    for (size_t e = in->app_off[i]; e < in->app_off[i + 1]; e++) {
        if (in->choice_prog[e] == j) {
            return e;
        }
    }
    return SIZE_MAX;
}

/* Entry of couple c's joint list matching its placements, crol_off[c+1]
 * when both are unmatched and no such entry exists, SIZE_MAX if invalid. */
static size_t find_pair(const rmc_match_input *in, size_t c, const rmc_id *app_prog)
{
    const rmc_id pa = app_prog[in->couple_a[c]], pb = app_prog[in->couple_b[c]];
    for (size_t e = in->crol_off[c]; e < in->crol_off[c + 1]; e++) {
        if (in->crol_pa[e] == pa && in->crol_pb[e] == pb &&
            (pa == RMC_ID_NONE || in->crol_rank_a[e] != RMC_RANK_NONE) &&
            (pb == RMC_ID_NONE || in->crol_rank_b[e] != RMC_RANK_NONE)) {
            return e;
        }
    }
    return pa == RMC_ID_NONE && pb == RMC_ID_NONE ? in->crol_off[c + 1] : SIZE_MAX;
}

static rmc_status map_couples(const rmc_match_input *in, check_scratch *s, rmc_diag *d)
{
    for (size_t i = 0; i < in->n_app; i++) {
        s->couple_of[i] = RMC_ID_NONE;
    }
    for (size_t c = 0; c < in->n_couples; c++) {
        const rmc_id a = in->couple_a[c], b = in->couple_b[c];
        if (a < 0 || b < 0 || (size_t)a >= in->n_app || (size_t)b >= in->n_app || a == b ||
            s->couple_of[a] != RMC_ID_NONE || s->couple_of[b] != RMC_ID_NONE) {
            return RMC_FAIL(d, RMC_EUSAGE, "couple %zu (%d, %d) is malformed", c, (int)a, (int)b);
        }
        s->couple_of[a] = s->couple_of[b] = (rmc_id)c;
    }
    return RMC_OK;
}

/* Acceptability of every placement; fills rank[] for matched applicants
 * (an unacceptable placement, when listing, counts as the worst rank). */
static rmc_status check_placements(const rmc_match_input *in, const rmc_id *app_prog,
                                   check_scratch *s, rmc_diag *d)
{
    for (size_t i = 0; i < in->n_app; i++) {
        const rmc_id j = app_prog[i];
        if (j != RMC_ID_NONE && (j < 0 || (size_t)j >= in->n_prog)) {
            return RMC_FAIL(d, RMC_EINTERNAL, "applicant %zu matched to program %d, out of range",
                            i, (int)j);
        }
        if (j == RMC_ID_NONE || s->couple_of[i] != RMC_ID_NONE) {
            continue;
        }
        s->rank[i] = INT32_MAX;
        const size_t e = find_entry(in, i, j);
        if (e == SIZE_MAX) {
            RMC_TRY(violation(s, d, "%s matched to %s, which is not on its list", app_name(s, i, 0),
                              prog_name(s, j, 0)));
        } else if (in->choice_rank[e] == RMC_RANK_NONE) {
            RMC_TRY(violation(s, d, "%s matched to %s, which did not rank them", app_name(s, i, 0),
                              prog_name(s, j, 0)));
        } else {
            s->rank[i] = in->choice_rank[e];
        }
    }
    for (size_t i = 0; i < in->n_app && s->pgy1 != NULL; i++) {
        const rmc_id q = s->pgy1[i];
        if (q == RMC_ID_NONE) {
            continue;
        }
        s->rank[in->n_app + i] = INT32_MAX;
        if (q < 0 || (size_t)q >= in->n_prog) {
            return RMC_FAIL(d, RMC_EINTERNAL, "applicant %zu's PGY-1 program %d is out of range", i,
                            (int)q);
        }
        const size_t e = app_prog[i] == RMC_ID_NONE || s->couple_of[i] != RMC_ID_NONE
                             ? SIZE_MAX
                             : find_entry(in, i, app_prog[i]);
        const int32_t l = e != SIZE_MAX && in->choice_supp != NULL ? in->choice_supp[e] : -1;
        size_t z = l >= 0 ? in->sup_off[l] : 0;
        while (l >= 0 && z < in->sup_off[l + 1] && in->sup_prog[z] != q) {
            z++;
        }
        if (l < 0 || z == in->sup_off[l + 1]) {
            RMC_TRY(violation(s, d,
                              "%s holds PGY-1 program %s, which is not on a supplemental list "
                              "linked to its matched program %s",
                              app_name(s, i, 0), prog_name(s, q, 0), prog_name(s, app_prog[i], 1)));
        } else if (in->sup_rank[z] == RMC_RANK_NONE) {
            RMC_TRY(violation(s, d, "%s holds PGY-1 program %s, which did not rank them",
                              app_name(s, i, 0), prog_name(s, q, 0)));
        } else {
            s->rank[in->n_app + i] = in->sup_rank[z];
        }
    }
    for (size_t c = 0; c < in->n_couples; c++) {
        const size_t e = find_pair(in, c, app_prog);
        const rmc_id a = in->couple_a[c], b = in->couple_b[c];
        if (e == SIZE_MAX) {
            s->rank[a] = s->rank[b] = INT32_MAX;
            char cn[256];
            RMC_TRY(violation(s, d,
                              "%s placed at programs (%s, %s), not a ranked pair on its "
                              "joint list",
                              couple_name(s, in, c, cn, sizeof cn),
                              prog_name_as(s, app_prog[a], 0, true),
                              prog_name_as(s, app_prog[b], 1, true)));
        } else if (e < in->crol_off[c + 1]) {
            s->rank[a] = in->crol_rank_a[e];
            s->rank[b] = in->crol_rank_b[e];
        }
    }
    return RMC_OK;
}

/* Fill, capacity, worst held rank, and held applicants grouped by program. */
static rmc_status tally(const rmc_match_input *in, const rmc_id *app_prog, check_scratch *s,
                        rmc_diag *d)
{
    for (size_t j = 0; j <= in->n_prog; j++) {
        s->fill[j] = 0;
    }
    for (size_t j = 0; j < in->n_prog; j++) {
        s->worst[j] = -1;
    }
    const size_t n_seats = s->pgy1 != NULL ? 2 * in->n_app : in->n_app;
    for (size_t o = 0; o < n_seats; o++) {
        const rmc_id j = seat_prog(in, app_prog, s, o);
        if (j != RMC_ID_NONE) {
            s->fill[j + 1]++;
            s->worst[j] = s->rank[o] > s->worst[j] ? s->rank[o] : s->worst[j];
        }
    }
    for (size_t j = 0; j < in->n_prog; j++) {
        if (s->fill[j + 1] > (size_t)s->cap[j]) {
            RMC_TRY(violation(s, d, "%s holds %zu applicants, capacity %d",
                              prog_name(s, (rmc_id)j, 0), s->fill[j + 1], (int)s->cap[j]));
        }
        s->fill[j + 1] += s->fill[j]; /* now fill[j] .. fill[j+1] is j's slice */
    }
    for (size_t o = 0; o < n_seats; o++) {
        const rmc_id j = seat_prog(in, app_prog, s, o);
        if (j != RMC_ID_NONE) {
            s->by_prog[s->fill[j]++] = o;
        }
    }
    for (size_t j = in->n_prog; j > 0; j--) { /* undo the cursor advance */
        s->fill[j] = s->fill[j - 1];
    }
    s->fill[0] = 0;
    return RMC_OK;
}

static size_t held_count(const check_scratch *s, size_t j)
{
    return s->fill[j + 1] - s->fill[j];
}

/* Singles: every entry above an applicant's match must not block (when
 * listing, each applicant's best blocking program is listed). */
static rmc_status find_blocking_single(const rmc_match_input *in, const rmc_id *app_prog,
                                       check_scratch *s, rmc_diag *d)
{
    for (size_t i = 0; i < in->n_app; i++) {
        if (s->couple_of[i] != RMC_ID_NONE || s->has_sup[i]) {
            continue;
        }
        for (size_t e = in->app_off[i]; e < in->app_off[i + 1]; e++) {
            const rmc_id j = in->choice_prog[e];
            if (j == app_prog[i]) {
                break; /* entries from here on are not preferred to the match */
            }
            const int32_t r = in->choice_rank[e];
            if (r == RMC_RANK_NONE || s->cap[j] == 0) {
                continue;
            }
            if (held_count(s, (size_t)j) < (size_t)s->cap[j]) {
                RMC_TRY(violation(s, d,
                                  "blocking pair: %s prefers %s (rank %zu on its list), which "
                                  "ranked them and has a free seat (%zu of %d filled)",
                                  app_name(s, i, 0), prog_name(s, j, 0), e - in->app_off[i] + 1,
                                  held_count(s, (size_t)j), (int)s->cap[j]));
                break;
            }
            if (r < s->worst[j]) {
                char worst[64] = "an applicant it holds without ranking them";
                if (s->worst[j] != INT32_MAX) {
                    snprintf(worst, sizeof worst, "its lowest held applicant, at %d",
                             (int)s->worst[j] + 1);
                }
                RMC_TRY(violation(s, d,
                                  "blocking pair: %s prefers %s (rank %zu on its list), which "
                                  "ranks them at %d, above %s",
                                  app_name(s, i, 0), prog_name(s, j, 0), e - in->app_off[i] + 1,
                                  (int)r + 1, worst));
                break;
            }
        }
    }
    return RMC_OK;
}

/* Would program j take n_new applicants of worst rank r_star, the seats
 * of couple c's members (c == SIZE_MAX: none) or of applicant x (SIZE_MAX:
 * none) counted as free? */
static bool takes(const rmc_match_input *in, const check_scratch *s, size_t j, int32_t r_star,
                  size_t n_new, size_t c, size_t x)
{
    size_t others = 0, better = 0;
    for (size_t k = s->fill[j]; k < s->fill[j + 1]; k++) {
        const size_t o = s->by_prog[k];
        const size_t a = o < in->n_app ? o : o - in->n_app;
        if ((c != SIZE_MAX && s->couple_of[a] == (rmc_id)c) || a == x) {
            continue;
        }
        others++;
        better += s->rank[o] < r_star;
    }
    const size_t cap = (size_t)s->cap[j];
    return others + n_new <= cap || better + n_new <= cap;
}

/* Would programs pa (rank ra) and pb (rank rb, or RMC_ID_NONE) both take
 * their applicant(s), the given own seats counted as free? */
static bool bundle_taken(const rmc_match_input *in, const check_scratch *s, rmc_id pa, int32_t ra,
                         rmc_id pb, int32_t rb, size_t c, size_t x)
{
    if (pa == pb) {
        return takes(in, s, (size_t)pa, ra > rb ? ra : rb, 2, c, x);
    }
    return (pa == RMC_ID_NONE || takes(in, s, (size_t)pa, ra, 1, c, x)) &&
           (pb == RMC_ID_NONE || takes(in, s, (size_t)pb, rb, 1, c, x));
}

/* (5): an applicant with supplemental lists against every bundle above
 * its own (when listing, its best blocking bundle). */
static rmc_status find_blocking_sup(const rmc_match_input *in, const rmc_id *app_prog,
                                    check_scratch *s, rmc_diag *d)
{
    for (size_t i = 0; i < in->n_app; i++) {
        if (!s->has_sup[i]) {
            continue;
        }
        const rmc_id held_a = app_prog[i];
        const rmc_id held_b = s->pgy1 != NULL ? s->pgy1[i] : RMC_ID_NONE;
        bool done = false;
        for (size_t e = in->app_off[i]; e < in->app_off[i + 1] && !done; e++) {
            const rmc_id p = in->choice_prog[e];
            const int32_t r = in->choice_rank[e], l = in->choice_supp[e];
            const size_t z0 = l >= 0 ? in->sup_off[l] : 0, z1 = l >= 0 ? in->sup_off[l + 1] : 0;
            for (size_t z = z0; z <= z1 && !done; z++) {
                const rmc_id q = z < z1 ? in->sup_prog[z] : RMC_ID_NONE;
                const int32_t rq = z < z1 ? in->sup_rank[z] : RMC_RANK_NONE;
                if (p == held_a && q == held_b) {
                    done = true; /* bundles from here on are not preferred */
                    break;
                }
                if (r == RMC_RANK_NONE || (q != RMC_ID_NONE && rq == RMC_RANK_NONE)) {
                    continue;
                }
                if (bundle_taken(in, s, p, r, q, rq, SIZE_MAX, i)) {
                    RMC_TRY(violation(s, d,
                                      "blocking bundle: %s prefers %s with PGY-1 %s (choice %zu), "
                                      "which would take them",
                                      app_name(s, i, 0), prog_name(s, p, 0), prog_name(s, q, 1),
                                      e - in->app_off[i]));
                    done = true;
                }
            }
        }
    }
    return RMC_OK;
}

/* (6): capacities after reversions (into cap_buf) and what they imply. */
static rmc_status check_reversions(const rmc_match_input *in, const rmc_match_outcome *o,
                                   check_scratch *s, rmc_diag *d)
{
    for (size_t j = 0; j < in->n_prog; j++) {
        s->cap_buf[j] = in->capacity[j];
    }
    for (size_t r = 0; r < in->n_rev; r++) {
        const rmc_id a = in->rev_donor[r], b = in->rev_receiver[r];
        const int32_t k = o->rev_moved != NULL ? o->rev_moved[r] : 0;
        if (a < 0 || b < 0 || (size_t)a >= in->n_prog || (size_t)b >= in->n_prog) {
            return RMC_FAIL(d, RMC_EUSAGE, "reversion %zu is malformed", r);
        }
        if (k < 0 || k > in->rev_positions[r]) {
            RMC_TRY(violation(s, d, "reversion %zu moved %d positions, quota %d", r, (int)k,
                              (int)in->rev_positions[r]));
        }
        s->cap_buf[a] -= k;
        s->cap_buf[b] += k;
    }
    for (size_t j = 0; j < in->n_prog; j++) {
        if (s->cap_buf[j] < 0 || (o->capacity != NULL && o->capacity[j] != s->cap_buf[j])) {
            RMC_TRY(violation(s, d,
                              "%s has capacity %d after reversions; the moves reported give %d",
                              prog_name(s, (rmc_id)j, 0),
                              o->capacity != NULL ? (int)o->capacity[j] : (int)in->capacity[j],
                              (int)s->cap_buf[j]));
        }
    }
    return RMC_OK;
}

/* (6), after the tally: no reversion left with quota at a donor with room. */
static rmc_status check_reversions_done(const rmc_match_input *in, const rmc_match_outcome *o,
                                        check_scratch *s, rmc_diag *d)
{
    for (size_t r = 0; r < in->n_rev; r++) {
        const size_t a = (size_t)in->rev_donor[r];
        const int32_t k = o->rev_moved != NULL ? o->rev_moved[r] : 0;
        if (k < in->rev_positions[r] && held_count(s, a) < (size_t)s->cap[a]) {
            RMC_TRY(violation(s, d,
                              "reversion %zu from %s to %s has %d positions of quota left, but "
                              "the donor has %zu of %d positions filled",
                              r, prog_name(s, (rmc_id)a, 0), prog_name(s, in->rev_receiver[r], 1),
                              (int)(in->rev_positions[r] - k), held_count(s, a), (int)s->cap[a]));
        }
    }
    return RMC_OK;
}

static rmc_status find_blocking_couple(const rmc_match_input *in, const rmc_id *app_prog,
                                       check_scratch *s, rmc_diag *d)
{
    for (size_t c = 0; c < in->n_couples; c++) {
        const size_t held = find_pair(in, c, app_prog);
        for (size_t e = in->crol_off[c]; e < held && e < in->crol_off[c + 1]; e++) {
            const rmc_id pa = in->crol_pa[e], pb = in->crol_pb[e];
            const int32_t ra = in->crol_rank_a[e], rb = in->crol_rank_b[e];
            char cn[256];
            if (pa == RMC_ID_NONE && pb == RMC_ID_NONE) {
                RMC_TRY(violation(s, d,
                                  "blocking couple: %s prefers both unmatched (rank %zu on its "
                                  "joint list) to its placement",
                                  couple_name(s, in, c, cn, sizeof cn), e - in->crol_off[c] + 1));
                break;
            }
            if ((pa != RMC_ID_NONE && ra == RMC_RANK_NONE) ||
                (pb != RMC_ID_NONE && rb == RMC_RANK_NONE)) {
                continue;
            }
            if (bundle_taken(in, s, pa, ra, pb, rb, c, SIZE_MAX)) {
                RMC_TRY(violation(s, d,
                                  "blocking couple: %s prefers programs (%s, %s) (rank %zu on its "
                                  "joint list), which would take them",
                                  couple_name(s, in, c, cn, sizeof cn),
                                  prog_name_as(s, pa, 0, true), prog_name_as(s, pb, 1, true),
                                  e - in->crol_off[c] + 1));
                break;
            }
        }
    }
    return RMC_OK;
}

/* Which singles link a supplemental list; lists well formed. */
static rmc_status mark_sup(const rmc_match_input *in, check_scratch *s, rmc_diag *d)
{
    for (size_t i = 0; i < in->n_app; i++) {
        s->has_sup[i] = false;
        for (size_t e = in->app_off[i]; in->n_sup > 0 && e < in->app_off[i + 1]; e++) {
            const int32_t l = in->choice_supp[e];
            if (l < -1 || (l >= 0 && (size_t)l >= in->n_sup)) {
                return RMC_FAIL(d, RMC_EUSAGE, "entry %zu names supplemental list %d", e, (int)l);
            }
            s->has_sup[i] = s->has_sup[i] || (l >= 0 && s->couple_of[i] == RMC_ID_NONE);
        }
    }
    for (size_t l = 0; l < in->n_sup; l++) {
        for (size_t z = in->sup_off[l]; z < in->sup_off[l + 1]; z++) {
            if (in->sup_prog[z] < 0 || (size_t)in->sup_prog[z] >= in->n_prog) {
                return RMC_FAIL(d, RMC_EUSAGE, "supplemental entry %zu names program %d", z,
                                (int)in->sup_prog[z]);
            }
        }
    }
    return RMC_OK;
}

/* The check; with s.list set (or s.counting), every violation is listed
 * (counted) and RMC_OK returned; with v, the counts by kind go there. */
static rmc_status check_impl(const rmc_match_input *in, const rmc_match_outcome *o, check_scratch s,
                             rmc_match_violations *v, rmc_diag *d)
{
    const rmc_id *app_prog = o->app_prog;
    rmc_status st = RMC_OK;
    s.pgy1 = o->app_pgy1;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s.couple_of, in->n_app, sizeof(rmc_id), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s.has_sup, in->n_app, sizeof(bool), d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&s.rank, 2 * in->n_app, sizeof(int32_t), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s.fill, in->n_prog + 1, sizeof(size_t), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s.by_prog, 2 * in->n_app, sizeof(size_t), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s.worst, in->n_prog, sizeof(int32_t), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s.cap_buf, in->n_prog, sizeof(int32_t), d), done);
    RMC_TRY_GOTO(st, check_reversions(in, o, &s, d), done);
    s.cap = o->capacity != NULL ? o->capacity : s.cap_buf;
    RMC_TRY_GOTO(st, map_couples(in, &s, d), done);
    RMC_TRY_GOTO(st, mark_sup(in, &s, d), done);
    RMC_TRY_GOTO(st, check_placements(in, app_prog, &s, d), done);
    RMC_TRY_GOTO(st, tally(in, app_prog, &s, d), done);
    RMC_TRY_GOTO(st, check_reversions_done(in, o, &s, d), done);
    size_t seen = s.n_found;
    rmc_match_violations found = {.other = seen};
    RMC_TRY_GOTO(st, find_blocking_single(in, app_prog, &s, d), done);
    found.singles = s.n_found - seen;
    seen = s.n_found;
    RMC_TRY_GOTO(st, find_blocking_sup(in, app_prog, &s, d), done);
    found.sup = s.n_found - seen;
    seen = s.n_found;
    RMC_TRY_GOTO(st, find_blocking_couple(in, app_prog, &s, d), done);
    found.couples = s.n_found - seen;
    if (v != NULL) {
        *v = found;
    }
done:
    rmc_free(s.cap_buf);
    rmc_free(s.worst);
    rmc_free(s.by_prog);
    rmc_free(s.fill);
    rmc_free(s.rank);
    rmc_free(s.has_sup);
    rmc_free(s.couple_of);
    return st;
}

rmc_status rmc_match_check(const rmc_match_input *in, const rmc_id *app_prog, rmc_diag *d)
{
    const rmc_match_outcome o = {.app_prog = app_prog};
    return check_impl(in, &o, (check_scratch){0}, NULL, d);
}

rmc_status rmc_match_check_outcome(const rmc_match_input *in, const rmc_match_outcome *o,
                                   rmc_diag *d)
{
    return check_impl(in, o, (check_scratch){0}, NULL, d);
}

rmc_status rmc_match_check_count(const rmc_match_input *in, const rmc_match_outcome *o,
                                 rmc_match_violations *out, rmc_diag *d)
{
    if (out == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "rmc_match_check_count needs somewhere to count");
    }
    *out = (rmc_match_violations){0};
    return check_impl(in, o, (check_scratch){.counting = true}, out, d);
}

rmc_status rmc_match_check_outcome_list(const rmc_match_input *in, const rmc_match_outcome *o,
                                        const char *const *app_ids, const char *const *prog_ids,
                                        rmc_problems *out, rmc_diag *d)
{
    if (out == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "rmc_match_check_list needs a problem list");
    }
    return check_impl(in, o, (check_scratch){.list = out, .app_ids = app_ids, .prog_ids = prog_ids},
                      NULL, d);
}

rmc_status rmc_match_check_list(const rmc_match_input *in, const rmc_id *app_prog,
                                const char *const *app_ids, const char *const *prog_ids,
                                rmc_problems *out, rmc_diag *d)
{
    const rmc_match_outcome o = {.app_prog = app_prog};
    return rmc_match_check_outcome_list(in, &o, app_ids, prog_ids, out, d);
}
