/* rankmc bench [--ranks LIST] [--threads LIST] [--scale F] [-n N] [--json]:
 * the standard national workload (benchmark.h) at each rank count x thread
 * count, printed as a scaling table with per-phase times, reduce and write
 * times and memory, plus one RANKMC_BENCH line per row for scripts; with
 * --json the table goes to standard error and standard output gets one JSON
 * document with the machine, the build and every row. Same workload and
 * checksum on every machine and in every row.
 */
#define _POSIX_C_SOURCE 200809L /* sysconf, uname */

#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "benchmark.h"
#include "cli.h"

static const char *const phase_names[RMC_SIM_N_PHASES] = {"meeting", "rols", "match", "accum",
                                                          "soap"};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rankmc bench [--ranks LIST] [--threads LIST] [--scale F] [-n N] [--json]\n\n"
            "Time the standard workload: the synthetic NRMP 2025 market (synth preset\n"
            "nrmp2025, seed %u) at scale F, N replicates (seed %u) at each rank count\n"
            "x thread count. Prints replicates/s, speed-up and parallel efficiency\n"
            "against the first row, thread-seconds per phase (meeting, ROL generation,\n"
            "Match, accumulation, SOAP), the time to sum the tables into rank 0 and to\n"
            "write the result file from rank 0, peak memory of the largest rank, and a\n"
            "checksum of the result, which is the same in every row and on every\n"
            "machine. Under mpirun (the MPI build, docs/mpi.md) each row runs on the\n"
            "first R of the ranks started.\n\n"
            "  -r, --ranks LIST     comma-separated rank counts, each at most the ranks\n"
            "                       mpirun started (default 1 and all of them)\n"
            "  -t, --threads LIST   comma-separated thread counts per rank (default 1 and\n"
            "                       all cores)\n"
            "  -s, --scale F        market scale (default 1 = national)\n"
            "  -n, --replicates N   replicates per thread count (default 64)\n"
            "  -j, --json           print one JSON document (machine, build, workload,\n"
            "                       every row) on standard output; the table goes to\n"
            "                       standard error\n"
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

static int parse_args(int argc, char **argv, rmc_bench_options *o, bool *help, bool *json)
{
    static const struct option longopts[] = {{"ranks", required_argument, NULL, 'r'},
                                             {"threads", required_argument, NULL, 't'},
                                             {"scale", required_argument, NULL, 's'},
                                             {"replicates", required_argument, NULL, 'n'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    const int job = rmc_dist_size(rmc_cli_dist());
    while ((c = getopt_long(argc, argv, "r:t:s:n:jh", longopts, NULL)) != -1) {
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
        } else if (c == 'j') {
            *json = true;
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
    FILE *f;                     /* the table's stream */
    bool headed;
} bench_print;

static void print_head(FILE *f, const rmc_bench_options *o, const rmc_bench_workload *w);

static void print_row(void *ctx, const rmc_bench_row *r)
{
    bench_print *bp = ctx;
    FILE *f = bp->f;
    if (!bp->headed) {
        print_head(f, bp->o, bp->w);
        bp->headed = true;
    }
    fprintf(f, "%5d %7d %8llu %8.2f %10.3f %8.2f %6.0f%%", r->ranks, r->threads,
            (unsigned long long)r->replicates, r->wall_seconds, r->reps_per_s, r->speedup,
            100.0 * r->efficiency);
    for (int ph = 0; ph < RMC_SIM_N_PHASES; ph++) {
        fprintf(f, " %8.1f", 1e3 * r->phase_seconds[ph] / (double)r->replicates);
    }
    fprintf(f, " %8.3f %8.3f %8.0f %8.0f  %s\n", r->reduce_seconds, r->write_seconds,
            (double)r->peak_rss / 1048576.0, (double)r->memory_estimate / 1048576.0, r->checksum);
    fflush(f);
}

static void print_machine(FILE *f, const rmc_bench_options *o, const rmc_bench_row *rows)
{
    for (size_t t = 0; t < o->n_ranks * o->n_threads; t++) {
        const rmc_bench_row *r = &rows[t];
        fprintf(f,
                "RANKMC_BENCH threads=%d ranks=%d scale=%g replicates=%llu wall_s=%.4f "
                "reps_per_s=%.4f speedup=%.4f efficiency=%.4f",
                r->threads, r->ranks, o->scale, (unsigned long long)r->replicates, r->wall_seconds,
                r->reps_per_s, r->speedup, r->efficiency);
        for (int ph = 0; ph < RMC_SIM_N_PHASES; ph++) {
            fprintf(f, " %s_ms=%.3f", phase_names[ph],
                    1e3 * r->phase_seconds[ph] / (double)r->replicates);
        }
        fprintf(f, " reduce_s=%.4f write_s=%.4f peak_rss_mb=%.1f checksum=%s\n", r->reduce_seconds,
                r->write_seconds, (double)r->peak_rss / 1048576.0, r->checksum);
    }
}

/* ---- the JSON document (--json) ------------------------------------------ */

/* s as a JSON string (quotes, backslashes and control characters escaped). */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            fprintf(f, "\\%c", *c);
        } else if (*c < 0x20) {
            fprintf(f, "\\u%04x", *c);
        } else {
            fputc(*c, f);
        }
    }
    fputc('"', f);
}

