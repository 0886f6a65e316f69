/* rankmc forecast: one applicant's chances from a profile file
 * (docs/forecast.md): P(match) over K synthetic markets with its two
 * uncertainty parts, each program's P(matched here), P(ranked), list
 * position and largest meeting factor, what-ifs with paired SEs and the
 * list-length curve; with -o the /forecast/... datasets.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct fc_args {
    rmc_cli_common com; /* PROFILE.ini, -o (NULL: no file), -f, -q */
    rmc_forecast_options o;
    rmc_forecast_result *r; /* NULL until run */
} fc_args;

static void usage(FILE *f)
{
    fprintf(f, "usage: rankmc forecast PROFILE.ini [--market M] [--markets K] [-n N] [-s SEED]\n"
               "                       [-t THREADS] [--method fast|exact|both] [--exact]\n"
               "                       [--no-what-ifs] [-o OUT.h5] [--force] [--quiet]\n\n"
               "One applicant's forecast. The profile (docs/forecast.md; examples in\n"
               "models/profiles/) describes the applicant and their interviews in their own\n"
               "terms; each program takes the place of the most similar synthetic program of\n"
               "the specialty in each of K synthetic markets, and the applicant is added with\n"
               "their interviews and their list (the profile's order). A profile with a\n"
               "[partner] is a couple's: their joint chances (both matched, one city, one\n"
               "region, exactly one, neither) beside each partner's own.\n\n"
               "  --market M         a synth preset (nrmp2025, im, im-regional), PRESET:SCALE,\n"
               "                     or a model folder (then one market); default nrmp2025\n"
               "  --markets K        independent synthetic markets, synth seeds derived from\n"
               "                     -s (default 8)\n"
               "  -n, --replicates N replicates per market (default 100)\n"
               "  -s, --seed SEED    master seed (default 1)\n"
               "  -t, --threads T    OpenMP threads (default: all)\n"
               "  --method M         fast (default): the market's own Match gives each program's\n"
               "                     admission cutoff, the applicant's own meetings decide;\n"
               "                     exact: the applicant is inserted and the whole Match is\n"
               "                     re-run each replicate; both: both, with their agreement\n"
               "  --exact            the same as --method exact\n"
               "  --no-what-ifs      skip the what-ifs and the list-length curve (fast only)\n"
               "  -o, --output FILE  also write /forecast/... datasets to FILE (HDF5)\n"
               "  -f, --force        replace an existing FILE\n"
               "  -q, --quiet        no progress line\n"
               "  -h, --help         this text\n\n"
               "Every probability comes with its Monte Carlo SE, the between-market spread and\n"
               "a 95%% interval for a market like these; the interval does not cover the\n"
               "model's own assumptions (docs/forecast.md).\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input (the\n"
               "profile's FILE:LINE problems; nothing written), 130 / 143 stopped by a signal.\n");
}

static int parse_value(int c, char *arg, void *ctx)
{
    fc_args *a = ctx;
    uint64_t v = 0;
    switch (c) {
    case 'n':
        if (!rmc_cli_parse_u64(arg, 2, 10000000, false, &v)) {
            return rmc_cli_usage_error("forecast", "-n needs a count from 2 to 10000000, not '%s'",
                                       arg);
        }
        a->o.replicates = v;
        return 0;
    case 's':
        return rmc_cli_parse_seed("forecast", arg, &a->o.seed);
    case 't':
        return rmc_cli_parse_threads("forecast", arg, &a->o.threads);
    case 'K':
        if (!rmc_cli_parse_u64(arg, 1, 1000, false, &v)) {
            return rmc_cli_usage_error("forecast", "--markets needs 1 to 1000, not '%s'", arg);
        }
        a->o.n_markets = (size_t)v;
        return 0;
    case 'M':
        a->o.market = arg;
        return 0;
    case 'm':
        if (strcmp(arg, "fast") == 0 || strcmp(arg, "exact") == 0 || strcmp(arg, "both") == 0) {
            a->o.fast = strcmp(arg, "exact") != 0;
            a->o.exact = strcmp(arg, "fast") != 0;
            return 0;
        }
        return rmc_cli_usage_error("forecast", "--method is fast, exact or both, not '%s'", arg);
    case 'x':
        a->o.fast = false;
        a->o.exact = true;
        return 0;
    case 'W':
        a->o.what_ifs = false;
        return 0;
    default:
        return rmc_cli_usage_error("forecast", "unknown option or missing value");
    }
}

