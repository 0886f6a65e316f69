/* rankmc summary: placeholder until the command lands; it refuses to run. */
#include <stdio.h>

#include "cli.h"

int rmc_cli_summary(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rankmc summary: not available in this build\n");
    return RMC_EXIT_FAILURE;
}
