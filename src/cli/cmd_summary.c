/* rankmc summary: human-readable tables from a result file, for an
 * applicant or advisor (focal applicants: chances with an interval, where
 * they are likely to match, where they stand on each list) and for a program
 * director (fill, and how deep each list went). Also printed at the end of
 * `rankmc run`, which reads its own file back so both print the same thing.
 * docs/output.md documents every column.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "summary.h"

#define DEFAULT_TOP 10

/* The column holding the median of a histogram row; cols-1 ("none") is a
 * possible answer. */
static size_t median_col(const uint32_t *row, size_t cols)
{
    uint64_t total = 0;
    for (size_t c = 0; c < cols; c++) {
        total += row[c];
    }
    uint64_t cum = 0;
    for (size_t c = 0; c < cols; c++) {
        cum += row[c];
        if (2 * cum >= total && total > 0) {
            return c;
        }
    }
    return cols - 1;
}

/* The column at quantile q of a row's first cols-1 columns (ignoring the
 * last, "none"), or cols-1 when those are all empty. */
static size_t quantile_col(const uint32_t *row, size_t cols, double q)
{
    uint64_t total = 0;
    for (size_t c = 0; c + 1 < cols; c++) {
        total += row[c];
    }
    uint64_t cum = 0;
    for (size_t c = 0; c + 1 < cols && total > 0; c++) {
        cum += row[c];
        if ((double)cum >= q * (double)total) {
            return c;
        }
    }
    return cols - 1;
}

/* "14", "11-15" (a bin of list positions, 1-based) or `none`. */
static void format_position(char *buf, size_t size, size_t col, const rmc_result *r,
                            const char *none)
{
    const size_t w = (size_t)r->rank_bin_width;
    if (col + 1 >= r->rank_cols) {
        snprintf(buf, size, "%s", none);
    } else if (w <= 1) {
        snprintf(buf, size, "%zu", col + 1);
    } else {
        snprintf(buf, size, "%zu-%zu", col * w + 1, (col + 1) * w);
    }
}

