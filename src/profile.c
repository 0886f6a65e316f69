/* Applicant profiles (rankmc/profile.h, docs/forecast.md) and the Step 2 CK
 * -> pre_score mapping.
 *
 * As for model.ini, the file is read into memory and fed to inih by the
 * line reader of ini_lines.h (which counts lines); line_ok below checks each
 * line's shape (so every syntax error is reported) and notes section headers
 * itself: a [program NAME] section with no keys at all must still be seen,
 * to report its missing positions.
 */
#define _POSIX_C_SOURCE 200809L /* fileno */

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "ini_lines.h"
#include "internal.h"
#include "rankmc/profile.h"

#define MAX_PROFILE_BYTES (1u << 20)
#define MAX_PROGRAMS 200

double rmc_step2_ck_pre_score(const rmc_params *p, rmc_type t, double ck)
{
    const bool img = t == RMC_TYPE_US_IMG || t == RMC_TYPE_IMG;
    const double mean = img ? p->step2_ck_mean_img : p->step2_ck_mean_us;
    double base = p->step2_ck_pre_us_md;
    switch (t) {
    case RMC_TYPE_US_DO:
        base = p->step2_ck_pre_us_do;
        break;
    case RMC_TYPE_US_IMG:
        base = p->step2_ck_pre_us_img;
        break;
    case RMC_TYPE_IMG:
        base = p->step2_ck_pre_img;
        break;
    default:
        break;
    }
    return base + p->step2_ck_weight * (ck - mean) / p->step2_ck_sd;
}

static const char *const setting_names[] = {"any", "academic", "community"};
static const char *const region_names[RMC_N_REGIONS] = {"none", "northeast", "midwest", "south",
                                                        "west"};
static const char *const pairs_names[] = {"city", "region", "any"};

const char *rmc_region_name(rmc_region r)
{
    return (unsigned)r < RMC_N_REGIONS ? region_names[r] : "?";
}

const char *rmc_pairs_name(rmc_pairs p)
{
    return (unsigned)p < 3 ? pairs_names[p] : "?";
}
static const char *const tier_names[] = {"z", "top", "high", "middle", "low"};

const char *rmc_setting_name(rmc_setting s)
{
    return (unsigned)s < 3 ? setting_names[s] : "?";
}

const char *rmc_tier_name(rmc_tier t)
{
    return (unsigned)t < 5 ? tier_names[t] : "?";
}

double rmc_tier_quantile(rmc_tier t)
{
    switch (t) {
    case RMC_TIER_TOP:
        return 0.90;
    case RMC_TIER_HIGH:
        return 0.70;
    case RMC_TIER_MIDDLE:
        return 0.50;
    case RMC_TIER_LOW:
        return 0.25;
    default:
        return -1.0;
    }
}

double rmc_profile_pre_score(const rmc_profile_file *pf, const rmc_params *p)
{
    return pf->has_step2_ck ? rmc_step2_ck_pre_score(p, pf->type, pf->step2_ck) : pf->pre_score;
}

/* Keys of each section, for "set twice" bookkeeping. */
enum { AK_TYPE, AK_SPECIALTY, AK_STEP2, AK_PRE, AK_COMM, AK_YEARS, AK_USEXP, AK_VISA, AK_N };
static const char *const app_keys[AK_N] = {"type",          "specialty",     "step2_ck",
                                           "pre_score",     "communication", "clinical_years",
                                           "us_experience", "visa"};
enum {
    PK_POSITIONS,
    PK_SETTING,
    PK_SPONSORS,
    PK_DESIR,
    PK_ADVOCACY,
    PK_TIES,
    PK_INTEREST,
    PK_LOI,
    PK_REGION,
    PK_CITY,
    PK_N
};
static const char *const prog_keys[PK_N] = {"positions", "setting", "sponsors", "desirability",
                                            "advocacy",  "ties",    "interest", "loi",
                                            "region",    "city"};

enum { CK_PAIRS, CK_UNMATCHED, CK_N };
static const char *const couple_keys[CK_N] = {"pairs", "unmatched_options"};

enum { XK_SETTING, XK_MIN_DESIR, XK_N };
static const char *const apply_keys[XK_N] = {"setting", "min_desirability"};

