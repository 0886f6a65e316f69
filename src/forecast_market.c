/* Placing one applicant into a market (docs/forecast.md, "Placement").
 *
 * The market is cut to the connected component of the applicant's
 * specialty: its programs, every applicant who interviewed at one of them,
 * and so on (in a synthetic market applicants apply within one specialty, so
 * this is exactly the specialty). The Match of disjoint components is
 * independent, so the applicant's outcome has the same law as in the whole
 * market at a fraction of the cost. Each program of the profile then takes
 * the place of the most similar untaken program of the specialty, which
 * keeps its id, its other interviewees, interviewers, residents and service
 * load, and takes the profile's name, positions, sponsorship and
 * desirability. The applicant is added as the last applicant with their
 * interviews last (so every other applicant's and interview's index, hence
 * its random streams, is the one it has without them) and a fixed list: the
 * profile's order. The result is written as an ordinary model folder and
 * loaded through the ordinary loader, so it is checked like any model.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "forecast_int.h"
#include "joint_int.h"

#define APPLICANT_ID "forecast_applicant"
#define PARTNER_ID "forecast_partner"

static const char *const model_files[] = {
    "model.ini",          "applicants.csv",   "programs.csv", "interviews.csv",
    "applicant_rols.csv", "program_rols.csv", "couples.csv"};

void rmc_fc_remove_model_dir(const char *dir)
{
    char path[4096];
    for (size_t i = 0; i < sizeof model_files / sizeof model_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, model_files[i]);
        unlink(path);
        snprintf(path, sizeof path, "%s/.%s.tmp", dir, model_files[i]);
        unlink(path);
    }
    rmdir(dir);
}

void rmc_fc_market_free(rmc_fc_market *mk)
{
    if (mk == NULL) {
        return;
    }
    rmc_model_free(mk->m);
    rmc_model_free(mk->m_couple);
    rmc_free(mk->joint);
    rmc_free(mk->iv);
    rmc_free(mk->prog);
    rmc_free((void *)mk->replaced);
    memset(mk, 0, sizeof *mk);
}

/* A synth-style program name "SPECIALTY SETTING k": the specialty (into
 * spec) and the setting; RMC_SETTING_ANY and "" when it is not one. */
