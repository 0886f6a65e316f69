/* One deterministic Match on a model's fixed rank order lists (the
 * `rankmc match` command): builds the edge-form input of match.h from
 * applicant_rols.csv and program_rols.csv and runs rmc_match_run once.
 *
 * Program j's rank of applicant i is i's 0-based position in j's fixed
 * list, found through the interview both lists point at (the loader
 * validates that every ROL entry names an interview), so the build is
 * O(n_iv + list entries). Applicants without a fixed list rank nothing and
 * stay unmatched; programs without one rank nobody and stay empty. Couples
 * (couples.csv) propose their joint lists; a couple member's program rank
 * comes from the program's fixed list in the same way. Supplemental lists
 * (supplemental_rols.csv, linked by applicant_rols.csv's supplemental
 * column) and reversions (reversions.csv) go into the input as they are;
 * a supplemental program's rank of the applicant comes from its fixed list
 * too.
 */
#include "model_int.h"
#include "rankmc/match.h"

typedef struct fixed_input {
    size_t *app_off;      /* [n_app + 1] */
    rmc_id *choice_prog;  /* [n_entries] */
    int32_t *choice_rank; /* [n_entries] */
    int32_t *iv_rank;     /* [n_iv] program's rank of the interviewee, or RMC_RANK_NONE */
    int32_t *crol_rank_a; /* [couple entries] program's rank of member a, or RMC_RANK_NONE */
    int32_t *crol_rank_b; /* [couple entries] same for member b */
    int32_t *sup_rank;    /* [supplemental entries] program's rank of the list's applicant */
} fixed_input;

static void fixed_input_free(fixed_input *f)
{
    rmc_free(f->app_off);
    rmc_free(f->choice_prog);
    rmc_free(f->choice_rank);
    rmc_free(f->iv_rank);
    rmc_free(f->crol_rank_a);
    rmc_free(f->crol_rank_b);
    rmc_free(f->sup_rank);
}

static rmc_status check_model(const rmc_model *m, rmc_diag *d)
{
    bool any_app = false, any_prog = false;
    for (size_t i = 0; i < m->n_app && m->has_app_rol != NULL; i++) {
        any_app = any_app || m->has_app_rol[i];
    }
    for (size_t j = 0; j < m->n_prog && m->has_prog_rol != NULL; j++) {
        any_prog = any_prog || m->has_prog_rol[j];
    }
    if (!any_app) {
        return RMC_FAIL_AT(d, RMC_EINPUT, "applicant_rols.csv", 0,
                           "no applicant has a fixed rank order list; a Match on fixed lists "
                           "needs applicant_rols.csv in %s",
                           m->dir != NULL ? m->dir : "the model");
    }
    if (!any_prog) {
        return RMC_FAIL_AT(d, RMC_EINPUT, "program_rols.csv", 0,
                           "no program has a fixed rank order list; a Match on fixed lists "
                           "needs program_rols.csv in %s",
                           m->dir != NULL ? m->dir : "the model");
    }
    for (size_t c = 0; c < m->n_couples; c++) {
        if (m->couple_gen != NULL && m->couple_gen[c]) {
            return RMC_FAIL_AT(d, RMC_EINPUT, "couples.csv", 0,
                               "the couple of '%.80s' and '%.80s' has no fixed joint list (its "
                               "list is generated every replicate by rankmc run); a Match on "
                               "fixed lists needs ranked rows for every couple",
                               m->app_id[m->couple_a[c]], m->app_id[m->couple_b[c]]);
        }
    }
    return RMC_OK;
}

/* A couple member's rank at the program of a joint-list entry: through the
 * entry's interview, RMC_RANK_NONE when the member is to stay unmatched. */
static rmc_status build_couples(const rmc_model *m, fixed_input *f, rmc_diag *d)
{
    const size_t n = m->n_couples > 0 ? m->crol_off[m->n_couples] : 0;
    RMC_TRY(rmc_alloc_array((void **)&f->crol_rank_a, n, sizeof *f->crol_rank_a, d));
    RMC_TRY(rmc_alloc_array((void **)&f->crol_rank_b, n, sizeof *f->crol_rank_b, d));
    for (size_t e = 0; e < n; e++) {
        f->crol_rank_a[e] =
            m->crol_pa[e] == RMC_ID_NONE ? RMC_RANK_NONE : f->iv_rank[m->crol_iva[e]];
        f->crol_rank_b[e] =
            m->crol_pb[e] == RMC_ID_NONE ? RMC_RANK_NONE : f->iv_rank[m->crol_ivb[e]];
    }
    return RMC_OK;
}

static rmc_status build_input(const rmc_model *m, fixed_input *f, rmc_diag *d)
{
    const size_t n_entries = m->arol_off[m->n_app];
    RMC_TRY(rmc_alloc_array((void **)&f->app_off, m->n_app + 1, sizeof *f->app_off, d));
    RMC_TRY(rmc_alloc_array((void **)&f->choice_prog, n_entries, sizeof *f->choice_prog, d));
    RMC_TRY(rmc_alloc_array((void **)&f->choice_rank, n_entries, sizeof *f->choice_rank, d));
    RMC_TRY(rmc_alloc_array((void **)&f->iv_rank, m->n_iv, sizeof *f->iv_rank, d));
    for (size_t k = 0; k < m->n_iv; k++) {
        f->iv_rank[k] = RMC_RANK_NONE;
    }
    for (size_t j = 0; j < m->n_prog; j++) {
        for (size_t e = m->prol_off[j]; e < m->prol_off[j + 1]; e++) {
            f->iv_rank[m->prol_iv[e]] = (int32_t)(e - m->prol_off[j]);
        }
    }
    for (size_t i = 0; i <= m->n_app; i++) {
        f->app_off[i] = m->arol_off[i];
    }
    for (size_t e = 0; e < n_entries; e++) {
        f->choice_prog[e] = m->arol_prog[e];
        f->choice_rank[e] = f->iv_rank[m->arol_iv[e]];
    }
    const size_t n_sup = m->sup_off != NULL ? m->sup_off[m->n_sup] : 0;
    RMC_TRY(rmc_alloc_array((void **)&f->sup_rank, n_sup, sizeof *f->sup_rank, d));
    for (size_t q = 0; q < n_sup; q++) {
        f->sup_rank[q] = f->iv_rank[m->sup_iv[q]];
    }
    return build_couples(m, f, d);
}

