/* `rankmc summary OUT.h5 --by COLUMN [MODEL_DIR]`: match rates by applicant
 * group (the figures NRMP publishes), the overall match rate and the share
 * of positions filled, as a table and as one machine-readable line each
 * (docs/calibration.md). COLUMN is `type` (from the result file) or an
 * extra column of MODEL_DIR/applicants.csv such as synth's `x_group`.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "summary.h"

/* A standard error in points, or "-" when there is none (NAN). */
static void format_se(char *buf, size_t size, double se)
{
    if (isnan(se)) {
        snprintf(buf, size, "-");
    } else {
        snprintf(buf, size, "%.3f", 100.0 * se);
    }
}

static void print_rate(FILE *out, const rmc_group_rate *g)
{
    char rep[32];
    format_se(rep, sizeof rep, g->se_rep);
    fprintf(out, "  %-14s %10zu %11.1f %9.2f%% %11s %11.3f\n", g->name, g->n, g->expected,
            100.0 * g->rate, rep, 100.0 * g->se);
}

static void print_machine(FILE *out, const char *column, const rmc_group_rate *g)
{
    fprintf(out,
            "RANKMC_GROUP by=%s group=%s n=%zu expected=%.3f rate=%.6f se_rep=%.6f "
            "se_indep=%.6f\n",
            column, g->name, g->n, g->expected, g->rate, g->se_rep, g->se);
}

static void print_tables(FILE *out, const char *column, const rmc_group_rate *g, size_t n,
                         const rmc_market_rates *m, uint64_t replicates)
{
    fprintf(out,
            "\nMatch rate by %s (%llu replicates; SE rep: from the per-replicate group rates; "
            "SE indep: treating applicants as independent, for comparison)\n"
            "  %-14s %10s %11s %10s %11s %11s\n",
            column, (unsigned long long)replicates, column, "applicants", "matched", "rate",
            "SE rep pts", "SE indep");
    for (size_t k = 0; k < n; k++) {
        print_rate(out, &g[k]);
    }
    print_rate(out, &m->all);
    if (n > 0 && isnan(g[0].se_rep)) {
        fprintf(out, "  (SE rep: the result file keeps per-replicate counts by type only)\n");
    }
    fprintf(out, "  positions filled: %.1f of %zu = %.2f%% (SE %.2f pts)\n\n", m->filled,
            m->positions, 100.0 * m->fill_share, 100.0 * m->fill_share_se);
    for (size_t k = 0; k < n; k++) {
        print_machine(out, column, &g[k]);
    }
    print_machine(out, column, &m->all);
    fprintf(out, "RANKMC_FILL positions=%zu filled=%.3f share=%.6f se=%.6f\n", m->positions,
            m->filled, m->fill_share, m->fill_share_se);
}

static void print_soap_row(FILE *out, const rmc_group_rate *g)
{
    fprintf(out, "  %-14s %10zu %9.2f%% %9.2f%% %9.2f%% %9.2f%% %11.3f\n", g->name, g->n,
            100.0 * g->main, 100.0 * g->partial, 100.0 * g->soap, 100.0 * g->after,
            100.0 * g->after_se);
}

static void print_soap_machine(FILE *out, const char *column, const rmc_group_rate *g)
{
    fprintf(out,
            "RANKMC_SOAP_GROUP by=%s group=%s n=%zu main=%.6f partial=%.6f soap=%.6f soap_se=%.6f "
            "after=%.6f after_se=%.6f\n",
            column, g->name, g->n, g->main, g->partial, g->soap, g->soap_se, g->after, g->after_se);
}

/* Main Match and after SOAP, when the result has SOAP. */
static void print_soap_tables(FILE *out, const char *column, const rmc_group_rate *g, size_t n,
                              const rmc_market_rates *m, const rmc_result *r)
{
    if (r->soap_replicates == 0) {
        fprintf(out, "(no SOAP in this result: soap.enabled was off or the file predates it)\n");
        return;
    }
    fprintf(out,
            "\nMain Match and SOAP by %s (Main Match: fully matched; partial: an advanced place "
            "and no PGY-1 after the Match; after SOAP = Main Match + SOAP; SE of after SOAP: "
            "applicants treated as independent)\n"
            "  %-14s %10s %10s %10s %10s %10s %11s\n",
            column, column, "applicants", "Main Match", "partial", "SOAP", "after SOAP", "SE pts");
    for (size_t k = 0; k < n; k++) {
        print_soap_row(out, &g[k]);
    }
    print_soap_row(out, &m->all);
    fprintf(out,
            "  per replicate: %.1f SOAP-eligible, %.1f places in SOAP, %.1f placed (SE %.1f)\n"
            "  positions filled after SOAP: %.1f of %zu = %.2f%% (SE %.2f pts; after the Match "
            "%.2f%%)\n\n",
            r->soap_mean[RMC_SOAP_TOTAL_ELIGIBLE], r->soap_mean[RMC_SOAP_TOTAL_PLACES],
            m->placed_soap, m->placed_soap_se, m->filled_soap, m->positions,
            100.0 * m->fill_share_soap, 100.0 * m->fill_share_soap_se, 100.0 * m->fill_share);
    for (size_t k = 0; k < n; k++) {
        print_soap_machine(out, column, &g[k]);
    }
    print_soap_machine(out, column, &m->all);
    fprintf(out,
            "RANKMC_SOAP eligible=%.3f places=%.3f placed=%.3f placed_se=%.3f filled=%.3f "
            "share=%.6f se=%.6f\n",
            r->soap_mean[RMC_SOAP_TOTAL_ELIGIBLE], r->soap_mean[RMC_SOAP_TOTAL_PLACES],
            m->placed_soap, m->placed_soap_se, m->filled_soap, m->fill_share_soap,
            m->fill_share_soap_se);
}

