/* One-at-a-time what-ifs with common random numbers (rankmc/sensitivity.h,
 * docs/sensitivity.md).
 *
 * For each focal applicant a and factor f, two variants of the model change
 * only a's attributes (rmc_sens_apply: the favourable and the unfavourable
 * level). The base model and every variant run through the engine with the
 * same seed and replicate count; the engine's focal hook records a's matched
 * ROL position in every replicate. Replicate r of a variant draws from the
 * same streams as replicate r of the base, so the per-replicate differences
 * d_r = outcome_variant(r) - outcome_base(r) are paired and their SD is
 * usually far below that of either outcome (common random numbers; see the
 * doc for where the meeting's stream layout weakens the pairing). Every
 * statistic is computed here, single-threaded, in replicate order, from
 * integers the engine produced deterministically, so results are
 * bit-identical for any thread count.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "model_int.h"
#include "rankmc/sensitivity.h"
#include "sens_int.h"

static const char *const factor_names[RMC_SENS_N_FACTORS] = {
    "advocacy", "advocacy_all", "communication", "visa", "ties", "us_experience", "clinical_years",
};

const char *rmc_sens_factor_name(rmc_sens_factor f)
{
    return (unsigned)f < RMC_SENS_N_FACTORS ? factor_names[f] : "unknown";
}

bool rmc_sens_factor_parse(const char *name, rmc_sens_factor *out)
{
    for (size_t f = 0; f < RMC_SENS_N_FACTORS; f++) {
        if (strcmp(name, factor_names[f]) == 0) {
            *out = (rmc_sens_factor)f;
            return true;
        }
    }
    return false;
}

size_t rmc_sens_default_focal(const rmc_model *m, rmc_id *out, size_t cap)
{
    size_t n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++) {
        for (size_t i = 0; i < m->n_app; i++) {
            const bool take =
                pass == 0 ? strncmp(m->app_id[i], "focal_", 6) == 0
                          : m->app_type[i] == RMC_TYPE_US_IMG || m->app_type[i] == RMC_TYPE_IMG;
            if (take) {
                if (out != NULL && n < cap) {
                    out[n] = (rmc_id)i;
                }
                n++;
            }
        }
    }
    return n;
}

rmc_id rmc_sens_top_interview(const rmc_model *m, size_t i)
{
    if (m->has_app_rol != NULL && m->has_app_rol[i] && m->arol_off[i + 1] > m->arol_off[i]) {
        return m->arol_iv[m->arol_off[i]];
    }
    const double beta = m->params.preferences_beta_ties;
    rmc_id best = RMC_ID_NONE;
    double best_u = -(double)INFINITY;
    for (size_t e = m->app_off[i]; e < m->app_off[i + 1]; e++) {
        const rmc_id k = m->iv_by_app[e];
        const double u = m->desirability[m->iv_prog[k]] + beta * (double)m->ties[k];
        if (best == RMC_ID_NONE || u > best_u) {
            best = k;
            best_u = u;
        }
    }
    return best;
}

/* ---- applying a factor --------------------------------------------------- */

/* Advocacy of every interview of i: at least a rotation (favourable, at k
 * only when k >= 0) or none. */
static rmc_status apply_advocacy(rmc_variant *v, size_t i, bool favourable, rmc_id only, char *desc,
                                 size_t size, rmc_diag *d)
{
    const rmc_model *m = rmc_variant_model(v);
    size_t n = 0;
    for (size_t e = m->app_off[i]; e < m->app_off[i + 1]; e++) {
        const rmc_id k = m->iv_by_app[e];
        if (favourable && only != RMC_ID_NONE && k != only) {
            continue;
        }
        const uint8_t cur = m->advocacy[k];
        const rmc_advocacy to = !favourable                    ? RMC_ADVOCACY_NONE
                                : cur >= RMC_ADVOCACY_ROTATION ? (rmc_advocacy)cur
                                                               : RMC_ADVOCACY_ROTATION;
        n += to != (rmc_advocacy)cur;
        RMC_TRY(rmc_variant_set_advocacy(v, (size_t)k, to, d));
    }
    if (desc != NULL) {
        const size_t n_iv = (size_t)(m->app_off[i + 1] - m->app_off[i]);
        if (favourable && only != RMC_ID_NONE) {
            snprintf(desc, size, "rotation at top choice %s", m->prog_id[m->iv_prog[only]]);
        } else {
            snprintf(desc, size, "%s at all %zu (%zu changed)", favourable ? "rotation" : "none",
                     n_iv, n);
        }
    }
    return RMC_OK;
}

