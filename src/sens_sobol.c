/* Global sensitivity of match probabilities to the meeting's factor weights
 * (rankmc/sensitivity.h, docs/sensitivity.md): a Saltelli design over the
 * weights (rankmc/sobol.h), one engine run per design row, Jansen indices.
 *
 * Every row runs with the same seed, so the estimate at a row is one
 * deterministic function of the weights (common random numbers): Monte
 * Carlo noise does not inflate the variance the indices divide, it becomes
 * a fixed error of order sqrt(p (1 - p) / replicates) in every output. The
 * rows run one after the other, each engine run parallel inside; outputs
 * come from the run's integer totals, so the result does not depend on the
 * thread count.
 */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "model_int.h"
#include "rankmc/sensitivity.h"
#include "sens_int.h"

/* The default factors: the meeting's main move sizes. */
static const char *const sobol_keys[][2] = {
    {"residents", "spots_positive"}, {"residents", "spots_negative"}, {"advocacy", "rotation_min"},
    {"advocacy", "rotation_max"},    {"communication", "bonus"},      {"communication", "penalty"},
    {"service", "spots_max"},        {"familiarity", "none"},         {"visa", "routine_j1"},
    {"visa", "uncertain"},           {"commitment", "ties"},          {"profile", "sigma_star"},
};
#define N_SOBOL_KEYS (sizeof sobol_keys / sizeof sobol_keys[0])

size_t rmc_sens_sobol_params(const rmc_param_info **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < N_SOBOL_KEYS; i++) {
        const rmc_param_info *info = rmc_params_find(sobol_keys[i][0], sobol_keys[i][1]);
        RMC_ASSERT(info != NULL && info->kind == RMC_PARAM_KIND_REAL);
        if (out != NULL && n < cap) {
            out[n] = info;
        }
        n++;
    }
    return n;
}

void rmc_sens_sobol_options_default(rmc_sens_sobol_options *o)
{
    memset(o, 0, sizeof *o);
    rmc_sim_options_default(&o->sim);
    o->sim.skip_soap = true; /* the indices are of the Main Match */
    /* N = 64 and 100 replicates (docs/sensitivity.md): twice the runs of
     * the old 16 x 200, for S1 intervals of about +-0.25 instead of +-0.5;
     * the measured noise says when the replicates are too few */
    o->sim.replicates = 100;
    o->n_samples = 64;
    o->noise_rows = 16;
    o->relative_range = -1.0;
    o->img_rate = true;
    rmc_sobol_opts_default(&o->analysis);
}

void rmc_sens_sobol_result_free(rmc_sens_sobol_result *r)
{
    if (r == NULL) {
        return;
    }
    rmc_sobol_result_free(r->indices);
    rmc_free((void *)r->factor);
    rmc_free(r->base);
    rmc_free(r->lo);
    rmc_free(r->hi);
    rmc_free(r->x);
    rmc_free(r->y);
    rmc_free(r->output_app);
    rmc_free(r->noise_var);
    rmc_free(r->noise_var_seeds);
    rmc_free(r->noise_large);
    rmc_free(r);
}

/* The factors with a non-zero weight and their ranges into r. */
static rmc_status pick_factors(const rmc_model *m, double rel, rmc_sens_sobol_result *r,
                               rmc_diag *d)
{
    const rmc_param_info *all[N_SOBOL_KEYS];
    const size_t n_all = rmc_sens_sobol_params(all, N_SOBOL_KEYS);
    RMC_TRY(rmc_calloc_array((void **)&r->factor, n_all, sizeof *r->factor, d));
    RMC_TRY(rmc_calloc_array((void **)&r->base, n_all, sizeof *r->base, d));
    RMC_TRY(rmc_calloc_array((void **)&r->lo, n_all, sizeof *r->lo, d));
    RMC_TRY(rmc_calloc_array((void **)&r->hi, n_all, sizeof *r->hi, d));
    size_t k = 0;
    for (size_t i = 0; i < n_all; i++) {
        const double w = rmc_params_get(&m->params, all[i]);
        if (w == 0.0) {
            continue;
        }
        r->factor[k] = all[i];
        r->base[k] = w;
        r->lo[k] = fmax(all[i]->lo, w - rel * fabs(w));
        r->hi[k] = fmin(all[i]->hi, w + rel * fabs(w));
        k++;
    }
    if (k == 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "every factor weight is 0: nothing to vary");
    }
    r->n_factors = k;
    return RMC_OK;
}

static size_t count_imgs(const rmc_model *m)
{
    return m->n_by_type[RMC_TYPE_US_IMG] + m->n_by_type[RMC_TYPE_IMG];
}

