/* Programs that rank a couple's partners together (together_int.h).
 *
 * Each move takes the weaker partner w out of the list and puts it back
 * right after its partner s: the ranks strictly between s and w go down
 * one place (+1) and w gets rank[s] + 1. A move keeps the relative order of
 * every other name, and a weaker partner is never another couple's
 * stronger one (an applicant is in at most one couple), so the final list
 * is the meeting's list with each couple's weaker partner re-inserted after
 * its partner, whatever order the couples are taken in: the result is a
 * function of the meeting's list alone. Cost: one pass over the program's
 * interviews, plus one per move (few: a couple's two partners seldom
 * interview at one program). */
#include "together_int.h"

#include <stdbool.h>

#include "rankmc/match.h"

/* The partner o's interview at program j, or RMC_ID_NONE. */
static rmc_id interview_at(const rmc_model *m, size_t o, size_t j)
{
    for (size_t e = m->app_off[o]; e < m->app_off[o + 1]; e++) {
        const rmc_id k = m->iv_by_app[e];
        if ((size_t)m->iv_prog[k] == j) {
            return k;
        }
    }
    return RMC_ID_NONE;
}

/* Moves kw (ranked below ks on program j) to right after ks; false when
 * one is unranked, kw is above ks or already right after it. */
static bool move_after(const rmc_model *m, size_t j, rmc_id ks, rmc_id kw, int32_t *rank)
{
    if (rank[ks] == RMC_RANK_NONE || rank[kw] == RMC_RANK_NONE || rank[ks] >= rank[kw] - 1) {
        return false;
    }
    const int32_t rs = rank[ks], rw = rank[kw];
    for (size_t f = m->prog_off[j]; f < m->prog_off[j + 1]; f++) {
        const rmc_id k = m->iv_by_prog[f];
        if (rank[k] > rs && rank[k] < rw) {
            rank[k]++;
        }
    }
    rank[kw] = rs + 1;
    return true;
}

bool rmc_together_pair(const rmc_model *m, const rmc_params *p, size_t j, rmc_id ka, rmc_id kb,
                       int32_t *rank)
{
    if (p->couples_rank_together == 0 || (m->has_prog_rol != NULL && m->has_prog_rol[j])) {
        return false;
    }
    return move_after(m, j, ka, kb, rank) || move_after(m, j, kb, ka, rank);
}

size_t rmc_together_program(const rmc_model *m, const rmc_params *p, size_t j, int32_t *rank)
{
    if (p->couples_rank_together == 0 || m->n_couples == 0 || m->couple_of == NULL ||
        (m->has_prog_rol != NULL && m->has_prog_rol[j])) {
        return 0;
    }
    size_t moved = 0;
    for (size_t e = m->prog_off[j]; e < m->prog_off[j + 1]; e++) {
        const rmc_id kw = m->iv_by_prog[e];
        const rmc_id c = m->couple_of[m->iv_app[kw]];
        if (c == RMC_ID_NONE || rank[kw] == RMC_RANK_NONE) {
            continue;
        }
        const rmc_id i = m->iv_app[kw];
        const rmc_id o = m->couple_a[c] == i ? m->couple_b[c] : m->couple_a[c];
        const rmc_id ks = interview_at(m, (size_t)o, j);
        /* moved when kw is the weaker partner and not already right after
         * ks; the partners' order is kept by earlier moves, so each couple
         * moves once, when its weaker partner's entry comes up */
        moved += ks != RMC_ID_NONE && move_after(m, j, ks, kw, rank);
    }
    return moved;
}
