/* Synthetic markets: generate a model folder from a preset (synth_presets.c).
 *
 * The process, in order (docs/synth.md has the details and the sources):
 *  1. programs: the preset's program count is split over specialties by
 *     largest remainder; each program is academic or community, sponsors a
 *     visa or not (Tiako et al.), gets a size 1 + NegBin(mean - 1) around its
 *     specialty's mean, and the sizes are nudged to hit the total positions;
 *  2. applicants: group counts by largest remainder, shuffled; each draws
 *     its attributes from its group, and one specialty with probability
 *     proportional to the specialty's positions times the group's affinity;
 *  3. applications: each applicant applies to 1 + Poisson(mean - 1)
 *     programs of their specialty, drawn without replacement in proportion
 *     to program size;
 *  4. interview offers: a program screens out visa applicants it cannot
 *     sponsor (rare exceptions), scores the rest by
 *     concentration * pre_score + group shift + N(0, 1), and offers its
 *     slots (positions * slots_per_position) down that list; an applicant
 *     attends at most `cap` interviews, keeping the most desirable programs.
 *     This is program-proposing deferred acceptance, so it ends in a stable
 *     many-to-many assignment, whatever the order programs are processed in.
 *     An applicant left with no interview gets one (NRMP's active applicants
 *     all certified a list);
 *  5. interview attributes: advocacy (rotation per interview; research
 *     fellowship or chief contact at one program per applicant), ties,
 *     interest.
 * Each phase draws from its own RMC_STREAM_SYNTH substream of the seed, and
 * nothing depends on addresses or hash order, so a seed writes identical
 * bytes. Files are written under temporary names and renamed at the end.
 */
#include "rankmc/synth.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_randist.h>

#include "rankmc/rng.h"
#include "joint_int.h"
#include "synth_int.h"

enum {
    SUB_PROGRAMS = 0,
    SUB_APPLICANTS = 1,
    SUB_APPLY = 2,
    SUB_OFFER = 3,
    SUB_ATTR = 4,
    SUB_RESCUE = 5,
    SUB_LOCATION = 6,
    SUB_COUPLES = 7,
    /* tracks (docs/synth.md "Tracks"): their own streams, so the files of a
     * seed without tracks are the same bytes, and so are the draws above */
    SUB_SUPP_APPLY = 16,
    SUB_SUPP_OFFER = 17,
    SUB_SUPP_ATTR = 18,
    SUB_REVERT = 19
};

/* Census regions and their shares of programs (assumption: roughly the
 * distribution of ACGME programs; docs/synth.md "Couples"). */
enum { N_REGIONS = 4 };
static const char *const region_names[N_REGIONS] = {"northeast", "midwest", "south", "west"};
static const double region_share[N_REGIONS] = {0.27, 0.23, 0.33, 0.17};

/* Hard limits keep every count and index inside rmc_id and memory sane. */
#define MAX_APPLICANTS 5000000u
#define MAX_PROGRAMS 1000000u
#define MAX_SPECIALTIES 64u

typedef struct application {
    double score; /* offer score: larger is offered first */
    rmc_id app;   /* applicant index */
} application;

/* The whole market in struct-of-arrays form. */
typedef struct market {
    const rmc_synth_preset *pre;
    const rmc_synth_specialty *sp; /* the specialty rows in use (with or without tracks) */
    size_t n_rows;                 /* rows of sp */
    bool tracks;                   /* preliminary / advanced rows, supplemental interviews */
    size_t n_app, n_prog, n_pos, n_spec;
    size_t spec_first[MAX_SPECIALTIES + 1]; /* programs of row s: [first[s], first[s+1]) */
    size_t field_lo[MAX_SPECIALTIES];       /* programs of row s's field: [lo[s], hi[s]) */
    size_t field_hi[MAX_SPECIALTIES];
    /* programs */
    uint8_t *p_spec, *p_community, *sponsors;
    int32_t *positions, *interviewers, *residents, *slots;
    double *service_load, *desirability;
    /* applicants */
    uint8_t *a_group, *a_spec, *usexp, *visa;
    int32_t *clinical, *cap;
    double *pre_score, *communication;
    /* interviews, CSR by applicant, programs ascending within an applicant */
    size_t n_iv;
    size_t *a_off;   /* [n_app + 1] */
    rmc_id *iv_prog; /* [n_iv] */
    uint8_t *advocacy, *ties, *interest;
    /* location: region and city (cities numbered within the region) */
    uint8_t *p_region;
    int32_t *p_city;
    /* couples and their joint lists (program index or RMC_ID_NONE) */
    size_t n_couples;
    rmc_id *c_a, *c_b; /* [n_couples] applicant indices */
    size_t *c_off;     /* [n_couples + 1] */
    rmc_id *c_pa, *c_pb;
    double *offer_cut; /* [n_prog] interview-offer cutoffs, only when asked for (else NULL) */
    /* tracks: reversions donor -> receiver (program indices) of rv_n positions */
    size_t n_rv;
    rmc_id *rv_donor, *rv_recv;
    int32_t *rv_n;
    size_t n_supp_iv, n_supp_app; /* supplemental interviews; applicants holding an advanced one */
} market;

static const char *const group_names[RMC_SYNTH_N_GROUPS] = {"md_senior", "do_senior", "us_img",
                                                            "non_us_img", "other"};
static const char *const type_names[RMC_N_TYPES] = {"US_MD", "US_DO", "US_IMG", "IMG"};
static const char *const usexp_names[RMC_N_USEXP] = {"none", "observership", "hands_on", "sub_i"};
static const char *const visa_names[RMC_N_VISA] = {"none", "J1", "H1B", "uncertain"};
static const char *const sponsors_names[RMC_N_SPONSORS] = {"none", "J1", "J1_H1B"};
static const char *const advocacy_names[RMC_N_ADVOCACY] = {"none", "rotation", "research_fellow",
                                                           "chief"};
static const char *const interest_names[RMC_N_INTEREST] = {"low", "normal", "high"};

const char *rmc_synth_group_name(rmc_synth_group g)
{
    return (unsigned)g < RMC_SYNTH_N_GROUPS ? group_names[g] : NULL;
}

void rmc_synth_options_default(rmc_synth_options *o)
{
    *o = (rmc_synth_options){
        .preset = "im-regional", .scale = 1.0, .seed = 1, .couples = 0, .tracks = -1};
}

/* Split total over n weights by largest remainder (ties to the lower index),
 * so the parts sum to total exactly and each is within 1 of its share. */
static void apportion(size_t total, const double *w, size_t n, size_t *out)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += w[i];
    }
    double rem[MAX_SPECIALTIES];
    size_t given = 0;
    for (size_t i = 0; i < n; i++) {
        const double exact = sum > 0.0 ? (double)total * w[i] / sum : 0.0;
        out[i] = (size_t)floor(exact);
        rem[i] = exact - (double)out[i];
        given += out[i];
    }
    while (given < total) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++) {
            if (rem[i] > rem[best]) {
                best = i;
            }
        }
        out[best]++;
        rem[best] = -1.0;
        given++;
    }
}

static size_t draw_index(const gsl_rng *g, const double *p, size_t n)
{
    double u = gsl_rng_uniform(g);
    for (size_t i = 0; i + 1 < n; i++) {
        if (u < p[i]) {
            return i;
        }
        u -= p[i];
    }
    return n - 1;
}

static size_t round_count(double x)
{
    return x >= 0.5 ? (size_t)llround(x) : 0;
}

/* ---- sizes ------------------------------------------------------------ */

static rmc_status resolve_sizes(const rmc_synth_options *o, const rmc_synth_preset *pre, market *mk,
                                rmc_diag *d)
{
    if (!(isfinite(o->scale) && o->scale > 0.0)) {
        return RMC_FAIL(d, RMC_EUSAGE, "scale must be a positive number");
    }
    double programs = 0.0, positions = 0.0;
    for (size_t s = 0; s < mk->n_rows; s++) {
        programs += mk->sp[s].programs;
        positions += mk->sp[s].positions;
    }
    const double a = (double)o->n_applicants, p = (double)o->n_programs;
    mk->n_app = o->n_applicants > 0 ? o->n_applicants : round_count(o->scale * pre->applicants);
    mk->n_prog = o->n_programs > 0 ? o->n_programs : round_count(o->scale * programs);
    if (mk->n_app == 0 || mk->n_prog == 0 || a > MAX_APPLICANTS || p > MAX_PROGRAMS ||
        o->scale * pre->applicants > MAX_APPLICANTS || o->scale * programs > MAX_PROGRAMS) {
        return RMC_FAIL(d, RMC_EUSAGE,
                        "sizes must give 1..%u applicants and 1..%u programs (scale %g)",
                        MAX_APPLICANTS, MAX_PROGRAMS, o->scale);
    }
    const size_t n_pos = round_count((double)mk->n_prog * positions / programs);
    mk->n_pos = n_pos < mk->n_prog ? mk->n_prog : n_pos;
    return RMC_OK;
}

/* ---- allocation ------------------------------------------------------- */

