/* The parameter table: defaults, ranges and meanings of every model.ini key,
 * generated from rankmc/params.def so the struct, the loader and the docs
 * cannot drift apart. */
#include <stddef.h>
#include <string.h>

#include "internal.h"
#include "rankmc/model.h"

static const rmc_param_info table[] = {
#define RMC_PARAM_REAL(sec, key, field, def, lo, hi, doc)                                          \
    {#sec, #key, RMC_PARAM_KIND_REAL, def, lo, hi, NULL, doc, offsetof(rmc_params, field)},
#define RMC_PARAM_INT(sec, key, field, def, lo, hi, doc)                                           \
    {#sec, #key, RMC_PARAM_KIND_INT, def, lo, hi, NULL, doc, offsetof(rmc_params, field)},
#define RMC_PARAM_ENUM(sec, key, field, def, choices, doc)                                         \
    {#sec, #key, RMC_PARAM_KIND_ENUM, def, 0, 0, choices, doc, offsetof(rmc_params, field)},
#include "rankmc/params.def"
#undef RMC_PARAM_REAL
#undef RMC_PARAM_INT
#undef RMC_PARAM_ENUM
};

size_t rmc_params_count(void)
{
    return sizeof table / sizeof table[0];
}

const rmc_param_info *rmc_params_info(size_t i)
{
    RMC_ASSERT(i < rmc_params_count());
    return &table[i];
}

const rmc_param_info *rmc_params_find(const char *section, const char *key)
{
    for (size_t i = 0; i < rmc_params_count(); i++) {
        if (strcmp(table[i].section, section) == 0 && strcmp(table[i].key, key) == 0) {
            return &table[i];
        }
    }
    return NULL;
}

double rmc_params_get(const rmc_params *p, const rmc_param_info *info)
{
    const char *base = (const char *)p + info->offset;
    if (info->kind == RMC_PARAM_KIND_REAL) {
        double v;
        memcpy(&v, base, sizeof v);
        return v;
    }
    int v;
    memcpy(&v, base, sizeof v);
    return v;
}

void rmc_params_set(rmc_params *p, const rmc_param_info *info, double value)
{
    char *base = (char *)p + info->offset;
    if (info->kind == RMC_PARAM_KIND_REAL) {
        memcpy(base, &value, sizeof value);
    } else {
        const int v = (int)value;
        memcpy(base, &v, sizeof v);
    }
}

void rmc_params_default(rmc_params *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < rmc_params_count(); i++) {
        rmc_params_set(p, &table[i], table[i].def);
    }
}
