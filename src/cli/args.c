/* The helpers every command shares, one per job: reading numbers from the
 * command line (range- and errno-checked, optional K/M/G suffixes), the
 * command line as typed for provenance, the "output exists; use --force"
 * refusal, and the stop flag that SIGINT / SIGTERM raise for the long
 * commands (run, sensitivity, sobol).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

bool rmc_cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, bool suffix, uint64_t *out)
{
    /* strtoull would accept leading blanks, a sign (negating the value) and
     * wrap silently on overflow; only plain digits are a count here. */
    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0) {
        return false;
    }
    if (suffix && *end != '\0' && end[1] == '\0') {
        static const char units[] = "KMG";
        const char *u = strchr(units, *end >= 'a' && *end <= 'z' ? *end - ('a' - 'A') : *end);
        if (u == NULL) {
            return false;
        }
        for (const char *p = units; p <= u; p++) {
            if (v > ULLONG_MAX / 1024) {
                return false;
            }
            v *= 1024;
        }
        end++;
    }
    if (*end != '\0' || v < lo || v > hi) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

bool rmc_cli_parse_real(const char *s, double lo, double hi, unsigned open, double *out)
{
    if (s == NULL || s[0] == '\0') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v)) {
        return false;
    }
    const bool lo_ok = (open & RMC_CLI_OPEN_LO) != 0 ? v > lo : v >= lo;
    const bool hi_ok = (open & RMC_CLI_OPEN_HI) != 0 ? v < hi : v <= hi;
    if (!lo_ok || !hi_ok) {
        return false;
    }
    *out = v;
    return true;
}

int rmc_cli_parse_seed(const char *cmd, const char *arg, uint64_t *out)
{
    if (!rmc_cli_parse_u64(arg, 0, UINT64_MAX, false, out)) {
        return rmc_cli_usage_error(cmd, "-s needs a non-negative integer, not '%s'", arg);
    }
    return 0;
}

int rmc_cli_parse_threads(const char *cmd, const char *arg, int *out)
{
    uint64_t v = 0;
    if (!rmc_cli_parse_u64(arg, 1, 4096, false, &v)) {
        return rmc_cli_usage_error(cmd, "-t needs a thread count from 1 to 4096, not '%s'", arg);
    }
    *out = (int)v;
    return 0;
}

int rmc_cli_parse_args(const char *cmd, int argc, char **argv, const struct option *longopts,
                       void (*usage)(FILE *f), int (*option)(int c, char *arg, void *ctx),
                       void *ctx, rmc_cli_common *com)
{
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:s:t:o:fqh", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return RMC_EXIT_OK;
        } else if (c == 'o') {
            com->out = optarg;
        } else if (c == 'f') {
            com->force = true;
        } else if (c == 'q') {
            com->quiet = true;
        } else if (c == '?') {
            return rmc_cli_usage_error(cmd, "unknown option or missing value");
        } else {
            const int rc = option(c, optarg, ctx);
            if (rc != 0) {
                return rc;
            }
        }
    }
    if (optind != argc - 1) {
        return rmc_cli_usage_error(cmd, "expected one %s",
                                   com->operand_name != NULL ? com->operand_name : "MODEL_DIR");
    }
    com->operand = argv[optind];
    return -1;
}

int rmc_cli_engine_option(const char *cmd, int c, const char *arg, uint64_t min_replicates,
                          rmc_sim_options *so)
{
    uint64_t v = 0;
    switch (c) {
    case 'n':
        if (!rmc_cli_parse_u64(arg, min_replicates, UINT32_MAX, false, &v)) {
            return rmc_cli_usage_error(cmd, "-n needs a count from %llu to %u, not '%s'",
                                       (unsigned long long)min_replicates, UINT32_MAX, arg);
        }
        so->replicates = v;
        return 0;
    case 's':
        return rmc_cli_parse_seed(cmd, arg, &so->seed);
    case 't':
        return rmc_cli_parse_threads(cmd, arg, &so->threads);
    default:
        return 1;
    }
}

char *rmc_cli_command_line(int argc, char **argv)
{
    size_t len = strlen("rankmc") + 1;
    for (int i = 0; i < argc; i++) {
        len += strlen(argv[i]) + 1;
    }
    char *s = malloc(len);
    if (s == NULL) {
        return NULL;
    }
    strcpy(s, "rankmc");
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

bool rmc_cli_output_blocked(const char *cmd, const char *path, bool force)
{
    struct stat sb;
    if (path != NULL && !force && stat(path, &sb) == 0) {
        fprintf(stderr, "rankmc %s: %s exists; use --force to replace it\n", cmd, path);
        return true;
    }
    return false;
}

int rmc_cli_outcome(const char *cmd, const rmc_diag *d, rmc_status st)
{
    if (st == RMC_EINTERRUPTED) {
        fprintf(stderr, "rankmc %s: stopped by signal %d; nothing written\n", cmd,
                (int)rmc_cli_stop_signal);
        return 128 + (rmc_cli_stop_signal != 0 ? (int)rmc_cli_stop_signal : SIGTERM);
    }
    if (st != RMC_OK) {
        rmc_cli_print_diag(cmd, d, st);
    }
    return rmc_cli_exit_code(st);
}

void rmc_cli_sim_defaults(rmc_sim_options *so)
{
    rmc_sim_options_default(so);
    so->threads = omp_get_max_threads();
    so->dist = rmc_cli_dist();
}

int rmc_cli_start(const char *cmd, const char *out, bool force, const char *dir, rmc_model **m)
{
    *m = NULL;
    const bool blocked = rmc_cli_root() && rmc_cli_output_blocked(cmd, out, force);
    int rc = rmc_cli_agree(cmd, blocked ? RMC_EXIT_USAGE : RMC_EXIT_OK);
    if (rc != RMC_EXIT_OK) {
        return rc;
    }
    rc = rmc_cli_agree(cmd, rmc_cli_load_model(cmd, dir, m));
    if (rc != RMC_EXIT_OK) {
        rmc_model_free(*m);
        *m = NULL;
    }
    return rc;
}

/* ---- the stop flag ---------------------------------------------------- */

volatile sig_atomic_t rmc_cli_stop_signal = 0;

/* Files a second signal removes (borrowed from the caller of
 * rmc_cli_catch_stop_signals, who keeps them alive while the handler is
 * installed); the handler only reads these pointers. */
static const char *stop_temps[RMC_CLI_MAX_TEMPS];
static size_t n_stop_temps = 0;

/* The first SIGINT / SIGTERM asks the engine to stop once the replicates
 * under way are done (the ranks of an MPI run: at the next batch
 * boundary); the store is atomic because the engine's threads read the
 * flag. When temporary files were named, a second one stops at once: they
 * go (unlink and _exit are async-signal-safe) and every output keeps
 * whatever it held before, since results are only ever renamed into place
 * when complete. */
static void on_stop_signal(int sig)
{
    if (rmc_cli_stop_signal != 0 && n_stop_temps > 0) {
        for (size_t i = 0; i < n_stop_temps; i++) {
            unlink(stop_temps[i]);
        }
        _exit(128 + sig);
    }
    __atomic_store_n(&rmc_cli_stop_signal, sig, __ATOMIC_RELAXED);
}

void rmc_cli_catch_stop_signals(const char *const *temps, size_t n_temps)
{
    n_stop_temps = 0;
    for (size_t i = 0; i < n_temps && i < RMC_CLI_MAX_TEMPS; i++) {
        stop_temps[i] = temps[i];
    }
    n_stop_temps = n_temps < RMC_CLI_MAX_TEMPS ? n_temps : RMC_CLI_MAX_TEMPS;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