typedef struct prog_state {
    long seen[PK_N];
} prog_state;

typedef struct ctx {
    rmc_ini_lines in; /* first: the reader's stream is this struct */
    const char *path;
    rmc_problems *pr, *warn;
    rmc_diag *d;
    size_t n_problems;
    rmc_profile_file *pf;
    rmc_profile_file *tgt; /* whose program section this is: pf or pf->partner */
    int section;           /* -2 none yet, -1 [applicant], -4 [apply], -5 [partner], -6 [couple],
                              >= 0 program index (of tgt), -3 bad */
    long app_line;         /* line of [applicant], 0 if none */
    long app_seen[AK_N];
    long part_seen[AK_N];
    long apply_seen[XK_N];
    long couple_seen[CK_N];
    long couple_line;       /* line of [couple], 0 if none */
    long partner_prog_line; /* line of the first [partner.program NAME], 0 if none */
    prog_state *ps;         /* [MAX_PROGRAMS] */
    prog_state *ps2;        /* [MAX_PROGRAMS] the partner's */
    bool oom;
    bool programs_optional; /* rmc_profile_load_applicant */
} ctx;

static void problem(ctx *c, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(ctx *c, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rmc_problems_vadd(c->pr, c->path, line, fmt, ap);
    va_end(ap);
    c->n_problems++;
}

/* A new [program NAME] (of the applicant, or with partner set of the
 * partner) named pname[0..plen). */
static void new_program(ctx *c, bool partner, const char *pname, size_t plen)
{
    while (plen > 0 && isspace((unsigned char)*pname)) {
        pname++;
        plen--;
    }
    rmc_profile_file *pf = partner ? c->pf->partner : c->pf;
    const char *label = partner ? "partner.program" : "program";
    if (plen == 0 || plen >= sizeof pf->programs[0].name) {
        problem(c, c->in.line, "a %s name must have 1..%zu characters", label,
                sizeof pf->programs[0].name - 1);
        c->section = -3;
        return;
    }
    for (size_t j = 0; j < pf->n_programs; j++) {
        if (strlen(pf->programs[j].name) == plen &&
            strncmp(pf->programs[j].name, pname, plen) == 0) {
            problem(c, c->in.line, "duplicate %s '%.*s' (first on line %ld)", label, (int)plen,
                    pname, pf->programs[j].line);
            c->section = -3;
            return;
        }
    }
    if (pf->n_programs >= MAX_PROGRAMS) {
        problem(c, c->in.line, "more than %d programs", MAX_PROGRAMS);
        c->section = -3;
        return;
    }
    rmc_profile_program *pp = &pf->programs[pf->n_programs];
    memset(pp, 0, sizeof *pp);
    memcpy(pp->name, pname, plen);
    pp->name[plen] = '\0';
    pp->line = c->in.line;
    pp->positions = 0;
    pp->setting = RMC_SETTING_ANY;
    pp->sponsors = RMC_SPONSORS_NONE;
    pp->tier = RMC_TIER_MIDDLE;
    pp->advocacy = RMC_ADVOCACY_NONE;
    pp->interest = RMC_INTEREST_NORMAL;
    pp->region = RMC_REGION_NONE;
    pp->same_as = -1;
    prog_state *ps = partner ? c->ps2 : c->ps;
    memset(&ps[pf->n_programs], 0, sizeof ps[0]);
    c->tgt = pf;
    c->section = (int)pf->n_programs;
    pf->n_programs++;
}

/* A section that may appear once: its line into *line, or a problem. */
static bool once(ctx *c, long *line, const char *name, int section)
{
    if (*line != 0) {
        problem(c, c->in.line, "[%s] appears twice (first on line %ld)", name, *line);
        c->section = -3;
        return false;
    }
    *line = c->in.line;
    c->section = section;
    return true;
}

/* A new section header [name] on the current line. */
static void begin_section(ctx *c, const char *name, size_t len)
{
    while (len > 0 && isspace((unsigned char)name[len - 1])) {
        len--;
    }
    while (len > 0 && isspace((unsigned char)*name)) {
        name++;
        len--;
    }
    if (len == 9 && strncmp(name, "applicant", 9) == 0) {
        once(c, &c->app_line, "applicant", -1);
        return;
    }
    if (len == 5 && strncmp(name, "apply", 5) == 0) {
        once(c, &c->pf->apply_line, "apply", -4);
        return;
    }
    if (len == 7 && strncmp(name, "partner", 7) == 0) {
        once(c, &c->pf->partner_line, "partner", -5);
        return;
    }
    if (len == 6 && strncmp(name, "couple", 6) == 0) {
        once(c, &c->couple_line, "couple", -6);
        return;
    }
    if (len > 8 && strncmp(name, "program", 7) == 0 && isspace((unsigned char)name[7])) {
        new_program(c, false, name + 8, len - 8);
        return;
    }
    if (len > 16 && strncmp(name, "partner.program", 15) == 0 && isspace((unsigned char)name[15])) {
        if (c->partner_prog_line == 0) {
            c->partner_prog_line = c->in.line;
        }
        new_program(c, true, name + 16, len - 16);
        return;
    }
    problem(c, c->in.line,
            "unknown section [%.*s] (expected [applicant], [program NAME], [apply], [partner], "
            "[partner.program NAME] or [couple])",
            (int)(len < 60 ? len : 60), name);
    c->section = -3;
}

static bool line_ok(ctx *c, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    if (n == 0 || s[0] == ';' || s[0] == '#') {
        return true;
    }
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close == NULL) {
            problem(c, c->in.line, "section header without a closing ']'");
            c->section = -3;
            return false;
        }
        begin_section(c, s + 1, (size_t)(close - s - 1));
        return true;
    }
    if (memchr(s, '=', n) == NULL) {
        problem(c, c->in.line, "expected 'key = value', '[section]' or a comment");
        return false;
    }
    return true;
}

