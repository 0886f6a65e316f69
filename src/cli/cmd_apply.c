/* rankmc apply: where to apply (docs/apply.md). The applicant of a profile
 * in K synthetic markets with an interview offer model at run time; the
 * recommended order of applications (greedy, common random numbers) with
 * each step's P(interview), marginal gain and cumulative P(match), the point
 * of diminishing returns, expected interviews, and three baselines compared
 * paired; with -o the /apply/... datasets.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct ap_args {
    rmc_cli_common com; /* PROFILE.ini, -o (NULL: no file), -f, -q */
    rmc_apply_options o;
    rmc_apply_result *r; /* NULL until run */
    bool setting_given;  /* --setting given: it overrides the profile's [apply] setting */
    bool quantile_given; /* --min-desirability given: likewise for min_desirability */
} ap_args;

static void usage(FILE *f)
{
    fprintf(f, "usage: rankmc apply PROFILE.ini [--market M] [--markets K] [--candidates FILE]\n"
               "                    [--max-applications M] [--cost-per-application USD]\n"
               "                    [--min-desirability Q] [--setting S] [--what-ifs] [-n N]\n"
               "                    [-s SEED] [-t THREADS] [-o OUT.h5] [--force] [--quiet]\n\n"
               "Where to apply. The profile's [applicant] (docs/forecast.md) is placed in K\n"
               "synthetic markets with an interview at every candidate program; each replicate\n"
               "draws the programs' interview offers (visa screen, offer score against the\n"
               "program's offer cutoff, your interview cap: docs/synth.md), the rank meetings\n"
               "and the Match, so offers, meetings and the Match are one simulation. A greedy\n"
               "optimiser orders the applications by their gain in P(match) (docs/apply.md).\n\n"
               "  --market M              a synth preset (nrmp2025, im, im-regional) or\n"
               "                          PRESET:SCALE; default nrmp2025\n"
               "  --markets K             independent synthetic markets (default 4)\n"
               "  --candidates FILE       market-0 program ids, one a line (default: every\n"
               "                          program of the specialty, or the profile's [program]\n"
               "                          sections when it has any)\n"
               "  --max-applications M    length of the recommended order (default 40)\n"
               "  --cost-per-application USD  adds a cumulative cost column (default none)\n"
               "  --min-desirability Q    only programs at or above this desirability quantile\n"
               "                          of the specialty: 0 <= Q < 1, or top | high | middle |\n"
               "                          low (0.90, 0.70, 0.50, 0.25); where you would be happy\n"
               "                          (default: the profile's [apply] min_desirability)\n"
               "  --setting S             only academic or community programs (default: the\n"
               "                          profile's [apply] setting, else any)\n"
               "  --what-ifs              also: Step 2 CK +-10, communication, US experience,\n"
               "                          visa, each for the recommended list and for one chosen\n"
               "                          anew (costs your offers and meetings once more each)\n"
               "  -n, --replicates N      evaluation replicates per market (default 100); as\n"
               "                          many again are run to choose on\n"
               "  -s, --seed SEED         master seed (default 1)\n"
               "  -t, --threads T         OpenMP threads (default: all)\n"
               "  -o, --output FILE       also write /apply/... datasets to FILE (HDF5)\n"
               "  -f, --force             replace an existing FILE\n"
               "  -q, --quiet             no progress line\n"
               "  -h, --help              this text\n\n"
               "Every P(match) comes with its Monte Carlo SE, the between-market spread and a\n"
               "95%% interval for a market like these; gains and baseline differences with a\n"
               "paired SE. None of it covers the model's own assumptions (docs/apply.md).\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input (FILE:LINE\n"
               "problems; nothing written), 130 / 143 stopped by a signal.\n");
}