static rmc_status apply_ties(rmc_variant *v, size_t i, int value, char *desc, size_t size,
                             rmc_diag *d)
{
    const rmc_model *m = rmc_variant_model(v);
    size_t before = 0;
    for (size_t e = m->app_off[i]; e < m->app_off[i + 1]; e++) {
        const rmc_id k = m->iv_by_app[e];
        before += m->ties[k];
        RMC_TRY(rmc_variant_set_ties(v, (size_t)k, value, d));
    }
    if (desc != NULL) {
        snprintf(desc, size, "ties at %zu -> %zu of %zu programs", before,
                 value ? (size_t)(m->app_off[i + 1] - m->app_off[i]) : (size_t)0,
                 (size_t)(m->app_off[i + 1] - m->app_off[i]));
    }
    return RMC_OK;
}

/* Favourable familiarity: hands_on or sub_i, whichever the parameters weigh
 * more, unless the current level already weighs more still. */
static rmc_usexp best_usexp(const rmc_params *p, rmc_usexp cur)
{
    const double w[RMC_N_USEXP] = {p->familiarity_none, p->familiarity_observership,
                                   p->familiarity_hands_on, p->familiarity_sub_i};
    const rmc_usexp best =
        w[RMC_USEXP_SUB_I] >= w[RMC_USEXP_HANDS_ON] ? RMC_USEXP_SUB_I : RMC_USEXP_HANDS_ON;
    return w[cur] > w[best] ? cur : best;
}

static rmc_status apply_attribute(rmc_variant *v, size_t i, rmc_sens_factor f, bool fav, char *desc,
                                  size_t size, rmc_diag *d)
{
    const rmc_model *m = rmc_variant_model(v);
    char buf[96];
    switch (f) {
    case RMC_SENS_COMMUNICATION: {
        const double c = m->communication[i];
        const double to = fav ? fmax(c, 0.95) : fmin(c, 0.5);
        snprintf(buf, sizeof buf, "communication %.3g -> %.3g", c, to);
        RMC_TRY(rmc_variant_set_communication(v, i, to, d));
        break;
    }
    case RMC_SENS_VISA: {
        const rmc_visa cur = (rmc_visa)m->visa[i];
        const bool needs = m->app_type[i] == RMC_TYPE_IMG && cur != RMC_VISA_NONE;
        const rmc_visa to = !fav ? RMC_VISA_UNCERTAIN : needs ? RMC_VISA_J1 : RMC_VISA_NONE;
        snprintf(buf, sizeof buf, "visa %s -> %s", rmc_visa_name(cur), rmc_visa_name(to));
        RMC_TRY(rmc_variant_set_visa(v, i, to, d));
        break;
    }
    case RMC_SENS_US_EXPERIENCE: {
        const rmc_usexp cur = (rmc_usexp)m->us_exp[i];
        const rmc_usexp to = fav ? best_usexp(&m->params, cur) : RMC_USEXP_NONE;
        snprintf(buf, sizeof buf, "us_experience %s -> %s", rmc_usexp_name(cur),
                 rmc_usexp_name(to));
        RMC_TRY(rmc_variant_set_us_experience(v, i, to, d));
        break;
    }
    default: { /* RMC_SENS_CLINICAL_YEARS */
        const double y = m->clinical_years[i];
        const double to = fav ? y + 5.0 : 0.0;
        snprintf(buf, sizeof buf, "clinical_years %.3g -> %.3g", y, to);
        RMC_TRY(rmc_variant_set_clinical_years(v, i, to, d));
        break;
    }
    }
    if (desc != NULL) {
        snprintf(desc, size, "%s", buf);
    }
    return RMC_OK;
}