static rmc_setting parse_name(const char *name, char *spec, size_t cap)
{
    spec[0] = '\0';
    const char *sp = strchr(name, ' ');
    if (sp == NULL || (size_t)(sp - name) >= cap) {
        return RMC_SETTING_ANY;
    }
    rmc_setting s = RMC_SETTING_ANY;
    if (strncmp(sp + 1, "academic ", 9) == 0) {
        s = RMC_SETTING_ACADEMIC;
    } else if (strncmp(sp + 1, "community ", 10) == 0) {
        s = RMC_SETTING_COMMUNITY;
    } else {
        return RMC_SETTING_ANY;
    }
    memcpy(spec, name, (size_t)(sp - name));
    spec[sp - name] = '\0';
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What placement needs to know about the base market's programs. For a
 * couple, "the specialty" is the applicant's for their programs and the
 * partner's for the partner's (the component is that of both). */
typedef struct place {
    const rmc_model *m0;
    rmc_setting *setting; /* [n_prog] */
    bool *in_spec;        /* [n_prog] of the applicant's specialty (or the partner's) */
    bool *in_spec_a;      /* [n_prog] of the applicant's specialty */
    bool *in_spec_b;      /* [n_prog] of the partner's (NULL for a single applicant) */
    bool *prog_in;        /* [n_prog] in the component */
    bool *app_in;         /* [n_app] in the component */
    bool *taken;          /* [n_prog] replaced by a profile program */
    double *sorted;       /* [n_prog] desirabilities of the specialty being placed, ascending */
    size_t n_spec;        /* programs in the specialty being placed */
    rmc_id *chosen;       /* [L] slots: the applicant's programs, then the partner's */
    double *desir;        /* [L] target desirability */
} place;

static void place_free(place *pl)
{
    rmc_free(pl->setting);
    rmc_free(pl->in_spec);
    rmc_free(pl->in_spec_a);
    rmc_free(pl->in_spec_b);
    rmc_free(pl->prog_in);
    rmc_free(pl->app_in);
    rmc_free(pl->taken);
    rmc_free(pl->sorted);
    rmc_free(pl->chosen);
    rmc_free(pl->desir);
}

/* Which programs are of specialty spec (into mask, counted in *n); all of
 * them when the market's names carry no specialty. A problem when none is;
 * its known specialties are listed. */
static rmc_status spec_mask(const place *pl, const rmc_profile_file *pf, bool *mask, size_t *n,
                            rmc_problems *pr, bool *ok)
{
    const rmc_model *m = pl->m0;
    bool named = false;
    char spec[64], known[512] = "";
    *n = 0;
    *ok = false;
    for (size_t j = 0; j < m->n_prog; j++) {
        (void)parse_name(m->prog_name[j], spec, sizeof spec);
        if (pl->setting[j] == RMC_SETTING_ANY) {
            continue;
        }
        named = true;
        mask[j] = strcmp(spec, pf->specialty) == 0;
        *n += mask[j];
        char item[72];
        snprintf(item, sizeof item, "%s%s,", known[0] ? " " : "", spec);
        if (strstr(known, spec) == NULL && strlen(known) + strlen(item) + 1 < sizeof known) {
            strcat(known, item);
        }
    }
    if (!named) {
        /* No synth-style names: the whole market is one specialty. */
        for (size_t j = 0; j < m->n_prog; j++) {
            mask[j] = true;
        }
        *n = m->n_prog;
    } else if (*n == 0) {
        if (known[0] != '\0') {
            known[strlen(known) - 1] = '\0';
        }
        rmc_problems_add(pr, pf->path, pf->specialty_line,
                         "unknown specialty '%s': this market has %s", pf->specialty, known);
        return RMC_OK;
    }
    *ok = true;
    return RMC_OK;
}

/* Programs of pf not standing for one of the applicant's (same_as). */
static size_t own_programs(const rmc_profile_file *pf)
{
    size_t n = 0;
    for (size_t l = 0; l < pf->n_programs; l++) {
        n += pf->programs[l].same_as < 0;
    }
    return n;
}

/* Specialty of every program; problem when the profile's (or the
 * partner's) is not there or has too few programs. */
static rmc_status find_specialty(const rmc_profile_file *pf, place *pl, rmc_problems *pr, bool *ok,
                                 rmc_diag *d)
{
    const rmc_model *m = pl->m0;
    *ok = false;
    RMC_TRY(rmc_calloc_array((void **)&pl->setting, m->n_prog, sizeof *pl->setting, d));
    RMC_TRY(rmc_calloc_array((void **)&pl->in_spec, m->n_prog, sizeof *pl->in_spec, d));
    RMC_TRY(rmc_calloc_array((void **)&pl->in_spec_a, m->n_prog, sizeof *pl->in_spec_a, d));
    char spec[64];
    for (size_t j = 0; j < m->n_prog; j++) {
        pl->setting[j] = parse_name(m->prog_name[j], spec, sizeof spec);
    }
    size_t na = 0, nb = 0;
    bool ok_a = false, ok_b = true;
    RMC_TRY(spec_mask(pl, pf, pl->in_spec_a, &na, pr, &ok_a));
    const rmc_profile_file *pb = pf->partner;
    if (pb != NULL) {
        RMC_TRY(rmc_calloc_array((void **)&pl->in_spec_b, m->n_prog, sizeof *pl->in_spec_b, d));
        RMC_TRY(spec_mask(pl, pb, pl->in_spec_b, &nb, pr, &ok_b));
    }
    if (!ok_a || !ok_b) {
        return RMC_OK;
    }
    for (size_t j = 0; j < m->n_prog; j++) {
        pl->in_spec[j] = pl->in_spec_a[j] || (pb != NULL && pl->in_spec_b[j]);
    }
    const bool one_spec = pb != NULL && strcmp(pf->specialty, pb->specialty) == 0;
    const size_t need_a = pf->n_programs + (one_spec ? own_programs(pb) : 0);
    if (need_a > na) {
        rmc_problems_add(pr, pf->path, pf->programs[pf->n_programs - 1].line,
                         "%zu programs, but the market has only %zu of specialty '%s'", need_a, na,
                         pf->specialty);
        return RMC_OK;
    }
    if (pb != NULL && !one_spec && own_programs(pb) > nb) {
        rmc_problems_add(pr, pb->path, pb->programs[pb->n_programs - 1].line,
                         "%zu partner programs, but the market has only %zu of specialty '%s'",
                         own_programs(pb), nb, pb->specialty);
        return RMC_OK;
    }
    *ok = true;
    return RMC_OK;
}

/* The component of the specialty's programs (breadth first over interviews). */
static rmc_status component(place *pl, rmc_diag *d)
{
    const rmc_model *m = pl->m0;
    RMC_TRY(rmc_calloc_array((void **)&pl->prog_in, m->n_prog, sizeof *pl->prog_in, d));
    RMC_TRY(rmc_calloc_array((void **)&pl->app_in, m->n_app, sizeof *pl->app_in, d));
    rmc_id *queue = NULL;
    RMC_TRY(rmc_alloc_array((void **)&queue, m->n_prog, sizeof *queue, d));
    size_t head = 0, tail = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        if (pl->in_spec[j]) {
            pl->prog_in[j] = true;
            queue[tail++] = (rmc_id)j;
        }
    }
    while (head < tail) {
        const size_t j = (size_t)queue[head++];
        for (size_t e = m->prog_off[j]; e < m->prog_off[j + 1]; e++) {
            const size_t i = (size_t)m->iv_app[m->iv_by_prog[e]];
            if (pl->app_in[i]) {
                continue;
            }
            pl->app_in[i] = true;
            for (size_t f = m->app_off[i]; f < m->app_off[i + 1]; f++) {
                const size_t q = (size_t)m->iv_prog[m->iv_by_app[f]];
                if (!pl->prog_in[q]) {
                    pl->prog_in[q] = true;
                    queue[tail++] = (rmc_id)q;
                }
            }
        }
    }
    rmc_free(queue);
    return RMC_OK;
}