/* A finite number, or null (JSON has no NaN or infinity). */
static void json_number(FILE *f, double v)
{
    if (isfinite(v)) {
        fprintf(f, "%.17g", v);
    } else {
        fputs("null", f);
    }
}

/* The CPU's model name from /proc/cpuinfo (Linux), else "unknown". */
static void cpu_model(char *out, size_t size)
{
    snprintf(out, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) {
        return;
    }
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        const char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            colon++;
            while (*colon == ' ' || *colon == '\t') {
                colon++;
            }
            snprintf(out, size, "%s", colon);
            out[strcspn(out, "\n")] = '\0';
            break;
        }
    }
    fclose(f);
}

/* The git hash inside rmc_version()'s "X.Y.Z (git HASH)", else "unknown". */
static void git_hash(char *out, size_t size)
{
    const char *v = strstr(rmc_version(), "(git ");
    snprintf(out, size, "%s", v != NULL ? v + 5 : "unknown)");
    out[strcspn(out, ")")] = '\0';
}

#ifndef RMC_BUILD_CFLAGS
#define RMC_BUILD_CFLAGS "unknown"
#endif

static void json_machine(FILE *f)
{
    char model[256];
    cpu_model(model, sizeof model);
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    struct utsname u;
    const bool have_uname = uname(&u) == 0;
    fputs("  \"machine\": {\"cpu_model\": ", f);
    json_string(f, model);
    fprintf(f, ", \"cores_online\": %ld, \"memory_bytes\": ", cores);
    json_number(f, pages > 0 && page > 0 ? (double)pages * (double)page : (double)NAN);
    fprintf(f, ", \"omp_max_threads\": %d", omp_get_max_threads());
#if defined(__x86_64__) || defined(__i386__)
    fprintf(f, ", \"avx2\": %s, \"avx512f\": %s", __builtin_cpu_supports("avx2") ? "true" : "false",
            __builtin_cpu_supports("avx512f") ? "true" : "false");
#endif
    fputs(", \"os\": ", f);
    char os[2 * sizeof u.release + 2];
    snprintf(os, sizeof os, "%s %s", have_uname ? u.sysname : "unknown",
             have_uname ? u.release : "");
    json_string(f, os);
    fputs("},\n", f);
}

static void json_build(FILE *f)
{
    char hash[64];
    git_hash(hash, sizeof hash);
    fputs("  \"build\": {\"version\": ", f);
    json_string(f, RMC_VERSION_STRING);
    fputs(", \"rankmc_version\": ", f);
    json_string(f, rmc_version());
    fputs(", \"git\": ", f);
    json_string(f, hash);
    fputs(", \"compiler\": ", f);
#if defined(__clang__)
    json_string(f, "clang " __clang_version__);
#elif defined(__GNUC__)
    json_string(f, "gcc " __VERSION__);
#else
    json_string(f, "unknown");
#endif
    fputs(", \"cflags\": ", f);
    json_string(f, RMC_BUILD_CFLAGS);
    fputs("},\n", f);
}

static void json_workload(FILE *f, const rmc_bench_options *o, const rmc_bench_workload *w)
{
    fputs("  \"workload\": {\"preset\": \"nrmp2025\", \"scale\": ", f);
    json_number(f, o->scale);
    fprintf(f,
            ", \"synth_seed\": %u, \"seed\": %u, \"replicates\": %llu, \"applicants\": %zu, "
            "\"programs\": %zu, \"positions\": %zu, \"interviews\": %zu, \"synth_s\": ",
            RMC_BENCH_SYNTH_SEED, RMC_BENCH_SIM_SEED, (unsigned long long)o->replicates,
            w->n_applicants, w->n_programs, w->n_positions, w->n_interviews);
    json_number(f, w->synth_seconds);
    fputs(", \"load_s\": ", f);
    json_number(f, w->load_seconds);
    fprintf(f, ", \"reduced_bytes\": %zu, \"rank_hist_bytes\": %zu},\n", w->reduced_bytes,
            w->rank_hist_bytes);
}