rmc_status rmc_sens_apply(rmc_variant *v, size_t i, rmc_sens_factor f, int level, char *desc,
                          size_t size, rmc_diag *d)
{
    const rmc_model *m = rmc_variant_model(v);
    if (i >= m->n_app || (unsigned)f >= RMC_SENS_N_FACTORS ||
        (level != RMC_SENS_FAVOURABLE && level != RMC_SENS_UNFAVOURABLE)) {
        return RMC_FAIL(d, RMC_EUSAGE, "bad applicant, factor or level");
    }
    const bool fav = level == RMC_SENS_FAVOURABLE;
    switch (f) {
    case RMC_SENS_ADVOCACY:
        return apply_advocacy(v, i, fav, fav ? rmc_sens_top_interview(m, i) : RMC_ID_NONE, desc,
                              size, d);
    case RMC_SENS_ADVOCACY_ALL:
        return apply_advocacy(v, i, fav, RMC_ID_NONE, desc, size, d);
    case RMC_SENS_TIES:
        return apply_ties(v, i, fav ? 1 : 0, desc, size, d);
    default:
        return apply_attribute(v, i, f, fav, desc, size, d);
    }
}

/* ---- running the what-ifs ------------------------------------------------ */

void rmc_sens_options_default(rmc_sens_options *o)
{
    memset(o, 0, sizeof *o);
    rmc_sim_options_default(&o->sim);
    o->sim.skip_soap = true; /* what-ifs compare Main-Match chances */
}

void rmc_sens_result_free(rmc_sens_result *r)
{
    if (r == NULL) {
        return;
    }
    void *const arrays[] = {r->applicants,
                            r->factors,
                            r->unmatched_rank,
                            r->base_p,
                            r->base_p_se,
                            r->base_rank,
                            r->base_rank_se,
                            r->desc,
                            r->changed,
                            r->p,
                            r->dp,
                            r->dp_se,
                            r->dp_se_unpaired,
                            r->rank,
                            r->drank,
                            r->drank_se,
                            r->drank_se_unpaired,
                            r->n_gain,
                            r->n_loss,
                            r->mean_dp,
                            r->mean_dp_se,
                            r->mean_dp_se_indep,
                            r->mean_drank,
                            r->mean_drank_se,
                            r->mean_swing,
                            r->mean_swing_se};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        rmc_free(arrays[i]);
    }
    rmc_free(r);
}

static rmc_status result_alloc(size_t na, size_t nf, rmc_sens_result **out, rmc_diag *d)
{
    rmc_sens_result *r = NULL;
    RMC_TRY(rmc_calloc_array((void **)&r, 1, sizeof *r, d));
    *out = r;
    r->n_applicants = na;
    r->n_factors = nf;
    const size_t nw = na * nf * RMC_SENS_N_LEVELS;
    RMC_TRY(rmc_calloc_array((void **)&r->applicants, na, sizeof *r->applicants, d));
    RMC_TRY(rmc_calloc_array((void **)&r->factors, nf, sizeof *r->factors, d));
    RMC_TRY(rmc_calloc_array((void **)&r->unmatched_rank, na, sizeof *r->unmatched_rank, d));
    double **const per_app[] = {&r->base_p, &r->base_p_se, &r->base_rank, &r->base_rank_se};
    for (size_t i = 0; i < 4; i++) {
        RMC_TRY(rmc_calloc_array((void **)per_app[i], na, sizeof(double), d));
    }
    double **const per_whatif[] = {&r->p,    &r->dp,    &r->dp_se,    &r->dp_se_unpaired,
                                   &r->rank, &r->drank, &r->drank_se, &r->drank_se_unpaired};
    for (size_t i = 0; i < 8; i++) {
        RMC_TRY(rmc_calloc_array((void **)per_whatif[i], nw, sizeof(double), d));
    }
    RMC_TRY(rmc_calloc_array((void **)&r->desc, nw, sizeof *r->desc, d));
    RMC_TRY(rmc_calloc_array((void **)&r->changed, nw, sizeof *r->changed, d));
    RMC_TRY(rmc_calloc_array((void **)&r->n_gain, nw, sizeof *r->n_gain, d));
    RMC_TRY(rmc_calloc_array((void **)&r->n_loss, nw, sizeof *r->n_loss, d));
    double **const per_factor_level[] = {&r->mean_dp, &r->mean_dp_se, &r->mean_dp_se_indep,
                                         &r->mean_drank, &r->mean_drank_se};
    for (size_t i = 0; i < 5; i++) {
        RMC_TRY(rmc_calloc_array((void **)per_factor_level[i], nf * RMC_SENS_N_LEVELS,
                                 sizeof(double), d));
    }
    RMC_TRY(rmc_calloc_array((void **)&r->mean_swing, nf, sizeof(double), d));
    RMC_TRY(rmc_calloc_array((void **)&r->mean_swing_se, nf, sizeof(double), d));
    return RMC_OK;
}

