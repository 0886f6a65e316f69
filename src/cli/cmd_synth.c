/* rankmc synth: write a synthetic market (a model folder) from a preset.
 * Parses the options, calls rmc_synth_write and prints a short summary:
 * applicants by group, programs, positions, interviews. */
#include <float.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rankmc/synth.h"

static void print_usage(FILE *f)
{
    fprintf(f, "usage: rankmc synth --preset NAME -o DIR [--scale F] [--seed S]\n"
               "                    [--applicants N] [--programs M] [--couples N|nrmp]\n"
               "                    [--tracks | --no-tracks] [--fixed-lists] [--force]\n\n"
               "Write a synthetic market into DIR (model.ini, applicants.csv, programs.csv,\n"
               "interviews.csv, and couples.csv when it has couples). The same options and\n"
               "seed write identical files. Applicant rank order lists are not written:\n"
               "`rankmc run` draws them each replicate, and couples' joint lists too.\n\n"
               "  --preset NAME      one of:\n");
    for (size_t i = 0; i < rmc_synth_n_presets(); i++) {
        fprintf(f, "                       %-12s %s\n", rmc_synth_preset_name(i),
                rmc_synth_preset_doc(i));
    }
    fprintf(f, "  -o, --output DIR   folder to create (refused if not empty, unless --force)\n"
               "  --scale F          multiply the preset's applicant and program counts (1)\n"
               "  -s, --seed S       random seed (1)\n"
               "  --applicants N     exact applicant count (preset proportions)\n"
               "  --programs M       exact program count (positions follow)\n"
               "  --couples N|nrmp   this many couples (default 0: none), or nrmp: the\n"
               "                     preset's NRMP share (1,150 at nrmp2025 scale 1); see\n"
               "                     docs/synth.md on how often the Match then converges\n"
               "  --tracks           NRMP tracks (nrmp2025 only): preliminary, transitional and\n"
               "                     advanced (PGY-2) programs (programs.csv `track`), the\n"
               "                     supplemental interviews of applicants to advanced\n"
               "                     programs, reversions.csv (docs/synth.md \"Tracks\")\n"
               "                     and [soap] in model.ini; the default for nrmp2025\n"
               "  --no-tracks        categorical PGY-1 positions only\n"
               "  --fixed-lists      couples: write joint lists drawn once (ranked rows of\n"
               "                     couples.csv, fixed for every replicate) instead of\n"
               "                     rows whose lists rankmc run generates each replicate\n"
               "  --force            write into a non-empty folder, replacing model files\n");
}

enum {
    OPT_PRESET = 256,
    OPT_SCALE,
    OPT_APPLICANTS,
    OPT_PROGRAMS,
    OPT_COUPLES,
    OPT_FORCE,
    OPT_TRACKS,
    OPT_NO_TRACKS,
    OPT_FIXED_LISTS,
    OPT_HELP
};