/* Quantile q of the specialty's desirabilities (linear between order
 * statistics), and the share of them below x. */
static double quantile(const place *pl, double q)
{
    const double h = q * (double)(pl->n_spec - 1);
    const size_t lo = (size_t)floor(h);
    const size_t hi = lo + 1 < pl->n_spec ? lo + 1 : lo;
    return pl->sorted[lo] + (h - (double)lo) * (pl->sorted[hi] - pl->sorted[lo]);
}

static double share_below(const place *pl, double x)
{
    size_t n = 0;
    while (n < pl->n_spec && pl->sorted[n] < x) {
        n++;
    }
    return pl->n_spec > 1 ? (double)n / (double)(pl->n_spec - 1) : 0.5;
}

/* The most similar untaken program of specialty mask for each of the n
 * programs pp (slots from slot0 on), in order; a partner's program (slot0 >
 * 0) that is one of the applicant's (same_as) takes that program's place. */
static rmc_status choose_for(place *pl, const bool *mask, const rmc_profile_program *pps, size_t n,
                             size_t slot0)
{
    const rmc_model *m = pl->m0;
    size_t ns = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        if (mask[j]) {
            pl->sorted[ns++] = m->desirability[j];
        }
    }
    pl->n_spec = ns;
    qsort(pl->sorted, ns, sizeof *pl->sorted, cmp_double);
    for (size_t l = 0; l < n; l++) {
        const rmc_profile_program *pp = &pps[l];
        if (slot0 > 0 && pp->same_as >= 0) {
            pl->chosen[slot0 + l] = pl->chosen[pp->same_as];
            pl->desir[slot0 + l] = pl->desir[pp->same_as];
            continue;
        }
        const double target =
            pp->tier == RMC_TIER_Z ? pp->desirability : quantile(pl, rmc_tier_quantile(pp->tier));
        const double q = share_below(pl, target);
        pl->desir[slot0 + l] = target;
        rmc_id best = RMC_ID_NONE;
        int best_level = 3;
        double best_dist = HUGE_VAL;
        for (size_t j = 0; j < m->n_prog; j++) {
            if (!mask[j] || pl->taken[j]) {
                continue;
            }
            const bool same_sp = m->sponsors[j] == (uint8_t)pp->sponsors;
            const bool same_set = pp->setting == RMC_SETTING_ANY || pl->setting[j] == pp->setting;
            const int level = same_sp && same_set ? 0 : same_sp ? 1 : 2;
            const double dist = fabs(log((double)m->positions[j] / (double)pp->positions)) +
                                2.0 * fabs(share_below(pl, m->desirability[j]) - q);
            if (level < best_level || (level == best_level && dist < best_dist)) {
                best = (rmc_id)j;
                best_level = level;
                best_dist = dist;
            }
        }
        RMC_ASSERT(best != RMC_ID_NONE); /* the programs' count was checked */
        pl->taken[best] = true;
        pl->chosen[slot0 + l] = best;
    }
    return RMC_OK;
}