static void print_header(FILE *out, const char *path, const rmc_result *r)
{
    fprintf(out, "Result file %s\n", path);
    fprintf(out, "  rankmc %s; model sha256 %.12s...; created %s\n", r->version, r->model_sha256,
            r->created_utc);
    fprintf(out, "  %llu replicates (seed %llu, %lld threads, %.1f s), %s propose",
            (unsigned long long)r->replicates, (unsigned long long)r->seed, (long long)r->threads,
            r->wall_seconds, r->proposing);
    if (r->rank_bin_width > 1) {
        fprintf(out, "; list positions in bins of %llu", (unsigned long long)r->rank_bin_width);
    }
    fprintf(out, "\n");
    if (r->interrupted) {
        fprintf(out, "  note: interrupted after %llu of %llu replicates\n",
                (unsigned long long)r->replicates, (unsigned long long)r->replicates_requested);
    }
    if (r->until_se > 0.0) {
        fprintf(out, "  --until-se %g: %s after %llu replicates\n", r->until_se,
                r->se_reached ? "reached" : "not reached (hit -n)",
                (unsigned long long)r->replicates);
    }
    if (r->n_couples > 0) {
        fprintf(out,
                "  couples: %llu; both partners matched %.2f%% +- %.2f, exactly one %.2f%% +- "
                "%.2f (share per replicate, SE over replicates)\n",
                (unsigned long long)r->n_couples, 100.0 * r->couples_both,
                100.0 * r->couples_both_se, 100.0 * r->couples_one, 100.0 * r->couples_one_se);
        if (r->has_couple_places) {
            fprintf(out,
                    "  couples both in one city %.2f%% +- %.2f, in one region %.2f%% +- %.2f\n",
                    100.0 * r->couples_city, 100.0 * r->couples_city_se, 100.0 * r->couples_region,
                    100.0 * r->couples_region_se);
        }
    }
    if (r->restarted > 0) {
        size_t most = 0;
        for (size_t k = 0; k < RMC_ACCUM_RESTART_BINS; k++) {
            most = r->restart_hist[0][k] + r->restart_hist[1][k] > 0 ? k : most;
        }
        fprintf(out,
                "  couples procedure: %llu replicates restarted (up to %zu%s restarts), %llu of "
                "them converged\n",
                (unsigned long long)r->restarted, most,
                most == RMC_ACCUM_RESTART_BINS - 1 ? " or more" : "",
                (unsigned long long)(r->restarted - (r->unconverged - r->restart_hist[1][0])));
    }
    if (r->unconverged > 0) {
        fprintf(out,
                "  note: in %llu replicates the couples procedure did not converge (cycled or "
                "hit its bound on every attempt; kept, counted)\n",
                (unsigned long long)r->unconverged);
        if (r->has_blocking) {
            fprintf(out,
                    "  their matchings (--check-stability): %.2f +- %.2f applicants and %.2f +- "
                    "%.2f couples block one (mean per replicate, SE)\n",
                    r->blocking_applicants, r->blocking_applicants_se, r->blocking_couples,
                    r->blocking_couples_se);
        } else if (r->check_stability == 0) {
            fprintf(out, "  (run with --check-stability to count what blocks their matchings)\n");
        }
    }
    if (r->has_tracks && r->replicates > 0) {
        double pm = 0, pse = 0, rm = 0, rse = 0;
        rmc_sums_mean_se(r->partial_sum, r->partial_sumsq, r->replicates, &pm, &pse);
        rmc_sums_mean_se(r->reverted_sum, r->reverted_sumsq, r->replicates, &rm, &rse);
        fprintf(out,
                "  tracks: partially matched (advanced, no PGY-1) %.2f +- %.3f applicants per "
                "replicate; positions reverted %.2f +- %.3f per replicate (mean, SE over "
                "replicates)\n",
                pm, pse, rm, rse);
    }
    if (r->check_stability) {
        fprintf(out, "  stability checked: %llu unstable replicates\n",
                (unsigned long long)r->unstable);
    }
    if (r->soap_replicates > 0) {
        fprintf(out,
                "  SOAP: %.1f placed per replicate (SE %.1f) of %.1f places and %.1f eligible; "
                "positions filled %.1f after the Match, %.1f after SOAP (SE %.1f)\n",
                r->soap_mean[RMC_SOAP_TOTAL_PLACED], r->soap_se[RMC_SOAP_TOTAL_PLACED],
                r->soap_mean[RMC_SOAP_TOTAL_PLACES], r->soap_mean[RMC_SOAP_TOTAL_ELIGIBLE],
                r->soap_mean[RMC_SOAP_TOTAL_FILLED_MATCH], r->soap_mean[RMC_SOAP_TOTAL_FILLED_SOAP],
                r->soap_se[RMC_SOAP_TOTAL_FILLED_SOAP]);
    }
}

static size_t interviewed_at(const rmc_result *r, size_t j)
{
    size_t n = 0;
    for (size_t k = 0; k < r->n_iv; k++) {
        n += (size_t)r->iv_prog[k] == j;
    }
    return n;
}

typedef struct keyed {
    double key;
    size_t idx;
} keyed;

/* Descending key, then ascending index: a total, deterministic order. */
static int cmp_keyed_desc(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) {
        return x->key < y->key ? 1 : -1;
    }
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* One row of an applicant's table: interview k, its rank histogram row. */
static void print_interview_row(FILE *out, const rmc_result *r, size_t k, const uint32_t *row)
{
    const double ranked =
        r->replicates > 0 ? 1.0 - (double)row[r->rank_cols - 1] / (double)r->replicates : 0.0;
    char pos[32];
    format_position(pos, sizeof pos, median_col(row, r->rank_cols), r, "not ranked");
    const double *mv = r->mean_move + k * r->n_factors;
    double total = 0.0;
    size_t top = 0;
    for (size_t f = 0; f < r->n_factors; f++) {
        total += mv[f];
        top = fabs(mv[f]) > fabs(mv[top]) ? f : top;
    }
    const size_t j = (size_t)r->iv_prog[k];
    char ci[24];
    snprintf(ci, sizeof ci, "%.3f-%.3f", r->iv_p_match_ci95[2 * k], r->iv_p_match_ci95[2 * k + 1]);
    fprintf(out, "    %-12s %8.3f %6.3f %-11s %9.3f %16s %12zu %+8.1f  %s %+.1f\n", r->prog_id[j],
            r->iv_p_match[k], r->iv_p_match_se[k], ci, ranked, pos, interviewed_at(r, j), total,
            r->n_factors > 0 ? r->factors[top] : "-", r->n_factors > 0 ? mv[top] : 0.0);
}