static rmc_status pick_outputs(const rmc_model *m, const rmc_sens_sobol_options *o,
                               rmc_sens_sobol_result *r, rmc_diag *d)
{
    const bool rate = o->img_rate && count_imgs(m) > 0;
    const size_t n = o->n_applicants + (rate ? 1 : 0);
    if (n == 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "no output: no applicant given and no IMG in the model");
    }
    RMC_TRY(rmc_alloc_array((void **)&r->output_app, n, sizeof *r->output_app, d));
    for (size_t a = 0; a < o->n_applicants; a++) {
        if (o->applicants[a] < 0 || (size_t)o->applicants[a] >= m->n_app) {
            return RMC_FAIL(d, RMC_EUSAGE, "applicant %zu is not an applicant index", a);
        }
        r->output_app[a] = o->applicants[a];
    }
    if (rate) {
        r->output_app[n - 1] = RMC_ID_NONE;
    }
    r->n_outputs = n;
    RMC_TRY(rmc_calloc_array((void **)&r->noise_var, n, sizeof *r->noise_var, d));
    RMC_TRY(rmc_calloc_array((void **)&r->noise_var_seeds, n, sizeof *r->noise_var_seeds, d));
    RMC_TRY(rmc_calloc_array((void **)&r->noise_large, n, sizeof *r->noise_large, d));
    return RMC_OK;
}

/* The outputs of one run's totals into y[0 .. n_outputs). */
static void outputs_of(const rmc_model *m, const rmc_accum *acc, const rmc_sens_sobol_result *r,
                       double *y)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(acc);
    const uint32_t *hist = rmc_accum_choice_hist(acc);
    const size_t cols = dm->choice_len + 1;
    const double n = (double)rmc_accum_replicates(acc);
    for (size_t o = 0; o < r->n_outputs; o++) {
        const rmc_id i = r->output_app[o];
        if (i != RMC_ID_NONE) {
            y[o] = 1.0 - (double)hist[(size_t)i * cols + dm->choice_len] / n;
            continue;
        }
        uint64_t unmatched = 0;
        for (size_t a = 0; a < m->n_app; a++) {
            if (m->app_type[a] == RMC_TYPE_US_IMG || m->app_type[a] == RMC_TYPE_IMG) {
                unmatched += hist[a * cols + dm->choice_len];
            }
        }
        y[o] = 1.0 - (double)unmatched / (n * (double)count_imgs(m));
    }
}

/* Run design row `row` (its factor values already in r->x) with seed
 * o->sim.seed + seed_offset, its outputs into y[0 .. n_outputs). */
static rmc_status eval_row(const rmc_model *m, const rmc_sens_sobol_options *o,
                           rmc_sens_sobol_result *r, size_t row, uint64_t seed_offset, double *y,
                           rmc_diag *d)
{
    rmc_params p = m->params;
    for (size_t i = 0; i < r->n_factors; i++) {
        rmc_params_set(&p, r->factor[i], r->x[row * r->n_factors + i]);
    }
    rmc_sim_options so = rmc_sens_engine_options(&o->sim);
    so.seed += seed_offset;
    rmc_accum *acc = NULL;
    rmc_sim_stats stats;
    RMC_TRY(rmc_sim_run(m, &p, &so, &acc, &stats, d));
    r->threads = stats.threads;
    if (stats.stopped) {
        rmc_accum_free(acc);
        return RMC_FAIL(d, RMC_EINTERRUPTED, "stopped at design row %zu of %zu", row, r->n_rows);
    }
    outputs_of(m, acc, r, y);
    rmc_accum_free(acc);
    return RMC_OK;
}

typedef struct row_ctx {
    const rmc_model *m;
    const rmc_sens_sobol_options *o;
    rmc_sens_sobol_result *r;
    uint64_t seed_offset;
    double *y; /* [rows][n_outputs] */
} row_ctx;

static rmc_status row_item(void *ctx, uint64_t row, rmc_diag *d)
{
    const row_ctx *c = ctx;
    return eval_row(c->m, c->o, c->r, (size_t)row, c->seed_offset,
                    c->y + (size_t)row * c->r->n_outputs, d);
}

static void row_progress(void *ctx, uint64_t done, uint64_t n)
{
    const row_ctx *c = ctx;
    if (c->o->progress != NULL) {
        c->o->progress(c->o->progress_ctx, (size_t)done, (size_t)n);
    }
}

/* Every design point on every rank; the rows run split over the ranks
 * (rmc_dist_for_share), their outputs then gathered on every rank. */
