/* rankmc/dist.h for a world of one process (every build but `make mpi`):
 * rank 0 of 1, sums and gathers are copies or nothing, the agreement is the
 * caller's own status. No MPI anywhere. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rankmc/dist.h"

struct rmc_dist {
    int unused;
};

rmc_status rmc_dist_init(int *argc, char ***argv, rmc_dist **out, rmc_diag *d)
{
    (void)argc;
    (void)argv;
    return rmc_calloc_array((void **)out, 1, sizeof **out, d);
}

void rmc_dist_finish(rmc_dist *g)
{
    rmc_free(g);
}

_Noreturn void rmc_dist_abort(const rmc_dist *g, int code)
{
    (void)g;
    exit(code);
}

rmc_status rmc_dist_split(const rmc_dist *g, int n, rmc_dist **out, rmc_diag *d)
{
    (void)g;
    *out = NULL;
    if (n != 1) {
        return RMC_FAIL(d, RMC_EUSAGE, "a job of one process has no %d ranks", n);
    }
    return rmc_calloc_array((void **)out, 1, sizeof **out, d);
}

void rmc_dist_free(rmc_dist *g)
{
    rmc_free(g);
}

int rmc_dist_rank(const rmc_dist *g)
{
    (void)g;
    return 0;
}

int rmc_dist_size(const rmc_dist *g)
{
    (void)g;
    return 1;
}

const char *rmc_dist_backend(void)
{
    return "serial";
}

rmc_status rmc_dist_sum_u32(const rmc_dist *g, uint32_t *buf, size_t n, rmc_diag *d)
{
    (void)g, (void)buf, (void)n, (void)d;
    return RMC_OK;
}

rmc_status rmc_dist_sum_u64(const rmc_dist *g, uint64_t *buf, size_t n, rmc_diag *d)
{
    (void)g, (void)buf, (void)n, (void)d;
    return RMC_OK;
}

rmc_status rmc_dist_sum_i64(const rmc_dist *g, int64_t *buf, size_t n, rmc_diag *d)
{
    (void)g, (void)buf, (void)n, (void)d;
    return RMC_OK;
}

rmc_status rmc_dist_all_min_i64(const rmc_dist *g, int64_t *buf, size_t n, rmc_diag *d)
{
    (void)g, (void)buf, (void)n, (void)d;
    return RMC_OK;
}

rmc_status rmc_dist_all_max_i64(const rmc_dist *g, int64_t *buf, size_t n, rmc_diag *d)
{
    (void)g, (void)buf, (void)n, (void)d;
    return RMC_OK;
}

rmc_status rmc_dist_all_gather_u32(const rmc_dist *g, const uint32_t *mine, size_t n, uint32_t *all,
                                   rmc_diag *d)
{
    (void)g, (void)d;
    if (n > 0) {
        memcpy(all, mine, n * sizeof *all);
    }
    return RMC_OK;
}

rmc_status rmc_dist_bcast(const rmc_dist *g, void *buf, size_t bytes, int root, rmc_diag *d)
{
    (void)g, (void)buf, (void)bytes, (void)root, (void)d;
    return RMC_OK;
}

rmc_status rmc_dist_agree(const rmc_dist *g, rmc_status st, rmc_diag *d)
{
    (void)g, (void)d;
    return st;
}