/* Applicant i in detail; ks and rows are scratch of n_iv entries. Returns
 * an exit status (0 unless the file's rank rows cannot be read). */
static int print_applicant(FILE *out, const char *path, const rmc_result *r, size_t i, keyed *ks,
                           size_t *rows)
{
    const double *ci = r->p_match_ci95 + 2 * i;
    fprintf(out, "  %s (%s)  P(match) %.3f +- %.3f  95%% CI %.3f-%.3f\n", r->app_id[i],
            r->app_type[i], r->p_match[i], r->p_match_se[i], ci[0], ci[1]);
    if (r->has_tracks) {
        const double *pc = r->p_partial_ci95 + 2 * i;
        fprintf(out,
                "    P(partially matched: advanced, no PGY-1) %.3f +- %.3f  95%% CI %.3f-%.3f\n",
                r->p_partial[i], r->p_partial_se[i], pc[0], pc[1]);
    }
    if (r->soap_replicates > 0) {
        const double n = (double)r->soap_replicates, s = r->p_soap[i];
        const double after = r->p_main[i] + s;
        fprintf(out, "    P(placed in SOAP) %.3f +- %.3f; P(placed after SOAP) %.3f +- %.3f\n", s,
                sqrt(s * (1.0 - s) / n), after, sqrt(after * (1.0 - after) / n));
    }
    size_t n = 0;
    for (size_t k = 0; k < r->n_iv; k++) {
        if ((size_t)r->iv_app[k] == i) {
            ks[n++] = (keyed){r->iv_p_match[k], k};
        }
    }
    if (n == 0) {
        fprintf(out, "    no interviews\n");
        return 0;
    }
    qsort(ks, n, sizeof *ks, cmp_keyed_desc);
    uint32_t *hist = calloc(n * r->rank_cols, sizeof *hist);
    if (hist == NULL) {
        fprintf(stderr, "rankmc summary: out of memory\n");
        return RMC_EXIT_FAILURE;
    }
    for (size_t e = 0; e < n; e++) {
        rows[e] = ks[e].idx;
    }
    rmc_diag d = {0};
    const rmc_status st = rmc_result_rank_rows(path, r, rows, n, hist, &d);
    if (st != RMC_OK) {
        free(hist);
        rmc_cli_print_diag("summary", &d, st);
        return rmc_cli_exit_code(st);
    }
    const size_t bj = (size_t)r->iv_prog[ks[0].idx];
    fprintf(out, "    most likely program: %s (%s), P %.3f\n", r->prog_id[bj], r->prog_name[bj],
            ks[0].key);
    fprintf(out, "    %-12s %8s %6s %-11s %9s %16s %12s %8s  %s\n", "program", "P(here)", "SE",
            "95% CI", "P(ranked)", "median position", "interviewed", "moved", "largest factor");
    for (size_t e = 0; e < n; e++) {
        print_interview_row(out, r, ks[e].idx, hist + e * r->rank_cols);
    }
    free(hist);
    return 0;
}

static bool is_focal(const char *id)
{
    return strncmp(id, "focal", 5) == 0;
}

