/* In-memory models for the meeting tests and benchmark, built without the
 * loader (header-only, static functions; uses src/model_int.h).
 *
 *   fx_alloc(n_app, n_prog, n_iv)  every array zeroed, default parameters,
 *                                  no fixed ROLs; fill the fields, then
 *   fx_index(m)                    builds the CSR indices and n_positions.
 *   fx_market(n_app, n_prog, per_app, seed)
 *                                  a national-shaped synthetic market: NRMP
 *                                  type mix, IMGs with communication
 *                                  0.4..1, 0..10 clinical years, advocacy
 *                                  none/rotation/fellow/chief 78/15/5/2 %.
 *   fx_free(m)
 * Memory comes from calloc (test code); a failed allocation aborts the test.
 */
#ifndef RANKMC_MODEL_FIXTURE_H
#define RANKMC_MODEL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "model_int.h"
#include "rankmc/rng.h"

static void *fx_calloc(size_t n, size_t size)
{
    void *ptr = calloc(n ? n : 1, size);
    if (ptr == NULL) {
        fprintf(stderr, "model_fixture: out of memory\n");
        abort();
    }
    return ptr;
}

#define FX_NEW(ptr, n) ((ptr) = fx_calloc((n), sizeof *(ptr)))

static rmc_model *fx_alloc(size_t n_app, size_t n_prog, size_t n_iv)
{
    rmc_model *m = fx_calloc(1, sizeof *m);
    rmc_params_default(&m->params);
    m->n_app = n_app;
    m->n_prog = n_prog;
    m->n_iv = n_iv;
    FX_NEW(m->app_type, n_app);
    FX_NEW(m->pre_score, n_app);
    FX_NEW(m->communication, n_app);
    FX_NEW(m->clinical_years, n_app);
    FX_NEW(m->us_exp, n_app);
    FX_NEW(m->visa, n_app);
    FX_NEW(m->profile, n_app);
    FX_NEW(m->positions, n_prog);
    FX_NEW(m->interviewers, n_prog);
    FX_NEW(m->residents, n_prog);
    FX_NEW(m->sponsors, n_prog);
    FX_NEW(m->service_load, n_prog);
    FX_NEW(m->desirability, n_prog);
    FX_NEW(m->iv_app, n_iv);
    FX_NEW(m->iv_prog, n_iv);
    FX_NEW(m->advocacy, n_iv);
    FX_NEW(m->ties, n_iv);
    FX_NEW(m->interest, n_iv);
    FX_NEW(m->prog_off, n_prog + 1);
    FX_NEW(m->iv_by_prog, n_iv);
    FX_NEW(m->app_off, n_app + 1);
    FX_NEW(m->iv_by_app, n_iv);
    FX_NEW(m->prog_by_app, n_iv);
    FX_NEW(m->has_app_rol, n_app);
    FX_NEW(m->arol_off, n_app + 1);
    FX_NEW(m->arol_prog, n_iv);
    FX_NEW(m->arol_iv, n_iv);
    FX_NEW(m->has_prog_rol, n_prog);
    FX_NEW(m->prol_off, n_prog + 1);
    FX_NEW(m->prol_app, n_iv);
    FX_NEW(m->prol_iv, n_iv);
    for (size_t j = 0; j < n_prog; j++) {
        m->positions[j] = 1;
        m->interviewers[j] = 1;
    }
    for (size_t i = 0; i < n_app; i++) {
        m->communication[i] = 1.0;
    }
    for (size_t k = 0; k < n_iv; k++) {
        m->interest[k] = RMC_INTEREST_NORMAL;
    }
    return m;
}