static void market_free(market *mk)
{
    void *const ptrs[] = {mk->p_spec,        mk->p_community, mk->sponsors, mk->positions,
                          mk->interviewers,  mk->residents,   mk->slots,    mk->service_load,
                          mk->desirability,  mk->a_group,     mk->a_spec,   mk->usexp,
                          mk->visa,          mk->clinical,    mk->cap,      mk->pre_score,
                          mk->communication, mk->a_off,       mk->iv_prog,  mk->advocacy,
                          mk->ties,          mk->interest,    mk->p_region, mk->p_city,
                          mk->c_a,           mk->c_b,         mk->c_off,    mk->c_pa,
                          mk->c_pb,          mk->rv_donor,    mk->rv_recv,  mk->rv_n};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
        rmc_free(ptrs[i]);
    }
}

static rmc_status market_alloc(market *mk, rmc_diag *d)
{
    const size_t P = mk->n_prog, A = mk->n_app;
    RMC_TRY(rmc_alloc_array((void **)&mk->p_spec, P, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->p_community, P, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->sponsors, P, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->positions, P, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->interviewers, P, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->residents, P, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->slots, P, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->service_load, P, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->desirability, P, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->a_group, A, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->a_spec, A, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->usexp, A, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->visa, A, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->clinical, A, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->cap, A, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->pre_score, A, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->communication, A, sizeof(double), d));
    RMC_TRY(rmc_calloc_array((void **)&mk->a_off, A + 1, sizeof(size_t), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->p_region, P, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->p_city, P, sizeof(int32_t), d));
    return RMC_OK;
}

/* ---- 1. programs ------------------------------------------------------ */

static rmc_synth_track track_of(const market *mk, size_t j)
{
    return mk->sp[mk->p_spec[j]].track;
}

/* Nudge random programs of list[0..n) by one seat until they hold want. */
static void nudge_sizes(const gsl_rng *g, market *mk, const rmc_id *list, size_t n, size_t sum,
                        size_t want)
{
    while (sum < want) {
        mk->positions[list[gsl_rng_uniform_int(g, n)]]++;
        sum++;
    }
    while (sum > want) {
        const size_t j = (size_t)list[gsl_rng_uniform_int(g, n)];
        if (mk->positions[j] > 1) {
            mk->positions[j]--;
            sum--;
        }
    }
}

/* Program sizes around their row's mean; the total is exact: n_pos, and
 * with tracks each track's total is exact too (n_pos split over the tracks
 * by the positions their programs stand for; at scale 1 the preset's
 * figures). order[] is scratch [n_prog]. */
static void draw_sizes(const gsl_rng *g, market *mk, rmc_id *order)
{
    const rmc_synth_preset *pre = mk->pre;
    size_t sum[RMC_SYNTH_N_TRACKS] = {0}, n_in[RMC_SYNTH_N_TRACKS] = {0};
    double w[RMC_SYNTH_N_TRACKS] = {0};
    for (size_t j = 0; j < mk->n_prog; j++) {
        const rmc_synth_specialty *sp = &mk->sp[mk->p_spec[j]];
        const double extra = sp->positions / sp->programs - 1.0;
        const double k = pre->size_dispersion;
        const unsigned int x = extra > 0.0 ? gsl_ran_negative_binomial(g, k / (k + extra), k) : 0;
        mk->positions[j] = (int32_t)(1u + (x > 999u ? 999u : x));
        const size_t t = mk->tracks ? (size_t)sp->track : 0;
        sum[t] += (size_t)mk->positions[j];
        w[t] += sp->positions / sp->programs;
        n_in[t]++;
    }
    size_t want[RMC_SYNTH_N_TRACKS] = {mk->n_pos, 0, 0};
    if (mk->tracks) {
        apportion(mk->n_pos, w, RMC_SYNTH_N_TRACKS, want);
        mk->n_pos = 0;
        for (size_t t = 0; t < RMC_SYNTH_N_TRACKS; t++) {
            want[t] = want[t] < n_in[t] ? n_in[t] : want[t]; /* a seat per program */
            mk->n_pos += want[t];
        }
    }
    /* Without tracks: one list of every program, in index order. */
    size_t off = 0;
    for (size_t t = 0; t < RMC_SYNTH_N_TRACKS; t++) {
        size_t n = 0;
        for (size_t j = 0; j < mk->n_prog; j++) {
            if ((mk->tracks ? (size_t)track_of(mk, j) : 0) == t) {
                order[off + n++] = (rmc_id)j;
            }
        }
        if (n > 0) {
            nudge_sizes(g, mk, order + off, n, sum[t], want[t]);
        }
        off += n;
    }
}

static void draw_program(const gsl_rng *g, market *mk, size_t j)
{
    const rmc_synth_preset *pre = mk->pre;
    const bool community = gsl_rng_uniform(g) < pre->p_community;
    mk->p_community[j] = community;
    mk->sponsors[j] = (uint8_t)draw_index(
        g, community ? pre->sponsors_community : pre->sponsors_academic, RMC_N_SPONSORS);
    const int32_t iv = 2 + mk->positions[j] / 10 + (gsl_rng_uniform(g) < 0.37 ? 1 : 0);
    mk->interviewers[j] = iv > 8 ? 8 : iv;
    const unsigned int res = 1u + gsl_ran_poisson(g, 2.0);
    mk->residents[j] = (int32_t)(res > 10u ? 10u : res);
    mk->service_load[j] = community ? gsl_ran_beta(g, 5.0, 2.0) : gsl_ran_beta(g, 3.0, 3.0);
    mk->desirability[j] =
        gsl_ran_gaussian_ziggurat(g, 1.0) + (community ? 0.0 : pre->academic_bonus);
    const double slots = ceil(pre->slots_per_position * (double)mk->positions[j]);
    mk->slots[j] = slots > 1e6 ? 1000000 : (int32_t)slots;
}

/* Does row s start a field (the first of adjacent rows of one name)? */
static bool field_start(const market *mk, size_t s)
{
    return s == 0 || strcmp(mk->sp[s].name, mk->sp[s - 1].name) != 0;
}

/* Each row's field: the programs of the adjacent rows of its name. Counts
 * the fields that have programs (n_spec). */
static void find_fields(market *mk)
{
    mk->n_spec = 0;
    for (size_t s = 0; s < mk->n_rows;) {
        size_t e = s + 1;
        while (e < mk->n_rows && !field_start(mk, e)) {
            e++;
        }
        mk->n_spec += mk->spec_first[e] > mk->spec_first[s];
        for (size_t r = s; r < e; r++) {
            mk->field_lo[r] = mk->spec_first[s];
            mk->field_hi[r] = mk->spec_first[e];
        }
        s = e;
    }
}

static rmc_status make_programs(gsl_rng *g, market *mk, rmc_diag *d)
{
    double w[MAX_SPECIALTIES];
    size_t count[MAX_SPECIALTIES];
    for (size_t s = 0; s < mk->n_rows; s++) {
        w[s] = mk->sp[s].programs;
    }
    apportion(mk->n_prog, w, mk->n_rows, count);
    size_t j = 0;
    for (size_t s = 0; s < mk->n_rows; s++) {
        mk->spec_first[s] = j;
        for (size_t k = 0; k < count[s]; k++) {
            mk->p_spec[j++] = (uint8_t)s;
        }
    }
    mk->spec_first[mk->n_rows] = j;
    find_fields(mk);
    rmc_id *order = NULL;
    RMC_TRY(rmc_alloc_array((void **)&order, mk->n_prog, sizeof(rmc_id), d));
    draw_sizes(g, mk, order);
    rmc_free(order);
    for (j = 0; j < mk->n_prog; j++) {
        draw_program(g, mk, j);
    }
    return RMC_OK;
}

/* ---- 2. applicants ---------------------------------------------------- */

static void draw_applicant(const gsl_rng *g, market *mk, size_t i, const double *spec_p)
{
    const rmc_synth_group_spec *gs = &mk->pre->groups[mk->a_group[i]];
    const size_t n_spec = mk->n_rows;
    mk->a_spec[i] = (uint8_t)draw_index(g, spec_p + mk->a_group[i] * n_spec, n_spec);
    const double shift = mk->tracks ? mk->pre->track_pre_mean[mk->a_group[i]] : 0.0;
    mk->pre_score[i] = gs->pre_mean + shift + gsl_ran_gaussian_ziggurat(g, 1.0);
    mk->communication[i] = gsl_ran_beta(g, gs->comm_a, gs->comm_b);
    mk->clinical[i] = 0;
    if (gsl_rng_uniform(g) < gs->p_clinical) {
        mk->clinical[i] = 1 + (int32_t)gsl_ran_poisson(g, gs->clinical_mean - 1.0);
    }
    mk->usexp[i] = (uint8_t)draw_index(g, gs->usexp, RMC_N_USEXP);
    mk->visa[i] = (uint8_t)draw_index(g, gs->visa, RMC_N_VISA);
    mk->cap[i] = rmc_synth_draw_cap(g, gs);
}

/* spec_p[group * n_spec + s] = P(specialty s | group): positions × affinity. */
static void specialty_probs(const market *mk, double *spec_p)
{
    const size_t n_spec = mk->n_rows;
    for (size_t grp = 0; grp < RMC_SYNTH_N_GROUPS; grp++) {
        double *p = spec_p + grp * n_spec, sum = 0.0;
        for (size_t s = 0; s < n_spec; s++) {
            double seats = 0.0;
            for (size_t j = mk->spec_first[s]; j < mk->spec_first[s + 1]; j++) {
                seats += mk->positions[j];
            }
            p[s] = seats * mk->sp[s].affinity[grp];
            sum += p[s];
        }
        for (size_t s = 0; s < n_spec; s++) {
            p[s] = sum > 0.0 ? p[s] / sum : 1.0 / (double)n_spec;
        }
    }
}

