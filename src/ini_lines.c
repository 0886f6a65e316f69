/* The line reader shared by the INI files (ini_lines.h). */
#include "ini_lines.h"

#include <string.h>

char *rmc_ini_next_line(char *str, int num, void *stream)
{
    rmc_ini_lines *c = stream;
    if (c->pos >= c->len) {
        return NULL;
    }
    const char *start = c->text + c->pos;
    const char *nl = memchr(start, '\n', c->len - c->pos);
    const size_t n = nl ? (size_t)(nl - start) : c->len - c->pos;
    c->pos += n + (nl != NULL);
    c->line++;
    size_t skip = 0;
    while (skip < n && (start[skip] == ' ' || start[skip] == '\t')) {
        skip++;
    }
    const size_t body = n - skip;
    const char first = body > 0 ? start[skip] : ';';
    if (first == ';' || first == '#' || first == '\r' || !c->line_ok(stream, start + skip, body)) {
        strcpy(str, "\n"); /* comments and blank lines need no parsing, whatever their length */
    } else if (body + 2 > (size_t)num) {
        c->too_long(stream, num - 2);
        strcpy(str, "\n");
    } else {
        memcpy(str, start + skip, body);
        str[body] = '\n';
        str[body + 1] = '\0';
    }
    return str;
}