/* CSR indices from iv_app / iv_prog (file order within each row). */
static void fx_index(rmc_model *m)
{
    memset(m->prog_off, 0, (m->n_prog + 1) * sizeof *m->prog_off);
    memset(m->app_off, 0, (m->n_app + 1) * sizeof *m->app_off);
    for (size_t k = 0; k < m->n_iv; k++) {
        m->prog_off[m->iv_prog[k] + 1]++;
        m->app_off[m->iv_app[k] + 1]++;
    }
    for (size_t j = 0; j < m->n_prog; j++) {
        m->prog_off[j + 1] += m->prog_off[j];
    }
    for (size_t i = 0; i < m->n_app; i++) {
        m->app_off[i + 1] += m->app_off[i];
    }
    size_t *fill_p = fx_calloc(m->n_prog, sizeof *fill_p);
    size_t *fill_a = fx_calloc(m->n_app, sizeof *fill_a);
    for (size_t k = 0; k < m->n_iv; k++) {
        const size_t j = (size_t)m->iv_prog[k], i = (size_t)m->iv_app[k];
        m->iv_by_prog[m->prog_off[j] + fill_p[j]++] = (rmc_id)k;
        m->iv_by_app[m->app_off[i] + fill_a[i]++] = (rmc_id)k;
    }
    rmc_model_fill_prog_by_app(m);
    free(fill_p);
    free(fill_a);
    m->n_positions = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        m->n_positions += (size_t)m->positions[j];
    }
}

static void fx_free(rmc_model *m)
{
    if (m == NULL) {
        return;
    }
    void *arrays[] = {m->app_type,     m->pre_score, m->communication, m->clinical_years,
                      m->us_exp,       m->visa,      m->profile,       m->positions,
                      m->interviewers, m->residents, m->sponsors,      m->service_load,
                      m->desirability, m->iv_app,    m->iv_prog,       m->advocacy,
                      m->ties,         m->interest,  m->prog_off,      m->iv_by_prog,
                      m->app_off,      m->iv_by_app, m->has_app_rol,   m->arol_off,
                      m->arol_prog,    m->arol_iv,   m->has_prog_rol,  m->prol_off,
                      m->prol_app,     m->prol_iv,   m->loi,           m->prog_by_app};
    for (size_t t = 0; t < sizeof arrays / sizeof arrays[0]; t++) {
        free(arrays[t]);
    }
    free(m);
}

/* Pick index t with probability w[t] / sum(w) (w sums to 1). */
static size_t fx_pick(gsl_rng *g, const double *w, size_t n)
{
    double u = gsl_rng_uniform(g);
    for (size_t t = 0; t + 1 < n; t++) {
        if (u < w[t]) {
            return t;
        }
        u -= w[t];
    }
    return n - 1;
}

static void fx_market_applicant(rmc_model *m, size_t i, gsl_rng *g)
{
    static const double type_w[RMC_N_TYPES] = {0.46, 0.18, 0.13, 0.23};
    static const double img_exp_w[RMC_N_USEXP] = {0.30, 0.30, 0.25, 0.15};
    static const double img_visa_w[RMC_N_VISA] = {0.10, 0.65, 0.15, 0.10};
    const rmc_type type = (rmc_type)fx_pick(g, type_w, RMC_N_TYPES);
    const bool img = type == RMC_TYPE_US_IMG || type == RMC_TYPE_IMG;
    m->app_type[i] = (uint8_t)type;
    m->pre_score[i] = gsl_ran_gaussian(g, 1.0) - (img ? 0.3 : 0.0);
    m->communication[i] = img ? 0.4 + 0.6 * gsl_rng_uniform(g) : 0.85 + 0.15 * gsl_rng_uniform(g);
    m->clinical_years[i] = img ? 10.0 * gsl_rng_uniform(g) : 0.0;
    m->us_exp[i] = (uint8_t)(img ? fx_pick(g, img_exp_w, RMC_N_USEXP) : RMC_USEXP_SUB_I);
    m->visa[i] =
        (uint8_t)(type == RMC_TYPE_IMG ? fx_pick(g, img_visa_w, RMC_N_VISA) : RMC_VISA_NONE);
    const rmc_params *p = &m->params;
    const bool risky = m->pre_score[i] <= p->profile_risky_pre_score ||
                       m->communication[i] < p->profile_risky_communication;
    m->profile[i] = risky ? RMC_PROFILE_RISKY
                    : m->visa[i] == RMC_VISA_H1B || m->visa[i] == RMC_VISA_UNCERTAIN
                        ? RMC_PROFILE_VISA_HEADACHE
                    : m->pre_score[i] >= p->profile_star_pre_score ? RMC_PROFILE_STAR
                                                                   : RMC_PROFILE_WORKHORSE;
}