static void json_row(FILE *f, const rmc_bench_row *r)
{
    fprintf(f, "    {\"ranks\": %d, \"threads\": %d, \"replicates\": %llu, \"wall_s\": ", r->ranks,
            r->threads, (unsigned long long)r->replicates);
    json_number(f, r->wall_seconds);
    fputs(", \"reps_per_s\": ", f);
    json_number(f, r->reps_per_s);
    fputs(", \"speedup\": ", f);
    json_number(f, r->speedup);
    fputs(", \"efficiency\": ", f);
    json_number(f, r->efficiency);
    for (int ph = 0; ph < RMC_SIM_N_PHASES; ph++) {
        fprintf(f, ", \"%s_ms\": ", phase_names[ph]);
        json_number(f, 1e3 * r->phase_seconds[ph] / (double)r->replicates);
    }
    fputs(", \"reduce_s\": ", f);
    json_number(f, r->reduce_seconds);
    fputs(", \"write_s\": ", f);
    json_number(f, r->write_seconds);
    fprintf(f, ", \"peak_rss_bytes\": %zu, \"memory_estimate_bytes\": %zu, \"checksum\": ",
            r->peak_rss, r->memory_estimate);
    json_string(f, r->checksum);
    fputc('}', f);
}

/* One JSON document: format version, machine, build, workload, rows. */
static void print_json(FILE *f, const rmc_bench_options *o, const rmc_bench_workload *w,
                       const rmc_bench_row *rows, bool same)
{
    fputs("{\n  \"rankmc_bench\": 1,\n", f);
    json_machine(f);
    json_build(f);
    json_workload(f, o, w);
    fputs("  \"rows\": [\n", f);
    const size_t n = o->n_ranks * o->n_threads;
    for (size_t t = 0; t < n; t++) {
        json_row(f, &rows[t]);
        fputs(t + 1 < n ? ",\n" : "\n", f);
    }
    fprintf(f, "  ],\n  \"checksum_identical\": %s\n}\n", same ? "true" : "false");
}

/* Table heading, printed once the workload exists. */
static void print_head(FILE *f, const rmc_bench_options *o, const rmc_bench_workload *w)
{
    fprintf(f, "rankmc bench %s: nrmp2025 scale %g (synth seed %u), %llu replicates (seed %u)\n",
            rmc_version(), o->scale, RMC_BENCH_SYNTH_SEED, (unsigned long long)o->replicates,
            RMC_BENCH_SIM_SEED);
    fprintf(f,
            "workload: %zu applicants, %zu programs, %zu positions, %zu interviews "
            "(synth %.2f s, load %.2f s)\n",
            w->n_applicants, w->n_programs, w->n_positions, w->n_interviews, w->synth_seconds,
            w->load_seconds);
    fprintf(f,
            "reduced into rank 0 per rank and run: %.1f MiB of tables (rank histogram %.1f MiB)\n",
            (double)w->reduced_bytes / 1048576.0, (double)w->rank_hist_bytes / 1048576.0);
    fprintf(f,
            "phases: thread-ms per replicate, summed over rank 0's threads; reduce_s: summing the\n"
            "tables into rank 0 (in wall_s); write_s: the result file from rank 0; memory: peak\n"
            "RSS so far of the largest rank and one rank's estimate, MiB\n");
    fprintf(f, "%5s %7s %8s %8s %10s %8s %7s %8s %8s %8s %8s %8s %8s %8s %8s %8s  %s\n", "ranks",
            "threads", "reps", "wall_s", "reps/s", "speedup", "effic.", "meeting", "rols", "match",
            "accum", "soap", "reduce_s", "write_s", "peak_mb", "est_mb", "checksum");
}

int rmc_cli_bench(int argc, char **argv)
{
    rmc_bench_options o;
    rmc_bench_options_default(&o);
    o.dist = rmc_cli_dist();
    if (rmc_dist_size(o.dist) > 1) {
        o.ranks[o.n_ranks++] = rmc_dist_size(o.dist);
    }
    bool help = false, json = false;
    const int rc = parse_args(argc, argv, &o, &help, &json);
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
    FILE *table = json ? stderr : stdout;
    bench_print bp = {&o, &w, table, false};
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
    fprintf(table, "checksum %s across %s\n", same ? "identical" : "DIFFERS",
            o.n_ranks > 1 ? "rank and thread counts" : "thread counts");
    print_machine(table, &o, rows);
    if (json) {
        print_json(stdout, &o, &w, rows, same);
    }
    free(rows);
    return same ? RMC_EXIT_OK : RMC_EXIT_FAILURE;
}