/* The most similar untaken program for each profile program, in order:
 * the applicant's, then the partner's. */
static rmc_status choose(const rmc_profile_file *pf, place *pl, rmc_diag *d)
{
    const rmc_model *m = pl->m0;
    const size_t L = rmc_fc_slots(pf);
    RMC_TRY(rmc_alloc_array((void **)&pl->sorted, m->n_prog, sizeof *pl->sorted, d));
    RMC_TRY(rmc_calloc_array((void **)&pl->taken, m->n_prog, sizeof *pl->taken, d));
    RMC_TRY(rmc_alloc_array((void **)&pl->chosen, L, sizeof *pl->chosen, d));
    RMC_TRY(rmc_alloc_array((void **)&pl->desir, L, sizeof *pl->desir, d));
    RMC_TRY(choose_for(pl, pl->in_spec_a, pf->programs, pf->n_programs, 0));
    if (pf->partner != NULL) {
        RMC_TRY(choose_for(pl, pl->in_spec_b, pf->partner->programs, pf->partner->n_programs,
                           pf->n_programs));
    }
    return RMC_OK;
}

size_t rmc_fc_slots(const rmc_profile_file *pf)
{
    return pf->n_programs + (pf->partner != NULL ? pf->partner->n_programs : 0);
}

/* The profile program of slot l (the applicant's, then the partner's). */
static const rmc_profile_program *slot_program(const rmc_profile_file *pf, size_t l)
{
    return l < pf->n_programs ? &pf->programs[l] : &pf->partner->programs[l - pf->n_programs];
}

/* A CSV field, quoted with doubled quotes. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') {
            fputc('"', f);
        }
        fputc(*s, f);
    }
    fputc('"', f);
}

static rmc_status copy_file(const char *from, const char *to, rmc_diag *d)
{
    FILE *in = fopen(from, "rb");
    if (in == NULL) {
        return RMC_FAIL_AT(d, RMC_EIO, from, 0, "cannot open: %s", strerror(errno));
    }
    FILE *out = fopen(to, "wb");
    if (out == NULL) {
        fclose(in);
        return RMC_FAIL_AT(d, RMC_EIO, to, 0, "cannot create: %s", strerror(errno));
    }
    char buf[65536];
    size_t n;
    bool ok = true;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        ok = ok && fwrite(buf, 1, n, out) == n;
    }
    ok = ok && !ferror(in);
    fclose(in);
    ok = fclose(out) == 0 && ok;
    return ok ? RMC_OK : RMC_FAIL_AT(d, RMC_EIO, to, 0, "write error");
}

typedef struct writer {
    const rmc_profile_file *pf;
    const place *pl;
    double pre_score, partner_pre_score;
    const rmc_fc_pair *joint; /* the couple's joint list, for couples.csv */
    size_t n_joint;
} writer;

/* The applicant (slot of theirs) or partner (slot of the partner's) id. */
static const char *slot_app_id(const rmc_profile_file *pf, size_t l)
{
    return l < pf->n_programs ? APPLICANT_ID : PARTNER_ID;
}

