/* SHA-256 (FIPS 180-4), used to fingerprint a model's files so every output
 * can record exactly which inputs produced it. Internal; not installed. */
#ifndef RANKMC_SHA256_INT_H
#define RANKMC_SHA256_INT_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef struct rmc_sha256 {
    uint32_t h[8];     /* chaining state */
    uint64_t n_bytes;  /* message length so far, bytes */
    uint8_t block[64]; /* pending partial block */
    size_t n_block;    /* bytes pending in block, < 64 */
} rmc_sha256;

/* Start a new digest. */
RMC_INTERNAL void rmc_sha256_init(rmc_sha256 *s);
/* Absorb n bytes (any n, any alignment). */
RMC_INTERNAL void rmc_sha256_update(rmc_sha256 *s, const void *data, size_t n);
/* Finish: write the 32-byte digest. s must be re-initialised before reuse. */
RMC_INTERNAL void rmc_sha256_final(rmc_sha256 *s, uint8_t digest[32]);
/* Finish and write 64 lower-case hex digits plus a NUL into hex[65]. */
RMC_INTERNAL void rmc_sha256_final_hex(rmc_sha256 *s, char hex[65]);

#endif