/* Outcome of one replicate: matched (0/1) and 1-based rank (unmatched: L+1). */
static inline double matched_of(int32_t c)
{
    return c >= 0 ? 1.0 : 0.0;
}

static inline double rank_of(int32_t c, int32_t unmatched)
{
    return c >= 0 ? (double)c + 1.0 : (double)unmatched;
}

/* Mean and sample variance (divisor n - 1) of an outcome over replicates,
 * two passes in replicate order. x(r) = g(col[r * stride]). */
typedef struct moments {
    double mean, var;
} moments;

static moments outcome_moments(const int32_t *col, size_t stride, size_t n, bool rank, int32_t um)
{
    double sum = 0;
    for (size_t r = 0; r < n; r++) {
        const int32_t c = col[r * stride];
        sum += rank ? rank_of(c, um) : matched_of(c);
    }
    const double mean = sum / (double)n;
    double ss = 0;
    for (size_t r = 0; r < n; r++) {
        const int32_t c = col[r * stride];
        const double e = (rank ? rank_of(c, um) : matched_of(c)) - mean;
        ss += e * e;
    }
    return (moments){mean, n > 1 ? ss / (double)(n - 1) : 0.0};
}

/* Moments of the paired difference variant - base. */
static moments diff_moments(const int32_t *base, size_t stride, const int32_t *var, size_t n,
                            bool rank, int32_t um)
{
    double sum = 0;
    for (size_t r = 0; r < n; r++) {
        sum += rank ? rank_of(var[r], um) - rank_of(base[r * stride], um)
                    : matched_of(var[r]) - matched_of(base[r * stride]);
    }
    const double mean = sum / (double)n;
    double ss = 0;
    for (size_t r = 0; r < n; r++) {
        const double x = rank ? rank_of(var[r], um) - rank_of(base[r * stride], um)
                              : matched_of(var[r]) - matched_of(base[r * stride]);
        ss += (x - mean) * (x - mean);
    }
    return (moments){mean, n > 1 ? ss / (double)(n - 1) : 0.0};
}

/* Everything one rmc_sens_run holds. */
typedef struct sens_run {
    const rmc_model *m;
    const rmc_sens_options *o;
    rmc_sens_result *res;
    int32_t *base_choice; /* [replicates][n_applicants] */
    int32_t *var_choice;  /* [what-if][replicates]: every what-if's outcomes, kept for the
                           * means over applicants */
    size_t runs_done, runs_total;
} sens_run;

static void step_done(sens_run *s)
{
    s->runs_done++;
    if (s->o->progress != NULL) {
        s->o->progress(s->o->progress_ctx, s->runs_done, s->runs_total);
    }
}

rmc_sim_options rmc_sens_engine_options(const rmc_sim_options *base)
{
    rmc_sim_options so = *base;
    so.focal = NULL;
    so.n_focal = 0;
    so.focal_choice = NULL;
    so.until_se = 0.0;
    so.checkpoint = NULL;
    so.checkpoint_every = 0;
    so.resume = NULL;
    so.progress = NULL;
    so.dist = NULL; /* each run on one rank: the analyses split their runs over ranks */
    return so;
}

/* One engine run of model mm recording n_focal applicants into choice. */
static rmc_status engine_run(sens_run *s, const rmc_model *mm, const rmc_id *focal, size_t n_focal,
                             int32_t *choice, rmc_diag *d)
{
    rmc_sim_options so = rmc_sens_engine_options(&s->o->sim);
    so.focal = focal;
    so.n_focal = n_focal;
    so.focal_choice = choice;
    rmc_accum *acc = NULL;
    rmc_sim_stats stats;
    RMC_TRY(rmc_sim_run(mm, &mm->params, &so, &acc, &stats, d));
    rmc_accum_free(acc);
    s->res->threads = stats.threads;
    if (stats.stopped) {
        return RMC_FAIL(d, RMC_EINTERRUPTED, "stopped after %zu of %zu runs", s->runs_done,
                        s->runs_total);
    }
    return RMC_OK;
}