static void write_applicants(FILE *f, const writer *w)
{
    const rmc_model *m = w->pl->m0;
    fputs("id,type,pre_score,communication,clinical_years,us_experience,visa,profile\n", f);
    for (size_t i = 0; i < m->n_app; i++) {
        if (!w->pl->app_in[i]) {
            continue;
        }
        put_quoted(f, m->app_id[i]);
        fprintf(f, ",%s,%.17g,%.17g,%.17g,%s,%s,%s\n", rmc_type_name((rmc_type)m->app_type[i]),
                m->pre_score[i], m->communication[i], m->clinical_years[i],
                rmc_usexp_name((rmc_usexp)m->us_exp[i]), rmc_visa_name((rmc_visa)m->visa[i]),
                rmc_profile_name((rmc_profile)m->profile[i]));
    }
    const rmc_profile_file *pf = w->pf;
    fprintf(f, "%s,%s,%.17g,%.17g,%.17g,%s,%s,\n", APPLICANT_ID, rmc_type_name(pf->type),
            w->pre_score, pf->communication, pf->clinical_years, rmc_usexp_name(pf->us_experience),
            rmc_visa_name(pf->visa));
    const rmc_profile_file *pb = pf->partner;
    if (pb != NULL) {
        fprintf(f, "%s,%s,%.17g,%.17g,%.17g,%s,%s,\n", PARTNER_ID, rmc_type_name(pb->type),
                w->partner_pre_score, pb->communication, pb->clinical_years,
                rmc_usexp_name(pb->us_experience), rmc_visa_name(pb->visa));
    }
}

static void write_programs(FILE *f, const writer *w)
{
    const rmc_model *m = w->pl->m0;
    fputs("id,name,positions,interviewers,residents,sponsors,service_load,desirability\n", f);
    for (size_t j = 0; j < m->n_prog; j++) {
        if (!w->pl->prog_in[j]) {
            continue;
        }
        const char *name = m->prog_name[j];
        int32_t positions = m->positions[j];
        uint8_t sponsors = m->sponsors[j];
        double desir = m->desirability[j];
        for (size_t l = 0; l < rmc_fc_slots(w->pf); l++) {
            if (w->pl->chosen[l] == (rmc_id)j) {
                const rmc_profile_program *pp = slot_program(w->pf, l);
                name = pp->name;
                positions = pp->positions;
                sponsors = (uint8_t)pp->sponsors;
                desir = w->pl->desir[l];
            }
        }
        put_quoted(f, m->prog_id[j]);
        fputc(',', f);
        put_quoted(f, name);
        fprintf(f, ",%d,%d,%d,%s,%.17g,%.17g\n", (int)positions, (int)m->interviewers[j],
                (int)m->residents[j], rmc_sponsors_name((rmc_sponsors)sponsors), m->service_load[j],
                desir);
    }
}

static void write_interviews(FILE *f, const writer *w)
{
    const rmc_model *m = w->pl->m0;
    fputs("applicant,program,advocacy,ties,interest,loi\n", f);
    for (size_t k = 0; k < m->n_iv; k++) {
        const size_t i = (size_t)m->iv_app[k];
        if (!w->pl->app_in[i]) {
            continue;
        }
        put_quoted(f, m->app_id[i]);
        fputc(',', f);
        put_quoted(f, m->prog_id[m->iv_prog[k]]);
        fprintf(f, ",%s,%d,%s,%d\n", rmc_advocacy_name((rmc_advocacy)m->advocacy[k]),
                (int)m->ties[k], rmc_interest_name((rmc_interest)m->interest[k]),
                m->loi != NULL ? (int)m->loi[k] : 0);
    }
    for (size_t l = 0; l < rmc_fc_slots(w->pf); l++) {
        const rmc_profile_program *pp = slot_program(w->pf, l);
        fprintf(f, "%s,", slot_app_id(w->pf, l));
        put_quoted(f, m->prog_id[w->pl->chosen[l]]);
        fprintf(f, ",%s,%d,%s,%d\n", rmc_advocacy_name(pp->advocacy), pp->ties,
                rmc_interest_name(pp->interest), pp->loi);
    }
}

