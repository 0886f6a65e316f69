/* Feeding a whole INI text to inih one line at a time (model.ini in
 * model_config.c, applicant profiles in profile.c). The Debian build of inih
 * does not pass line numbers to the handler, so the reader counts them; it
 * also strips leading indentation (so no line is ever taken as a multi-line
 * continuation), hands blank lines and comments over as empty lines, lets
 * the owner check every other line's shape (so every syntax error is
 * reported, not only inih's first) and reports lines too long for inih's
 * buffer. Not installed. */
#ifndef RANKMC_INI_LINES_H
#define RANKMC_INI_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

typedef struct rmc_ini_lines {
    const char *text; /* the whole file, NUL-terminated */
    size_t len, pos;  /* bytes, read position */
    long line;        /* line last handed to inih (1-based) */
    /* Shape check of a line that is neither blank nor a comment (s[0..n),
     * indentation removed); false: it is skipped (the owner recorded why). */
    bool (*line_ok)(void *owner, const char *s, size_t n);
    /* The current line does not fit inih's buffer of max characters. */
    void (*too_long)(void *owner, int max);
} rmc_ini_lines;

/* inih's fgets-like reader (ini_reader). stream is the owner, a struct whose
 * first member is its rmc_ini_lines; the callbacks get the same pointer. */
RMC_INTERNAL char *rmc_ini_next_line(char *str, int num, void *stream);

#endif
