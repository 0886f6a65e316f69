/* Match rates by applicant group (rankmc/groups.h): labels from a column of
 * the model's applicants.csv (read here with libcsv: the model loader skips
 * `x_` columns), rates and their standard errors from a result file's
 * P(match), and the market's share of positions filled from its fill
 * histograms.
 */
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "internal.h"
#include "rankmc/groups.h"
#include "rankmc/stats.h"

#define GROUPS_BLOCK ((size_t)1 << 16)

/* State of one pass over applicants.csv. */
typedef struct col_reader {
    const rmc_result *r;
    const char *column;
    const char *path;
    char **labels;        /* [r->n_app] being filled */
    char *id_field;       /* this row's id (owned) */
    char *lab_field;      /* this row's label (owned) */
    long col_id, col_lab; /* header positions, -1 = not seen */
    size_t field;         /* field index within the row */
    size_t n_header;      /* fields in the header */
    size_t row;           /* rows completed, header included */
    bool stop;
    rmc_status st;
    rmc_diag *d;
} col_reader;

static void take_field(void *s, size_t len, void *ctx)
{
    col_reader *c = ctx;
    if (c->stop) {
        return;
    }
    const long f = (long)c->field++;
    char **dst = NULL;
    if (c->row == 0) {
        const bool is_id = len == 2 && memcmp(s, "id", 2) == 0;
        const bool is_lab = len == strlen(c->column) && memcmp(s, c->column, len) == 0;
        c->col_id = is_id ? f : c->col_id;
        c->col_lab = is_lab ? f : c->col_lab;
        return;
    }
    dst = f == c->col_id ? &c->id_field : f == c->col_lab ? &c->lab_field : NULL;
    if (dst == NULL) {
        return;
    }
    char *copy = NULL;
    c->st = rmc_alloc_array((void **)&copy, len + 1, 1, c->d);
    if (c->st != RMC_OK) {
        c->stop = true;
        return;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    rmc_free(*dst);
    *dst = copy;
}

/* Check one data row against the result and keep its label. */
static void data_row(col_reader *c, long line)
{
    const rmc_result *r = c->r;
    const size_t i = c->row - 1;
    if (c->field != c->n_header) {
        c->st =
            RMC_FAIL_AT(c->d, RMC_EINPUT, c->path, line,
                        "ragged row: %zu fields, but the header has %zu", c->field, c->n_header);
    } else if (i >= r->n_app) {
        c->st = RMC_FAIL_AT(c->d, RMC_EINPUT, c->path, line,
                            "more applicants than the result file's %zu: the result comes from "
                            "another model",
                            r->n_app);
    } else if (strcmp(c->id_field, r->app_id[i]) != 0) {
        c->st = RMC_FAIL_AT(c->d, RMC_EINPUT, c->path, line,
                            "applicant '%.60s', but the result file has '%.60s' in this place: "
                            "the result comes from another model",
                            c->id_field, r->app_id[i]);
    } else {
        c->labels[i] = c->lab_field;
        c->lab_field = NULL;
    }
    c->stop = c->st != RMC_OK;
}

static void end_row(int term, void *ctx)
{
    (void)term;
    col_reader *c = ctx;
    if (c->stop) {
        return;
    }
    const long line = (long)c->row + 1;
    if (c->row == 0) {
        c->n_header = c->field;
        if (c->col_id < 0 || c->col_lab < 0) {
            c->st = RMC_FAIL_AT(c->d, RMC_EINPUT, c->path, 1, "no column '%s'",
                                c->col_id < 0 ? "id" : c->column);
            c->stop = true;
        }
    } else {
        data_row(c, line);
    }
    c->row++;
    c->field = 0;
}

/* Stream the open file through libcsv. */
static rmc_status parse_stream(col_reader *c, FILE *f)
{
    struct csv_parser p;
    char *buf = NULL;
    RMC_TRY(rmc_alloc_array((void **)&buf, GROUPS_BLOCK, 1, c->d));
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        rmc_free(buf);
        return RMC_FAIL(c->d, RMC_ENOMEM, "out of memory starting the CSV parser");
    }
    size_t n;
    bool first = true;
    while (!c->stop && (n = fread(buf, 1, GROUPS_BLOCK, f)) > 0) {
        const size_t skip = first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        first = false;
        if (csv_parse(&p, buf + skip, n - skip, take_field, end_row, c) != n - skip && !c->stop) {
            c->st = RMC_FAIL_AT(c->d, RMC_EINPUT, c->path, (long)c->row + 1, "malformed CSV");
            c->stop = true;
        }
    }
    if (!c->stop && ferror(f)) {
        c->st = RMC_FAIL_AT(c->d, RMC_EIO, c->path, 0, "read error");
    } else if (!c->stop && csv_fini(&p, take_field, end_row, c) != 0 && !c->stop) {
        c->st = RMC_FAIL_AT(c->d, RMC_EINPUT, c->path, (long)c->row + 1, "unclosed quote");
    }
    csv_free(&p);
    rmc_free(buf);
    return c->st;
}

void rmc_groups_labels_free(char **labels, size_t n)
{
    for (size_t i = 0; labels != NULL && i < n; i++) {
        rmc_free(labels[i]);
    }
    rmc_free(labels);
}

static rmc_status read_labels(col_reader *c)
{
    FILE *f = fopen(c->path, "rb");
    if (f == NULL) {
        return RMC_FAIL_AT(c->d, RMC_EINPUT, c->path, 0, "cannot open: %s", strerror(errno));
    }
    const rmc_status st = parse_stream(c, f);
    fclose(f);
    if (st == RMC_OK && (c->row == 0 ? 0 : c->row - 1) != c->r->n_app) {
        return RMC_FAIL_AT(c->d, RMC_EINPUT, c->path, (long)c->row,
                           "%zu applicants, but the result file has %zu: the result comes from "
                           "another model",
                           c->row == 0 ? 0 : c->row - 1, c->r->n_app);
    }
    return st;
}

rmc_status rmc_groups_labels_read(const char *model_dir, const char *column, const rmc_result *r,
                                  char ***labels, rmc_diag *d)
{
    *labels = NULL;
    col_reader c = {.r = r, .column = column, .col_id = -1, .col_lab = -1, .d = d};
    char *path = NULL;
    const size_t need = strlen(model_dir) + sizeof "/applicants.csv";
    RMC_TRY(rmc_alloc_array((void **)&path, need, 1, d));
    snprintf(path, need, "%s/applicants.csv", model_dir);
    c.path = path;
    rmc_status st = rmc_calloc_array((void **)&c.labels, r->n_app, sizeof *c.labels, d);
    if (st == RMC_OK) {
        st = read_labels(&c);
    }
    rmc_free(c.id_field);
    rmc_free(c.lab_field);
    rmc_free(path);
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