static bool line_ok_cb(void *owner, const char *s, size_t n)
{
    return line_ok(owner, s, n);
}

static void too_long_cb(void *owner, int max)
{
    ctx *c = owner;
    problem(c, c->in.line, "line longer than %d characters", max);
}

static bool get_num(ctx *c, const char *key, const char *v, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    const double x = v[0] ? strtod(v, &end) : 0;
    if (v[0] == '\0' || *end != '\0') {
        problem(c, c->in.line, "%s: '%.40s' is not a number", key, v);
    } else if (!isfinite(x) || errno == ERANGE) {
        problem(c, c->in.line, "%s: '%.40s' is not a finite number", key, v);
    } else if (x < lo || x > hi) {
        problem(c, c->in.line, "%s: %.40s is outside %g..%g", key, v, lo, hi);
    } else {
        *out = x;
        return true;
    }
    return false;
}

/* v must be one of names[0..n) (NULL entries skipped); the index in *out. */
static bool get_word(ctx *c, const char *key, const char *v, const char *const *names, int n,
                     int *out)
{
    char list[160] = "";
    for (int i = 0; i < n; i++) {
        if (names[i] == NULL) {
            continue;
        }
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return true;
        }
        if (strlen(list) + strlen(names[i]) + 4 < sizeof list) {
            strcat(list, list[0] ? " | " : "");
            strcat(list, names[i]);
        }
    }
    problem(c, c->in.line, "%s: '%.40s' is not one of %s", key, v, list);
    return false;
}

/* Index of name in keys[0..n), or n. */
static int key_index(const char *const *keys, int n, const char *name)
{
    int k = 0;
    while (k < n && strcmp(keys[k], name) != 0) {
        k++;
    }
    return k;
}

static bool seen_once(ctx *c, long *seen, const char *key)
{
    if (*seen != 0) {
        problem(c, c->in.line, "%s is set twice (first on line %ld)", key, *seen);
        return false;
    }
    *seen = c->in.line;
    return true;
}

/* One [applicant] key. Long (one case per key) but flat: each case parses
 * one value and reports its own problem, so splitting it would only scatter
 * the table of keys. */
