/* Programs that rank a couple's partners together (together_int.h).
 *
 * Each move takes the weaker partner w out of the list and puts it back
 * right after its partner s: the ranks strictly between s and w go down
 * one place (+1) and w gets rank[s] + 1. A move keeps the relative order of
 * every other name, and a weaker partner is never another couple's
 * stronger one (an applicant is in at most one couple), so the final list
 * is the meeting's list with each couple's weaker partner re-inserted after
 * its partner, whatever order the couples are taken in: the result is a
 * function of the meeting's list alone. Cost: the program's pairs (made
 * once, at load: rmc_together_plan), plus one pass over the program's
 * interviews per move (few: a couple's two partners seldom interview at
 * one program). */
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
    if (m->tog_off == NULL) {
        return 0;
    }
    /* each couple moves at most once: its weaker partner, whichever it is */
    size_t moved = 0;
    for (size_t t = m->tog_off[j]; t < m->tog_off[j + 1]; t++) {
        moved += rmc_together_pair(m, p, j, m->tog_iv[2 * t], m->tog_iv[2 * t + 1], rank);
    }
    return moved;
}

rmc_status rmc_together_plan(rmc_model *m, rmc_diag *d)
{
    rmc_free(m->tog_off);
    rmc_free(m->tog_iv);
    m->tog_off = NULL;
    m->tog_iv = NULL;
    if (m->n_couples == 0) {
        return RMC_OK;
    }
    RMC_TRY(rmc_calloc_array((void **)&m->tog_off, m->n_prog + 1, sizeof *m->tog_off, d));
    size_t *const off = m->tog_off;
    /* pass 0 counts each program's pairs into off[j + 1]; pass 1 fills,
     * off[j] serving as the cursor, shifted back after */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t c = 0; c < m->n_couples; c++) {
            const size_t a = (size_t)m->couple_a[c], b = (size_t)m->couple_b[c];
            for (size_t e = m->app_off[a]; e < m->app_off[a + 1]; e++) {
                const rmc_id ka = m->iv_by_app[e];
                const size_t j = (size_t)m->iv_prog[ka];
                const rmc_id kb = interview_at(m, b, j);
                if (kb == RMC_ID_NONE) {
                    continue;
                }
                if (pass == 0) {
                    off[j + 1]++;
                } else {
                    const size_t t = off[j]++;
                    m->tog_iv[2 * t] = ka;
                    m->tog_iv[2 * t + 1] = kb;
                }
            }
        }
        if (pass == 0) {
            for (size_t j = 0; j < m->n_prog; j++) {
                off[j + 1] += off[j];
            }
            const size_t n = off[m->n_prog];
            RMC_TRY(
                rmc_alloc_array((void **)&m->tog_iv, 2 * (n > 0 ? n : 1), sizeof *m->tog_iv, d));
        }
    }
    for (size_t j = m->n_prog; j > 0; j--) {
        off[j] = off[j - 1];
    }
    off[0] = 0;
    return RMC_OK;
}