static void write_rols(FILE *f, const writer *w)
{
    fputs("applicant,rank,program\n", f);
    for (size_t l = 0; l < rmc_fc_slots(w->pf); l++) {
        const size_t rank = l < w->pf->n_programs ? l + 1 : l - w->pf->n_programs + 1;
        fprintf(f, "%s,%zu,", slot_app_id(w->pf, l), rank);
        put_quoted(f, w->pl->m0->prog_id[w->pl->chosen[l]]);
        fputc('\n', f);
    }
}

/* The couple's joint list; slot indices map to the placed programs. */
static void write_couples(FILE *f, const writer *w)
{
    const size_t LA = w->pf->n_programs;
    fputs("applicant_a,applicant_b,rank,program_a,program_b\n", f);
    for (size_t e = 0; e < w->n_joint; e++) {
        fprintf(f, "%s,%s,%zu,", APPLICANT_ID, PARTNER_ID, e + 1);
        if (w->joint[e].a >= 0) {
            put_quoted(f, w->pl->m0->prog_id[w->pl->chosen[w->joint[e].a]]);
        }
        fputc(',', f);
        if (w->joint[e].b >= 0) {
            put_quoted(f, w->pl->m0->prog_id[w->pl->chosen[LA + (size_t)w->joint[e].b]]);
        }
        fputc('\n', f);
    }
}

/* Member M's programs as the joint-list builder's member (joint_int.h):
 * utility minus the list position (the profile gives ranks, not
 * utilities), the region, and a city id per (region, city name) across
 * both partners' programs (seen[] holds one program of each id). */
static void fc_member(const rmc_profile_file *M, const rmc_profile_program **seen, size_t *n_seen,
                      double *u, int32_t *region, int32_t *city)
{
    for (size_t x = 0; x < M->n_programs; x++) {
        const rmc_profile_program *p = &M->programs[x];
        u[x] = -(double)x;
        region[x] = p->region != RMC_REGION_NONE ? (int32_t)p->region : -1;
        city[x] = -1;
        for (size_t t = 0; t < *n_seen && p->city[0] != '\0' && city[x] < 0; t++) {
            if (seen[t]->region == p->region && strcmp(seen[t]->city, p->city) == 0) {
                city[x] = (int32_t)t;
            }
        }
        if (p->city[0] != '\0' && city[x] < 0) {
            city[x] = (int32_t)*n_seen;
            seen[(*n_seen)++] = p;
        }
    }
}

rmc_status rmc_fc_joint_list(const rmc_profile_file *pf, rmc_fc_pair **out, size_t *n_out,
                             rmc_diag *d)
{
    *out = NULL;
    *n_out = 0;
    const rmc_profile_file *pb = pf->partner;
    RMC_ASSERT(pb != NULL);
    const size_t LA = pf->n_programs, LB = pb->n_programs, L = LA + LB;
    const rmc_joint_rules rules = {pf->couple_pairs == RMC_PAIRS_CITY     ? RMC_JOINT_CITY
                                   : pf->couple_pairs == RMC_PAIRS_REGION ? RMC_JOINT_REGION
                                                                          : RMC_JOINT_ANY,
                                   RMC_FC_MAX_JOINT, (size_t)pf->couple_unmatched, true};
    double *u = NULL;
    int32_t *loc = NULL;
    const rmc_profile_program **seen = NULL;
    rmc_joint_item *items = NULL;
    rmc_joint_entry *jl = NULL;
    rmc_fc_pair *res = NULL;
    const size_t bound = rmc_joint_bound(&rules, LA, LB);
    rmc_status st = rmc_alloc_array((void **)&u, L + 1, sizeof *u, d);
    st = st == RMC_OK ? rmc_alloc_array((void **)&loc, 2 * L + 1, sizeof *loc, d) : st;
    st = st == RMC_OK ? rmc_alloc_array((void **)&seen, L + 1, sizeof *seen, d) : st;
    st = st == RMC_OK
             ? rmc_alloc_array((void **)&items, rmc_joint_scratch(LA, LB), sizeof *items, d)
             : st;
    st = st == RMC_OK ? rmc_alloc_array((void **)&jl, bound + 1, sizeof *jl, d) : st;
    st = st == RMC_OK ? rmc_alloc_array((void **)&res, bound + 1, sizeof *res, d) : st;
    if (st == RMC_OK) {
        size_t n_seen = 0;
        fc_member(pf, seen, &n_seen, u, loc, loc + L);
        fc_member(pb, seen, &n_seen, u + LA, loc + LA, loc + L + LA);
        const rmc_joint_member A = {LA, u, loc, loc + L};
        const rmc_joint_member B = {LB, u + LA, loc + LA, loc + L + LA};
        const size_t n = rmc_joint_build(&A, &B, &rules, items, jl);
        for (size_t e = 0; e < n; e++) {
            res[e] = (rmc_fc_pair){(int16_t)jl[e].a, (int16_t)jl[e].b};
        }
        *out = res;
        *n_out = n;
        res = NULL;
    }
    rmc_free(res);
    rmc_free(jl);
    rmc_free(items);
    rmc_free(seen);
    rmc_free(loc);
    rmc_free(u);
    return st;
}