static rmc_match_input fixed_match_input(const rmc_model *m, const fixed_input *f)
{
    const rmc_match_input in = {
        .n_app = m->n_app,
        .n_prog = m->n_prog,
        .capacity = m->positions,
        .app_off = f->app_off,
        .choice_prog = f->choice_prog,
        .choice_rank = f->choice_rank,
        .n_couples = m->n_couples,
        .couple_a = m->couple_a,
        .couple_b = m->couple_b,
        .crol_off = m->crol_off,
        .crol_pa = m->crol_pa,
        .crol_pb = m->crol_pb,
        .crol_rank_a = f->crol_rank_a,
        .crol_rank_b = f->crol_rank_b,
        .n_sup = m->n_sup,
        .choice_supp = m->n_sup > 0 ? m->arol_sup : NULL,
        .sup_off = m->sup_off,
        .sup_prog = m->sup_prog,
        .sup_rank = f->sup_rank,
        .n_rev = m->n_rev,
        .rev_donor = m->rev_donor,
        .rev_receiver = m->rev_receiver,
        .rev_positions = m->rev_positions,
    };
    return in;
}

static rmc_status run_once(const rmc_model *m, const fixed_input *f, rmc_proposing side,
                           size_t max_rounds, bool check_stability, rmc_match_result *res,
                           rmc_diag *d)
{
    const rmc_match_input in = fixed_match_input(m, f);
    size_t n_seats = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        n_seats += (size_t)m->positions[j];
    }
    rmc_match_ws *w = NULL;
    rmc_status st = rmc_match_ws_alloc(m->n_app, m->n_prog, f->app_off[m->n_app], n_seats, &w);
    if (st != RMC_OK) {
        return RMC_FAIL(d, st, "cannot allocate the match workspace");
    }
    /* The checker needs the PGY-1 seats and the reversions' moves: local
     * arrays when the caller did not ask for them. */
    rmc_match_result r = *res;
    rmc_id *pgy1 = NULL;
    int32_t *moved = NULL;
    if (r.app_pgy1 == NULL) {
        st = rmc_alloc_array((void **)&pgy1, m->n_app, sizeof *pgy1, d);
        r.app_pgy1 = pgy1;
    }
    if (st == RMC_OK && r.rev_moved == NULL) {
        st = rmc_alloc_array((void **)&moved, m->n_rev, sizeof *moved, d);
        r.rev_moved = moved;
    }
    /* Restarts as the model says, drawn from restart seed 0: one fixed
     * Match has no replicate stream, and the same model gives the same
     * matching every time. */
    if (st == RMC_OK) {
        st = rmc_match_run_restarts(w, &in, side, max_rounds,
                                    (size_t)rmc_model_params(m)->match_couples_restarts, 0, &r, d);
    }
    if (st == RMC_OK && check_stability) {
        const rmc_match_outcome o = {r.app_prog, r.app_pgy1, NULL, r.rev_moved};
        st = rmc_match_check_outcome(&in, &o, d);
    }
    res->n_proposals = r.n_proposals;
    res->converged = r.converged;
    res->n_restarts = r.n_restarts;
    res->n_reverted = r.n_reverted;
    rmc_free(moved);
    rmc_free(pgy1);
    rmc_match_ws_free(w);
    return st;
}

rmc_status rmc_match_fixed(const rmc_model *m, rmc_proposing side, size_t max_rounds,
                           bool check_stability, rmc_match_result *res, rmc_diag *d)
{
    RMC_TRY(check_model(m, d));
    fixed_input f = {0};
    rmc_status st = build_input(m, &f, d);
    if (st == RMC_OK) {
        st = run_once(m, &f, side, max_rounds, check_stability, res, d);
    }
    fixed_input_free(&f);
    return st;
}

rmc_status rmc_match_fixed_verify(const rmc_model *m, const rmc_id *app_prog, rmc_problems *out,
                                  rmc_diag *d)
{
    RMC_TRY(check_model(m, d));
    if (m->n_sup > 0 || m->n_rev > 0) {
        /* a matching file names neither the PGY-1 seats nor the capacities
         * after reversions */
        return RMC_FAIL_AT(d, RMC_EINPUT, m->n_sup > 0 ? "supplemental_rols.csv" : "reversions.csv",
                           0,
                           "verify does not check models with supplemental lists or reversions "
                           "(use rankmc match --check-stability)");
    }
    fixed_input f = {0};
    rmc_status st = build_input(m, &f, d);
    if (st == RMC_OK) {
        const rmc_match_input in = fixed_match_input(m, &f);
        st = rmc_match_check_list(&in, app_prog, (const char *const *)m->app_id,
                                  (const char *const *)m->prog_id, out, d);
    }
    fixed_input_free(&f);
    return st;
}
