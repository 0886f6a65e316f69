/* rankmc sensitivity: placeholder until the command lands; it refuses to run. */
#include <stdio.h>

#include "cli.h"

int rmc_cli_sensitivity(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rankmc sensitivity: not available in this build\n");
    return RMC_EXIT_FAILURE;
}
