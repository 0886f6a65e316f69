/* The version string recorded in every output file. RMC_GIT_HASH comes from
 * the Makefile (`git describe`), "unknown" outside a git checkout. */
#include "rankmc/rankmc.h"

#ifndef RMC_GIT_HASH
#define RMC_GIT_HASH "unknown"
#endif

const char *rmc_version(void)
{
    return RMC_VERSION_STRING " (git " RMC_GIT_HASH ")";
}
