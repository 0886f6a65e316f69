/* Model variants for sensitivity analyses (rankmc/sensitivity.h).
 *
 * A variant holds a struct rmc_model that starts as a shallow copy of its
 * base: every pointer refers to the base's arrays. Changing a field copies
 * that one array (copy on write) into the variant, which then owns it and
 * points its model at the copy; the base is never written. Invariant: for
 * each copyable field, own_X is NULL (the model's X is base's X) or the
 * model's X == own_X. Freeing releases only the own_X arrays, so the base
 * keeps sole ownership of everything else (no double free, no leak; the
 * variant must not outlive the base). The meeting packs its inputs from the
 * model it is given when its workspace is made, so a variant runs through
 * the engine like any other model.
 */
#include <math.h>
#include <string.h>

#include "model_int.h"
#include "rankmc/sensitivity.h"

struct rmc_variant {
    rmc_model m;                /* shallow copy of the base with the own_* arrays swapped in */
    const rmc_model *base;      /* borrowed */
    double *own_communication;  /* [n_app] or NULL */
    double *own_clinical_years; /* [n_app] or NULL */
    uint8_t *own_us_exp;        /* [n_app] or NULL */
    uint8_t *own_visa;          /* [n_app] or NULL */
    uint8_t *own_advocacy;      /* [n_iv] or NULL */
    uint8_t *own_ties;          /* [n_iv] or NULL */
    double *own_pre_score;      /* [n_app] or NULL */
    uint8_t *own_profile;       /* [n_app] or NULL */
};

rmc_status rmc_variant_alloc(const rmc_model *base, rmc_variant **out, rmc_diag *d)
{
    *out = NULL;
    rmc_variant *v = NULL;
    RMC_TRY(rmc_calloc_array((void **)&v, 1, sizeof *v, d));
    v->m = *base;
    v->base = base;
    *out = v;
    return RMC_OK;
}

void rmc_variant_free(rmc_variant *v)
{
    if (v == NULL) {
        return;
    }
    rmc_free(v->own_profile);
    rmc_free(v->own_pre_score);
    rmc_free(v->own_ties);
    rmc_free(v->own_advocacy);
    rmc_free(v->own_visa);
    rmc_free(v->own_us_exp);
    rmc_free(v->own_clinical_years);
    rmc_free(v->own_communication);
    rmc_free(v);
}

const rmc_model *rmc_variant_model(const rmc_variant *v)
{
    return &v->m;
}

/* Make *own a copy of n elements of `from` unless it already is one. */
static rmc_status own_copy(void **own, const void *from, size_t n, size_t size, rmc_diag *d)
{
    if (*own != NULL) {
        return RMC_OK;
    }
    void *copy = NULL;
    RMC_TRY(rmc_alloc_array(&copy, n, size, d));
    if (n > 0) {
        memcpy(copy, from, n * size);
    }
    *own = copy;
    return RMC_OK;
}

static rmc_status check_app(const rmc_variant *v, size_t i, rmc_diag *d)
{
    if (i >= v->m.n_app) {
        return RMC_FAIL(d, RMC_EUSAGE, "applicant index %zu out of range", i);
    }
    return RMC_OK;
}

static rmc_status check_iv(const rmc_variant *v, size_t k, rmc_diag *d)
{
    if (k >= v->m.n_iv) {
        return RMC_FAIL(d, RMC_EUSAGE, "interview index %zu out of range", k);
    }
    return RMC_OK;
}

/* Set element idx of a double field, copying the array on first change. */
static rmc_status set_real(double **field, double **own, size_t n, size_t idx, double value,
                           rmc_diag *d)
{
    if ((*field)[idx] == value) {
        return RMC_OK;
    }
    RMC_TRY(own_copy((void **)own, *field, n, sizeof **own, d));
    *field = *own;
    (*own)[idx] = value;
    return RMC_OK;
}

static rmc_status set_byte(uint8_t **field, uint8_t **own, size_t n, size_t idx, uint8_t value,
                           rmc_diag *d)
{
    if ((*field)[idx] == value) {
        return RMC_OK;
    }
    RMC_TRY(own_copy((void **)own, *field, n, sizeof **own, d));
    *field = *own;
    (*own)[idx] = value;
    return RMC_OK;
}