static void make_applicants(gsl_rng *g, market *mk)
{
    double w[RMC_SYNTH_N_GROUPS];
    size_t count[RMC_SYNTH_N_GROUPS];
    for (size_t grp = 0; grp < RMC_SYNTH_N_GROUPS; grp++) {
        w[grp] = mk->pre->groups[grp].count;
    }
    apportion(mk->n_app, w, RMC_SYNTH_N_GROUPS, count);
    size_t i = 0;
    for (size_t grp = 0; grp < RMC_SYNTH_N_GROUPS; grp++) {
        for (size_t k = 0; k < count[grp]; k++) {
            mk->a_group[i++] = (uint8_t)grp;
        }
    }
    gsl_ran_shuffle(g, mk->a_group, mk->n_app, 1);
    double spec_p[RMC_SYNTH_N_GROUPS * MAX_SPECIALTIES];
    specialty_probs(mk, spec_p);
    for (i = 0; i < mk->n_app; i++) {
        draw_applicant(g, mk, i, spec_p);
    }
}

/* ---- 3. applications -------------------------------------------------- */

/* Draw up to k distinct programs of [first, first + n) in proportion to
 * their positions (cumulative weights in cum[0..n)), writing them to out.
 * Rejection on a mark array; after many misses, the rest in scan order. */
static size_t choose_programs(const gsl_rng *g, const double *cum, size_t first, size_t n, size_t k,
                              uint8_t *mark, rmc_id *out)
{
    if (k >= n) {
        for (size_t t = 0; t < n; t++) {
            out[t] = (rmc_id)(first + t);
        }
        return n;
    }
    size_t got = 0, misses = 0;
    while (got < k && misses < 32 * k) {
        const double u = gsl_rng_uniform(g) * cum[n - 1];
        size_t lo = 0, hi = n - 1;
        while (lo < hi) {
            const size_t mid = (lo + hi) / 2;
            if (cum[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        if (mark[lo]) {
            misses++;
            continue;
        }
        mark[lo] = 1;
        out[got++] = (rmc_id)(first + lo);
    }
    for (size_t t = 0; got < k && t < n; t++) {
        if (!mark[t]) {
            mark[t] = 1;
            out[got++] = (rmc_id)(first + t);
        }
    }
    for (size_t t = 0; t < got; t++) {
        mark[(size_t)out[t] - first] = 0;
    }
    return got;
}

/* Does program j consider applicant i at all (visa screening)? */
static bool considers(const gsl_rng *g, const market *mk, size_t j, size_t i)
{
    return rmc_synth_considers(g, mk->pre, mk->visa[i], mk->sponsors[j]);
}

/* Pairs (applicant, program) of every application that survives the visa
 * screen, with its offer score, grouped by program (CSR off[P + 1]). */
typedef struct applications {
    size_t *off;       /* [n_prog + 1] */
    application *list; /* [off[n_prog]] sorted by score descending within a program */
} applications;

static void applications_free(applications *ap)
{
    rmc_free(ap->off);
    rmc_free(ap->list);
}

/* Draw each applicant's application count and programs into a flat list
 * (applicant order), keeping those the program considers. */
static rmc_status draw_applications(gsl_rng *g, const market *mk, rmc_id **pairs, size_t *n_pairs,
                                    rmc_diag *d)
{
    size_t *count = NULL, total = 0;
    double *cum = NULL;
    uint8_t *mark = NULL;
    rmc_id *chosen = NULL;
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&count, mk->n_app, sizeof(size_t), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&chosen, mk->n_prog, sizeof(rmc_id), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&cum, mk->n_prog, sizeof(double), d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&mark, mk->n_prog, 1, d), done);
    double c = 0.0; /* cumulative over each field */
    for (size_t s = 0; s < mk->n_rows; s++) {
        c = field_start(mk, s) ? 0.0 : c;
        for (size_t j = mk->spec_first[s]; j < mk->spec_first[s + 1]; j++) {
            c += mk->positions[j];
            cum[j] = c;
        }
    }
    for (size_t i = 0; i < mk->n_app; i++) {
        const double mean = mk->pre->groups[mk->a_group[i]].applications;
        const size_t avail = mk->field_hi[mk->a_spec[i]] - mk->field_lo[mk->a_spec[i]];
        const size_t k = 1u + gsl_ran_poisson(g, mean - 1.0);
        count[i] = k < avail ? k : avail;
        total += count[i];
    }
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)pairs, total, 2 * sizeof(rmc_id), d), done);
    size_t n = 0;
    for (size_t i = 0; i < mk->n_app; i++) {
        const size_t first = mk->field_lo[mk->a_spec[i]];
        const size_t avail = mk->field_hi[mk->a_spec[i]] - first;
        const size_t got = choose_programs(g, cum + first, first, avail, count[i], mark, chosen);
        for (size_t t = 0; t < got; t++) {
            const rmc_id j = chosen[t];
            if (considers(g, mk, (size_t)j, i)) {
                (*pairs)[2 * n] = (rmc_id)i;
                (*pairs)[2 * n + 1] = j;
                n++;
            }
        }
    }
    *n_pairs = n;
done:
    rmc_free(chosen);
    rmc_free(mark);
    rmc_free(cum);
    rmc_free(count);
    return st;
}

static int by_score(const void *x, const void *y)
{
    const application *a = x, *b = y;
    if (a->score != b->score) {
        return a->score > b->score ? -1 : 1;
    }
    return (a->app > b->app) - (a->app < b->app);
}

/* Group the pairs by program, score them and sort each program's list. */
static rmc_status build_applications(gsl_rng *offer, const market *mk, const rmc_id *pairs,
                                     size_t n_pairs, applications *ap, rmc_diag *d)
{
    RMC_TRY(rmc_calloc_array((void **)&ap->off, mk->n_prog + 1, sizeof(size_t), d));
    RMC_TRY(rmc_alloc_array((void **)&ap->list, n_pairs, sizeof(application), d));
    for (size_t t = 0; t < n_pairs; t++) {
        ap->off[(size_t)pairs[2 * t + 1] + 1]++;
    }
    for (size_t j = 0; j < mk->n_prog; j++) {
        ap->off[j + 1] += ap->off[j];
    }
    for (size_t t = 0; t < n_pairs; t++) {
        const size_t i = (size_t)pairs[2 * t], j = (size_t)pairs[2 * t + 1];
        application *slot = &ap->list[ap->off[j]++];
        slot->app = (rmc_id)i;
        slot->score = rmc_synth_offer_score(offer, mk->pre, mk->a_group[i], mk->pre_score[i]);
    }
    for (size_t j = mk->n_prog; j > 0; j--) {
        ap->off[j] = ap->off[j - 1];
    }
    ap->off[0] = 0;
    for (size_t j = 0; j < mk->n_prog; j++) {
        qsort(ap->list + ap->off[j], ap->off[j + 1] - ap->off[j], sizeof(application), by_score);
    }
    return RMC_OK;
}

/* ---- 4. interview offers: program-proposing deferred acceptance --------- */

typedef struct offers {
    size_t *cap_off; /* [n_app + 1]: applicant i holds held[cap_off[i] .. + n_held[i]) */
    int32_t *n_held; /* [n_app] */
    rmc_id *held;    /* [cap_off[n_app]] program indices */
    size_t *next;    /* [n_prog]: next list entry a program will offer to */
    int32_t *free;   /* [n_prog]: slots not yet taken */
    rmc_id *stack;   /* [n_prog]: programs that may still offer */
    uint8_t *queued; /* [n_prog] */
} offers;

static void offers_free(offers *of)
{
    rmc_free(of->cap_off);
    rmc_free(of->n_held);
    rmc_free(of->held);
    rmc_free(of->next);
    rmc_free(of->free);
    rmc_free(of->stack);
    rmc_free(of->queued);
}

static rmc_status offers_alloc(const market *mk, offers *of, rmc_diag *d)
{
    RMC_TRY(rmc_alloc_array((void **)&of->cap_off, mk->n_app + 1, sizeof(size_t), d));
    RMC_TRY(rmc_calloc_array((void **)&of->n_held, mk->n_app, sizeof(int32_t), d));
    of->cap_off[0] = 0;
    for (size_t i = 0; i < mk->n_app; i++) {
        of->cap_off[i + 1] = of->cap_off[i] + (size_t)mk->cap[i];
    }
    RMC_TRY(rmc_alloc_array((void **)&of->held, of->cap_off[mk->n_app], sizeof(rmc_id), d));
    RMC_TRY(rmc_alloc_array((void **)&of->next, mk->n_prog, sizeof(size_t), d));
    RMC_TRY(rmc_alloc_array((void **)&of->free, mk->n_prog, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&of->stack, mk->n_prog, sizeof(rmc_id), d));
    RMC_TRY(rmc_calloc_array((void **)&of->queued, mk->n_prog, 1, d));
    return RMC_OK;
}

/* Applicants prefer more desirable programs; ties go to the lower index. */
static bool prefers(const market *mk, rmc_id j, rmc_id k)
{
    const double dj = mk->desirability[j], dk = mk->desirability[k];
    return dj > dk || (dj == dk && j < k);
}

/* Program j offers to applicant i. Returns the program that lost a slot's
 * holder (RMC_ID_NONE if none) after updating the holdings; sets *taken. */