/* Fill o and *dir from argv. Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, rmc_synth_options *o, const char **dir)
{
    static const struct option longopts[] = {
        {"preset", required_argument, NULL, OPT_PRESET},
        {"output", required_argument, NULL, 'o'},
        {"scale", required_argument, NULL, OPT_SCALE},
        {"seed", required_argument, NULL, 's'},
        {"applicants", required_argument, NULL, OPT_APPLICANTS},
        {"programs", required_argument, NULL, OPT_PROGRAMS},
        {"couples", required_argument, NULL, OPT_COUPLES},
        {"force", no_argument, NULL, OPT_FORCE},
        {"tracks", no_argument, NULL, OPT_TRACKS},
        {"no-tracks", no_argument, NULL, OPT_NO_TRACKS},
        {"fixed-lists", no_argument, NULL, OPT_FIXED_LISTS},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0}};
    o->preset = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:s:h", longopts, NULL)) != -1) {
        bool ok = true;
        uint64_t v = 0;
        switch (c) {
        case OPT_PRESET:
            o->preset = optarg;
            break;
        case 'o':
            *dir = optarg;
            break;
        case OPT_SCALE:
            ok = rmc_cli_parse_real(optarg, 0.0, DBL_MAX, RMC_CLI_OPEN_LO, &o->scale);
            break;
        case 's':
            ok = rmc_cli_parse_u64(optarg, 0, UINT64_MAX, false, &o->seed);
            break;
        case OPT_APPLICANTS:
            ok = rmc_cli_parse_u64(optarg, 1, SIZE_MAX, false, &v);
            o->n_applicants = ok ? (size_t)v : o->n_applicants;
            break;
        case OPT_PROGRAMS:
            ok = rmc_cli_parse_u64(optarg, 1, SIZE_MAX, false, &v);
            o->n_programs = ok ? (size_t)v : o->n_programs;
            break;
        case OPT_COUPLES:
            if (strcmp(optarg, "nrmp") == 0) {
                o->couples = -1;
                break;
            }
            ok = rmc_cli_parse_u64(optarg, 0, 10000000, false, &v);
            o->couples = ok ? (int64_t)v : o->couples;
            break;
        case OPT_FORCE:
            o->force = true;
            break;
        case OPT_FIXED_LISTS:
            o->fixed_lists = true;
            break;
        case OPT_TRACKS:
        case OPT_NO_TRACKS:
            o->tracks = c == OPT_TRACKS;
            break;
        case 'h':
        case OPT_HELP:
            print_usage(stdout);
            return RMC_EXIT_OK;
        default:
            return rmc_cli_usage_error("synth", "unknown option or missing value: %s",
                                       argv[optind - 1]);
        }
        if (!ok) {
            return rmc_cli_usage_error("synth", "bad value '%s' for %s", optarg,
                                       argv[optind - 2 >= 1 ? optind - 2 : 1]);
        }
    }
    if (optind < argc) {
        return rmc_cli_usage_error("synth", "unexpected argument '%s'", argv[optind]);
    }
    if (o->preset == NULL || *dir == NULL) {
        return rmc_cli_usage_error("synth", "--preset NAME and -o DIR are required");
    }
    return -1;
}

static void print_summary(const rmc_synth_options *o, const char *dir, const rmc_synth_summary *s)
{
    printf("rankmc synth: preset %s, seed %llu -> %s\n", o->preset, (unsigned long long)o->seed,
           dir);
    printf("applicants  %zu\n", s->n_applicants);
    for (int g = 0; g < RMC_SYNTH_N_GROUPS; g++) {
        const size_t n = s->n_group[g];
        printf("  %-11s %7zu  (%.1f%%)  %.1f interviews each\n",
               rmc_synth_group_name((rmc_synth_group)g), n,
               100.0 * (double)n / (double)s->n_applicants,
               n > 0 ? (double)s->n_iv_group[g] / (double)n : 0.0);
    }
    printf("programs    %zu in %zu specialt%s\n", s->n_programs, s->n_specialties,
           s->n_specialties == 1 ? "y" : "ies");
    printf("positions   %zu\n", s->n_positions);
    if (s->tracks) {
        printf("  categorical %6zu  in %zu programs\n", s->n_positions_track[0],
               s->n_programs_track[0]);
        printf("  preliminary %6zu  in %zu programs (transitional included)\n",
               s->n_positions_track[1], s->n_programs_track[1]);
        printf("  advanced    %6zu  in %zu programs (PGY-2)\n", s->n_positions_track[2],
               s->n_programs_track[2]);
        printf("  PGY-1       %6zu\n", s->n_positions_track[0] + s->n_positions_track[1]);
        printf("supplemental %zu interviews at preliminary programs, for %zu applicants with an "
               "advanced interview\n",
               s->n_supp_interviews, s->n_supp_applicants);
        printf("prelim-only  %zu applicants interview only at preliminary programs\n",
               s->n_prelim_only);
        printf("reversions  %zu\n", s->n_reversions);
    }
    printf("couples     %zu  (%.1f%% of applicants in couples)\n", s->n_couples,
           200.0 * (double)s->n_couples / (double)s->n_applicants);
    printf("interviews  %zu  (%.2f per applicant, %.1f per program)\n", s->n_interviews,
           (double)s->n_interviews / (double)s->n_applicants,
           (double)s->n_interviews / (double)s->n_programs);
}

int rmc_cli_synth(int argc, char **argv)
{
    rmc_synth_options o;
    rmc_synth_options_default(&o);
    const char *dir = NULL;
    const int rc = parse_args(argc, argv, &o, &dir);
    if (rc >= 0) {
        return rc;
    }
    rmc_synth_summary s;
    rmc_diag d = {0};
    const rmc_status st = rmc_synth_write(&o, dir, &s, &d);
    if (st != RMC_OK) {
        rmc_cli_print_diag("synth", &d, st);
        return rmc_cli_exit_code(st);
    }
    print_summary(&o, dir, &s);
    return RMC_EXIT_OK;
}