/* Labels for `column`: the result's own type column, or a model column. */
static rmc_status get_labels(const rmc_result *r, const char *column, const char *model_dir,
                             char ***labels, rmc_diag *d)
{
    if (strcmp(column, "type") != 0) {
        return rmc_groups_labels_read(model_dir, column, r, labels, d);
    }
    *labels = NULL;
    return RMC_OK;
}

int rmc_cli_summary_groups(FILE *out, const rmc_result *r, const char *column,
                           const char *model_dir)
{
    char **labels = NULL;
    rmc_diag d = {0};
    rmc_status st = get_labels(r, column, model_dir, &labels, &d);
    rmc_group_rate *g = NULL;
    size_t n = 0;
    if (st == RMC_OK) {
        const char *const *lab =
            labels != NULL ? (const char *const *)labels : (const char *const *)r->app_type;
        st = rmc_groups_rates(r, lab, &g, &n, &d);
    }
    if (st == RMC_OK && labels == NULL) {
        rmc_groups_type_se(r, g, n);
    }
    if (st != RMC_OK) {
        rmc_cli_print_diag("summary", &d, st);
        rmc_groups_labels_free(labels, r->n_app);
        return rmc_cli_exit_code(st);
    }
    rmc_market_rates m;
    rmc_groups_market(r, &m);
    print_tables(out, column, g, n, &m, r->replicates);
    print_soap_tables(out, column, g, n, &m, r);
    rmc_groups_rates_free(g);
    rmc_groups_labels_free(labels, r->n_app);
    return RMC_EXIT_OK;
}

/* The couples whose both-matched chance is lowest first. */
static const rmc_couples_rates *sort_rates;
static int by_both(const void *x, const void *y)
{
    const double a = sort_rates->couple[*(const size_t *)x].p[0];
    const double b = sort_rates->couple[*(const size_t *)y].p[0];
    return (a > b) - (a < b);
}

int rmc_cli_summary_couples(FILE *out, const rmc_result *r, const char *model_dir, size_t top)
{
    rmc_couples_rates *c = NULL;
    rmc_diag d = {0};
    const rmc_status st = rmc_couples_rates_compute(model_dir, r, &c, &d);
    if (st != RMC_OK) {
        rmc_cli_print_diag("summary", &d, st);
        return rmc_cli_exit_code(st);
    }
    if (c->n == 0) {
        fprintf(out, "No couples in %s.\n", model_dir != NULL ? model_dir : "this file");
        rmc_couples_rates_free(c);
        return RMC_EXIT_OK;
    }
    static const char *const what[4] = {"both partners matched", "both in one city",
                                        "both in one region", "exactly one matched"};
    fprintf(out,
            "Couples: %zu, %llu replicates (per couple: binomial SE; means over couples: SE "
            "treats couples as independent)\n",
            c->n, (unsigned long long)r->replicates);
    for (int t = 0; t < 4; t++) {
        if ((t == 1 || t == 2) && !c->have_location) {
            fprintf(out, "  %-22s  (no region / city in programs.csv)\n", what[t]);
            continue;
        }
        fprintf(out, "  %-22s  %6.2f%% +- %.2f\n", what[t], 100.0 * c->mean[t], 100.0 * c->se[t]);
    }
    fprintf(out, "  (share per replicate from the run: both %.2f%% +- %.2f, one %.2f%% +- %.2f)\n",
            100.0 * r->couples_both, 100.0 * r->couples_both_se, 100.0 * r->couples_one,
            100.0 * r->couples_one_se);
    if (r->has_couple_places) {
        fprintf(out, "  (and both in one city %.2f%% +- %.2f, one region %.2f%% +- %.2f)\n",
                100.0 * r->couples_city, 100.0 * r->couples_city_se, 100.0 * r->couples_region,
                100.0 * r->couples_region_se);
    }
    size_t *order = malloc(c->n * sizeof *order);
    if (order == NULL) {
        rmc_couples_rates_free(c);
        return RMC_EXIT_FAILURE;
    }
    for (size_t k = 0; k < c->n; k++) {
        order[k] = k;
    }
    sort_rates = c;
    qsort(order, c->n, sizeof *order, by_both);
    const size_t n_show = top == 0 || top > c->n ? c->n : top;
    fprintf(out, "\nThe %zu couples least likely to both match (P +- SE):\n", n_show);
    fprintf(out, "  %-12s %-12s %15s %15s %15s %15s\n", "partner a", "partner b", "both",
            "one city", "one region", "one unmatched");
    for (size_t k = 0; k < n_show; k++) {
        const rmc_couple_rate *x = &c->couple[order[k]];
        fprintf(out, "  %-12.12s %-12.12s", r->app_id[x->a], r->app_id[x->b]);
        for (int t = 0; t < 4; t++) {
            fprintf(out, "   %5.3f +- %.3f", x->p[t], x->se[t]);
        }
        fputc('\n', out);
    }
    free(order);
    rmc_couples_rates_free(c);
    return RMC_EXIT_OK;
}