/* --min-desirability: a tier word (its market quantile) or 0 <= Q < 1. */
static int parse_quantile(const char *arg, double *q)
{
    if (!rmc_desirability_quantile(arg, q)) {
        return rmc_cli_usage_error("apply",
                                   "--min-desirability needs a quantile 0 <= Q < 1 or top, high, "
                                   "middle, low, not '%s'",
                                   arg);
    }
    return 0;
}

/* One option's value into a. Over 80 lines, but flat: one case per
 * option, each parsing and checking its own value. */
static int parse_value(int c, char *arg, void *ctx)
{
    ap_args *a = ctx;
    uint64_t v = 0;
    switch (c) {
    case 'n':
        if (!rmc_cli_parse_u64(arg, 2, 1000000, false, &v)) {
            return rmc_cli_usage_error("apply", "-n needs a count from 2 to 1000000, not '%s'",
                                       arg);
        }
        a->o.replicates = v;
        return 0;
    case 's':
        return rmc_cli_parse_seed("apply", arg, &a->o.seed);
    case 't':
        return rmc_cli_parse_threads("apply", arg, &a->o.threads);
    case 'K':
        if (!rmc_cli_parse_u64(arg, 1, 1000, false, &v)) {
            return rmc_cli_usage_error("apply", "--markets needs 1 to 1000, not '%s'", arg);
        }
        a->o.n_markets = (size_t)v;
        return 0;
    case 'A':
        if (!rmc_cli_parse_u64(arg, 1, 1000, false, &v)) {
            return rmc_cli_usage_error("apply", "--max-applications needs 1 to 1000, not '%s'",
                                       arg);
        }
        a->o.max_applications = (size_t)v;
        return 0;
    case 'C':
        if (!rmc_cli_parse_real(arg, 0, 1e6, 0, &a->o.cost_per_application)) {
            return rmc_cli_usage_error(
                "apply", "--cost-per-application needs 0 to 1000000 (USD), not '%s'", arg);
        }
        return 0;
    case 'Q':
        a->quantile_given = true;
        return parse_quantile(arg, &a->o.min_quantile);
    case 'S':
        a->setting_given = true;
        if (strcmp(arg, "academic") == 0) {
            a->o.setting = RMC_SETTING_ACADEMIC;
        } else if (strcmp(arg, "community") == 0) {
            a->o.setting = RMC_SETTING_COMMUNITY;
        } else {
            return rmc_cli_usage_error("apply", "--setting is academic or community, not '%s'",
                                       arg);
        }
        return 0;
    case 'M':
        a->o.market = arg;
        return 0;
    case 'c':
        a->o.candidates = arg;
        return 0;
    case 'W':
        a->o.what_ifs = true;
        return 0;
    default:
        return rmc_cli_usage_error("apply", "unknown option or missing value");
    }
}

