/* An independent stability checker for the Match (match.h). It shares no
 * code with match_da.c on purpose, so that a bug in the matcher cannot hide
 * itself: it recomputes everything from the edge input and app_prog.
 *
 * A matching is stable (Gale and Shapley 1962; with capacities, Roth 1984)
 * when (1) every matched pair is mutually acceptable: the program is on the
 * applicant's list and ranked the applicant; (2) no program holds more
 * applicants than its capacity; and (3) no pair (a, j) blocks it: a ranks j
 * above its match (or is unmatched), j ranked a, and j has a free seat or
 * ranks a above the worst applicant it holds. Cost O(n_app + n_prog +
 * n_entries) with two O(n_prog) scratch arrays.
 */
#include "internal.h"
#include "rankmc/match.h"

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

/* Pass 1: acceptability, fill and each program's worst held rank. */
static rmc_status tally(const rmc_match_input *in, const rmc_id *app_prog, int32_t *fill,
                        int32_t *worst, rmc_diag *d)
{
    for (size_t i = 0; i < in->n_app; i++) {
        const rmc_id j = app_prog[i];
        if (j == RMC_ID_NONE) {
            continue;
        }
        if (j < 0 || (size_t)j >= in->n_prog) {
            return RMC_FAIL(d, RMC_EINTERNAL, "applicant %zu matched to program %d, out of range",
                            i, (int)j);
        }
        const size_t e = find_entry(in, i, j);
        if (e == SIZE_MAX) {
            return RMC_FAIL(d, RMC_EINTERNAL,
                            "applicant %zu matched to program %d, which is not on its list", i,
                            (int)j);
        }
        if (in->choice_rank[e] == RMC_RANK_NONE) {
            return RMC_FAIL(d, RMC_EINTERNAL,
                            "applicant %zu matched to program %d, which did not rank them", i,
                            (int)j);
        }
        fill[j]++;
        worst[j] = in->choice_rank[e] > worst[j] ? in->choice_rank[e] : worst[j];
    }
    for (size_t j = 0; j < in->n_prog; j++) {
        if (fill[j] > in->capacity[j]) {
            return RMC_FAIL(d, RMC_EINTERNAL, "program %zu holds %d applicants, capacity %d", j,
                            (int)fill[j], (int)in->capacity[j]);
        }
    }
    return RMC_OK;
}

/* Pass 2: every entry above an applicant's match must not block. */
static rmc_status find_blocking(const rmc_match_input *in, const rmc_id *app_prog,
                                const int32_t *fill, const int32_t *worst, rmc_diag *d)
{
    for (size_t i = 0; i < in->n_app; i++) {
        for (size_t e = in->app_off[i]; e < in->app_off[i + 1]; e++) {
            const rmc_id j = in->choice_prog[e];
            if (j == app_prog[i]) {
                break;  /* entries from here on are not preferred to the match */
            }
            const int32_t r = in->choice_rank[e];
            if (r == RMC_RANK_NONE || in->capacity[j] == 0) {
                continue;
            }
            if (fill[j] < in->capacity[j]) {
                return RMC_FAIL(d, RMC_EINTERNAL,
                                "blocking pair: applicant %zu prefers program %d (choice %zu), "
                                "which ranked them and has a free seat (%d of %d filled)",
                                i, (int)j, e - in->app_off[i], (int)fill[j],
                                (int)in->capacity[j]);
            }
            if (r < worst[j]) {
                return RMC_FAIL(d, RMC_EINTERNAL,
                                "blocking pair: applicant %zu prefers program %d (choice %zu), "
                                "which ranks them %d, above its worst held rank %d",
                                i, (int)j, e - in->app_off[i], (int)r, (int)worst[j]);
            }
        }
    }
    return RMC_OK;
}

rmc_status rmc_match_check(const rmc_match_input *in, const rmc_id *app_prog, rmc_diag *d)
{
    if (in->n_couples > 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "stability check with couples is not implemented yet");
    }
    int32_t *fill = NULL, *worst = NULL;
    rmc_status st = rmc_calloc_array((void **)&fill, in->n_prog, sizeof *fill, d);
    if (st == RMC_OK) {
        st = rmc_alloc_array((void **)&worst, in->n_prog, sizeof *worst, d);
    }
    if (st == RMC_OK) {
        for (size_t j = 0; j < in->n_prog; j++) {
            worst[j] = -1;
        }
        st = tally(in, app_prog, fill, worst, d);
    }
    if (st == RMC_OK) {
        st = find_blocking(in, app_prog, fill, worst, d);
    }
    rmc_free(worst);
    rmc_free(fill);
    return st;
}