rmc_status rmc_variant_set_communication(rmc_variant *v, size_t i, double value, rmc_diag *d)
{
    RMC_TRY(check_app(v, i, d));
    if (!(value >= 0.0 && value <= 1.0)) {
        return RMC_FAIL(d, RMC_EUSAGE, "communication must be in [0, 1]");
    }
    return set_real(&v->m.communication, &v->own_communication, v->m.n_app, i, value, d);
}

rmc_status rmc_variant_set_clinical_years(rmc_variant *v, size_t i, double value, rmc_diag *d)
{
    RMC_TRY(check_app(v, i, d));
    if (!(value >= 0.0 && isfinite(value))) {
        return RMC_FAIL(d, RMC_EUSAGE, "clinical_years must be finite and >= 0");
    }
    return set_real(&v->m.clinical_years, &v->own_clinical_years, v->m.n_app, i, value, d);
}

rmc_status rmc_variant_set_us_experience(rmc_variant *v, size_t i, rmc_usexp value, rmc_diag *d)
{
    RMC_TRY(check_app(v, i, d));
    if ((unsigned)value >= RMC_N_USEXP) {
        return RMC_FAIL(d, RMC_EUSAGE, "us_experience out of range");
    }
    return set_byte(&v->m.us_exp, &v->own_us_exp, v->m.n_app, i, (uint8_t)value, d);
}

rmc_status rmc_variant_set_visa(rmc_variant *v, size_t i, rmc_visa value, rmc_diag *d)
{
    RMC_TRY(check_app(v, i, d));
    if ((unsigned)value >= RMC_N_VISA) {
        return RMC_FAIL(d, RMC_EUSAGE, "visa out of range");
    }
    return set_byte(&v->m.visa, &v->own_visa, v->m.n_app, i, (uint8_t)value, d);
}

rmc_status rmc_variant_set_pre_score(rmc_variant *v, size_t i, double value, rmc_diag *d)
{
    RMC_TRY(check_app(v, i, d));
    if (!isfinite(value)) {
        return RMC_FAIL(d, RMC_EUSAGE, "pre_score must be finite");
    }
    const rmc_model *b = v->base;
    const bool derived = b->profile[i] == rmc_model_derive_profile(&b->params, b, i);
    RMC_TRY(set_real(&v->m.pre_score, &v->own_pre_score, v->m.n_app, i, value, d));
    if (derived) {
        const uint8_t now = rmc_model_derive_profile(&b->params, &v->m, i);
        RMC_TRY(set_byte(&v->m.profile, &v->own_profile, v->m.n_app, i, now, d));
    }
    return RMC_OK;
}

rmc_status rmc_variant_set_advocacy(rmc_variant *v, size_t k, rmc_advocacy value, rmc_diag *d)
{
    RMC_TRY(check_iv(v, k, d));
    if ((unsigned)value >= RMC_N_ADVOCACY) {
        return RMC_FAIL(d, RMC_EUSAGE, "advocacy out of range");
    }
    return set_byte(&v->m.advocacy, &v->own_advocacy, v->m.n_iv, k, (uint8_t)value, d);
}

rmc_status rmc_variant_set_ties(rmc_variant *v, size_t k, int value, rmc_diag *d)
{
    RMC_TRY(check_iv(v, k, d));
    if (value != 0 && value != 1) {
        return RMC_FAIL(d, RMC_EUSAGE, "ties must be 0 or 1");
    }
    return set_byte(&v->m.ties, &v->own_ties, v->m.n_iv, k, (uint8_t)value, d);
}

static bool differs(const void *own, const void *base, size_t n, size_t size)
{
    return own != NULL && n > 0 && memcmp(own, base, n * size) != 0;
}

bool rmc_variant_differs(const rmc_variant *v)
{
    const rmc_model *b = v->base;
    const size_t na = b->n_app, ni = b->n_iv;
    return differs(v->own_communication, b->communication, na, sizeof(double)) ||
           differs(v->own_clinical_years, b->clinical_years, na, sizeof(double)) ||
           differs(v->own_us_exp, b->us_exp, na, 1) || differs(v->own_visa, b->visa, na, 1) ||
           differs(v->own_advocacy, b->advocacy, ni, 1) || differs(v->own_ties, b->ties, ni, 1) ||
           differs(v->own_pre_score, b->pre_score, na, sizeof(double)) ||
           differs(v->own_profile, b->profile, na, 1);
}