static int parse_args(int argc, char **argv, ap_args *a)
{
    static const struct option longopts[] = {{"market", required_argument, NULL, 'M'},
                                             {"markets", required_argument, NULL, 'K'},
                                             {"candidates", required_argument, NULL, 'c'},
                                             {"max-applications", required_argument, NULL, 'A'},
                                             {"cost-per-application", required_argument, NULL, 'C'},
                                             {"min-desirability", required_argument, NULL, 'Q'},
                                             {"setting", required_argument, NULL, 'S'},
                                             {"what-ifs", no_argument, NULL, 'W'},
                                             RMC_CLI_COMMON_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    a->com.operand_name = "PROFILE.ini";
    return rmc_cli_parse_args("apply", argc, argv, longopts, usage, parse_value, a, &a->com);
}

/* ---- the report -------------------------------------------------------- */

static const char *sponsors_word(int s)
{
    return rmc_sponsors_name((rmc_sponsors)s);
}

static void print_steps(const rmc_apply_result *r)
{
    const bool cost = r->cost_per_application > 0;
    printf("\nRecommended order (chosen on the selection replicates; every figure below from the\n"
           "independent evaluation replicates)\n");
    printf("  %3s %-8s %-36s %-6s %6s %7s %7s %6s %6s %6s %7s %-11s %6s%s\n", "k", "id",
           "program added", "visa", "desir", "P(int)", "gain", "SE", "P(match)", "SE", "spread",
           "95% int.", "E[int]", cost ? "     cost" : "");
    for (size_t s = 0; s < r->n_steps; s++) {
        const rmc_apply_step *p = &r->steps[s];
        const rmc_apply_candidate *c = &r->candidates[p->cand];
        char iv[24];
        snprintf(iv, sizeof iv, "%.2f-%.2f", p->p_match.lo, p->p_match.hi);
        printf("%s %3zu %-8.8s %-36.36s %-6s %6.2f %7.3f %+7.3f %6.3f %8.3f %6.3f %7.3f %-11s "
               "%6.2f",
               r->diminishing_k == s + 1 ? "*" : " ", s + 1, c->id, c->name,
               sponsors_word(c->sponsors), c->desirability, c->p_offer.p, p->gain, p->gain_se,
               p->p_match.p, p->p_match.se_mc, p->p_match.spread, iv, p->interviews);
        if (cost) {
            printf(" %8.0f", r->cost_per_application * (double)(s + 1));
        }
        printf("\n");
    }
    if (r->diminishing_k > 0) {
        const size_t k = r->diminishing_k;
        printf("* point of diminishing returns: k = %zu, the smallest k whose next five "
               "applications add less than one point (P(match) %.3f -> %.3f at k = %zu)\n",
               k, r->steps[k - 1].p_match.p, r->steps[k + 4].p_match.p, k + 5);
    } else {
        printf("point of diminishing returns: not reached within %zu applications (five more "
               "still add at least one point)\n",
               r->n_steps);
    }
}

static void print_baselines(const rmc_apply_result *r)
{
    printf("\nBaselines with the same number of applications (same evaluation replicates;\n"
           "difference = recommended - baseline, paired SE)\n");
    printf("  %4s %9s", "k", "optimised");
    for (int b = 0; b < RMC_APPLY_N_BASELINES; b++) {
        printf("   %-26s", r->baselines[b].name);
    }
    printf("\n");
    for (size_t s = 0; s < r->n_steps; s++) {
        const size_t k = s + 1;
        if (k != 1 && k % 5 != 0 && k != r->n_steps) {
            continue;
        }
        printf("  %4zu %9.3f", k, r->steps[s].p_match.p);
        for (int b = 0; b < RMC_APPLY_N_BASELINES; b++) {
            const rmc_apply_baseline *bl = &r->baselines[b];
            char cell[48];
            snprintf(cell, sizeof cell, "%.3f (%+.3f +- %.3f)", bl->p_match[s].p, bl->diff[s],
                     bl->diff_se[s]);
            printf("   %-26s", cell);
        }
        printf("\n");
    }
    for (int b = 0; b < RMC_APPLY_N_BASELINES; b++) {
        const rmc_apply_baseline *bl = &r->baselines[b];
        if (bl->available < r->n_steps) {
            printf("  %s: only %zu candidates qualify; it stops growing after k = %zu\n", bl->name,
                   bl->available, bl->available);
        }
    }
}

static void print_whatifs(const rmc_apply_result *r)
{
    if (r->n_whatifs == 0) {
        return;
    }
    printf("\nWhat-ifs with %zu applications (common random numbers; dP against the\n"
           "recommendation, paired SE; largest effect of choosing anew first)\n",
           r->n_steps);
    printf("  %-44s %16s %16s %7s %10s %10s\n", "what-if", "same list dP", "chosen anew dP", "SE",
           "P(match)", "overlap");
    for (size_t w = 0; w < r->n_whatifs; w++) {
        const rmc_apply_whatif *x = &r->whatifs[w];
        char a[32], b[32];
        snprintf(a, sizeof a, "%+.3f (%.3f)", x->dp_list, x->dp_list_se);
        snprintf(b, sizeof b, "%+.3f", x->dp_reopt);
        printf("  %-44.44s %16s %16s %7.3f %10.3f %7zu/%zu\n", x->desc, a, b, x->dp_reopt_se,
               x->p_reopt, x->overlap, r->n_steps);
    }
    printf("  overlap: programs the list chosen anew shares with the recommendation\n");
}

static void print_report(const char *path, const rmc_profile_file *pf, const rmc_apply_result *r)
{
    printf("rankmc apply %s\n", path);
    printf("applicant: %s, %s, ", rmc_type_name(pf->type), pf->specialty);
    if (pf->has_step2_ck) {
        printf("Step 2 CK %.0f -> pre_score %.3f", pf->step2_ck, r->pre_score);
    } else {
        printf("pre_score %.3f", r->pre_score);
    }
    printf(", visa %s; offers and interview cap drawn as synth group %s\n", rmc_visa_name(pf->visa),
           r->group);
    printf("market: %s, %zu market%s x %llu evaluation + %llu selection replicates (seed %llu), "
           "%d threads, %.1f s\n",
           r->market, r->n_markets, r->n_markets == 1 ? "" : "s", (unsigned long long)r->replicates,
           (unsigned long long)r->replicates, (unsigned long long)r->seed, r->threads,
           r->wall_seconds);
    printf("candidates: %zu programs; time: markets %.1f s, engine %.1f s, your meetings and "
           "offers %.1f s, optimiser %.2f s\n",
           r->n_candidates, r->build_seconds, r->sim_seconds, r->eval_seconds, r->optimise_seconds);
    print_steps(r);
    print_baselines(r);
    print_whatifs(r);
    printf("\nP(int): P(interview offer) from the program if you apply. gain: the step's change\n"
           "in P(match) (paired SE). E[int]: expected interviews attended (at most your cap).\n"
           "SE: Monte Carlo noise; spread: between equally plausible markets; the 95%% interval\n"
           "is for your P in one more market like these. Not covered: the model's assumptions\n"
           "(offer model, meeting weights, Step 2 CK mapping, synthetic programs standing in\n"
           "for real ones): docs/apply.md.\n");
}

static rmc_status run(void *ctx, const rmc_profile_file *pf, const rmc_cli_job_env *env,
                      rmc_problems *pr, rmc_diag *d)
{
    ap_args *a = ctx;
    if (!a->setting_given) {
        a->o.setting = pf->apply_setting;
    }
    if (!a->quantile_given) {
        a->o.min_quantile = pf->apply_min_quantile;
    }
    a->o.work_dir = env->work_dir;
    a->o.stop = env->stop;
    a->o.progress = env->progress;
    a->o.progress_ctx = env->progress_ctx;
    return rmc_apply_run(pf, &a->o, pr, &a->r, d);
}

static rmc_status finish(void *ctx, const rmc_profile_file *pf, const char *cmdline, rmc_diag *d)
{
    const ap_args *a = ctx;
    print_report(a->com.operand, pf, a->r);
    return a->com.out != NULL ? rmc_apply_write(a->com.out, a->com.force, a->r, cmdline, d)
                              : RMC_OK;
}

int rmc_cli_apply(int argc, char **argv)
{
    ap_args a;
    memset(&a, 0, sizeof a);
    rmc_apply_options_default(&a.o);
    a.o.threads = omp_get_max_threads();
    const int parsed = parse_args(argc, argv, &a);
    if (parsed >= 0) {
        return parsed;
    }
    const rmc_cli_profile_job job = {.cmd = "apply",
                                     .com = &a.com,
                                     .load = rmc_profile_load_applicant,
                                     .run = run,
                                     .finish = finish,
                                     .ctx = &a};
    const int rc = rmc_cli_profile_command(&job, argc, argv);
    rmc_apply_result_free(a.r);
    return rc;
}