static void applicant_key(ctx *c, rmc_profile_file *pf, long *app_seen, const char *name,
                          const char *v)
{
    const int k = key_index(app_keys, AK_N, name);
    if (k == AK_N) {
        problem(c, c->in.line,
                "unknown key '%.60s' in [%s] (type, specialty, step2_ck, pre_score, "
                "communication, clinical_years, us_experience, visa)",
                name, pf == c->pf ? "applicant" : "partner");
        return;
    }
    if (!seen_once(c, &app_seen[k], name)) {
        return;
    }
    const char *types[RMC_N_TYPES], *usexp[RMC_N_USEXP], *visa[RMC_N_VISA];
    for (int i = 0; i < RMC_N_TYPES; i++) {
        types[i] = rmc_type_name((rmc_type)i);
    }
    for (int i = 0; i < RMC_N_USEXP; i++) {
        usexp[i] = rmc_usexp_name((rmc_usexp)i);
    }
    for (int i = 0; i < RMC_N_VISA; i++) {
        visa[i] = rmc_visa_name((rmc_visa)i);
    }
    int w = 0;
    double x = 0;
    switch (k) {
    case AK_TYPE:
        if (get_word(c, name, v, types, RMC_N_TYPES, &w)) {
            pf->type = (rmc_type)w;
        }
        break;
    case AK_SPECIALTY: {
        const size_t n = strlen(v);
        bool ok = n > 0 && n < sizeof pf->specialty;
        for (size_t i = 0; ok && i < n; i++) {
            ok = isalnum((unsigned char)v[i]) || v[i] == '_' || v[i] == '-';
        }
        if (!ok) {
            problem(c, c->in.line,
                    "specialty: '%.40s' is not a specialty name (like internal_medicine)", v);
        } else {
            memcpy(pf->specialty, v, n + 1);
            pf->specialty_line = c->in.line;
        }
        break;
    }
    case AK_STEP2:
        if (get_num(c, name, v, 1, 300, &x)) {
            pf->step2_ck = x;
            pf->has_step2_ck = true;
        }
        break;
    case AK_PRE:
        if (get_num(c, name, v, -10, 10, &x)) {
            pf->pre_score = x;
        }
        break;
    case AK_COMM:
        if (get_num(c, name, v, 0, 1, &x)) {
            pf->communication = x;
        }
        break;
    case AK_YEARS:
        if (get_num(c, name, v, 0, 60, &x)) {
            pf->clinical_years = x;
        }
        break;
    case AK_USEXP:
        if (get_word(c, name, v, usexp, RMC_N_USEXP, &w)) {
            pf->us_experience = (rmc_usexp)w;
        }
        break;
    case AK_VISA:
        if (get_word(c, name, v, visa, RMC_N_VISA, &w)) {
            pf->visa = (rmc_visa)w;
        }
        break;
    default:
        break;
    }
}

/* One key of a [program ...] section: long for the same reason as
 * applicant_key (one flat case per key). */