static rmc_id offer(const market *mk, offers *of, rmc_id j, size_t i, bool *taken)
{
    rmc_id *h = of->held + of->cap_off[i];
    const int32_t n = of->n_held[i];
    *taken = true;
    if (n < mk->cap[i]) {
        h[of->n_held[i]++] = j;
        return RMC_ID_NONE;
    }
    int32_t worst = 0;
    for (int32_t t = 1; t < n; t++) {
        if (prefers(mk, h[worst], h[t])) {
            worst = t;
        }
    }
    if (!prefers(mk, j, h[worst])) {
        *taken = false;
        return RMC_ID_NONE;
    }
    const rmc_id dropped = h[worst];
    h[worst] = j;
    return dropped;
}

static void run_offers(const market *mk, const applications *ap, offers *of)
{
    size_t top = 0;
    for (size_t j = mk->n_prog; j > 0; j--) {
        of->next[j - 1] = ap->off[j - 1];
        of->free[j - 1] = mk->slots[j - 1];
        of->stack[top++] = (rmc_id)(j - 1);
        of->queued[j - 1] = 1;
    }
    while (top > 0) {
        const rmc_id j = of->stack[--top];
        of->queued[j] = 0;
        while (of->free[j] > 0 && of->next[j] < ap->off[j + 1]) {
            bool taken = false;
            const size_t i = (size_t)ap->list[of->next[j]++].app;
            const rmc_id dropped = offer(mk, of, j, i, &taken);
            of->free[j] -= taken;
            if (dropped != RMC_ID_NONE) {
                of->free[dropped]++;
                if (!of->queued[dropped]) {
                    of->queued[dropped] = 1;
                    of->stack[top++] = dropped;
                }
            }
        }
    }
}

/* Each program's offer cutoff once the offers are done: the score of the
 * last name it offered to when every slot is held, else -HUGE_VAL (open). */
static void offer_cutoffs(market *mk, const applications *ap, const offers *of)
{
    for (size_t j = 0; j < mk->n_prog; j++) {
        mk->offer_cut[j] = of->free[j] > 0 || of->next[j] == ap->off[j]
                               ? -HUGE_VAL
                               : ap->list[of->next[j] - 1].score;
    }
}

/* NRMP's active applicants all certified a list, so each has at least one
 * interview: an applicant left without offers gets one at a program of
 * their specialty that considers them (uniform over programs, a few tries;
 * after that, left empty -- a visa applicant among non-sponsors only). */
static void rescue_empty(const gsl_rng *g, const market *mk, offers *of)
{
    for (size_t i = 0; i < mk->n_app; i++) {
        if (of->n_held[i] > 0) {
            continue;
        }
        const size_t first = mk->field_lo[mk->a_spec[i]];
        const size_t n = mk->field_hi[mk->a_spec[i]] - first;
        for (int tries = 0; tries < 20; tries++) {
            const size_t j = first + gsl_rng_uniform_int(g, n);
            if (considers(g, mk, j, i)) {
                of->held[of->cap_off[i]] = (rmc_id)j;
                of->n_held[i] = 1;
                break;
            }
        }
    }
}

static int by_id(const void *x, const void *y)
{
    const rmc_id a = *(const rmc_id *)x, b = *(const rmc_id *)y;
    return (a > b) - (a < b);
}

/* Copy the holdings into the market's interview CSR, programs ascending. */
static rmc_status collect_interviews(market *mk, const offers *of, rmc_diag *d)
{
    size_t n = 0;
    for (size_t i = 0; i < mk->n_app; i++) {
        n += (size_t)of->n_held[i];
    }
    if (n > (size_t)INT32_MAX) {
        return RMC_FAIL(d, RMC_EUSAGE, "the market would have %zu interviews (too many)", n);
    }
    mk->n_iv = n;
    RMC_TRY(rmc_alloc_array((void **)&mk->iv_prog, n, sizeof(rmc_id), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->advocacy, n, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->ties, n, 1, d));
    RMC_TRY(rmc_alloc_array((void **)&mk->interest, n, 1, d));
    mk->a_off[0] = 0;
    for (size_t i = 0; i < mk->n_app; i++) {
        const size_t k = (size_t)of->n_held[i];
        rmc_id *dst = mk->iv_prog + mk->a_off[i];
        memcpy(dst, of->held + of->cap_off[i], k * sizeof(rmc_id));
        qsort(dst, k, sizeof(rmc_id), by_id);
        mk->a_off[i + 1] = mk->a_off[i] + k;
    }
    return RMC_OK;
}

static rmc_status make_interviews(rmc_rng *r, uint64_t seed, market *mk, rmc_diag *d)
{
    rmc_id *pairs = NULL;
    size_t n_pairs = 0;
    applications ap = {0};
    offers of = {0};
    rmc_rng_seek(r, seed, 0, RMC_STREAM_SYNTH, SUB_APPLY);
    rmc_status st = draw_applications(rmc_rng_gsl(r), mk, &pairs, &n_pairs, d);
    if (st == RMC_OK) {
        rmc_rng_seek(r, seed, 0, RMC_STREAM_SYNTH, SUB_OFFER);
        st = build_applications(rmc_rng_gsl(r), mk, pairs, n_pairs, &ap, d);
    }
    rmc_free(pairs);
    if (st == RMC_OK) {
        st = offers_alloc(mk, &of, d);
    }
    if (st == RMC_OK) {
        run_offers(mk, &ap, &of);
        if (mk->offer_cut != NULL) {
            offer_cutoffs(mk, &ap, &of);
        }
        rmc_rng_seek(r, seed, 0, RMC_STREAM_SYNTH, SUB_RESCUE);
        rescue_empty(rmc_rng_gsl(r), mk, &of);
        st = collect_interviews(mk, &of, d);
    }
    offers_free(&of);
    applications_free(&ap);
    return st;
}

/* ---- 5. interview attributes ------------------------------------------ */

static void draw_attributes(gsl_rng *g, market *mk)
{
    const rmc_synth_preset *pre = mk->pre;
    for (size_t i = 0; i < mk->n_app; i++) {
        const rmc_synth_group_spec *gs = &pre->groups[mk->a_group[i]];
        const size_t first = mk->a_off[i], n = mk->a_off[i + 1] - first;
        for (size_t k = first; k < first + n; k++) {
            const double u = gsl_rng_uniform(g);
            mk->advocacy[k] =
                gsl_rng_uniform(g) < gs->p_rotation ? RMC_ADVOCACY_ROTATION : RMC_ADVOCACY_NONE;
            mk->ties[k] = gsl_rng_uniform(g) < gs->p_ties;
            mk->interest[k] = u < pre->p_interest_low ? RMC_INTEREST_LOW
                              : u < pre->p_interest_low + pre->p_interest_high
                                  ? RMC_INTEREST_HIGH
                                  : RMC_INTEREST_NORMAL;
        }
        /* A fellowship or a chief's backing is at one program, not several. */
        const double fellow = gsl_rng_uniform(g), chief = gsl_rng_uniform(g);
        const size_t at_f = n > 0 ? first + gsl_rng_uniform_int(g, n) : 0;
        const size_t at_c = n > 0 ? first + gsl_rng_uniform_int(g, n) : 0;
        if (n > 0 && fellow < gs->p_fellow) {
            mk->advocacy[at_f] = RMC_ADVOCACY_RESEARCH_FELLOW;
        }
        if (n > 0 && chief < gs->p_chief) {
            mk->advocacy[at_c] = RMC_ADVOCACY_CHIEF;
        }
    }
}

/* ---- 6. location and couples ------------------------------------------ */

/* Each program's region (by region_share) and city within it: a region of
 * n programs has max(1, round(n / programs_per_city)) cities, drawn with
 * Zipf weights 1/k, so a few large cities hold many programs. */
static void draw_locations(const gsl_rng *g, market *mk)
{
    size_t per_region[N_REGIONS] = {0};
    for (size_t j = 0; j < mk->n_prog; j++) {
        mk->p_region[j] = (uint8_t)draw_index(g, region_share, N_REGIONS);
        per_region[mk->p_region[j]]++;
    }
    for (int r = 0; r < N_REGIONS; r++) {
        const double want = (double)per_region[r] / mk->pre->programs_per_city;
        size_t n_city = (size_t)floor(want + 0.5);
        n_city = n_city < 1 ? 1 : n_city > 4096 ? 4096 : n_city;
        double w[4096], sum = 0.0;
        for (size_t k = 0; k < n_city; k++) {
            w[k] = 1.0 / (double)(k + 1);
            sum += w[k];
        }
        for (size_t k = 0; k < n_city; k++) {
            w[k] /= sum;
        }
        for (size_t j = 0; j < mk->n_prog; j++) {
            if (mk->p_region[j] == r) {
                mk->p_city[j] = (int32_t)draw_index(g, w, n_city);
            }
        }
    }
}

/* A member's utility for each interview: desirability + ties + N(0, 1),
 * the shape of the engine's generated lists (DESIGN 3) at its defaults. */
static void member_utilities(const gsl_rng *g, const market *mk, size_t i, double *u)
{
    for (size_t k = mk->a_off[i]; k < mk->a_off[i + 1]; k++) {
        u[k - mk->a_off[i]] =
            mk->desirability[mk->iv_prog[k]] + (double)mk->ties[k] + gsl_ran_gaussian(g, 1.0);
    }
}