/* Detailed applicants; returns 2 when a requested id is unknown. */
static int print_focal(FILE *out, const char *path, const rmc_result *r,
                       const rmc_cli_summary_opts *o, keyed *ks, size_t *rows)
{
    int rc = 0;
    if (o->n_applicants > 0) {
        fprintf(out, "\nApplicants\n");
        for (size_t a = 0; a < o->n_applicants; a++) {
            size_t i = 0;
            while (i < r->n_app && strcmp(r->app_id[i], o->applicants[a]) != 0) {
                i++;
            }
            if (i == r->n_app) {
                fprintf(stderr, "rankmc summary: no applicant '%s' in the file\n",
                        o->applicants[a]);
                rc = RMC_EXIT_USAGE;
                continue;
            }
            const int rc_i = print_applicant(out, path, r, i, ks, rows);
            rc = rc_i != 0 ? rc_i : rc;
        }
        return rc;
    }
    bool header = false;
    for (size_t i = 0; i < r->n_app; i++) {
        if (is_focal(r->app_id[i])) {
            if (!header) {
                fprintf(out,
                        "\nFocal applicants (ids starting \"focal\"; --applicant ID for others)\n");
                header = true;
            }
            const int rc_i = print_applicant(out, path, r, i, ks, rows);
            if (rc_i != 0) {
                return rc_i;
            }
        }
    }
    return 0;
}

static void print_types(FILE *out, const rmc_result *r)
{
    fprintf(out, "\nBy applicant type\n  %-8s %10s %14s %7s %7s %9s\n", "type", "applicants",
            "mean P(match)", "min", "max", "expected");
    for (size_t i = 0; i < r->n_app; i++) {
        size_t first = 0;
        while (strcmp(r->app_type[first], r->app_type[i]) != 0) {
            first++;
        }
        if (first != i) {
            continue; /* this type was printed at its first applicant */
        }
        size_t n = 0;
        double sum = 0.0, lo = 1.0, hi = 0.0;
        for (size_t e = i; e < r->n_app; e++) {
            if (strcmp(r->app_type[e], r->app_type[i]) == 0) {
                n++;
                sum += r->p_match[e];
                lo = r->p_match[e] < lo ? r->p_match[e] : lo;
                hi = r->p_match[e] > hi ? r->p_match[e] : hi;
            }
        }
        fprintf(out, "  %-8s %10zu %14.3f %7.3f %7.3f %9.1f\n", r->app_type[i], n, sum / (double)n,
                lo, hi, sum);
    }
}

static size_t shown(size_t n, size_t top)
{
    return top == 0 || top > n ? n : top;
}

static int print_least_likely(FILE *out, const rmc_result *r, size_t top)
{
    keyed *ks = calloc(r->n_app, sizeof *ks);
    if (ks == NULL) {
        return RMC_EXIT_FAILURE;
    }
    for (size_t i = 0; i < r->n_app; i++) {
        ks[i] = (keyed){1.0 - r->p_match[i], i};
    }
    qsort(ks, r->n_app, sizeof *ks, cmp_keyed_desc);
    const size_t n = shown(r->n_app, top);
    fprintf(out, "\nApplicants least likely to match (%zu of %zu)\n  %-20s %-8s %9s %7s %15s\n", n,
            r->n_app, "applicant", "type", "P(match)", "SE", "95% CI");
    for (size_t e = 0; e < n; e++) {
        const size_t i = ks[e].idx;
        fprintf(out, "  %-20s %-8s %9.3f %7.3f %7.3f-%.3f\n", r->app_id[i], r->app_type[i],
                r->p_match[i], r->p_match_se[i], r->p_match_ci95[2 * i],
                r->p_match_ci95[2 * i + 1]);
    }
    free(ks);
    return 0;
}

static double mean_fill(const rmc_result *r, size_t j)
{
    const uint32_t *row = r->fill_hist + j * r->fill_cols;
    double seats = 0.0;
    for (size_t f = 1; f < r->fill_cols; f++) {
        seats += (double)f * row[f];
    }
    return r->replicates > 0 ? seats / (double)r->replicates : 0.0;
}