static void base_stats(sens_run *s)
{
    rmc_sens_result *r = s->res;
    const size_t n = (size_t)r->replicates, na = r->n_applicants;
    for (size_t a = 0; a < na; a++) {
        const moments p = outcome_moments(s->base_choice + a, na, n, false, 0);
        const moments k = outcome_moments(s->base_choice + a, na, n, true, r->unmatched_rank[a]);
        r->base_p[a] = p.mean;
        r->base_p_se[a] = sqrt(p.var / (double)n);
        r->base_rank[a] = k.mean;
        r->base_rank_se[a] = sqrt(k.var / (double)n);
    }
}

/* Statistics of what-if w (applicant a) from s->var_choice. */
static void whatif_stats(sens_run *s, size_t a, size_t w)
{
    rmc_sens_result *r = s->res;
    const size_t n = (size_t)r->replicates, na = r->n_applicants;
    const int32_t um = r->unmatched_rank[a];
    const int32_t *base = s->base_choice + a;
    const int32_t *var = s->var_choice + w * n;
    const moments vp = outcome_moments(var, 1, n, false, um);
    const moments vk = outcome_moments(var, 1, n, true, um);
    const moments bp = outcome_moments(base, na, n, false, um);
    const moments bk = outcome_moments(base, na, n, true, um);
    const moments dp = diff_moments(base, na, var, n, false, um);
    const moments dk = diff_moments(base, na, var, n, true, um);
    const double nn = (double)n;
    r->p[w] = vp.mean;
    r->dp[w] = dp.mean;
    r->dp_se[w] = sqrt(dp.var / nn);
    r->dp_se_unpaired[w] = sqrt(bp.var / nn + vp.var / nn);
    r->rank[w] = vk.mean;
    r->drank[w] = dk.mean;
    r->drank_se[w] = sqrt(dk.var / nn);
    r->drank_se_unpaired[w] = sqrt(bk.var / nn + vk.var / nn);
    int32_t gain = 0, loss = 0;
    for (size_t rep = 0; rep < n; rep++) {
        const bool was = base[rep * na] >= 0, is = var[rep] >= 0;
        gain += !was && is;
        loss += was && !is;
    }
    r->n_gain[w] = gain;
    r->n_loss[w] = loss;
}

/* Build, run and summarise what-if (a, f, level). */
static rmc_status run_whatif(sens_run *s, size_t a, size_t fi, int level, rmc_diag *d)
{
    rmc_sens_result *r = s->res;
    const size_t w = (a * r->n_factors + fi) * RMC_SENS_N_LEVELS + (size_t)level;
    const size_t i = (size_t)r->applicants[a];
    rmc_variant *v = NULL;
    RMC_TRY(rmc_variant_alloc(s->m, &v, d));
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_sens_apply(v, i, r->factors[fi], level, r->desc[w], sizeof r->desc[w], d),
                 done);
    r->changed[w] = rmc_variant_differs(v) ? 1 : 0;
    const size_t n = (size_t)r->replicates;
    if (r->changed[w] || s->o->run_unchanged) {
        RMC_TRY_GOTO(
            st, engine_run(s, rmc_variant_model(v), &r->applicants[a], 1, s->var_choice + w * n, d),
            done);
    } else {
        for (size_t rep = 0; rep < n; rep++) {
            s->var_choice[w * n + rep] = s->base_choice[rep * r->n_applicants + a];
        }
    }
    whatif_stats(s, a, w);
done:
    rmc_variant_free(v);
    return st;
}

static rmc_status check_sens_options(const rmc_model *m, const rmc_sens_options *o, rmc_diag *d)
{
    if (o->n_applicants == 0 || o->applicants == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "no focal applicants");
    }
    for (size_t a = 0; a < o->n_applicants; a++) {
        if (o->applicants[a] < 0 || (size_t)o->applicants[a] >= m->n_app) {
            return RMC_FAIL(d, RMC_EUSAGE, "focal applicant %zu is not an applicant index", a);
        }
    }
    for (size_t f = 0; o->factors != NULL && f < o->n_factors; f++) {
        if ((unsigned)o->factors[f] >= RMC_SENS_N_FACTORS) {
            return RMC_FAIL(d, RMC_EUSAGE, "factor %zu out of range", f);
        }
    }
    if (o->factors != NULL && o->n_factors == 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "no factors");
    }
    if (o->sim.replicates < 2 || o->sim.replicates > UINT32_MAX) {
        return RMC_FAIL(d, RMC_EUSAGE, "what-ifs need 2 to %u replicates", UINT32_MAX);
    }
    return RMC_OK;
}

