/* Match rates by applicant group (rankmc/groups.h): labels from a column of
 * the model's applicants.csv (read through the model's CSV reader,
 * model_csv.c, with its limits and physical line numbers; the model loader
 * itself skips `x_` columns), rates and their standard errors from a result
 * file's P(match), and the market's share of positions filled from its fill
 * histograms.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "model_load_int.h"
#include "rankmc/groups.h"
#include "rankmc/stats.h"

/* What the row function fills while applicants.csv is read. */
typedef struct label_reader {
    const rmc_result *r;
    const char *column;
    char **labels;  /* [r->n_app] being filled */
    size_t n_rows;  /* data rows read */
    long last_line; /* line of the last data row (1: the header) */
    rmc_diag *d;
} label_reader;

/* One data row: fields[0] the id, fields[1] the label (NULL when the
 * column is absent). Checked against the result's applicant order. */
static rmc_status label_row(rmc_loader *L, const char *const *fields, long line)
{
    label_reader *c = L->stage;
    const rmc_result *r = c->r;
    const size_t i = c->n_rows++;
    c->last_line = line;
    if (fields[1] == NULL) {
        return RMC_FAIL_AT(c->d, RMC_EINPUT, L->path, 1, "no column '%s'", c->column);
    }
    if (i >= r->n_app) {
        return RMC_FAIL_AT(c->d, RMC_EINPUT, L->path, line,
                           "more applicants than the result file's %zu: the result comes from "
                           "another model",
                           r->n_app);
    }
    if (strcmp(fields[0], r->app_id[i]) != 0) {
        return RMC_FAIL_AT(c->d, RMC_EINPUT, L->path, line,
                           "applicant '%.60s', but the result file has '%.60s' in this place: "
                           "the result comes from another model",
                           fields[0], r->app_id[i]);
    }
    return rmc_strdup(&c->labels[i], fields[1], c->d);
}

void rmc_groups_labels_free(char **labels, size_t n)
{
    for (size_t i = 0; labels != NULL && i < n; i++) {
        rmc_free(labels[i]);
    }
    rmc_free(labels);
}

static rmc_status read_labels(const char *model_dir, label_reader *c)
{
    /* A loader with no model behind it: the reader needs the folder (for
     * the path), the problem sink and the digest it keeps as it reads. */
    rmc_model dir_only = {0};
    RMC_TRY(rmc_strdup(&dir_only.dir, model_dir, c->d));
    rmc_loader L = {.m = &dir_only, .d = c->d, .first = c->d, .stage = c};
    rmc_sha256_init(&L.sha);
    const char *cols[2] = {"id", c->column};
    const rmc_csv_spec spec = {.name = "applicants.csv",
                               .cols = cols,
                               .n_cols = 2,
                               .n_required = 1,
                               .need_rows = false,
                               .row = label_row,
                               .other_columns = true};
    bool found = false;
    rmc_status st = rmc_csv_read(&L, &spec, &found);
    if (st == RMC_OK && !found) {
        st = RMC_FAIL_AT(c->d, RMC_EINPUT, L.path, 0, "cannot open: %s", strerror(ENOENT));
    } else if (st == RMC_OK && L.n_problems > 0) {
        st = RMC_EINPUT; /* the first problem is in c->d */
    } else if (st == RMC_OK && c->n_rows != c->r->n_app) {
        st = RMC_FAIL_AT(c->d, RMC_EINPUT, L.path, c->last_line,
                         "%zu applicants, but the result file has %zu: the result comes from "
                         "another model",
                         c->n_rows, c->r->n_app);
    }
    rmc_free(L.path);
    rmc_free(dir_only.dir);
    return st;
}

rmc_status rmc_groups_labels_read(const char *model_dir, const char *column, const rmc_result *r,
                                  char ***labels, rmc_diag *d)
{
    *labels = NULL;
    label_reader c = {.r = r, .column = column, .last_line = 1, .d = d};
    rmc_status st = rmc_calloc_array((void **)&c.labels, r->n_app, sizeof *c.labels, d);
    if (st == RMC_OK) {
        st = read_labels(model_dir, &c);
    }
    if (st != RMC_OK) {
        rmc_groups_labels_free(c.labels, r->n_app);
        return st;
    }
    *labels = c.labels;
    return RMC_OK;
}