static void print_program_row(FILE *out, const rmc_result *r, size_t j)
{
    const uint32_t *frow = r->fill_hist + j * r->fill_cols;
    const int32_t pos = r->positions[j];
    const double full = r->replicates > 0 && (size_t)pos < r->fill_cols
                            ? (double)frow[pos] / (double)r->replicates
                            : 0.0;
    const uint32_t *drow = r->depth_hist + j * r->rank_cols;
    char med[32], q90[32];
    format_position(med, sizeof med, quantile_col(drow, r->rank_cols, 0.5), r, "-");
    format_position(q90, sizeof q90, quantile_col(drow, r->rank_cols, 0.9), r, "-");
    fprintf(out, "  %-12s %9d %9.2f %8.3f %12s %10s %12zu", r->prog_id[j], pos, mean_fill(r, j),
            full, med, q90, interviewed_at(r, j));
    if (r->has_tracks) {
        fprintf(out, " %-11s %13.2f", r->prog_track[j], r->mean_capacity[j]);
    }
    fprintf(out, "\n");
}

static int print_programs(FILE *out, const rmc_result *r, size_t top)
{
    keyed *ks = calloc(r->n_prog, sizeof *ks);
    if (ks == NULL) {
        return RMC_EXIT_FAILURE;
    }
    for (size_t j = 0; j < r->n_prog; j++) {
        const uint32_t *drow = r->depth_hist + j * r->rank_cols;
        ks[j] = (keyed){(double)quantile_col(drow, r->rank_cols, 0.5) -
                            (drow[r->rank_cols - 1] == r->replicates ? 1e9 : 0.0),
                        j};
    }
    qsort(ks, r->n_prog, sizeof *ks, cmp_keyed_desc);
    const size_t n = shown(r->n_prog, top);
    fprintf(out,
            "\nPrograms, deepest lists first (%zu of %zu)\n"
            "  depth: list position of the lowest-ranked applicant who matched there\n"
            "  %-12s %9s %9s %8s %12s %10s %12s%s\n",
            n, r->n_prog, "program", "positions", "mean fill", "P(full)", "median depth",
            "90% depth", "interviewed", r->has_tracks ? " track       mean capacity" : "");
    if (r->has_tracks) {
        fprintf(out, "  mean fill is after the Main Match with reversions; mean capacity: "
                     "positions after reversions; P(full): fill = positions as offered\n");
    }
    for (size_t e = 0; e < n; e++) {
        print_program_row(out, r, ks[e].idx);
    }
    free(ks);
    return 0;
}

int rmc_cli_summary_print(FILE *out, const char *path, const rmc_result *r,
                          const rmc_cli_summary_opts *o)
{
    print_header(out, path, r);
    keyed *ks = calloc(r->n_iv + 1, sizeof *ks);
    size_t *rows = calloc(r->n_iv + 1, sizeof *rows);
    if (ks == NULL || rows == NULL) {
        free(rows);
        free(ks);
        fprintf(stderr, "rankmc summary: out of memory\n");
        return RMC_EXIT_FAILURE;
    }
    const int rc = print_focal(out, path, r, o, ks, rows);
    free(rows);
    free(ks);
    print_types(out, r);
    if (print_least_likely(out, r, o->top) != 0 || print_programs(out, r, o->top) != 0) {
        fprintf(stderr, "rankmc summary: out of memory\n");
        return RMC_EXIT_FAILURE;
    }
    if (o->top != 0 && (o->top < r->n_app || o->top < r->n_prog)) {
        fprintf(out, "\n(--top 0 lists every applicant and program)\n");
    }
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rankmc summary OUT.h5 [--applicant ID]... [--top N]\n"
            "       rankmc summary OUT.h5 --by COLUMN [MODEL_DIR]\n"
            "       rankmc summary OUT.h5 --couples [MODEL_DIR] [--top N]\n\n"
            "Print a result file of `rankmc run` as tables: focal applicants (ids starting\n"
            "\"focal\", or each --applicant ID) with P(match), its SE and 95%% Wilson\n"
            "interval, the most likely program and the median list position at each\n"
            "program; P(match) by applicant type; the N applicants least likely to match;\n"
            "and the N programs whose lists went deepest (fill, P(full), depth).\n\n"
            "  -a, --applicant ID   show this applicant in detail (repeatable)\n"
            "  -N, --top N          rows in each list (default %d; 0 = all)\n"
            "  -b, --by COLUMN      only match rates by group: COLUMN is `type` or a\n"
            "                       column of MODEL_DIR/applicants.csv (synth: x_group);\n"
            "                       plus the overall rate and positions filled\n"
            "  -c, --couples        only couples: P(both matched), P(both in one city /\n"
            "                       region), P(one unmatched) with SEs, means and the N\n"
            "                       couples least likely to both match, from the file\n"
            "                       (MODEL_DIR only for files whose model had no region /\n"
            "                       city columns: then from its x_region / x_city)\n"
            "  -h, --help           this text\n",
            DEFAULT_TOP);
}