/* Member i's interviews' regions and cities (a city id: region x 4096 +
 * city, so one id is one place). */
static void member_places(const market *mk, size_t i, int32_t *region, int32_t *city)
{
    for (size_t k = mk->a_off[i]; k < mk->a_off[i + 1]; k++) {
        const rmc_id j = mk->iv_prog[k];
        region[k - mk->a_off[i]] = mk->p_region[j];
        city[k - mk->a_off[i]] = (int32_t)mk->p_region[j] * 4096 + mk->p_city[j];
    }
}

/* Scratch of joint_list, [max interviews] each (items: joint_int.h). */
typedef struct jscratch {
    double *u[2];
    int32_t *region[2], *city[2];
    rmc_joint_item *items;
    rmc_joint_entry *out;
} jscratch;

/* Couple (a, b)'s joint list by the shared builder (joint_int.h): pairs
 * in one city, then one region, best sum of utilities first, then "one
 * partner unmatched" options, cut at couple_max_pairs; pairs in different
 * regions are not ranked. Program indices into pa[], pb[]. */
static size_t joint_list(const gsl_rng *g, const market *mk, size_t a, size_t b, jscratch *js,
                         rmc_id *pa, rmc_id *pb)
{
    const size_t who[2] = {a, b};
    rmc_joint_member mem[2];
    for (int s = 0; s < 2; s++) {
        member_utilities(g, mk, who[s], js->u[s]);
        member_places(mk, who[s], js->region[s], js->city[s]);
        mem[s] = (rmc_joint_member){mk->a_off[who[s] + 1] - mk->a_off[who[s]], js->u[s],
                                    js->region[s], js->city[s]};
    }
    const rmc_joint_rules rules = {RMC_JOINT_REGION, (size_t)mk->pre->couple_max_pairs,
                                   (size_t)mk->pre->couple_solo, false};
    const size_t n = rmc_joint_build(&mem[0], &mem[1], &rules, js->items, js->out);
    for (size_t q = 0; q < n; q++) {
        const rmc_joint_entry e = js->out[q];
        pa[q] = e.a >= 0 ? mk->iv_prog[mk->a_off[a] + (size_t)e.a] : RMC_ID_NONE;
        pb[q] = e.b >= 0 ? mk->iv_prog[mk->a_off[b] + (size_t)e.b] : RMC_ID_NONE;
    }
    return n;
}

/* Couples: o->couples of them, or with -1 round(couples x N / applicants),
 * partners two applicants of one group (drawn by couple_group) with at
 * least couple_min_interviews interviews each, and their joint lists. */
static rmc_status make_couples(gsl_rng *g, market *mk, const rmc_synth_options *o, rmc_diag *d)
{
    const rmc_synth_preset *pre = mk->pre;
    size_t want = o->couples >= 0
                      ? (size_t)o->couples
                      : (size_t)floor(pre->couples * (double)mk->n_app / pre->applicants +
                                      0.5); /* -1: the preset's share */
    mk->n_couples = 0;
    if (want > mk->n_app / 2) {
        want = mk->n_app / 2;
    }
    size_t max_iv = 0;
    for (size_t i = 0; i < mk->n_app; i++) {
        const size_t n = mk->a_off[i + 1] - mk->a_off[i];
        max_iv = n > max_iv ? n : max_iv;
    }
    const size_t max_pairs = (size_t)pre->couple_max_pairs;
    const size_t min_iv = pre->couple_min_interviews > 1 ? (size_t)pre->couple_min_interviews : 1;
    rmc_id *pool = NULL;
    size_t pool_off[RMC_SYNTH_N_GROUPS + 1] = {0}, pool_n[RMC_SYNTH_N_GROUPS] = {0};
    jscratch js = {{NULL, NULL}, {NULL, NULL}, {NULL, NULL}, NULL, NULL};
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&mk->c_a, want, sizeof(rmc_id), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&mk->c_b, want, sizeof(rmc_id), d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&mk->c_off, want + 1, sizeof(size_t), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&mk->c_pa, want * max_pairs, sizeof(rmc_id), d),
                 done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&mk->c_pb, want * max_pairs, sizeof(rmc_id), d),
                 done);
    if (want == 0) {
        goto done;
    }
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&pool, mk->n_app, sizeof(rmc_id), d), done);
    RMC_TRY_GOTO(
        st,
        rmc_alloc_array((void **)&js.items, rmc_joint_scratch(max_iv, max_iv), sizeof *js.items, d),
        done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&js.out, max_pairs, sizeof *js.out, d), done);
    for (int s = 0; s < 2; s++) {
        RMC_TRY_GOTO(st, rmc_alloc_array((void **)&js.u[s], max_iv, sizeof(double), d), done);
        RMC_TRY_GOTO(st, rmc_alloc_array((void **)&js.region[s], max_iv, sizeof(int32_t), d), done);
        RMC_TRY_GOTO(st, rmc_alloc_array((void **)&js.city[s], max_iv, sizeof(int32_t), d), done);
    }
    /* Applicants with an interview, by group, each group shuffled. */
    for (size_t i = 0; i < mk->n_app; i++) {
        pool_off[mk->a_group[i] + 1] += mk->a_off[i + 1] - mk->a_off[i] >= min_iv;
    }
    for (size_t k = 0; k < RMC_SYNTH_N_GROUPS; k++) {
        pool_off[k + 1] += pool_off[k];
    }
    for (size_t i = 0; i < mk->n_app; i++) {
        if (mk->a_off[i + 1] - mk->a_off[i] >= min_iv) {
            const size_t grp = mk->a_group[i];
            pool[pool_off[grp] + pool_n[grp]++] = (rmc_id)i;
        }
    }
    for (size_t k = 0; k < RMC_SYNTH_N_GROUPS; k++) {
        gsl_ran_shuffle(g, pool + pool_off[k], pool_n[k], sizeof(rmc_id));
    }
    size_t e = 0;
    for (size_t tries = 0; mk->n_couples < want && tries < 4 * want; tries++) {
        const size_t grp = draw_index(g, pre->couple_group, RMC_SYNTH_N_GROUPS);
        if (pool_n[grp] < 2) {
            continue; /* that group is used up */
        }
        const size_t a = (size_t)pool[pool_off[grp] + --pool_n[grp]];
        const size_t b = (size_t)pool[pool_off[grp] + --pool_n[grp]];
        const size_t c = mk->n_couples++;
        mk->c_a[c] = (rmc_id)(a < b ? a : b);
        mk->c_b[c] = (rmc_id)(a < b ? b : a);
        e += joint_list(g, mk, (size_t)mk->c_a[c], (size_t)mk->c_b[c], &js, mk->c_pa + e,
                        mk->c_pb + e);
        mk->c_off[c + 1] = e;
    }
done:
    for (int s = 0; s < 2; s++) {
        rmc_free(js.u[s]);
        rmc_free(js.region[s]);
        rmc_free(js.city[s]);
    }
    rmc_free(js.out);
    rmc_free(js.items);
    rmc_free(pool);
    return st;
}

/* ---- 7. tracks: supplemental interviews and reversions ----------------- */

/* Preliminary programs are the programs of the preliminary rows, which the
 * preset keeps adjacent: [*lo, *hi). False when there are none. */
static bool prelim_range(const market *mk, size_t *lo, size_t *hi)
{
    *lo = *hi = 0;
    for (size_t s = 0; s < mk->n_rows; s++) {
        if (mk->sp[s].track == RMC_SYNTH_PRELIMINARY) {
            *lo = *hi == 0 ? mk->spec_first[s] : *lo;
            *hi = mk->spec_first[s + 1];
        }
    }
    return *hi > *lo;
}

/* Does applicant i hold an interview at an advanced program? */
static bool has_advanced(const market *mk, size_t i)
{
    for (size_t k = mk->a_off[i]; k < mk->a_off[i + 1]; k++) {
        if (track_of(mk, (size_t)mk->iv_prog[k]) == RMC_SYNTH_ADVANCED) {
            return true;
        }
    }
    return false;
}

/* Supplemental applications: each applicant holding an advanced interview
 * applies to 1 + Poisson(supp_applications - 1) preliminary programs drawn
 * in proportion to positions x the row's supp_weight, visa-screened as in
 * step 5. Pairs (applicant, program) in applicant order; *cap_out[i] is
 * the applicant's supplemental interview cap (0: not eligible). */