/* Applicant i of r into g (sums and variance sums until finished). */
static void add_applicant(rmc_group_rate *g, const rmc_result *r, size_t i)
{
    const double p = r->p_match[i];
    g->n++;
    g->expected += p;
    g->se += rmc_binomial_var(p, r->replicates);
    if (r->soap_replicates > 0) {
        const double s = r->p_soap[i], a = r->p_main[i] + r->p_soap[i];
        g->main += r->p_main[i];
        g->partial += r->p_partial[i];
        g->soap += s;
        g->soap_se += rmc_binomial_var(s, r->soap_replicates);
        g->after += a;
        g->after_se += rmc_binomial_var(a, r->soap_replicates);
    }
}

static void finish_rate(rmc_group_rate *g)
{
    g->se_rep = (double)NAN;
    const double n = (double)g->n;
    g->rate = g->n > 0 ? g->expected / n : 0.0;
    g->se = g->n > 0 ? sqrt(g->se) / n : 0.0;
    g->main = g->n > 0 ? g->main / n : 0.0;
    g->partial = g->n > 0 ? g->partial / n : 0.0;
    g->soap = g->n > 0 ? g->soap / n : 0.0;
    g->soap_se = g->n > 0 ? sqrt(g->soap_se) / n : 0.0;
    g->after = g->n > 0 ? g->after / n : 0.0;
    g->after_se = g->n > 0 ? sqrt(g->after_se) / n : 0.0;
}

static int cmp_rate_name(const void *a, const void *b)
{
    return strcmp(((const rmc_group_rate *)a)->name, ((const rmc_group_rate *)b)->name);
}

rmc_status rmc_groups_rates(const rmc_result *r, const char *const *labels, rmc_group_rate **out,
                            size_t *n_groups, rmc_diag *d)
{
    *out = NULL;
    *n_groups = 0;
    rmc_group_rate *g = NULL;
    RMC_TRY(rmc_calloc_array((void **)&g, r->n_app + 1, sizeof *g, d));
    size_t n = 0;
    for (size_t i = 0; i < r->n_app; i++) {
        size_t k = 0;
        while (k < n && strncmp(g[k].name, labels[i], sizeof g[k].name - 1) != 0) {
            k++;
        }
        if (k == n) {
            snprintf(g[n++].name, sizeof g->name, "%s", labels[i]);
        }
        add_applicant(&g[k], r, i);
    }
    for (size_t k = 0; k < n; k++) {
        finish_rate(&g[k]);
    }
    qsort(g, n, sizeof *g, cmp_rate_name);
    *out = g;
    *n_groups = n;
    return RMC_OK;
}

/* SE of the mean per-replicate share matched of a group of n applicants,
 * from the sum and sum of squares of its per-replicate counts. */
static double replicate_se(uint64_t sum, uint64_t sumsq, uint64_t reps, size_t n)
{
    if (reps < 2 || n == 0) {
        return reps > 0 && n > 0 ? 0.0 : (double)NAN;
    }
    const long double r = (long double)reps, s = (long double)sum;
    const long double var = ((long double)sumsq - s * s / r) / (r - 1.0L);
    return var > 0.0L ? (double)(sqrtl(var / r) / (long double)n) : 0.0;
}

static void set_type_se(const rmc_result *r, rmc_group_rate *g)
{
    for (size_t t = 0; t < r->n_type_groups && r->type_matched_sums != NULL; t++) {
        if (strcmp(r->type_groups[t], g->name) == 0) {
            g->se_rep = replicate_se(r->type_matched_sums[2 * t], r->type_matched_sums[2 * t + 1],
                                     r->replicates, g->n);
        }
    }
}

void rmc_groups_type_se(const rmc_result *r, rmc_group_rate *g, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (strcmp(g[k].name, "all") != 0) {
            set_type_se(r, &g[k]);
        }
    }
}

void rmc_groups_rates_free(rmc_group_rate *g)
{
    rmc_free(g);
}