static void program_key(ctx *c, const char *name, const char *v)
{
    const bool partner = c->tgt != c->pf;
    rmc_profile_program *pp = &c->tgt->programs[c->section];
    prog_state *ps = &(partner ? c->ps2 : c->ps)[c->section];
    const int k = key_index(prog_keys, PK_N, name);
    if (k == PK_N) {
        problem(c, c->in.line,
                "unknown key '%.60s' in [%s %s] (positions, setting, sponsors, desirability, "
                "advocacy, ties, interest, loi, region, city)",
                name, partner ? "partner.program" : "program", pp->name);
        return;
    }
    if (!seen_once(c, &ps->seen[k], name)) {
        return;
    }
    const char *spons[RMC_N_SPONSORS], *adv[RMC_N_ADVOCACY], *intr[RMC_N_INTEREST];
    for (int i = 0; i < RMC_N_SPONSORS; i++) {
        spons[i] = rmc_sponsors_name((rmc_sponsors)i);
    }
    for (int i = 0; i < RMC_N_ADVOCACY; i++) {
        adv[i] = rmc_advocacy_name((rmc_advocacy)i);
    }
    for (int i = 0; i < RMC_N_INTEREST; i++) {
        intr[i] = rmc_interest_name((rmc_interest)i);
    }
    static const char *const settings[] = {NULL, "academic", "community"};
    static const char *const ties[] = {"0", "1"};
    int w = 0;
    double x = 0;
    switch (k) {
    case PK_POSITIONS:
        if (get_num(c, name, v, 1, 1000, &x)) {
            if (x != floor(x)) {
                problem(c, c->in.line, "positions: %.40s is not a whole number", v);
            } else {
                pp->positions = (int32_t)x;
            }
        }
        break;
    case PK_SETTING:
        if (get_word(c, name, v, settings, 3, &w)) {
            pp->setting = (rmc_setting)w;
        }
        break;
    case PK_SPONSORS:
        if (get_word(c, name, v, spons, RMC_N_SPONSORS, &w)) {
            pp->sponsors = (rmc_sponsors)w;
        }
        break;
    case PK_DESIR: {
        for (int t = RMC_TIER_TOP; t <= RMC_TIER_LOW; t++) {
            if (strcmp(v, tier_names[t]) == 0) {
                pp->tier = (rmc_tier)t;
                return;
            }
        }
        char *end = NULL;
        errno = 0;
        x = v[0] ? strtod(v, &end) : 0;
        if (v[0] == '\0' || *end != '\0' || !isfinite(x) || errno == ERANGE || fabs(x) > 10) {
            problem(c, c->in.line,
                    "desirability: '%.40s' is not a z value in -10..10 nor one of "
                    "top | high | middle | low",
                    v);
        } else {
            pp->tier = RMC_TIER_Z;
            pp->desirability = x;
        }
        break;
    }
    case PK_ADVOCACY:
        if (get_word(c, name, v, adv, RMC_N_ADVOCACY, &w)) {
            pp->advocacy = (rmc_advocacy)w;
        }
        break;
    case PK_TIES:
        if (get_word(c, name, v, ties, 2, &w)) {
            pp->ties = w;
        }
        break;
    case PK_INTEREST:
        if (get_word(c, name, v, intr, RMC_N_INTEREST, &w)) {
            pp->interest = (rmc_interest)w;
        }
        break;
    case PK_LOI:
        if (get_word(c, name, v, ties, 2, &w)) {
            pp->loi = w;
        }
        break;
    case PK_REGION:
        if (get_word(c, name, v, region_names + 1, RMC_N_REGIONS - 1, &w)) {
            pp->region = (rmc_region)(w + 1);
        }
        break;
    case PK_CITY:
        if (v[0] == '\0' || strlen(v) >= sizeof pp->city) {
            problem(c, c->in.line, "city: a name of 1..%zu characters", sizeof pp->city - 1);
        } else {
            snprintf(pp->city, sizeof pp->city, "%s", v);
        }
        break;
    default:
        break;
    }
}

bool rmc_desirability_quantile(const char *s, double *q)
{
    static const char *const words[] = {"top", "high", "middle", "low"};
    static const rmc_tier tiers[] = {RMC_TIER_TOP, RMC_TIER_HIGH, RMC_TIER_MIDDLE, RMC_TIER_LOW};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(s, words[i]) == 0) {
            *q = rmc_tier_quantile(tiers[i]);
            return true;
        }
    }
    char *end = NULL;
    errno = 0;
    const double x = s[0] ? strtod(s, &end) : -1;
    if (s[0] == '\0' || *end != '\0' || errno == ERANGE || !(x >= 0 && x < 1)) {
        return false;
    }
    *q = x;
    return true;
}

/* One [apply] key: where the applicant would be happy (docs/apply.md). */
static void apply_key(ctx *c, const char *name, const char *v)
{
    rmc_profile_file *pf = c->pf;
    const int k = key_index(apply_keys, XK_N, name);
    if (k == XK_N) {
        problem(c, c->in.line, "unknown key '%.60s' in [apply] (setting, min_desirability)", name);
        return;
    }
    if (!seen_once(c, &c->apply_seen[k], name)) {
        return;
    }
    if (k == XK_SETTING) {
        int w = 0;
        if (get_word(c, name, v, setting_names, 3, &w)) {
            pf->apply_setting = (rmc_setting)w;
        }
        return;
    }
    if (!rmc_desirability_quantile(v, &pf->apply_min_quantile)) {
        problem(c, c->in.line,
                "min_desirability: '%.40s' is not top | high | middle | low or a quantile "
                "0 <= Q < 1",
                v);
    }
}