static rmc_status setup(sens_run *s, rmc_diag *d)
{
    const rmc_sens_options *o = s->o;
    const size_t na = o->n_applicants;
    const size_t nf = o->factors != NULL ? o->n_factors : RMC_SENS_N_FACTORS;
    RMC_TRY(result_alloc(na, nf, &s->res, d));
    rmc_sens_result *r = s->res;
    r->replicates = o->sim.replicates;
    r->seed = o->sim.seed;
    for (size_t a = 0; a < na; a++) {
        const size_t i = (size_t)o->applicants[a];
        r->applicants[a] = o->applicants[a];
        r->unmatched_rank[a] = (int32_t)(s->m->app_off[i + 1] - s->m->app_off[i]) + 1;
    }
    for (size_t f = 0; f < nf; f++) {
        r->factors[f] = o->factors != NULL ? o->factors[f] : (rmc_sens_factor)f;
    }
    const size_t n = (size_t)r->replicates;
    size_t cells = 0;
    if (!rmc_mul_ok(n, na, &cells)) {
        return RMC_FAIL(d, RMC_ENOMEM, "replicates x applicants overflows");
    }
    RMC_TRY(rmc_alloc_array((void **)&s->base_choice, cells, sizeof *s->base_choice, d));
    RMC_TRY(rmc_alloc_array((void **)&s->var_choice, na * nf * RMC_SENS_N_LEVELS * n,
                            sizeof *s->var_choice, d));
    s->runs_total = 1 + na * nf * RMC_SENS_N_LEVELS;
    return RMC_OK;
}

/* What-if w = (a * n_factors + f) * RMC_SENS_N_LEVELS + level. */
static rmc_status whatif_item(void *ctx, uint64_t w, rmc_diag *d)
{
    sens_run *s = ctx;
    const size_t nf = s->res->n_factors, level = (size_t)w % RMC_SENS_N_LEVELS;
    const size_t f = (size_t)w / RMC_SENS_N_LEVELS % nf, a = (size_t)w / RMC_SENS_N_LEVELS / nf;
    return run_whatif(s, a, f, (int)level, d);
}

static void whatif_progress(void *ctx, uint64_t done, uint64_t n)
{
    (void)n;
    sens_run *s = ctx;
    s->runs_done = 1 + (size_t)done;
    if (s->o->progress != NULL) {
        s->o->progress(s->o->progress_ctx, s->runs_done, s->runs_total);
    }
}

/* Mean and SD over replicates of x[0 .. n). */
static moments series_moments(const double *x, size_t n)
{
    double sum = 0;
    for (size_t r = 0; r < n; r++) {
        sum += x[r];
    }
    const double mean = sum / (double)n;
    double ss = 0;
    for (size_t r = 0; r < n; r++) {
        ss += (x[r] - mean) * (x[r] - mean);
    }
    return (moments){mean, n > 1 ? ss / (double)(n - 1) : 0.0};
}

/* The means over applicants and their per-replicate SEs (rmc_sens_result),
 * from every what-if's outcomes; scratch: 3 n doubles. */
