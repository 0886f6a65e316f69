/* rankmc bench [--ranks LIST] [--threads LIST] [--scale F] [-n N]: the
 * standard national workload (benchmark.h) at each rank count x thread
 * count, printed as a scaling table with per-phase times, reduce and write
 * times and memory, plus one RANKMC_BENCH line per row for scripts. Same
 * workload and checksum on every machine and in every row.
 */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark.h"
#include "cli.h"

static const char *const phase_names[RMC_SIM_N_PHASES] = {"meeting", "rols", "match", "accum"};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rankmc bench [--ranks LIST] [--threads LIST] [--scale F] [-n N]\n\n"
            "Time the standard workload: the synthetic NRMP 2025 market (synth preset\n"
            "nrmp2025, seed %u) at scale F, N replicates (seed %u) at each rank count\n"
            "x thread count. Prints replicates/s, speed-up and parallel efficiency\n"
            "against the first row, thread-seconds per phase (meeting, ROL generation,\n"
            "Match, accumulation), the time to sum the tables into rank 0 and to write\n"
            "the result file from rank 0, peak memory of the largest rank, and a\n"
            "checksum of the result, which is the same in every row and on every\n"
            "machine. Under mpirun (the MPI build, docs/mpi.md) each row runs on the\n"
            "first R of the ranks started.\n\n"
            "  -r, --ranks LIST     comma-separated rank counts, each at most the ranks\n"
            "                       mpirun started (default 1 and all of them)\n"
            "  -t, --threads LIST   comma-separated thread counts per rank (default 1 and\n"
            "                       all cores)\n"
            "  -s, --scale F        market scale (default 1 = national)\n"
            "  -n, --replicates N   replicates per thread count (default 64)\n"
            "  -h, --help           this text\n",
            RMC_BENCH_SYNTH_SEED, RMC_BENCH_SIM_SEED);
}

/* Comma-separated counts 1 .. max_v, at most max_n of them, into out. */
static bool parse_list(const char *s, int *out, size_t *n, size_t max_n, int max_v)
{
    *n = 0;
    while (*s != '\0') {
        const char *comma = strchr(s, ',');
        const size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
        char item[24];
        uint64_t v = 0;
        if (len >= sizeof item || *n == max_n || (comma != NULL && comma[1] == '\0')) {
            return false;
        }
        memcpy(item, s, len);
        item[len] = '\0';
        if (!rmc_cli_parse_u64(item, 1, (uint64_t)max_v, false, &v)) {
            return false;
        }
        out[(*n)++] = (int)v;
        s += len + (comma != NULL);
    }
    return *n > 0;
}