int rmc_cli_summary(int argc, char **argv)
{
    static const struct option longopts[] = {{"applicant", required_argument, NULL, 'a'},
                                             {"top", required_argument, NULL, 'N'},
                                             {"by", required_argument, NULL, 'b'},
                                             {"couples", no_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char **ids = calloc((size_t)argc + 1, sizeof *ids);
    if (ids == NULL) {
        return RMC_EXIT_FAILURE;
    }
    rmc_cli_summary_opts o = {ids, 0, DEFAULT_TOP};
    int c, rc = RMC_EXIT_OK;
    const char *by = NULL;
    bool couples = false;
    optind = 1;
    while ((c = getopt_long(argc, argv, "a:N:b:ch", longopts, NULL)) != -1) {
        uint64_t v = 0;
        if (c == 'b') {
            by = optarg;
        } else if (c == 'c') {
            couples = true;
        } else if (c == 'a') {
            ids[o.n_applicants++] = optarg;
        } else if (c == 'N') {
            if (!rmc_cli_parse_u64(optarg, 0, SIZE_MAX, false, &v)) {
                free((void *)ids);
                return rmc_cli_usage_error("summary", "--top needs a count, not '%s'", optarg);
            }
            o.top = (size_t)v;
        } else if (c == 'h') {
            usage(stdout);
            free((void *)ids);
            return RMC_EXIT_OK;
        } else {
            free((void *)ids);
            return rmc_cli_usage_error("summary", "unknown option");
        }
    }
    const bool needs_model = by != NULL && strcmp(by, "type") != 0;
    const bool couples_dir = couples && optind == argc - 2; /* --couples takes an optional folder */
    if (optind != argc - 1 - (needs_model || couples_dir ? 1 : 0)) {
        free((void *)ids);
        return rmc_cli_usage_error("summary",
                                   couples       ? "--couples takes OUT.h5 and maybe MODEL_DIR%s"
                                   : needs_model ? "--by %s needs OUT.h5 and MODEL_DIR"
                                                 : "expected one result file%s",
                                   couples      ? ""
                                   : by != NULL ? by
                                                : "");
    }
    rmc_result *r = NULL;
    rmc_diag d = {0};
    /* the focal applicants' rank rows are read when printed: the whole rank
     * histogram is most of a national file's read time */
    const rmc_status st = rmc_result_read_opts(argv[optind], RMC_RESULT_NO_RANK_HIST, &r, &d);
    if (st != RMC_OK) {
        rmc_cli_print_diag("summary", &d, st);
        rc = rmc_cli_exit_code(st);
    } else if (couples) {
        rc = rmc_cli_summary_couples(stdout, r, couples_dir ? argv[optind + 1] : NULL, o.top);
    } else if (by != NULL) {
        rc = rmc_cli_summary_groups(stdout, r, by, needs_model ? argv[optind + 1] : NULL);
    } else {
        rc = rmc_cli_summary_print(stdout, argv[optind], r, &o);
    }
    rmc_result_free(r);
    free((void *)ids);
    return rc;
}