static void across_stats(const sens_run *s, double *scratch)
{
    rmc_sens_result *r = s->res;
    const size_t n = (size_t)r->replicates, na = r->n_applicants, nf = r->n_factors;
    double *dp = scratch, *dk = scratch + n, *sw = scratch + 2 * n;
    const double nn = (double)n, inv_a = 1.0 / (double)na;
    for (size_t f = 0; f < nf; f++) {
        memset(sw, 0, n * sizeof *sw);
        for (int l = 0; l < RMC_SENS_N_LEVELS; l++) {
            memset(dp, 0, 2 * n * sizeof *dp);
            double indep = 0;
            for (size_t a = 0; a < na; a++) {
                const size_t w = (a * nf + f) * RMC_SENS_N_LEVELS + (size_t)l;
                const int32_t *var = s->var_choice + w * n, um = r->unmatched_rank[a];
                for (size_t rep = 0; rep < n; rep++) {
                    const int32_t b = s->base_choice[rep * na + a];
                    dp[rep] += (matched_of(var[rep]) - matched_of(b)) * inv_a;
                    dk[rep] += (rank_of(var[rep], um) - rank_of(b, um)) * inv_a;
                    sw[rep] +=
                        (l == RMC_SENS_FAVOURABLE ? 1.0 : -1.0) * matched_of(var[rep]) * inv_a;
                }
                indep += r->dp_se[w] * r->dp_se[w];
            }
            const size_t c = f * RMC_SENS_N_LEVELS + (size_t)l;
            const moments mp = series_moments(dp, n), mk = series_moments(dk, n);
            r->mean_dp[c] = mp.mean;
            r->mean_dp_se[c] = sqrt(mp.var / nn);
            r->mean_dp_se_indep[c] = sqrt(indep) * inv_a;
            r->mean_drank[c] = mk.mean;
            r->mean_drank_se[c] = sqrt(mk.var / nn);
        }
        const moments ms = series_moments(sw, n);
        r->mean_swing[f] = ms.mean;
        r->mean_swing_se[f] = sqrt(ms.var / nn);
    }
}

/* Every rank's what-ifs into every rank's result. */
static rmc_status gather_whatifs(const rmc_dist *g, sens_run *s, rmc_diag *d)
{
    rmc_sens_result *r = s->res;
    const uint64_t nw = r->n_applicants * r->n_factors * RMC_SENS_N_LEVELS;
    double *const f64[] = {r->p,    r->dp,    r->dp_se,    r->dp_se_unpaired,
                           r->rank, r->drank, r->drank_se, r->drank_se_unpaired};
    for (size_t i = 0; i < sizeof f64 / sizeof f64[0]; i++) {
        RMC_TRY(rmc_dist_gather_share(g, nw, f64[i], sizeof(double), d));
    }
    int32_t *const i32[] = {r->changed, r->n_gain, r->n_loss};
    for (size_t i = 0; i < sizeof i32 / sizeof i32[0]; i++) {
        RMC_TRY(rmc_dist_gather_share(g, nw, i32[i], sizeof(int32_t), d));
    }
    RMC_TRY(rmc_dist_gather_share(g, nw, s->var_choice,
                                  (size_t)r->replicates * sizeof *s->var_choice, d));
    return rmc_dist_gather_share(g, nw, r->desc, sizeof *r->desc, d);
}

rmc_status rmc_sens_run(const rmc_model *m, const rmc_sens_options *o, rmc_sens_result **out,
                        rmc_diag *d)
{
    *out = NULL;
    RMC_TRY(check_sens_options(m, o, d));
    const rmc_dist *g = o->sim.dist;
    sens_run s = {.m = m, .o = o};
    double *scratch = NULL;
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_dist_agree(g, setup(&s, d), d), done);
    rmc_sens_result *r = s.res;
    r->ranks = rmc_dist_size(g);
    const double t0 = omp_get_wtime();
    /* Every rank runs the base: each what-if is paired with it. */
    RMC_TRY_GOTO(
        st,
        rmc_dist_agree(g, engine_run(&s, m, o->applicants, r->n_applicants, s.base_choice, d), d),
        done);
    base_stats(&s);
    step_done(&s);
    const uint64_t nw = r->n_applicants * r->n_factors * RMC_SENS_N_LEVELS;
    RMC_TRY_GOTO(st, rmc_dist_for_share(g, nw, whatif_item, &s, whatif_progress, d), done);
    RMC_TRY_GOTO(st, gather_whatifs(g, &s, d), done);
    RMC_TRY_GOTO(
        st, rmc_alloc_array((void **)&scratch, 3 * (size_t)r->replicates, sizeof(double), d), done);
    across_stats(&s, scratch);
    r->wall_seconds = omp_get_wtime() - t0;
    *out = r;
    s.res = NULL;
done:
    rmc_free(scratch);
    rmc_free(s.var_choice);
    rmc_free(s.base_choice);
    rmc_sens_result_free(s.res);
    return st;
}