void rmc_groups_market(const rmc_result *r, rmc_market_rates *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->all.name, sizeof out->all.name, "all");
    for (size_t i = 0; i < r->n_app; i++) {
        add_applicant(&out->all, r, i);
    }
    finish_rate(&out->all);
    set_type_se(r, &out->all);
    double var = 0.0;
    for (size_t j = 0; j < r->n_prog && r->replicates > 0; j++) {
        const uint32_t *row = r->fill_hist + j * r->fill_cols;
        double s1 = 0.0, s2 = 0.0;
        for (size_t f = 1; f < r->fill_cols; f++) {
            s1 += (double)f * row[f];
            s2 += (double)f * (double)f * row[f];
        }
        const double mean = s1 / (double)r->replicates;
        out->filled += mean;
        var += fmax(0.0, s2 / (double)r->replicates - mean * mean) / (double)r->replicates;
        out->positions += r->positions[j] > 0 ? (size_t)r->positions[j] : 0;
    }
    out->fill_share = out->positions > 0 ? out->filled / (double)out->positions : 0.0;
    out->fill_share_se = out->positions > 0 ? sqrt(var) / (double)out->positions : 0.0;
    if (r->soap_replicates > 0 && out->positions > 0) {
        const double pos = (double)out->positions;
        out->filled_soap = r->soap_mean[RMC_SOAP_TOTAL_FILLED_SOAP];
        out->fill_share_soap = out->filled_soap / pos;
        out->fill_share_soap_se = r->soap_se[RMC_SOAP_TOTAL_FILLED_SOAP] / pos;
        out->placed_soap = r->soap_mean[RMC_SOAP_TOTAL_PLACED];
        out->placed_soap_se = r->soap_se[RMC_SOAP_TOTAL_PLACED];
    }
}

/* ---- couples (rmc_couples_rates) ---- */

typedef struct loc_reader {
    const rmc_result *r;
    char **region, **city; /* [r->n_prog] */
    size_t n_rows;
    bool have;
    rmc_diag *d;
} loc_reader;

static rmc_status loc_row(rmc_loader *L, const char *const *fields, long line)
{
    loc_reader *c = L->stage;
    const size_t j = c->n_rows++;
    if (fields[1] == NULL || fields[2] == NULL) {
        c->have = false;
        return RMC_OK; /* no location columns: P(same city / region) unknown */
    }
    if (j >= c->r->n_prog || strcmp(fields[0], c->r->prog_id[j]) != 0) {
        return RMC_FAIL_AT(c->d, RMC_EINPUT, L->path, line,
                           "program '%.60s' is not the result file's program in this place: "
                           "the result comes from another model",
                           fields[0]);
    }
    RMC_TRY(rmc_strdup(&c->region[j], fields[1], c->d));
    return rmc_strdup(&c->city[j], fields[2], c->d);
}

static rmc_status read_locations(const char *model_dir, loc_reader *c)
{
    rmc_model dir_only = {0};
    RMC_TRY(rmc_strdup(&dir_only.dir, model_dir, c->d));
    rmc_loader L = {.m = &dir_only, .d = c->d, .first = c->d, .stage = c};
    rmc_sha256_init(&L.sha);
    const char *cols[3] = {"id", "x_region", "x_city"};
    const rmc_csv_spec spec = {.name = "programs.csv",
                               .cols = cols,
                               .n_cols = 3,
                               .n_required = 1,
                               .need_rows = false,
                               .row = loc_row,
                               .other_columns = true};
    bool found = false;
    c->have = true;
    rmc_status st = rmc_csv_read(&L, &spec, &found);
    if (st == RMC_OK && (!found || L.n_problems > 0)) {
        st = found ? RMC_EINPUT : RMC_FAIL_AT(c->d, RMC_EINPUT, L.path, 0, "cannot open");
    }
    if (st == RMC_OK && c->have && c->n_rows != c->r->n_prog) {
        st = RMC_FAIL_AT(c->d, RMC_EINPUT, L.path, 0,
                         "%zu programs, but the result file has %zu: another model", c->n_rows,
                         c->r->n_prog);
    }
    rmc_free(L.path);
    rmc_free(dir_only.dir);
    return st;
}

static void free_labels(char **x, size_t n)
{
    for (size_t k = 0; x != NULL && k < n; k++) {
        rmc_free(x[k]);
    }
    rmc_free(x);
}

void rmc_couples_rates_free(rmc_couples_rates *c)
{
    if (c != NULL) {
        rmc_free(c->couple);
        rmc_free(c);
    }
}

/* The rates from the file's own per-couple datasets (the engine's counts). */
static rmc_status rates_from_file(const rmc_result *r, rmc_couples_rates **out, rmc_diag *d)
{
    rmc_couples_rates *cr = NULL;
    RMC_TRY(rmc_calloc_array((void **)&cr, 1, sizeof *cr, d));
    const rmc_status st =
        rmc_calloc_array((void **)&cr->couple, r->n_couples + 1, sizeof *cr->couple, d);
    if (st != RMC_OK) {
        rmc_couples_rates_free(cr);
        return st;
    }
    cr->n = (size_t)r->n_couples;
    cr->have_location = true;
    double var[4] = {0, 0, 0, 0};
    for (size_t c = 0; c < cr->n; c++) {
        rmc_couple_rate *x = &cr->couple[c];
        x->a = (size_t)r->couple_a[c];
        x->b = (size_t)r->couple_b[c];
        for (int t = 0; t < 4; t++) {
            x->p[t] = r->couple_p[t][c];
            x->se[t] = r->couple_se[t][c];
            cr->mean[t] += x->p[t];
            var[t] += x->se[t] * x->se[t];
        }
    }
    for (int t = 0; t < 4 && cr->n > 0; t++) {
        cr->mean[t] /= (double)cr->n;
        cr->se[t] = sqrt(var[t]) / (double)cr->n;
    }
    *out = cr;
    return RMC_OK;
}

