/* The work split shared by both rankmc/dist.h implementations. */
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