static rmc_status write_one(const char *dir, const char *name, void (*fn)(FILE *, const writer *),
                            const writer *w, rmc_diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return RMC_FAIL_AT(d, RMC_EIO, path, 0, "cannot create: %s", strerror(errno));
    }
    fn(f, w);
    const bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        return RMC_FAIL_AT(d, RMC_EIO, path, 0, "write error");
    }
    return RMC_OK;
}

static rmc_status write_model(const char *base_dir, const char *out_dir, const writer *w,
                              rmc_diag *d)
{
    char cpath[4096];
    snprintf(cpath, sizeof cpath, "%s/couples.csv", out_dir);
    unlink(cpath); /* a fast model has none */
    if (mkdir(out_dir, 0700) != 0 && errno != EEXIST) {
        return RMC_FAIL_AT(d, RMC_EIO, out_dir, 0, "cannot create folder: %s", strerror(errno));
    }
    char from[4096], to[4096];
    snprintf(from, sizeof from, "%s/model.ini", base_dir);
    snprintf(to, sizeof to, "%s/model.ini", out_dir);
    RMC_TRY(copy_file(from, to, d));
    RMC_TRY(write_one(out_dir, "applicants.csv", write_applicants, w, d));
    RMC_TRY(write_one(out_dir, "programs.csv", write_programs, w, d));
    RMC_TRY(write_one(out_dir, "interviews.csv", write_interviews, w, d));
    return write_one(out_dir, "applicant_rols.csv", write_rols, w, d);
}

/* Indices of the applicant (and partner), their interviews and programs in
 * the new model, slot by slot. */
static rmc_status locate(const rmc_profile_file *pf, const place *pl, rmc_fc_market *mk,
                         rmc_diag *d)
{
    const rmc_model *m = mk->m;
    const size_t L = rmc_fc_slots(pf), LA = pf->n_programs;
    const bool couple = pf->partner != NULL;
    mk->app = rmc_model_find_applicant(m, APPLICANT_ID);
    mk->partner = couple ? rmc_model_find_applicant(m, PARTNER_ID) : RMC_ID_NONE;
    RMC_ASSERT(mk->app == (rmc_id)(m->n_app - (couple ? 2 : 1)));
    RMC_ASSERT(!couple || mk->partner == (rmc_id)(m->n_app - 1));
    mk->n_slots = L;
    RMC_TRY(rmc_alloc_array((void **)&mk->iv, L, sizeof *mk->iv, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->prog, L, sizeof *mk->prog, d));
    RMC_TRY(rmc_calloc_array((void **)&mk->replaced, L, sizeof *mk->replaced, d));
    const size_t a = (size_t)mk->app;
    RMC_ASSERT(m->app_off[a + 1] - m->app_off[a] == LA);
    for (size_t l = 0; l < L; l++) {
        const size_t who = l < LA ? a : (size_t)mk->partner;
        mk->iv[l] = m->iv_by_app[m->app_off[who] + (l < LA ? l : l - LA)];
        mk->prog[l] = m->iv_prog[mk->iv[l]];
        snprintf(mk->replaced[l], sizeof mk->replaced[l], "%s", pl->m0->prog_id[pl->chosen[l]]);
        RMC_ASSERT(strcmp(m->prog_id[mk->prog[l]], mk->replaced[l]) == 0);
    }
    return RMC_OK;
}