rmc_status rmc_couples_rates_compute(const char *model_dir, const rmc_result *r,
                                     rmc_couples_rates **out, rmc_diag *d)
{
    *out = NULL;
    if (r->has_couple_places && model_dir == NULL) {
        return rates_from_file(r, out, d);
    }
    if (model_dir == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE,
                        "this file has no per-couple P(one city / region) (its model had no "
                        "region / city columns): give the model folder, --couples MODEL_DIR");
    }
    rmc_model *m = NULL;
    rmc_problems *pr = NULL;
    RMC_TRY(rmc_problems_alloc(1, &pr));
    rmc_status st = rmc_model_load(model_dir, pr, d, &m);
    rmc_problems_free(pr);
    RMC_TRY(st);
    loc_reader lr = {.r = r, .d = d};
    rmc_couples_rates *cr = NULL;
    if (m->n_app != r->n_app || m->n_prog != r->n_prog) {
        st = RMC_FAIL(d, RMC_EINPUT, "%s is not the model of this result file", model_dir);
        goto done;
    }
    for (size_t i = 0; i < m->n_app; i++) {
        if (strcmp(m->app_id[i], r->app_id[i]) != 0) {
            st = RMC_FAIL(d, RMC_EINPUT, "%s is not the model of this result file", model_dir);
            goto done;
        }
    }
    if (r->has_couple_places) { /* the model is the file's: its counts are used */
        st = rates_from_file(r, out, d);
        goto done;
    }
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&lr.region, r->n_prog, sizeof(char *), d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&lr.city, r->n_prog, sizeof(char *), d), done);
    RMC_TRY_GOTO(st, read_locations(model_dir, &lr), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&cr, 1, sizeof *cr, d), done);
    RMC_TRY_GOTO(
        st, rmc_calloc_array((void **)&cr->couple, m->n_couples + 1, sizeof *cr->couple, d), done);
    cr->n = m->n_couples;
    cr->have_location = lr.have;
    const double n = (double)r->replicates;
    double var[4] = {0, 0, 0, 0};
    for (size_t c = 0; c < m->n_couples; c++) {
        rmc_couple_rate *x = &cr->couple[c];
        x->a = (size_t)m->couple_a[c];
        x->b = (size_t)m->couple_b[c];
        uint64_t k[4] = {0, 0, 0, 0}; /* both, same city, same region, one */
        for (size_t e = m->crol_off[c]; e < m->crol_off[c + 1]; e++) {
            const size_t q = e - m->crol_off[c];
            const rmc_id pa = m->crol_pa[e], pb = m->crol_pb[e];
            if (q + 1 >= r->choice_cols) {
                break;
            }
            if (pa != RMC_ID_NONE && pb != RMC_ID_NONE) {
                const uint32_t h = r->choice_hist[x->a * r->choice_cols + q];
                k[0] += h;
                if (lr.have && strcmp(lr.city[pa], lr.city[pb]) == 0) {
                    k[1] += h;
                }
                if (lr.have && strcmp(lr.region[pa], lr.region[pb]) == 0) {
                    k[2] += h;
                }
            } else {
                k[3] += r->choice_hist[x->a * r->choice_cols + q] +
                        r->choice_hist[x->b * r->choice_cols + q];
            }
        }
        for (int t = 0; t < 4; t++) {
            x->p[t] = n > 0 ? (double)k[t] / n : 0.0;
            x->se[t] = rmc_binomial_se(x->p[t], r->replicates);
            cr->mean[t] += x->p[t];
            var[t] += x->se[t] * x->se[t];
        }
    }
    for (int t = 0; t < 4 && cr->n > 0; t++) {
        cr->mean[t] /= (double)cr->n;
        cr->se[t] = sqrt(var[t]) / (double)cr->n;
    }
    *out = cr;
    cr = NULL;
done:
    rmc_couples_rates_free(cr);
    free_labels(lr.region, r->n_prog);
    free_labels(lr.city, r->n_prog);
    rmc_model_free(m);
    return st;
}
