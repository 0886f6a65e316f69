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

static void add_applicant(rmc_group_rate *g, double p, uint64_t reps)
{
    g->n++;
    g->expected += p;
    g->se += rmc_binomial_var(p, reps); /* variance sum until finished */
}

static void finish_rate(rmc_group_rate *g)
{
    g->rate = g->n > 0 ? g->expected / (double)g->n : 0.0;
    g->se = g->n > 0 ? sqrt(g->se) / (double)g->n : 0.0;
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
        add_applicant(&g[k], r->p_match[i], r->replicates);
    }
    for (size_t k = 0; k < n; k++) {
        finish_rate(&g[k]);
    }
    qsort(g, n, sizeof *g, cmp_rate_name);
    *out = g;
    *n_groups = n;
    return RMC_OK;
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
        add_applicant(&out->all, r->p_match[i], r->replicates);
    }
    finish_rate(&out->all);
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
}
