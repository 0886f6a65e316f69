/* SHA-256, used to fingerprint a model's files (so every output records
 * exactly which inputs produced it) and a run's totals (the bench
 * checksum): a thin adapter over Debian's nettle (nettle/sha2.h), so the
 * callers keep one small interface. Internal; not installed. */
#ifndef RANKMC_SHA256_INT_H
#define RANKMC_SHA256_INT_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#include "internal.h"

typedef struct sha256_ctx rmc_sha256;

/* Start a new digest. */
static inline void rmc_sha256_init(rmc_sha256 *s)
{
    sha256_init(s);
}

/* Absorb n bytes (any n, any alignment). */
static inline void rmc_sha256_update(rmc_sha256 *s, const void *data, size_t n)
{
    sha256_update(s, n, data);
}

/* Finish and write 64 lower-case hex digits plus a NUL into hex[65]. s must
 * be re-initialised before reuse (nettle resets it). */
static inline void rmc_sha256_final_hex(rmc_sha256 *s, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(s, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[2 * sizeof digest] = '\0';
}

#endif