/* One [couple] key: how the joint list is built (docs/forecast.md). */
static void couple_key(ctx *c, const char *name, const char *v)
{
    rmc_profile_file *pf = c->pf;
    const int k = key_index(couple_keys, CK_N, name);
    if (k == CK_N) {
        problem(c, c->in.line, "unknown key '%.60s' in [couple] (pairs, unmatched_options)", name);
        return;
    }
    if (!seen_once(c, &c->couple_seen[k], name)) {
        return;
    }
    int w = 0;
    double x = 0;
    if (k == CK_PAIRS) {
        if (get_word(c, name, v, pairs_names, 3, &w)) {
            pf->couple_pairs = (rmc_pairs)w;
        }
    } else if (get_num(c, name, v, 0, 5, &x)) {
        if (x != floor(x)) {
            problem(c, c->in.line, "unmatched_options: %.40s is not a whole number", v);
        } else {
            pf->couple_unmatched = (int)x;
        }
    }
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    (void)section;
    ctx *c = user;
    if (c->section == -3) {
        return 1; /* the section was reported already */
    }
    if (c->section == -2) {
        problem(c, c->in.line, "key '%.60s' before any [section]", name);
    } else if (c->section == -1) {
        applicant_key(c, c->pf, c->app_seen, name, value);
    } else if (c->section == -5) {
        applicant_key(c, c->pf->partner, c->part_seen, name, value);
    } else if (c->section == -4) {
        apply_key(c, name, value);
    } else if (c->section == -6) {
        couple_key(c, name, value);
    } else {
        program_key(c, name, value);
    }
    return 1;
}

/* The applicant keys of [applicant] or [partner] (label): required keys,
 * defaults that depend on other keys. */
static void finish_person(ctx *c, rmc_profile_file *pf, const long *seen, long line,
                          const char *label)
{
    if (seen[AK_TYPE] == 0) {
        problem(c, line, "[%s] needs type = US_MD | US_DO | US_IMG | IMG", label);
    }
    if (seen[AK_SPECIALTY] == 0) {
        problem(c, line, "[%s] needs specialty = (a specialty of the market)", label);
    }
    if ((seen[AK_STEP2] != 0) == (seen[AK_PRE] != 0)) {
        problem(c, line, "[%s] needs step2_ck (or pre_score), exactly one of them", label);
    }
    const bool img = pf->type == RMC_TYPE_US_IMG || pf->type == RMC_TYPE_IMG;
    if (seen[AK_COMM] == 0) {
        pf->communication = 1.0;
    }
    if (seen[AK_USEXP] == 0) {
        pf->us_experience = img ? RMC_USEXP_NONE : RMC_USEXP_SUB_I;
    }
    if (seen[AK_VISA] == 0) {
        pf->visa = pf->type == RMC_TYPE_IMG ? RMC_VISA_J1 : RMC_VISA_NONE;
    }
}

/* The program sections of pf (the applicant's, or the partner's with
 * partner set): required keys, sponsorship warnings; in a couple's profile
 * a region for each, and a partner's program named like one of the
 * applicant's is that program (only its interview keys may be set). */