static void fx_market_program(rmc_model *m, size_t j, gsl_rng *g)
{
    static const double sponsor_w[RMC_N_SPONSORS] = {0.363, 0.417, 0.22};
    m->positions[j] = 2 + (int32_t)gsl_rng_uniform_int(g, 10);
    m->interviewers[j] = 3 + (int32_t)gsl_rng_uniform_int(g, 4);
    m->residents[j] = 3 + (int32_t)gsl_rng_uniform_int(g, 10);
    m->sponsors[j] = (uint8_t)fx_pick(g, sponsor_w, RMC_N_SPONSORS);
    m->service_load[j] = 0.3 + 0.6 * gsl_rng_uniform(g);
    m->desirability[j] = gsl_ran_gaussian(g, 1.0);
}

/* per_app distinct programs per applicant; an applicant who needs a visa
 * turns down 90% of the programs that sponsor none. */
static void fx_market_interviews(rmc_model *m, size_t per_app, gsl_rng *g)
{
    static const double img_adv_w[RMC_N_ADVOCACY] = {0.78, 0.15, 0.05, 0.02};
    static const double us_adv_w[RMC_N_ADVOCACY] = {0.72, 0.20, 0.05, 0.03};
    static const double interest_w[RMC_N_INTEREST] = {0.15, 0.65, 0.20};
    size_t k = 0;
    for (size_t i = 0; i < m->n_app; i++) {
        const bool img = m->app_type[i] == RMC_TYPE_US_IMG || m->app_type[i] == RMC_TYPE_IMG;
        for (size_t t = 0; t < per_app; t++, k++) {
            size_t j;
            bool again;
            do {
                j = gsl_rng_uniform_int(g, m->n_prog);
                again = m->visa[i] != RMC_VISA_NONE && m->sponsors[j] == RMC_SPONSORS_NONE &&
                        gsl_rng_uniform(g) < 0.9;
                for (size_t u = k - t; u < k && !again; u++) {
                    again = (size_t)m->iv_prog[u] == j;
                }
            } while (again);
            m->iv_app[k] = (rmc_id)i;
            m->iv_prog[k] = (rmc_id)j;
            m->advocacy[k] = (uint8_t)fx_pick(g, img ? img_adv_w : us_adv_w, RMC_N_ADVOCACY);
            m->ties[k] = gsl_rng_uniform(g) < 0.15;
            m->interest[k] = (uint8_t)fx_pick(g, interest_w, RMC_N_INTEREST);
        }
    }
}

/* A national-shaped market (per_app <= n_prog / 2). */
static rmc_model *fx_market(size_t n_app, size_t n_prog, size_t per_app, uint64_t seed)
{
    rmc_model *m = fx_alloc(n_app, n_prog, n_app * per_app);
    rmc_rng *r = NULL;
    if (rmc_rng_alloc(NULL, &r, NULL) != RMC_OK) {
        abort();
    }
    rmc_rng_seek(r, seed, 0, RMC_STREAM_SYNTH, 0);
    gsl_rng *g = rmc_rng_gsl(r);
    for (size_t i = 0; i < n_app; i++) {
        fx_market_applicant(m, i, g);
    }
    for (size_t j = 0; j < n_prog; j++) {
        fx_market_program(m, j, g);
    }
    fx_market_interviews(m, per_app, g);
    rmc_rng_free(r);
    fx_index(m);
    return m;
}

#endif
