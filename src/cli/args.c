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

/* ---- the stop flag ---------------------------------------------------- */

volatile sig_atomic_t rmc_cli_stop_signal = 0;

/* Files a second signal removes (borrowed from the caller of
 * rmc_cli_catch_stop_signals, who keeps them alive while the handler is
 * installed); the handler only reads these pointers. */
static const char *stop_temps[RMC_CLI_MAX_TEMPS];
static size_t n_stop_temps = 0;

/* The first SIGINT / SIGTERM asks the engine to stop at the next batch
 * boundary. When temporary files were named, a second one stops at once:
 * they go (unlink and _exit are async-signal-safe) and every output keeps
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
    rmc_cli_stop_signal = sig;
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