/* Load the model in dir into *out; a problem there is an internal error. */
static rmc_status load_placed(const char *dir, rmc_model **out, rmc_diag *d)
{
    rmc_problems *lp = NULL;
    rmc_status st = rmc_problems_alloc(8, &lp);
    if (st == RMC_OK) {
        st = rmc_model_load(dir, lp, d, out);
        if (st == RMC_EINPUT) {
            st = RMC_FAIL(d, RMC_EINTERNAL, "the placed market does not load: %s",
                          rmc_problems_kept(lp) > 0 ? rmc_problems_get(lp, 0) : "?");
        }
        rmc_problems_free(lp);
    }
    return st;
}

static rmc_status build(const rmc_profile_file *pf, const char *base_dir, const char *out_dir,
                        bool couple_model, rmc_problems *pr, place *pl, rmc_fc_market *mk,
                        rmc_diag *d)
{
    const rmc_model *m0 = pl->m0;
    if (m0->n_couples > 0 || m0->n_app_rols > 0 || m0->n_prog_rols > 0) {
        return RMC_FAIL_AT(d, RMC_EINPUT, base_dir, 0,
                           "a forecast market cannot have fixed rank order lists or couples "
                           "(applicant_rols.csv, program_rols.csv, couples.csv)");
    }
    if (rmc_model_find_applicant(m0, APPLICANT_ID) != RMC_ID_NONE ||
        rmc_model_find_applicant(m0, PARTNER_ID) != RMC_ID_NONE) {
        return RMC_FAIL_AT(d, RMC_EINPUT, base_dir, 0,
                           "the market already has an applicant '%s' or '%s'", APPLICANT_ID,
                           PARTNER_ID);
    }
    bool ok = false;
    RMC_TRY(find_specialty(pf, pl, pr, &ok, d));
    if (!ok) {
        return RMC_EINPUT;
    }
    RMC_TRY(component(pl, d));
    RMC_TRY(choose(pf, pl, d));
    writer w = {pf, pl, rmc_profile_pre_score(pf, &m0->params), 0, NULL, 0};
    if (pf->partner != NULL) {
        w.partner_pre_score = rmc_profile_pre_score(pf->partner, &m0->params);
        RMC_TRY(rmc_fc_joint_list(pf, &mk->joint, &mk->n_joint, d));
        w.joint = mk->joint;
        w.n_joint = mk->n_joint;
    }
    mk->pre_score = w.pre_score;
    mk->partner_pre_score = w.partner_pre_score;
    rmc_status st = write_model(base_dir, out_dir, &w, d);
    if (st == RMC_OK) {
        st = load_placed(out_dir, &mk->m, d);
    }
    if (st == RMC_OK && couple_model) {
        st = write_one(out_dir, "couples.csv", write_couples, &w, d);
        if (st == RMC_OK) {
            st = load_placed(out_dir, &mk->m_couple, d);
        }
    }
    rmc_fc_remove_model_dir(out_dir);
    RMC_TRY(st);
    return locate(pf, pl, mk, d);
}

rmc_status rmc_fc_market_build(const rmc_profile_file *pf, const char *base_dir,
                               const char *out_dir, bool couple_model, rmc_problems *pr,
                               rmc_fc_market *mk, rmc_diag *d)
{
    memset(mk, 0, sizeof *mk);
    rmc_model *m0 = NULL;
    rmc_status st = rmc_model_load(base_dir, pr, d, &m0);
    if (st != RMC_OK) {
        return st;
    }
    place pl = {.m0 = m0};
    st = build(pf, base_dir, out_dir, couple_model, pr, &pl, mk, d);
    place_free(&pl);
    rmc_model_free(m0);
    if (st != RMC_OK) {
        rmc_fc_market_free(mk);
    }
    return st;
}
