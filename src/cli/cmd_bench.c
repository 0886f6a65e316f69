/* rankmc bench: placeholder until the command lands; it refuses to run. */
#include <stdio.h>

#include "cli.h"

int rmc_cli_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rankmc bench: not available in this build\n");
    return RMC_EXIT_FAILURE;
}