static int parse_args(int argc, char **argv, rmc_bench_options *o, bool *help)
{
    static const struct option longopts[] = {
        {"ranks", required_argument, NULL, 'r'}, {"threads", required_argument, NULL, 't'},
        {"scale", required_argument, NULL, 's'}, {"replicates", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    const int job = rmc_dist_size(rmc_cli_dist());
    while ((c = getopt_long(argc, argv, "r:t:s:n:h", longopts, NULL)) != -1) {
        uint64_t v = 0;
        if (c == 't' && !parse_list(optarg, o->threads, &o->n_threads, RMC_BENCH_MAX_THREADS,
                                    RMC_BENCH_MAX_THREADS)) {
            return rmc_cli_usage_error("bench", "--threads needs counts 1-%d like 1,2,4, not '%s'",
                                       RMC_BENCH_MAX_THREADS, optarg);
        } else if (c == 'r' && !parse_list(optarg, o->ranks, &o->n_ranks, RMC_BENCH_MAX_RANKS,
                                           job < RMC_BENCH_MAX_RANKS ? job : RMC_BENCH_MAX_RANKS)) {
            return rmc_cli_usage_error(
                "bench", "--ranks needs counts 1-%d (the ranks started), not '%s'", job, optarg);
        } else if (c == 's') {
            if (!rmc_cli_parse_real(optarg, 0.0, 100.0, RMC_CLI_OPEN_LO, &o->scale)) {
                return rmc_cli_usage_error("bench", "--scale needs a number in (0, 100], not '%s'",
                                           optarg);
            }
        } else if (c == 'n') {
            if (!rmc_cli_parse_u64(optarg, 1, UINT32_MAX, false, &v)) {
                return rmc_cli_usage_error("bench", "-n needs a count >= 1, not '%s'", optarg);
            }
            o->replicates = v;
        } else if (c == 'h') {
            *help = true;
        } else if (c != 't' && c != 'r') {
            return rmc_cli_usage_error("bench", "unknown option");
        }
    }
    if (optind != argc) {
        return rmc_cli_usage_error("bench", "unexpected argument '%s'", argv[optind]);
    }
    return RMC_EXIT_OK;
}

/* What the row callback needs to print the heading before the first row. */
typedef struct bench_print {
    const rmc_bench_options *o;
    const rmc_bench_workload *w; /* filled by rmc_bench_run before the first row */
    bool headed;
} bench_print;

static void print_head(const rmc_bench_options *o, const rmc_bench_workload *w);

static void print_row(void *ctx, const rmc_bench_row *r)
{
    bench_print *bp = ctx;
    if (!bp->headed) {
        print_head(bp->o, bp->w);
        bp->headed = true;
    }
    printf("%5d %7d %8llu %8.2f %10.3f %8.2f %6.0f%%", r->ranks, r->threads,
           (unsigned long long)r->replicates, r->wall_seconds, r->reps_per_s, r->speedup,
           100.0 * r->efficiency);
    for (int ph = 0; ph < RMC_SIM_N_PHASES; ph++) {
        printf(" %8.1f", 1e3 * r->phase_seconds[ph] / (double)r->replicates);
    }
    printf(" %8.3f %8.3f %8.0f %8.0f  %s\n", r->reduce_seconds, r->write_seconds,
           (double)r->peak_rss / 1048576.0, (double)r->memory_estimate / 1048576.0, r->checksum);
    fflush(stdout);
}

static void print_machine(const rmc_bench_options *o, const rmc_bench_row *rows)
{
    for (size_t t = 0; t < o->n_ranks * o->n_threads; t++) {
        const rmc_bench_row *r = &rows[t];
        printf("RANKMC_BENCH threads=%d ranks=%d scale=%g replicates=%llu wall_s=%.4f "
               "reps_per_s=%.4f speedup=%.4f efficiency=%.4f",
               r->threads, r->ranks, o->scale, (unsigned long long)r->replicates, r->wall_seconds,
               r->reps_per_s, r->speedup, r->efficiency);
        for (int ph = 0; ph < RMC_SIM_N_PHASES; ph++) {
            printf(" %s_ms=%.3f", phase_names[ph],
                   1e3 * r->phase_seconds[ph] / (double)r->replicates);
        }
        printf(" reduce_s=%.4f write_s=%.4f peak_rss_mb=%.1f checksum=%s\n", r->reduce_seconds,
               r->write_seconds, (double)r->peak_rss / 1048576.0, r->checksum);
    }
}

/* Table heading, printed once the workload exists. */
static void print_head(const rmc_bench_options *o, const rmc_bench_workload *w)
{
    printf("rankmc bench %s: nrmp2025 scale %g (synth seed %u), %llu replicates (seed %u)\n",
           rmc_version(), o->scale, RMC_BENCH_SYNTH_SEED, (unsigned long long)o->replicates,
           RMC_BENCH_SIM_SEED);
    printf("workload: %zu applicants, %zu programs, %zu positions, %zu interviews "
           "(synth %.2f s, load %.2f s)\n",
           w->n_applicants, w->n_programs, w->n_positions, w->n_interviews, w->synth_seconds,
           w->load_seconds);
    printf("phases: thread-ms per replicate, summed over rank 0's threads; reduce_s: summing the\n"
           "tables into rank 0 (in wall_s); write_s: the result file from rank 0; memory: peak\n"
           "RSS so far of the largest rank and one rank's estimate, MiB\n");
    printf("%5s %7s %8s %8s %10s %8s %7s %8s %8s %8s %8s %8s %8s %8s %8s  %s\n", "ranks", "threads",
           "reps", "wall_s", "reps/s", "speedup", "effic.", "meeting", "rols", "match", "accum",
           "reduce_s", "write_s", "peak_mb", "est_mb", "checksum");
}

int rmc_cli_bench(int argc, char **argv)
{
    rmc_bench_options o;
    rmc_bench_options_default(&o);
    o.dist = rmc_cli_dist();
    if (rmc_dist_size(o.dist) > 1) {
        o.ranks[o.n_ranks++] = rmc_dist_size(o.dist);
    }
    bool help = false;
    const int rc = parse_args(argc, argv, &o, &help);
    if (rc != RMC_EXIT_OK || help) {
        if (help) {
            usage(stdout);
        }
        return rc;
    }
    rmc_bench_row *rows = calloc(o.n_ranks * o.n_threads, sizeof *rows);
    if (rows == NULL) {
        fprintf(stderr, "rankmc bench: out of memory\n");
        return RMC_EXIT_FAILURE;
    }
    rmc_bench_workload w;
    bench_print bp = {&o, &w, false};
    rmc_diag d = {0};
    const rmc_status st = rmc_bench_run(&o, rows, &w, print_row, &bp, &d);
    if (st != RMC_OK) {
        rmc_cli_print_diag("bench", &d, st);
        free(rows);
        return rmc_cli_exit_code(st);
    }
    if (!rmc_cli_root()) {
        free(rows);
        return RMC_EXIT_OK; /* rank 0 reports */
    }
    bool same = true;
    for (size_t t = 1; t < o.n_ranks * o.n_threads; t++) {
        same = same && strcmp(rows[t].checksum, rows[0].checksum) == 0;
    }
    printf("checksum %s across %s\n", same ? "identical" : "DIFFERS",
           o.n_ranks > 1 ? "rank and thread counts" : "thread counts");
    print_machine(&o, rows);
    free(rows);
    return same ? RMC_EXIT_OK : RMC_EXIT_FAILURE;
}