static rmc_status evaluate(const rmc_model *m, const rmc_sens_sobol_options *o,
                           rmc_sens_sobol_result *r, const rmc_sobol_design *des, rmc_diag *d)
{
    const size_t k = r->n_factors, no = r->n_outputs, rows = r->n_rows;
    rmc_status st = rmc_alloc_array((void **)&r->x, rows * k, sizeof *r->x, d);
    if (st == RMC_OK) {
        st = rmc_alloc_array((void **)&r->y, rows * no, sizeof *r->y, d);
    }
    for (size_t row = 0; st == RMC_OK && row < rows; row++) {
        if (rmc_sobol_design_point(des, row, r->x + row * k) != RMC_OK) {
            st = RMC_FAIL(d, RMC_EINTERNAL, "design row %zu out of range", row);
        }
    }
    const rmc_dist *g = o->sim.dist;
    RMC_TRY(rmc_dist_agree(g, st, d));
    row_ctx c = {m, o, r, 0, r->y};
    RMC_TRY(rmc_dist_for_share(g, rows, row_item, &c, row_progress, d));
    RMC_TRY(rmc_dist_gather_share(g, rows, r->y, no * sizeof *r->y, d));
    /* the noise rows: the first design rows again, with the next seed */
    const size_t nr = o->noise_rows < 2 ? 0 : o->noise_rows < rows ? o->noise_rows : rows;
    r->n_noise_rows = nr;
    double *y2 = NULL;
    if (nr > 0) {
        RMC_TRY(rmc_dist_agree(g, rmc_alloc_array((void **)&y2, nr * no, sizeof *y2, d), d));
        row_ctx c2 = {m, o, r, 1, y2};
        st = rmc_dist_for_share(g, nr, row_item, &c2, NULL, d);
        if (st == RMC_OK) {
            st = rmc_dist_gather_share(g, nr, y2, no * sizeof *y2, d);
        }
        if (st != RMC_OK) {
            rmc_free(y2);
            return st;
        }
    }
    /* Under common random numbers a seed's error e(x) = y_seed(x) - f(x) is
     * largely one shift shared by every point, which changes no index; what
     * enters V and the indices is its spread over the design. The
     * difference of two seeds' errors, d(x), has twice that spread:
     * noise = var_rows(d) / 2. */
    for (size_t out = 0; out < no; out++) {
        double mean = 0, ss = 0;
        for (size_t row = 0; row < nr; row++) {
            mean += (r->y[row * no + out] - y2[row * no + out]) / (double)nr;
        }
        for (size_t row = 0; row < nr; row++) {
            const double e = r->y[row * no + out] - y2[row * no + out] - mean;
            ss += e * e;
        }
        r->noise_var_seeds[out] = nr > 1 ? ss / (2.0 * (double)(nr - 1)) : (double)NAN;
    }
    rmc_free(y2);
    for (size_t out = 0; out < no; out++) {
        /* The IMG rate averages n_img applicants: binomial variance over
         * replicates x IMGs, as if the applicants were independent. */
        const double trials = (double)o->sim.replicates *
                              (r->output_app[out] == RMC_ID_NONE ? (double)count_imgs(m) : 1.0);
        double sum = 0;
        for (size_t row = 0; row < rows; row++) {
            const double p = r->y[row * no + out];
            sum += p * (1.0 - p) / trials;
        }
        r->noise_var[out] = sum / (double)rows;
    }
    return RMC_OK;
}

rmc_status rmc_sens_sobol_run(const rmc_model *m, const rmc_sens_sobol_options *o,
                              rmc_sens_sobol_result **out, rmc_diag *d)
{
    *out = NULL;
    const double rel = o->relative_range >= 0 ? o->relative_range : m->params.sobol_relative_range;
    if (!(rel >= 0.0 && rel <= 1.0)) {
        return RMC_FAIL(d, RMC_EUSAGE, "relative_range must be in [0, 1]");
    }
    const double t0 = omp_get_wtime();
    rmc_sens_sobol_result *r = NULL;
    rmc_sobol_design *des = NULL;
    const rmc_dist *g = o->sim.dist;
    rmc_status st = rmc_calloc_array((void **)&r, 1, sizeof *r, d);
    if (st != RMC_OK) {
        return rmc_dist_agree(g, st, d); /* every rank stops, not just this one */
    }
    r->replicates = o->sim.replicates;
    r->seed = o->sim.seed;
    r->relative_range = rel;
    r->n_samples = o->n_samples;
    r->ranks = rmc_dist_size(o->sim.dist);
    st = pick_factors(m, rel, r, d);
    if (st == RMC_OK) {
        st = pick_outputs(m, o, r, d);
    }
    if (st == RMC_OK) {
        st = rmc_sobol_design_alloc(r->n_factors, o->n_samples, r->lo, r->hi, &des, d);
    }
    RMC_TRY_GOTO(st, rmc_dist_agree(g, st, d), done);
    r->n_rows = rmc_sobol_design_rows(des);
    RMC_TRY_GOTO(st, evaluate(m, o, r, des, d), done);
    RMC_TRY_GOTO(st, rmc_sobol_analyze(des, r->y, r->n_outputs, &o->analysis, &r->indices, d),
                 done);
    for (size_t q = 0; q < r->n_outputs; q++) {
        const double nv = r->n_noise_rows > 0 ? r->noise_var_seeds[q] : r->noise_var[q];
        r->noise_large[q] = !(nv <= RMC_SOBOL_NOISE_SMALL * r->indices->var[q]);
    }
    r->wall_seconds = omp_get_wtime() - t0;
    *out = r;
    r = NULL;
done:
    rmc_sobol_design_free(des);
    rmc_sens_sobol_result_free(r);
    return st;
}
