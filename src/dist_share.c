/* The work split shared by both rankmc/dist.h implementations, built on
 * their collectives only. */
#include "rankmc/dist.h"

void rmc_dist_share(uint64_t n, int rank, int size, uint64_t *first, uint64_t *count)
{
    const uint64_t r = (uint64_t)rank, s = size > 0 ? (uint64_t)size : 1;
    /* n * r / s without overflowing for any n below 2^64 / s. */
    const uint64_t lo = n / s * r + n % s * r / s;
    const uint64_t hi = n / s * (r + 1) + n % s * (r + 1) / s;
    *first = lo;
    *count = hi - lo;
}

rmc_status rmc_dist_for_share(const rmc_dist *g, uint64_t n, rmc_dist_item_fn fn, void *ctx,
                              void (*progress)(void *ctx, uint64_t done, uint64_t n), rmc_diag *d)
{
    const int size = rmc_dist_size(g);
    const uint64_t rounds = n / (uint64_t)size + (n % (uint64_t)size != 0); /* the largest share */
    uint64_t first = 0, count = 0;
    rmc_dist_share(n, rmc_dist_rank(g), size, &first, &count);
    for (uint64_t j = 0; j < rounds; j++) {
        const rmc_status st = j < count ? fn(ctx, first + j, d) : RMC_OK;
        RMC_TRY(rmc_dist_agree(g, st, d));
        if (progress != NULL && rmc_dist_rank(g) == 0) {
            uint64_t done = 0;
            for (int r = 0; r < size; r++) {
                uint64_t f = 0, c = 0;
                rmc_dist_share(n, r, size, &f, &c);
                done += c < j + 1 ? c : j + 1;
            }
            progress(ctx, done, n);
        }
    }
    return RMC_OK;
}

rmc_status rmc_dist_gather_share(const rmc_dist *g, uint64_t n, void *arr, size_t elem, rmc_diag *d)
{
    char *p = arr;
    for (int r = 0; r < rmc_dist_size(g) && rmc_dist_size(g) > 1; r++) {
        uint64_t first = 0, count = 0;
        rmc_dist_share(n, r, rmc_dist_size(g), &first, &count);
        RMC_TRY(rmc_dist_bcast(g, p + first * elem, count * elem, r, d));
    }
    return RMC_OK;
}