static int parse_args(int argc, char **argv, fc_args *a)
{
    static const struct option longopts[] = {{"market", required_argument, NULL, 'M'},
                                             {"markets", required_argument, NULL, 'K'},
                                             {"method", required_argument, NULL, 'm'},
                                             {"exact", no_argument, NULL, 'x'},
                                             {"no-what-ifs", no_argument, NULL, 'W'},
                                             RMC_CLI_COMMON_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    a->com.operand_name = "PROFILE.ini";
    return rmc_cli_parse_args("forecast", argc, argv, longopts, usage, parse_value, a, &a->com);
}

/* ---- the report -------------------------------------------------------- */

static void print_stat_line(const char *what, const rmc_forecast_stat *s, size_t K)
{
    if (K > 1) {
        printf("%s %.3f   Monte Carlo SE %.3f, between-market spread %.3f; 95%% interval "
               "%.2f-%.2f\n",
               what, s->p, s->se_mc, s->spread, s->lo, s->hi);
    } else {
        printf("%s %.3f   Monte Carlo SE %.3f (one market: no between-market spread); 95%% "
               "Wilson interval %.2f-%.2f\n",
               what, s->p, s->se_mc, s->lo, s->hi);
    }
}

static void print_method(const rmc_forecast_result *r, const rmc_forecast_method *me,
                         const char *name, size_t n_programs)
{
    printf("\n[%s]\n", name);
    print_stat_line("P(match)", &me->p_match, r->n_markets);
    if (r->n_markets > 1) {
        printf("  by market:");
        for (size_t k = 0; k < r->n_markets; k++) {
            printf(" %.3f", me->p_match_market[k]);
        }
        printf("\n");
    }
    printf("\n  %-2s %-32s %7s %6s %7s %-11s %9s %-15s %5s  %s\n", "#", "program (your order)",
           "P(here)", "SE", "spread", "95% int.", "P(ranked)", "position 10-90%", "list",
           "largest meeting factor");
    for (size_t l = 0; l < n_programs; l++) {
        const rmc_forecast_program *p = &me->programs[l];
        char pos[32] = "not ranked", fac[48] = "-";
        if (!isnan(p->pos_median)) {
            snprintf(pos, sizeof pos, "%.0f (%.0f-%.0f)", p->pos_median, p->pos_p10, p->pos_p90);
        }
        if (p->top_factor >= 0) {
            snprintf(fac, sizeof fac, "%s %+.1f spots", rmc_factor_name((rmc_factor)p->top_factor),
                     p->top_factor_move);
        }
        char iv[24];
        snprintf(iv, sizeof iv, "%.2f-%.2f", p->p_here.lo, p->p_here.hi);
        printf("  %-2zu %-32.32s %7.3f %6.3f %7.3f %-11s %9.3f %-15s %5d  %s\n", l + 1, p->name,
               p->p_here.p, p->p_here.se_mc, p->p_here.spread, iv, p->p_ranked.p, pos,
               p->list_length, fac);
    }
}

static void print_person(const char *who, const rmc_profile_file *pf, double pre_score)
{
    printf("%s: %s, %s, ", who, rmc_type_name(pf->type), pf->specialty);
    if (pf->has_step2_ck) {
        printf("Step 2 CK %.0f -> pre_score %.3f", pf->step2_ck, pre_score);
    } else {
        printf("pre_score %.3f", pre_score);
    }
    printf(", communication %.2f, %.0f clinical years, US experience %s, visa %s\n",
           pf->communication, pf->clinical_years, rmc_usexp_name(pf->us_experience),
           rmc_visa_name(pf->visa));
}

/* A couple's joint chances by one method. */
static void print_joint(const rmc_forecast_result *r, const rmc_forecast_joint *j, const char *name)
{
    static const char *const what[RMC_FORECAST_N_JOINT] = {
        "P(both matched)        ", "P(both in one city)    ", "P(both in one region)  ",
        "P(exactly one matched) ", "P(neither matched)     "};
    printf("\n[couple, %s method]\n", name);
    for (int o = 0; o < RMC_FORECAST_N_JOINT; o++) {
        print_stat_line(what[o], &j->p[o], r->n_markets);
    }
    if (j == &r->joint_exact) {
        printf("  replicates whose couples procedure did not converge: %llu of %llu (kept, as "
               "rankmc run keeps them)\n",
               (unsigned long long)j->unconverged,
               (unsigned long long)(r->replicates * r->n_markets));
    }
}

static void print_report(const char *path, const rmc_profile_file *pf, const rmc_forecast_result *r)
{
    printf("rankmc forecast %s\n", path);
    print_person("applicant", pf, r->pre_score);
    if (r->couple) {
        print_person("partner", pf->partner, r->partner_pre_score);
        printf("joint list: %zu entries (pairs = %s, %d \"one partner unmatched\" option%s "
               "each)\n",
               r->n_joint, rmc_pairs_name(pf->couple_pairs), pf->couple_unmatched,
               pf->couple_unmatched == 1 ? "" : "s");
    }
    printf("market: %s, %zu market%s x %llu replicates (seed %llu), %d threads, %.1f s\n",
           r->market, r->n_markets, r->n_markets == 1 ? "" : "s", (unsigned long long)r->replicates,
           (unsigned long long)r->seed, r->threads, r->wall_seconds);
    const bool two = r->couple && strcmp(pf->specialty, pf->partner->specialty) != 0;
    printf("  the %s%s%s component of market 0: %zu applicants, %zu programs, %zu interviews\n",
           pf->specialty, two ? " + " : "", two ? pf->partner->specialty : "", r->market_applicants,
           r->market_programs, r->market_interviews);
    printf("  time: markets %.1f s, engine %.1f s, your meetings %.1f s\n", r->build_seconds,
           r->fast.sim_seconds + r->exact.sim_seconds, r->eval_seconds);
    const char *const names[2][2] = {{"fast method", "exact method"},
                                     {"applicant, fast method", "applicant, exact method"}};
    const rmc_forecast_method *mine[2] = {&r->fast, &r->exact};
    const rmc_forecast_method *theirs[2] = {&r->partner_fast, &r->partner_exact};
    const rmc_forecast_joint *joint[2] = {&r->joint_fast, &r->joint_exact};
    for (int m = 0; m < 2; m++) {
        if (!mine[m]->done) {
            continue;
        }
        if (r->couple) {
            print_joint(r, joint[m], m == 0 ? "fast" : "exact");
        }
        print_method(r, mine[m], names[r->couple][m], r->n_programs);
        if (r->couple) {
            print_method(r, theirs[m], m == 0 ? "partner, fast method" : "partner, exact method",
                         r->n_partner_programs);
        }
    }
    if (r->compared > 0 && r->couple) {
        const rmc_forecast_stat *f = &r->joint_fast.p[RMC_FORECAST_BOTH],
                                *e = &r->joint_exact.p[RMC_FORECAST_BOTH];
        const double dp = f->p - e->p, se = sqrt(f->se * f->se + e->se * e->se);
        printf("\nfast - exact: P(both matched) %+.4f (%.1f combined SEs); the couple's outcome "
               "(joint-list entry) differs in %llu of %llu replicates\n",
               dp, se > 0 ? fabs(dp) / se : 0.0, (unsigned long long)r->disagreements,
               (unsigned long long)r->compared);
    } else if (r->compared > 0) {
        const double dp = r->fast.p_match.p - r->exact.p_match.p;
        const double se = sqrt(r->fast.p_match.se * r->fast.p_match.se +
                               r->exact.p_match.se * r->exact.p_match.se);
        printf("\nfast - exact: P(match) %+.4f (%.1f combined SEs); outcome differs in %llu of "
               "%llu replicates\n",
               dp, se > 0 ? fabs(dp) / se : 0.0, (unsigned long long)r->disagreements,
               (unsigned long long)r->compared);
    }
    if (r->n_whatifs > 0) {
        printf(
            "\nWhat-ifs (fast method, common random numbers; SE paired; largest effect first)\n");
        printf("  %8s %6s %7s %6s %11s  %s\n", "dP", "SE", "spread", "P", "gain/loss", "what-if");
        for (size_t w = 0; w < r->n_whatifs; w++) {
            const rmc_forecast_whatif *x = &r->whatifs[w];
            printf("  %+8.3f %6.3f %7.3f %6.3f %5d/%-5d  %s\n", x->dp, x->dp_se, x->dp_spread, x->p,
                   (int)x->n_gain, (int)x->n_loss, x->desc);
        }
        printf("\nList-length curve: P(match) ranking only your top k programs (fast)\n");
        for (size_t k = 0; k < r->n_programs; k++) {
            const rmc_forecast_stat *s = &r->curve[k];
            printf("  k = %-3zu %.3f  (SE %.3f, spread %.3f; 95%% %.2f-%.2f)\n", k + 1, s->p,
                   s->se_mc, s->spread, s->lo, s->hi);
        }
    }
    if (r->couple) {
        printf("\nA couple's forecast has no what-ifs or list-length curve (docs/forecast.md).\n");
    }
    printf("\nSE: Monte Carlo noise of the mean over markets. spread: how much P moves between\n"
           "equally plausible synthetic markets (net of that noise). The 95%% interval is for\n"
           "your P in one more market like these; it does not cover the model's assumptions\n"
           "(meeting weights, the Step 2 CK mapping, synthetic programs standing in for real\n"
           "ones): docs/forecast.md.\n");
}

static rmc_status run(void *ctx, const rmc_profile_file *pf, const rmc_cli_job_env *env,
                      rmc_problems *pr, rmc_diag *d)
{
    fc_args *a = ctx;
    a->o.work_dir = env->work_dir;
    a->o.stop = env->stop;
    a->o.progress = env->progress;
    a->o.progress_ctx = env->progress_ctx;
    return rmc_forecast_run(pf, &a->o, pr, &a->r, d);
}

static rmc_status finish(void *ctx, const rmc_profile_file *pf, const char *cmdline, rmc_diag *d)
{
    const fc_args *a = ctx;
    print_report(a->com.operand, pf, a->r);
    return a->com.out != NULL ? rmc_forecast_write(a->com.out, a->com.force, a->r, cmdline, d)
                              : RMC_OK;
}

int rmc_cli_forecast(int argc, char **argv)
{
    fc_args a;
    memset(&a, 0, sizeof a);
    rmc_forecast_options_default(&a.o);
    a.o.threads = omp_get_max_threads();
    const int parsed = parse_args(argc, argv, &a);
    if (parsed >= 0) {
        return parsed;
    }
    const rmc_cli_profile_job job = {.cmd = "forecast",
                                     .com = &a.com,
                                     .load = rmc_profile_load,
                                     .run = run,
                                     .finish = finish,
                                     .ctx = &a};
    const int rc = rmc_cli_profile_command(&job, argc, argv);
    rmc_forecast_result_free(a.r);
    return rc;
}