static rmc_status draw_supp_applications(const gsl_rng *g, market *mk, size_t lo, size_t hi,
                                         rmc_id **pairs, size_t *n_pairs, int32_t *cap, rmc_diag *d)
{
    const rmc_synth_preset *pre = mk->pre;
    const size_t n = hi - lo;
    double *cum = NULL;
    uint8_t *mark = NULL;
    rmc_id *chosen = NULL;
    size_t *count = NULL, total = 0, got_n = 0;
    rmc_status st = RMC_OK;
    *pairs = NULL;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&cum, n, sizeof(double), d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&mark, n, 1, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&chosen, n, sizeof(rmc_id), d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&count, mk->n_app, sizeof(size_t), d), done);
    double c = 0.0;
    for (size_t j = lo; j < hi; j++) {
        c += mk->positions[j] * mk->sp[mk->p_spec[j]].supp_weight;
        cum[j - lo] = c;
    }
    mk->n_supp_app = 0;
    for (size_t i = 0; i < mk->n_app; i++) {
        cap[i] = 0;
        count[i] = 0;
        if (has_advanced(mk, i)) {
            mk->n_supp_app++;
            const size_t k = 1u + gsl_ran_poisson(g, pre->supp_applications - 1.0);
            count[i] = k < n ? k : n;
            cap[i] = 1 + (int32_t)gsl_ran_poisson(g, pre->supp_cap - 1.0);
            total += count[i];
        }
    }
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)pairs, total, 2 * sizeof(rmc_id), d), done);
    for (size_t i = 0; i < mk->n_app; i++) {
        const size_t got =
            count[i] > 0 ? choose_programs(g, cum, lo, n, count[i], mark, chosen) : 0;
        for (size_t t = 0; t < got; t++) {
            if (considers(g, mk, (size_t)chosen[t], i)) {
                (*pairs)[2 * got_n] = (rmc_id)i;
                (*pairs)[2 * got_n + 1] = chosen[t];
                got_n++;
            }
        }
    }
    *n_pairs = got_n;
done:
    rmc_free(count);
    rmc_free(chosen);
    rmc_free(mark);
    rmc_free(cum);
    return st;
}

/* Merge each applicant's supplemental interviews (held[]) into the
 * interview CSR, programs ascending (the two sets are disjoint: an
 * applicant's own field has no preliminary programs), with attributes drawn
 * from g: rotation, ties and interest as in step 8 (a fellowship or a
 * chief's backing stays where it was). */
static rmc_status merge_supp(const gsl_rng *g, market *mk, const offers *of, rmc_diag *d)
{
    size_t extra = 0;
    for (size_t i = 0; i < mk->n_app; i++) {
        extra += (size_t)of->n_held[i];
    }
    mk->n_supp_iv = extra;
    if (extra == 0) {
        return RMC_OK;
    }
    const size_t n = mk->n_iv + extra;
    if (n > (size_t)INT32_MAX) {
        return RMC_FAIL(d, RMC_EUSAGE, "the market would have %zu interviews (too many)", n);
    }
    rmc_id *prog = NULL;
    uint8_t *adv = NULL, *ties = NULL, *interest = NULL;
    size_t *off = NULL;
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&prog, n, sizeof(rmc_id), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&adv, n, 1, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&ties, n, 1, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&interest, n, 1, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&off, mk->n_app + 1, sizeof(size_t), d), fail);
    const rmc_synth_preset *pre = mk->pre;
    size_t e = 0;
    off[0] = 0;
    for (size_t i = 0; i < mk->n_app; i++) {
        rmc_id *h = of->held + of->cap_off[i];
        const size_t nh = (size_t)of->n_held[i];
        qsort(h, nh, sizeof(rmc_id), by_id);
        const rmc_synth_group_spec *gs = &pre->groups[mk->a_group[i]];
        size_t k = mk->a_off[i], q = 0;
        while (k < mk->a_off[i + 1] || q < nh) {
            if (q == nh || (k < mk->a_off[i + 1] && mk->iv_prog[k] < h[q])) {
                prog[e] = mk->iv_prog[k];
                adv[e] = mk->advocacy[k];
                ties[e] = mk->ties[k];
                interest[e] = mk->interest[k];
                k++;
            } else {
                const double u = gsl_rng_uniform(g);
                prog[e] = h[q++];
                adv[e] =
                    gsl_rng_uniform(g) < gs->p_rotation ? RMC_ADVOCACY_ROTATION : RMC_ADVOCACY_NONE;
                ties[e] = gsl_rng_uniform(g) < gs->p_ties;
                interest[e] = u < pre->p_interest_low ? RMC_INTEREST_LOW
                              : u < pre->p_interest_low + pre->p_interest_high
                                  ? RMC_INTEREST_HIGH
                                  : RMC_INTEREST_NORMAL;
            }
            e++;
        }
        off[i + 1] = e;
    }
    rmc_free(mk->iv_prog);
    rmc_free(mk->advocacy);
    rmc_free(mk->ties);
    rmc_free(mk->interest);
    rmc_free(mk->a_off);
    mk->iv_prog = prog;
    mk->advocacy = adv;
    mk->ties = ties;
    mk->interest = interest;
    mk->a_off = off;
    mk->n_iv = n;
    return RMC_OK;
fail:
    rmc_free(prog);
    rmc_free(adv);
    rmc_free(ties);
    rmc_free(interest);
    rmc_free(off);
    return st;
}

/* Supplemental interviews (docs/synth.md "Tracks"): the interview offers
 * of step 6 run again on the supplemental applications alone, with the
 * preliminary programs' supplemental slots (supp_slots_per_position per
 * position) and each applicant's supplemental cap, so the main interviews
 * and every draw before stay as they were. */
static rmc_status make_supp_interviews(rmc_rng *r, uint64_t seed, market *mk, rmc_diag *d)
{
    size_t lo = 0, hi = 0;
    if (!prelim_range(mk, &lo, &hi)) {
        return RMC_OK;
    }
    int32_t *cap = NULL, *slots = NULL;
    rmc_id *pairs = NULL;
    size_t n_pairs = 0;
    applications ap = {0};
    offers of = {0};
    market sub = *mk; /* the same market with supplemental caps and slots */
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&cap, mk->n_app, sizeof(int32_t), d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&slots, mk->n_prog, sizeof(int32_t), d), done);
    for (size_t j = lo; j < hi; j++) {
        const double x = ceil(mk->pre->supp_slots_per_position * (double)mk->positions[j]);
        slots[j] = x > 1e6 ? 1000000 : (int32_t)x;
    }
    rmc_rng_seek(r, seed, 0, RMC_STREAM_SYNTH, SUB_SUPP_APPLY);
    RMC_TRY_GOTO(st, draw_supp_applications(rmc_rng_gsl(r), mk, lo, hi, &pairs, &n_pairs, cap, d),
                 done);
    sub.cap = cap;
    sub.slots = slots;
    rmc_rng_seek(r, seed, 0, RMC_STREAM_SYNTH, SUB_SUPP_OFFER);
    RMC_TRY_GOTO(st, build_applications(rmc_rng_gsl(r), &sub, pairs, n_pairs, &ap, d), done);
    RMC_TRY_GOTO(st, offers_alloc(&sub, &of, d), done);
    run_offers(&sub, &ap, &of);
    rmc_rng_seek(r, seed, 0, RMC_STREAM_SYNTH, SUB_SUPP_ATTR);
    st = merge_supp(rmc_rng_gsl(r), mk, &of, d);
done:
    offers_free(&of);
    applications_free(&ap);
    rmc_free(pairs);
    rmc_free(slots);
    rmc_free(cap);
    return st;
}

/* The index of the field named `name` (its first row), or n_rows. */
static size_t field_named(const market *mk, const char *name)
{
    for (size_t s = 0; name != NULL && s < mk->n_rows; s++) {
        if (strcmp(mk->sp[s].name, name) == 0) {
            return s;
        }
    }
    return mk->n_rows;
}

/* Reversions: each preliminary program, with probability p_revert, gives
 * its unfilled positions (up to all of them) to a categorical program of
 * its row's revert_to field, in the same setting and region when one of a
 * few random picks is (standing in for "the same institution"; rankmc has
 * no institutions). Receivers are categorical and donors preliminary, so
 * there are no chains and no cycles. */
static rmc_status make_reversions(const gsl_rng *g, market *mk, rmc_diag *d)
{
    size_t lo = 0, hi = 0;
    mk->n_rv = 0;
    if (!prelim_range(mk, &lo, &hi)) {
        return RMC_OK;
    }
    RMC_TRY(rmc_alloc_array((void **)&mk->rv_donor, hi - lo, sizeof(rmc_id), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->rv_recv, hi - lo, sizeof(rmc_id), d));
    RMC_TRY(rmc_alloc_array((void **)&mk->rv_n, hi - lo, sizeof(int32_t), d));
    for (size_t j = lo; j < hi; j++) {
        if (!(gsl_rng_uniform(g) < mk->pre->p_revert)) {
            continue;
        }
        const size_t f = field_named(mk, mk->sp[mk->p_spec[j]].revert_to);
        size_t rlo = f < mk->n_rows ? mk->field_lo[f] : 0, rhi = rlo;
        for (size_t s = f; s < mk->n_rows && mk->spec_first[s] < mk->field_hi[f]; s++) {
            if (mk->sp[s].track == RMC_SYNTH_CATEGORICAL) { /* the field's categorical row */
                rlo = mk->spec_first[s];
                rhi = mk->spec_first[s + 1];
                break;
            }
        }
        if (rhi == rlo) {
            continue; /* a tiny market without that field */
        }
        size_t pick = rlo + gsl_rng_uniform_int(g, rhi - rlo);
        for (int tries = 0; tries < 20; tries++) {
            const size_t k = rlo + gsl_rng_uniform_int(g, rhi - rlo);
            if (mk->p_community[k] == mk->p_community[j] && mk->p_region[k] == mk->p_region[j]) {
                pick = k;
                break;
            }
        }
        mk->rv_donor[mk->n_rv] = (rmc_id)j;
        mk->rv_recv[mk->n_rv] = (rmc_id)pick;
        mk->rv_n[mk->n_rv] = mk->positions[j];
        mk->n_rv++;
    }
    return RMC_OK;
}

/* ---- generation ------------------------------------------------------- */