static void finish_programs(ctx *c, rmc_profile_file *pf, bool partner, bool couple)
{
    const prog_state *ps = partner ? c->ps2 : c->ps;
    const char *label = partner ? "partner.program" : "program";
    const char *whose = partner ? "your partner's" : "your";
    for (size_t j = 0; j < pf->n_programs; j++) {
        rmc_profile_program *pp = &pf->programs[j];
        for (size_t q = 0; partner && q < c->pf->n_programs; q++) {
            if (strcmp(c->pf->programs[q].name, pp->name) == 0) {
                pp->same_as = (int)q;
            }
        }
        if (pp->same_as >= 0) {
            static const int program_keys[] = {PK_POSITIONS, PK_SETTING, PK_SPONSORS,
                                               PK_DESIR,     PK_REGION,  PK_CITY};
            for (size_t x = 0; x < sizeof program_keys / sizeof program_keys[0]; x++) {
                const int k = program_keys[x];
                if (ps[j].seen[k] != 0) {
                    problem(c, ps[j].seen[k],
                            "[partner.program %s] is your program of the same name: set %s in "
                            "[program %s] only",
                            pp->name, prog_keys[k], pp->name);
                }
            }
            if (strcmp(pf->specialty, c->pf->specialty) != 0) {
                problem(c, pp->line,
                        "[partner.program %s] is your program of the same name, but your partner's "
                        "specialty (%s) is not yours (%s): name the partner's program differently",
                        pp->name, pf->specialty, c->pf->specialty);
            }
            const rmc_profile_program *same = &c->pf->programs[pp->same_as];
            pp->positions = same->positions;
            pp->setting = same->setting;
            pp->sponsors = same->sponsors;
            pp->tier = same->tier;
            pp->desirability = same->desirability;
            pp->region = same->region;
            snprintf(pp->city, sizeof pp->city, "%s", same->city);
        } else {
            if (ps[j].seen[PK_POSITIONS] == 0) {
                problem(c, pp->line, "[%s %s] needs positions = (seats, a whole number)", label,
                        pp->name);
            }
            if (couple && ps[j].seen[PK_REGION] == 0) {
                problem(c, pp->line,
                        "[%s %s] needs region = northeast | midwest | south | west (a couple's "
                        "joint list pairs programs by place)",
                        label, pp->name);
            }
        }
        const bool sponsors_given = ps[j].seen[PK_SPONSORS] != 0 ||
                                    (pp->same_as >= 0 && c->ps[pp->same_as].seen[PK_SPONSORS] != 0);
        if (pf->visa != RMC_VISA_NONE && !sponsors_given) {
            problem(c, pp->line, "[%s %s] needs sponsors = none | J1 | J1_H1B (%s visa is %s)",
                    label, pp->name, whose, rmc_visa_name(pf->visa));
            continue;
        }
        if (pf->visa != RMC_VISA_NONE && pp->sponsors == RMC_SPONSORS_NONE) {
            rmc_problems_add(c->warn, c->path, pp->line,
                             "warning: [%s %s] sponsors no visa, so it will not rank %s "
                             "(visa %s): P(ranked) there is 0",
                             label, pp->name, partner ? "your partner" : "you",
                             rmc_visa_name(pf->visa));
        } else if (pf->visa == RMC_VISA_H1B && pp->sponsors == RMC_SPONSORS_J1) {
            rmc_problems_add(c->warn, c->path, pp->line,
                             "warning: [%s %s] sponsors J1 only: it leaves an H1B applicant "
                             "off its list with probability [visa] h1b_at_j1_only_drop (0.7 by "
                             "default) and moves %s down when it ranks %s",
                             label, pp->name, partner ? "your partner" : "you",
                             partner ? "them" : "you");
        }
    }
}

/* Whole-profile rules, defaults that depend on other keys, and warnings. */
static void finish(ctx *c)
{
    rmc_profile_file *pf = c->pf;
    if (c->app_line == 0) {
        problem(c, 0, "no [applicant] section");
        return;
    }
    finish_person(c, pf, c->app_seen, c->app_line, "applicant");
    const bool couple = pf->partner_line != 0;
    if (!couple && (c->partner_prog_line != 0 || c->couple_line != 0)) {
        problem(c, c->partner_prog_line != 0 ? c->partner_prog_line : c->couple_line,
                "[%s] without a [partner] section",
                c->partner_prog_line != 0 ? "partner.program NAME" : "couple");
    }
    if (pf->n_programs == 0 && !c->programs_optional) {
        problem(c, 0, "no [program NAME] section: describe each interview, in your rank order");
    }
    finish_programs(c, pf, false, couple);
    if (couple) {
        finish_person(c, pf->partner, c->part_seen, pf->partner_line, "partner");
        if (pf->partner->n_programs == 0) {
            problem(c, pf->partner_line,
                    "no [partner.program NAME] section: describe each of your partner's "
                    "interviews, in their rank order");
        }
        finish_programs(c, pf->partner, true, true);
    }
}

