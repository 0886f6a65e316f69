/* rankmc params: every model.ini key with its default, range and meaning,
 * straight from the parameter table (so it is always current). With
 * --markdown it prints the table used in README.md. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_value(const rmc_param_info *pi, double v)
{
    if (pi->kind == RMC_PARAM_KIND_REAL) {
        printf("%g", v);
    } else if (pi->kind == RMC_PARAM_KIND_INT) {
        printf("%d", (int)v);
    } else {
        /* the v-th choice of "a|b|c" */
        const char *s = pi->choices;
        for (int k = 0; k < (int)v && s != NULL; k++) {
            s = strchr(s, '|');
            s = s ? s + 1 : NULL;
        }
        const char *end = s ? strchr(s, '|') : NULL;
        printf("%.*s", s ? (int)(end ? (size_t)(end - s) : strlen(s)) : 0, s ? s : "");
    }
}

int rmc_cli_params(int argc, char **argv)
{
    static const struct option opts[] = {
        {"markdown", no_argument, NULL, 'm'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    int markdown = 0;
    int c;
    while ((c = getopt_long(argc, argv, "mh", opts, NULL)) != -1) {
        if (c == 'm') {
            markdown = 1;
        } else if (c == 'h') {
            printf("usage: rankmc params [--markdown]\n\n"
                   "List every model.ini key: section, key, default, range, meaning.\n");
            return RMC_EXIT_OK;
        } else {
            return rmc_cli_usage_error("params", "bad option");
        }
    }
    if (optind != argc) {
        return rmc_cli_usage_error("params", "unexpected argument '%s'", argv[optind]);
    }
    if (markdown) {
        printf("| section | key | default | range | meaning |\n|---|---|---|---|---|\n");
    }
    const char *last = "";
    for (size_t i = 0; i < rmc_params_count(); i++) {
        const rmc_param_info *pi = rmc_params_info(i);
        if (!markdown && strcmp(last, pi->section) != 0) {
            printf("%s[%s]\n", i ? "\n" : "", pi->section);
            last = pi->section;
        }
        printf(markdown ? "| %s | %s | " : "%.0s%-22s = ", pi->section, pi->key);
        print_value(pi, pi->def);
        if (pi->kind == RMC_PARAM_KIND_ENUM) {
            printf(markdown ? " | %s | %s |\n" : "   ; %s: %s\n", pi->choices, pi->doc);
        } else {
            printf(markdown ? " | %g .. %g | %s |\n" : "   ; %g..%g: %s\n", pi->lo, pi->hi,
                   pi->doc);
        }
    }
    return RMC_EXIT_OK;
}