static rmc_status generate(const rmc_synth_options *o, market *mk, rmc_diag *d)
{
    rmc_rng *r = NULL;
    RMC_TRY(market_alloc(mk, d));
    RMC_TRY(rmc_rng_alloc(NULL, &r, d));
    rmc_rng_seek(r, o->seed, 0, RMC_STREAM_SYNTH, SUB_PROGRAMS);
    rmc_status st = make_programs(rmc_rng_gsl(r), mk, d);
    if (st == RMC_OK) {
        rmc_rng_seek(r, o->seed, 0, RMC_STREAM_SYNTH, SUB_APPLICANTS);
        make_applicants(rmc_rng_gsl(r), mk);
        st = make_interviews(r, o->seed, mk, d);
    }
    if (st == RMC_OK) {
        rmc_rng_seek(r, o->seed, 0, RMC_STREAM_SYNTH, SUB_ATTR);
        draw_attributes(rmc_rng_gsl(r), mk);
        rmc_rng_seek(r, o->seed, 0, RMC_STREAM_SYNTH, SUB_LOCATION);
        draw_locations(rmc_rng_gsl(r), mk);
        rmc_rng_seek(r, o->seed, 0, RMC_STREAM_SYNTH, SUB_COUPLES);
        st = make_couples(rmc_rng_gsl(r), mk, o, d);
    }
    /* Tracks last, from their own streams: couples' joint lists (drawn
     * above) name main interviews only; supplemental lists are not coupled
     * (NRMP). */
    if (st == RMC_OK && mk->tracks) {
        st = make_supp_interviews(r, o->seed, mk, d);
    }
    if (st == RMC_OK && mk->tracks) {
        rmc_rng_seek(r, o->seed, 0, RMC_STREAM_SYNTH, SUB_REVERT);
        st = make_reversions(rmc_rng_gsl(r), mk, d);
    }
    rmc_rng_free(r);
    return st;
}

static void summarize(const market *mk, rmc_synth_summary *sum)
{
    *sum = (rmc_synth_summary){.n_applicants = mk->n_app,
                               .n_programs = mk->n_prog,
                               .n_positions = mk->n_pos,
                               .n_interviews = mk->n_iv,
                               .n_specialties = mk->n_spec,
                               .n_couples = mk->n_couples,
                               .tracks = mk->tracks,
                               .n_supp_interviews = mk->n_supp_iv,
                               .n_supp_applicants = mk->n_supp_app,
                               .n_reversions = mk->n_rv};
    for (size_t i = 0; i < mk->n_app; i++) {
        sum->n_group[mk->a_group[i]]++;
        sum->n_iv_group[mk->a_group[i]] += mk->a_off[i + 1] - mk->a_off[i];
        bool prelim_only = mk->tracks && mk->a_off[i + 1] > mk->a_off[i];
        for (size_t k = mk->a_off[i]; k < mk->a_off[i + 1] && prelim_only; k++) {
            prelim_only = track_of(mk, (size_t)mk->iv_prog[k]) == RMC_SYNTH_PRELIMINARY;
        }
        sum->n_prelim_only += prelim_only;
    }
    for (size_t j = 0; j < mk->n_prog; j++) {
        const size_t t = mk->tracks ? (size_t)track_of(mk, j) : 0;
        sum->n_positions_track[t] += (size_t)mk->positions[j];
        sum->n_programs_track[t]++;
    }
}

/* ---- writing ---------------------------------------------------------- */

static const char *const model_files[] = {"model.ini",      "applicants.csv", "programs.csv",
                                          "interviews.csv", "couples.csv",    "reversions.csv"};
/* Optional files a forced write removes, so the folder stays one model
 * (couples.csv and reversions.csv too when the market has none). */
static const char *const stale_files[] = {"applicant_rols.csv", "program_rols.csv",
                                          "supplemental_rols.csv"};
enum { N_FILES = sizeof model_files / sizeof model_files[0], F_COUPLES = 4, F_REVERSIONS = 5 };
static const char *const track_names[RMC_SYNTH_N_TRACKS] = {"categorical", "preliminary",
                                                            "advanced"};

typedef struct write_ctx {
    const market *mk;
    const rmc_synth_options *o;
} write_ctx;

/* Couples written without lists, generated per replicate by the engine. */
static bool gen_couples(const write_ctx *w)
{
    return w->mk->n_couples > 0 && !w->o->fixed_lists;
}

static void write_ini(FILE *f, const write_ctx *w)
{
    const market *mk = w->mk;
    fprintf(f,
            "# Synthetic market written by `rankmc synth` (docs/synth.md).\n"
            "# preset %s, scale %g, seed %llu: %zu applicants, %zu programs, %zu positions,\n"
            "# %zu interviews. Every parameter keeps its default (`rankmc params`)%s.\n"
            "# Applicant ROLs are not written: rankmc draws them each replicate from\n"
            "# desirability and ties (DESIGN 3).\n",
            mk->pre->name, w->o->scale, (unsigned long long)w->o->seed, mk->n_app, mk->n_prog,
            mk->n_pos, mk->n_iv,
            mk->tracks && mk->n_couples > 0 ? ",\n# except the [soap] and [couples] keys below"
            : mk->tracks                    ? ",\n# except the [soap] keys below"
            : mk->n_couples > 0             ? ",\n# except the [couples] keys below"
                                            : "");
    if (gen_couples(w)) {
        fprintf(f,
                "# %zu couples whose joint lists rankmc run generates every replicate from\n"
                "# the partners' utilities (couples.csv rows without rank): pairs in one\n"
                "# city, then one region, then each partner's best program with the other\n"
                "# unmatched, cut at max_entries (assumptions; docs/synth.md \"Couples\").\n",
                mk->n_couples);
    } else if (mk->n_couples > 0) {
        fprintf(f, "# %zu couples with the joint lists drawn once (couples.csv).\n", mk->n_couples);
    }
    if (mk->n_couples > 0) {
        fprintf(f, "# rank_together: a program that ranked both partners of a couple moves the\n"
                   "# lower-ranked one up to right after the other (assumption: programs that\n"
                   "# interview both partners rank them next to each other; no published\n"
                   "# figure; docs/match.md \"Programs that rank a couple together\").\n"
                   "\n[couples]\n");
    }
    if (gen_couples(w)) {
        fprintf(f,
                "pairs = region\n"
                "max_entries = %g\n"
                "unmatched_options = %g\n"
                "keep_unmatched = no\n",
                mk->pre->couple_max_pairs, mk->pre->couple_solo);
    }
    if (mk->n_couples > 0) {
        fprintf(f, "rank_together = on\n%s", mk->tracks ? "\n" : "");
    }
    if (!mk->tracks) {
        return;
    }
    const rmc_synth_preset *pre = mk->pre;
    fprintf(f,
            "# With the NRMP's tracks (docs/synth.md \"Tracks\"): %zu supplemental interviews\n"
            "# at preliminary programs, %zu reversions; SOAP after the Match, its\n"
            "# acceptance keys calibrated to NRMP 2025 (docs/calibration.md).\n"
            "\n[soap]\n"
            "enabled = on\n"
            "rounds = 4\n"
            "applications = 45\n"
            "decline = %g\n"
            "eligible_us = %g\n"
            "eligible_img = %g\n",
            mk->n_supp_iv, mk->n_rv, pre->soap_decline, pre->soap_eligible_us,
            pre->soap_eligible_img);
}

static int width_of(size_t n)
{
    int digits = 1;
    for (; n >= 10; n /= 10) {
        digits++;
    }
    return digits;
}

static void write_applicants(FILE *f, const write_ctx *w)
{
    const market *mk = w->mk;
    const int wd = width_of(mk->n_app);
    fputs("id,type,pre_score,communication,clinical_years,us_experience,visa,x_group,"
          "x_specialty\n",
          f);
    for (size_t i = 0; i < mk->n_app; i++) {
        const rmc_synth_group_spec *gs = &mk->pre->groups[mk->a_group[i]];
        fprintf(f, "a%0*zu,%s,%.3f,%.3f,%d,%s,%s,%s,%s\n", wd, i + 1, type_names[gs->type],
                mk->pre_score[i], mk->communication[i], (int)mk->clinical[i],
                usexp_names[mk->usexp[i]], visa_names[mk->visa[i]], group_names[mk->a_group[i]],
                mk->sp[mk->a_spec[i]].name);
    }
}

static void write_programs(FILE *f, const write_ctx *w)
{
    const market *mk = w->mk;
    const int wd = width_of(mk->n_prog);
    const bool loc = mk->n_couples > 0; /* the location only where couples used it */
    fputs("id,name,positions,interviewers,residents,sponsors,service_load,desirability,", f);
    fputs(mk->tracks ? "track,x_specialty,x_setting" : "x_specialty,x_setting", f);
    fputs(loc ? ",region,city\n" : "\n", f);
    for (size_t j = 0; j < mk->n_prog; j++) {
        const char *spec = mk->sp[mk->p_spec[j]].name;
        const char *setting = mk->p_community[j] ? "community" : "academic";
        fprintf(f, "p%0*zu,%s %s %zu,%d,%d,%d,%s,%.3f,%.3f,", wd, j + 1, spec, setting,
                j + 1 - mk->field_lo[mk->p_spec[j]], (int)mk->positions[j],
                (int)mk->interviewers[j], (int)mk->residents[j], sponsors_names[mk->sponsors[j]],
                mk->service_load[j], mk->desirability[j]);
        if (mk->tracks) {
            fprintf(f, "%s,", track_names[track_of(mk, j)]);
        }
        fprintf(f, "%s,%s", spec, setting);
        if (loc) {
            fprintf(f, ",%s,%s_%d", region_names[mk->p_region[j]], region_names[mk->p_region[j]],
                    (int)mk->p_city[j] + 1);
        }
        fputc('\n', f);
    }
}