static rmc_status parse(ctx *c)
{
    if (memchr(c->in.text, '\0', c->in.len) != NULL) {
        problem(c, 0, "not a text file (NUL bytes)");
        return RMC_OK;
    }
    if (c->in.len >= 3 && memcmp(c->in.text, "\xEF\xBB\xBF", 3) == 0) {
        c->in.pos = 3;
    }
    const int ret = ini_parse_stream(rmc_ini_next_line, c, on_key, c);
    if (ret == -2) {
        return RMC_FAIL(c->d, RMC_ENOMEM, "%s: out of memory parsing", c->path);
    }
    if (ret != 0 && c->n_problems == 0) {
        problem(c, ret > 0 ? ret : 0, "syntax error");
    }
    finish(c);
    return RMC_OK;
}

static rmc_status read_text(ctx *c, char **text)
{
    *text = NULL;
    FILE *f = fopen(c->path, "rb");
    if (f == NULL) {
        problem(c, 0, "cannot open: %s", strerror(errno));
        return RMC_OK;
    }
    struct stat sb;
    rmc_status st = RMC_OK;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        problem(c, 0, "not a regular file");
    } else if ((uint64_t)sb.st_size > MAX_PROFILE_BYTES) {
        problem(c, 0, "larger than %u bytes; is this really a profile?", MAX_PROFILE_BYTES);
    } else {
        const size_t size = (size_t)sb.st_size;
        st = rmc_alloc_array((void **)text, size + 1, 1, c->d);
        if (st == RMC_OK) {
            c->in.len = fread(*text, 1, size, f);
            (*text)[c->in.len] = '\0';
            if (ferror(f) || c->in.len != size) {
                st = RMC_FAIL_AT(c->d, RMC_EIO, c->path, 0, "read error (or the file changed)");
            }
        }
    }
    fclose(f);
    return st;
}

void rmc_profile_free(rmc_profile_file *pf)
{
    if (pf != NULL) {
        rmc_profile_free(pf->partner);
        rmc_free(pf->programs);
        rmc_free(pf);
    }
}

static rmc_status load(const char *path, bool programs_optional, rmc_problems *problems,
                       rmc_problems *warnings, rmc_diag *d, rmc_profile_file **out)
{
    *out = NULL;
    ctx c = {.in = {.line_ok = line_ok_cb, .too_long = too_long_cb},
             .path = path,
             .pr = problems,
             .warn = warnings,
             .d = d,
             .section = -2,
             .programs_optional = programs_optional};
    rmc_profile_file *pf = NULL;
    char *text = NULL;
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&pf, 1, sizeof *pf, d), done);
    RMC_TRY_GOTO(
        st, rmc_calloc_array((void **)&pf->programs, MAX_PROGRAMS, sizeof *pf->programs, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&c.ps, MAX_PROGRAMS, sizeof *c.ps, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&c.ps2, MAX_PROGRAMS, sizeof *c.ps2, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&pf->partner, 1, sizeof *pf->partner, d), done);
    RMC_TRY_GOTO(st,
                 rmc_calloc_array((void **)&pf->partner->programs, MAX_PROGRAMS,
                                  sizeof *pf->partner->programs, d),
                 done);
    snprintf(pf->path, sizeof pf->path, "%s", path);
    snprintf(pf->partner->path, sizeof pf->partner->path, "%s", path);
    pf->couple_pairs = RMC_PAIRS_REGION;
    pf->couple_unmatched = 1;
    c.pf = pf;
    RMC_TRY_GOTO(st, read_text(&c, &text), done);
    if (text != NULL) {
        c.in.text = text;
        RMC_TRY_GOTO(st, parse(&c), done);
    }
    if (c.n_problems > 0) {
        st = RMC_EINPUT;
        goto done;
    }
    if (pf->partner_line == 0) {
        rmc_profile_free(pf->partner);
        pf->partner = NULL;
    }
    *out = pf;
    pf = NULL;
done:
    rmc_free(text);
    rmc_free(c.ps);
    rmc_free(c.ps2);
    rmc_profile_free(pf);
    return st;
}

rmc_status rmc_profile_load(const char *path, rmc_problems *problems, rmc_problems *warnings,
                            rmc_diag *d, rmc_profile_file **out)
{
    return load(path, false, problems, warnings, d, out);
}

rmc_status rmc_profile_load_applicant(const char *path, rmc_problems *problems,
                                      rmc_problems *warnings, rmc_diag *d, rmc_profile_file **out)
{
    return load(path, true, problems, warnings, d, out);
}