static void write_interviews(FILE *f, const write_ctx *w)
{
    const market *mk = w->mk;
    const int wa = width_of(mk->n_app), wp = width_of(mk->n_prog);
    fputs("applicant,program,advocacy,ties,interest\n", f);
    for (size_t i = 0; i < mk->n_app; i++) {
        for (size_t k = mk->a_off[i]; k < mk->a_off[i + 1]; k++) {
            fprintf(f, "a%0*zu,p%0*d,%s,%d,%s\n", wa, i + 1, wp, (int)mk->iv_prog[k] + 1,
                    advocacy_names[mk->advocacy[k]], (int)mk->ties[k],
                    interest_names[mk->interest[k]]);
        }
    }
}

static void write_couples(FILE *f, const write_ctx *w)
{
    const market *mk = w->mk;
    const int wa = width_of(mk->n_app), wp = width_of(mk->n_prog);
    fputs("applicant_a,applicant_b,rank,program_a,program_b\n", f);
    for (size_t c = 0; c < mk->n_couples && gen_couples(w); c++) {
        fprintf(f, "a%0*d,a%0*d,,,\n", wa, (int)mk->c_a[c] + 1, wa, (int)mk->c_b[c] + 1);
    }
    for (size_t c = 0; c < mk->n_couples && !gen_couples(w); c++) {
        for (size_t e = mk->c_off[c]; e < mk->c_off[c + 1]; e++) {
            fprintf(f, "a%0*d,a%0*d,%zu,", wa, (int)mk->c_a[c] + 1, wa, (int)mk->c_b[c] + 1,
                    e - mk->c_off[c] + 1);
            if (mk->c_pa[e] != RMC_ID_NONE) {
                fprintf(f, "p%0*d", wp, (int)mk->c_pa[e] + 1);
            }
            fputc(',', f);
            if (mk->c_pb[e] != RMC_ID_NONE) {
                fprintf(f, "p%0*d", wp, (int)mk->c_pb[e] + 1);
            }
            fputc('\n', f);
        }
    }
}

static void write_reversions(FILE *f, const write_ctx *w)
{
    const market *mk = w->mk;
    const int wp = width_of(mk->n_prog);
    fputs("donor,receiver,positions\n", f);
    for (size_t r = 0; r < mk->n_rv; r++) {
        fprintf(f, "p%0*d,p%0*d,%d\n", wp, (int)mk->rv_donor[r] + 1, wp, (int)mk->rv_recv[r] + 1,
                (int)mk->rv_n[r]);
    }
}

static void (*const writers[N_FILES])(FILE *, const write_ctx *) = {
    write_ini, write_applicants, write_programs, write_interviews, write_couples, write_reversions};

static rmc_status join(char *buf, size_t size, const char *dir, const char *pre, const char *name,
                       const char *post, rmc_diag *d)
{
    const int n = snprintf(buf, size, "%s/%s%s%s", dir, pre, name, post);
    if (n < 0 || (size_t)n >= size) {
        return RMC_FAIL(d, RMC_EUSAGE, "output path too long: %s", dir);
    }
    return RMC_OK;
}

static rmc_status write_tmp(const char *path, int i, const write_ctx *w, rmc_diag *d)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return RMC_FAIL(d, RMC_EIO, "cannot create %s: %s", path, strerror(errno));
    }
    static_assert(N_FILES == 6, "one writer per file");
    writers[i](f, w);
    const bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        remove(path);
        return RMC_FAIL(d, RMC_EIO, "cannot write %s", path);
    }
    return RMC_OK;
}

rmc_status rmc_prepare_dir(const char *dir, bool force, rmc_diag *d)
{
    if (mkdir(dir, 0777) == 0) {
        return RMC_OK;
    }
    if (errno != EEXIST) {
        return RMC_FAIL(d, RMC_EIO, "cannot create folder %s: %s", dir, strerror(errno));
    }
    DIR *dd = opendir(dir);
    if (dd == NULL && errno == ENOTDIR) {
        return RMC_FAIL(d, RMC_EUSAGE, "%s exists and is not a folder", dir);
    }
    if (dd == NULL) {
        return RMC_FAIL(d, RMC_EIO, "cannot open folder %s: %s", dir, strerror(errno));
    }
    bool empty = true;
    for (const struct dirent *e = readdir(dd); e != NULL; e = readdir(dd)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = false;
        }
    }
    closedir(dd);
    if (!empty && !force) {
        return RMC_FAIL(d, RMC_EEXIST, "%s exists and is not empty (use --force to overwrite)",
                        dir);
    }
    return RMC_OK;
}

/* Write every file under a temporary name, then rename them all. */
static rmc_status write_market(const char *dir, const write_ctx *w, rmc_diag *d)
{
    char tmp[N_FILES][4096], final[4096];
    bool want[N_FILES] = {true, true, true, true, w->mk->n_couples > 0, w->mk->n_rv > 0};
    rmc_status st = RMC_OK;
    int done = 0;
    for (; done < N_FILES && st == RMC_OK; done++) {
        st = join(tmp[done], sizeof tmp[done], dir, ".", model_files[done], ".tmp", d);
        if (st == RMC_OK && want[done]) {
            st = write_tmp(tmp[done], done, w, d);
        }
    }
    for (int i = 0; i < N_FILES && st == RMC_OK; i++) {
        st = join(final, sizeof final, dir, "", model_files[i], "", d);
        if (st == RMC_OK && want[i] && rename(tmp[i], final) != 0) {
            st = RMC_FAIL(d, RMC_EIO, "cannot rename %s: %s", tmp[i], strerror(errno));
        }
    }
    if (st != RMC_OK) {
        for (int i = 0; i < done; i++) {
            if (want[i]) {
                remove(tmp[i]);
            }
        }
        return st;
    }
    for (size_t i = 0; i < sizeof stale_files / sizeof stale_files[0]; i++) {
        RMC_TRY(join(final, sizeof final, dir, "", stale_files[i], "", d));
        remove(final);
    }
    for (int i = 0; i < N_FILES; i++) {
        if (!want[i]) { /* an optional file this market does not have */
            RMC_TRY(join(final, sizeof final, dir, "", model_files[i], "", d));
            remove(final);
        }
    }
    return RMC_OK;
}

static rmc_status synth_write(const rmc_synth_options *o, const char *dir,
                              rmc_synth_summary *summary, double **cutoff, size_t *n_programs,
                              rmc_diag *d)
{
    if (o == NULL || dir == NULL || dir[0] == '\0') {
        return RMC_FAIL(d, RMC_EUSAGE, "rmc_synth_write needs options and an output folder");
    }
    const rmc_synth_preset *pre = rmc_synth_preset_find(o->preset);
    if (pre == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "unknown preset '%s' (try nrmp2025, im, im-regional)",
                        o->preset != NULL ? o->preset : "(null)");
    }
    const bool tracks = o->tracks < 0 ? pre->tracks_default : o->tracks != 0;
    if (tracks && pre->track_specialties == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "preset '%s' has no tracks (only nrmp2025 has)", pre->name);
    }
    market mk = {.pre = pre,
                 .tracks = tracks,
                 .sp = tracks ? pre->track_specialties : pre->specialties,
                 .n_rows = tracks ? pre->n_track_specialties : pre->n_specialties};
    assert(mk.n_rows <= MAX_SPECIALTIES);
    RMC_TRY(resolve_sizes(o, pre, &mk, d));
    rmc_status st = rmc_prepare_dir(dir, o->force, d);
    if (st == RMC_OK && cutoff != NULL) {
        st = rmc_alloc_array((void **)&mk.offer_cut, mk.n_prog, sizeof(double), d);
    }
    if (st == RMC_OK) {
        st = generate(o, &mk, d);
    }
    if (st == RMC_OK) {
        const write_ctx w = {&mk, o};
        st = write_market(dir, &w, d);
    }
    if (st == RMC_OK && summary != NULL) {
        summarize(&mk, summary);
    }
    if (st == RMC_OK && cutoff != NULL) {
        *cutoff = mk.offer_cut;
        *n_programs = mk.n_prog;
        mk.offer_cut = NULL;
    }
    rmc_free(mk.offer_cut);
    market_free(&mk);
    return st;
}

rmc_status rmc_synth_write(const rmc_synth_options *o, const char *dir, rmc_synth_summary *summary,
                           rmc_diag *d)
{
    return synth_write(o, dir, summary, NULL, NULL, d);
}

rmc_status rmc_synth_write_offers(const rmc_synth_options *o, const char *dir,
                                  rmc_synth_summary *summary, double **cutoff, size_t *n_programs,
                                  rmc_diag *d)
{
    if (cutoff == NULL || n_programs == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "rmc_synth_write_offers needs cutoff and n_programs");
    }
    *cutoff = NULL;
    *n_programs = 0;
    return synth_write(o, dir, summary, cutoff, n_programs, d);
}
