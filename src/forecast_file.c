/* The /forecast file layout (docs/output.md): rmc_forecast_run's result as
 * a table file through rmc_h5_write_tables, with the provenance root
 * attributes of every rankmc output (model_sha256 and model_dir name market
 * 0 with the applicant in it and the --market argument).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "forecast_int.h"
#include "rankmc/h5io.h"

enum { NS = 6 }; /* columns of a statistic: p, se_mc, spread, se, lo, hi */

static void put_stat(double *row, const rmc_forecast_stat *s, bool done)
{
    const double v[NS] = {s->p, s->se_mc, s->spread, s->se, s->lo, s->hi};
    for (int c = 0; c < NS; c++) {
        row[c] = done ? v[c] : (double)NAN;
    }
}

/* Everything the tables point at, owned here. */
typedef struct bufs {
    double *p_match, *p_match_market, *p_here, *p_here_market, *p_ranked, *position, *curve;
    double *top_move, *w_p, *w_dp, *w_se, *w_spread;
    int32_t *list_length, *w_gain, *w_loss;
    const char **names, **replaced, **top_factor, **whatif, **seeds;
    char (*seed_text)[24];
} bufs;

static void bufs_free(bufs *b)
{
    void *all[] = {b->p_match,
                   b->p_match_market,
                   b->p_here,
                   b->p_here_market,
                   b->p_ranked,
                   b->position,
                   b->curve,
                   b->top_move,
                   b->w_p,
                   b->w_dp,
                   b->w_se,
                   b->w_spread,
                   b->list_length,
                   b->w_gain,
                   b->w_loss,
                   (void *)b->names,
                   (void *)b->replaced,
                   (void *)b->top_factor,
                   (void *)b->whatif,
                   (void *)b->seeds,
                   (void *)b->seed_text};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        rmc_free(all[i]);
    }
}

static rmc_status bufs_alloc(bufs *b, size_t K, size_t L, size_t W, rmc_diag *d)
{
    const size_t w = W > 0 ? W : 1;
    RMC_TRY(rmc_alloc_array((void **)&b->p_match, 2 * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->p_match_market, 2 * K, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->p_here, 2 * L * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->p_here_market, 2 * K * L, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->p_ranked, L * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->position, L * 3, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->curve, L * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->top_move, L, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->w_p, w, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->w_dp, w, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->w_se, w, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->w_spread, w, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->list_length, L, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&b->w_gain, w, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&b->w_loss, w, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&b->names, L, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&b->replaced, L, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&b->top_factor, L, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&b->whatif, w, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&b->seeds, K, sizeof(char *), d));
    return rmc_alloc_array((void **)&b->seed_text, K, sizeof *b->seed_text, d);
}

/* A couple's tables (partner and joint), owned here. */
typedef struct cbufs {
    double *p_match, *p_match_market, *p_here, *p_ranked, *position, *joint_p;
    int32_t *joint_count, *joint_a, *joint_b;
    const char **names, **replaced, **outcomes;
} cbufs;

static void cbufs_free(cbufs *c)
{
    void *all[] = {c->p_match,  c->p_match_market, c->p_here,           c->p_ranked,
                   c->position, c->joint_p,        c->joint_count,      c->joint_a,
                   c->joint_b,  (void *)c->names,  (void *)c->replaced, (void *)c->outcomes};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        rmc_free(all[i]);
    }
}

static rmc_status cbufs_fill(cbufs *c, const rmc_forecast_result *r, rmc_diag *d)
{
    const size_t K = r->n_markets, L = r->n_partner_programs, J = RMC_FORECAST_N_JOINT;
    const size_t E = r->n_joint > 0 ? r->n_joint : 1;
    RMC_TRY(rmc_alloc_array((void **)&c->p_match, 2 * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&c->p_match_market, 2 * K, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&c->p_here, 2 * L * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&c->p_ranked, L * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&c->position, L * 3, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&c->joint_p, 2 * J * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&c->joint_count, 2 * K * J, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&c->joint_a, E, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&c->joint_b, E, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&c->names, L, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&c->replaced, L, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&c->outcomes, J, sizeof(char *), d));
    const rmc_forecast_method *me[2] = {&r->partner_fast, &r->partner_exact};
    const rmc_forecast_joint *jo[2] = {&r->joint_fast, &r->joint_exact};
    for (int m = 0; m < 2; m++) {
        put_stat(c->p_match + (size_t)m * NS, &me[m]->p_match, me[m]->done);
        for (size_t k = 0; k < K; k++) {
            c->p_match_market[(size_t)m * K + k] =
                me[m]->done ? me[m]->p_match_market[k] : (double)NAN;
            for (size_t o = 0; o < J; o++) {
                c->joint_count[((size_t)m * K + k) * J + o] =
                    jo[m]->done ? (int32_t)jo[m]->count[k * J + o] : -1;
            }
        }
        for (size_t l = 0; l < L; l++) {
            put_stat(c->p_here + ((size_t)m * L + l) * NS, &me[m]->programs[l].p_here, me[m]->done);
        }
        for (size_t o = 0; o < J; o++) {
            put_stat(c->joint_p + ((size_t)m * J + o) * NS, &jo[m]->p[o], jo[m]->done);
        }
    }
    const rmc_forecast_method *any = r->partner_fast.done ? &r->partner_fast : &r->partner_exact;
    for (size_t l = 0; l < L; l++) {
        const rmc_forecast_program *p = &any->programs[l];
        c->names[l] = p->name;
        c->replaced[l] = p->replaced;
        put_stat(c->p_ranked + l * NS, &p->p_ranked, true);
        c->position[l * 3] = p->pos_median;
        c->position[l * 3 + 1] = p->pos_p10;
        c->position[l * 3 + 2] = p->pos_p90;
    }
    for (size_t o = 0; o < J; o++) {
        c->outcomes[o] = rmc_forecast_joint_name((rmc_forecast_joint_outcome)o);
    }
    for (size_t e = 0; e < r->n_joint; e++) {
        c->joint_a[e] = r->joint_a[e];
        c->joint_b[e] = r->joint_b[e];
    }
    return RMC_OK;
}

static void fill(bufs *b, const rmc_forecast_result *r)
{
    const size_t K = r->n_markets, L = r->n_programs;
    const rmc_forecast_method *me[2] = {&r->fast, &r->exact};
    const rmc_forecast_method *any = r->fast.done ? &r->fast : &r->exact;
    for (int m = 0; m < 2; m++) {
        put_stat(b->p_match + (size_t)m * NS, &me[m]->p_match, me[m]->done);
        for (size_t k = 0; k < K; k++) {
            b->p_match_market[(size_t)m * K + k] =
                me[m]->done ? me[m]->p_match_market[k] : (double)NAN;
            for (size_t l = 0; l < L; l++) {
                b->p_here_market[((size_t)m * K + k) * L + l] =
                    me[m]->done ? me[m]->p_here_market[k * L + l] : (double)NAN;
            }
        }
        for (size_t l = 0; l < L; l++) {
            put_stat(b->p_here + ((size_t)m * L + l) * NS, &me[m]->programs[l].p_here, me[m]->done);
        }
    }
    for (size_t l = 0; l < L; l++) {
        const rmc_forecast_program *p = &any->programs[l];
        b->names[l] = p->name;
        b->replaced[l] = p->replaced;
        put_stat(b->p_ranked + l * NS, &p->p_ranked, true);
        b->position[l * 3] = p->pos_median;
        b->position[l * 3 + 1] = p->pos_p10;
        b->position[l * 3 + 2] = p->pos_p90;
        b->list_length[l] = p->list_length;
        b->top_factor[l] = p->top_factor >= 0 ? rmc_factor_name((rmc_factor)p->top_factor) : "";
        b->top_move[l] = p->top_factor_move;
        const bool has_curve = r->fast.done && r->n_whatifs > 0;
        put_stat(b->curve + l * NS, &r->curve[l], has_curve);
    }
    for (size_t w = 0; w < r->n_whatifs; w++) {
        const rmc_forecast_whatif *x = &r->whatifs[w];
        b->whatif[w] = x->desc;
        b->w_p[w] = x->p;
        b->w_dp[w] = x->dp;
        b->w_se[w] = x->dp_se;
        b->w_spread[w] = x->dp_spread;
        b->w_gain[w] = x->n_gain;
        b->w_loss[w] = x->n_loss;
    }
    for (size_t k = 0; k < K; k++) {
        snprintf(b->seed_text[k], sizeof b->seed_text[k], "%llu",
                 (unsigned long long)r->market_seeds[k]);
        b->seeds[k] = b->seed_text[k];
    }
}

rmc_status rmc_forecast_write(const char *path, bool force, const rmc_forecast_result *r,
                              const char *command_line, rmc_diag *d)
{
    const size_t K = r->n_markets, L = r->n_programs, W = r->n_whatifs;
    bufs b = {0};
    cbufs cb = {0};
    rmc_status st = bufs_alloc(&b, K, L, W, d);
    if (st == RMC_OK && r->couple) {
        st = cbufs_fill(&cb, r, d);
    }
    if (st != RMC_OK) {
        bufs_free(&b);
        cbufs_free(&cb);
        return st;
    }
    fill(&b, r);
    static const char *const cols[NS] = {"p", "se_mc", "spread", "se", "lo", "hi"};
    static const char *const methods[2] = {"fast", "exact"};
#define T(p, ty, rk, a, b_, c, data, doc)                                                          \
    {                                                                                              \
        "forecast/" p, ty, rk, {a, b_, c}, data, doc                                               \
    }
    const rmc_h5_table t[] = {
        T("stat_columns", RMC_H5_STR, 1, NS, 0, 0, cols, "columns of every statistic [6]"),
        T("method", RMC_H5_STR, 1, 2, 0, 0, methods, "rows of the per-method tables [2]"),
        T("program", RMC_H5_STR, 1, L, 0, 0, b.names, "the profile's programs, list order [L]"),
        T("replaced", RMC_H5_STR, 1, L, 0, 0, b.replaced,
          "synthetic program each took the place of, market 0 [L]"),
        T("market_seed", RMC_H5_STR, 1, K, 0, 0, b.seeds, "synth seed of each market [K]"),
        T("p_match", RMC_H5_F64, 2, 2, NS, 0, b.p_match,
          "P(match) over markets, by method (NaN: not run) [2,6]"),
        T("p_match_market", RMC_H5_F64, 2, 2, K, 0, b.p_match_market,
          "P(match) in each market [2,K]"),
        T("p_here", RMC_H5_F64, 3, 2, L, NS, b.p_here, "P(matched at each program) [2,L,6]"),
        T("p_here_market", RMC_H5_F64, 3, 2, K, L, b.p_here_market,
          "P(matched here) in each market [2,K,L]"),
        T("p_ranked", RMC_H5_F64, 2, L, NS, 0, b.p_ranked, "P(ranked by the program) [L,6]"),
        T("position", RMC_H5_F64, 2, L, 3, 0, b.position,
          "1-based list position when ranked: median, 10%, 90% [L,3]"),
        T("list_length", RMC_H5_I32, 1, L, 0, 0, b.list_length,
          "median number of names on the program's list [L]"),
        T("top_factor", RMC_H5_STR, 1, L, 0, 0, b.top_factor,
          "meeting factor with the largest mean move when ranked [L]"),
        T("top_factor_move", RMC_H5_F64, 1, L, 0, 0, b.top_move, "its mean move, spots [L]"),
        T("curve", RMC_H5_F64, 2, L, NS, 0, b.curve,
          "P(match) ranking only the top k = 1..L programs (fast) [L,6]"),
        T("whatif", RMC_H5_STR, 1, W, 0, 0, b.whatif, "what-ifs, largest effect first [W]"),
        T("whatif_p_match", RMC_H5_F64, 1, W, 0, 0, b.w_p, "P(match) with the change [W]"),
        T("whatif_delta", RMC_H5_F64, 1, W, 0, 0, b.w_dp, "change from the forecast [W]"),
        T("whatif_delta_se", RMC_H5_F64, 1, W, 0, 0, b.w_se, "paired Monte Carlo SE [W]"),
        T("whatif_delta_spread", RMC_H5_F64, 1, W, 0, 0, b.w_spread,
          "between-market SD of the change [W]"),
        T("whatif_n_gain", RMC_H5_I32, 1, W, 0, 0, b.w_gain, "replicates newly matched [W]"),
        T("whatif_n_loss", RMC_H5_I32, 1, W, 0, 0, b.w_loss, "replicates newly unmatched [W]"),
    };
    const size_t LB = r->n_partner_programs, J = RMC_FORECAST_N_JOINT, E = r->n_joint;
    const rmc_h5_table tc[] = {
        T("joint_outcome", RMC_H5_STR, 1, J, 0, 0, cb.outcomes,
          "a couple's joint outcomes: both, same_city, same_region, one, neither [5]"),
        T("joint_p", RMC_H5_F64, 3, 2, J, NS, cb.joint_p,
          "P of each joint outcome, by method (NaN: not run) [2,5,6]"),
        T("joint_count", RMC_H5_I32, 3, 2, K, J, cb.joint_count,
          "replicates with each joint outcome, by method and market (-1: not run) [2,K,5]"),
        T("joint_list_a", RMC_H5_I32, 1, E, 0, 0, cb.joint_a,
          "the joint list: the applicant's program (0-based, /forecast/program), -1 "
          "unmatched [E]"),
        T("joint_list_b", RMC_H5_I32, 1, E, 0, 0, cb.joint_b,
          "the joint list: the partner's program (0-based, /forecast/partner_program), -1 "
          "unmatched [E]"),
        T("partner_program", RMC_H5_STR, 1, LB, 0, 0, cb.names,
          "the partner's programs, their list order [LB]"),
        T("partner_replaced", RMC_H5_STR, 1, LB, 0, 0, cb.replaced,
          "synthetic program each took the place of, market 0 [LB]"),
        T("partner_p_match", RMC_H5_F64, 2, 2, NS, 0, cb.p_match,
          "the partner's P(match) under the couple's outcome, by method [2,6]"),
        T("partner_p_match_market", RMC_H5_F64, 2, 2, K, 0, cb.p_match_market,
          "the partner's P(match) in each market [2,K]"),
        T("partner_p_here", RMC_H5_F64, 3, 2, LB, NS, cb.p_here,
          "the partner's P(matched at each program) [2,LB,6]"),
        T("partner_p_ranked", RMC_H5_F64, 2, LB, NS, 0, cb.p_ranked,
          "P(the partner ranked by the program) [LB,6]"),
        T("partner_position", RMC_H5_F64, 2, LB, 3, 0, cb.position,
          "the partner's 1-based list position when ranked: median, 10%, 90% [LB,3]"),
    };
#undef T
    const size_t n_base = sizeof t / sizeof t[0] - (W == 0 ? 7 : 0);
    const size_t n_couple = r->couple ? sizeof tc / sizeof tc[0] : 0;
    rmc_h5_table all[sizeof t / sizeof t[0] + sizeof tc / sizeof tc[0]];
    memcpy(all, t, n_base * sizeof *all);
    memcpy(all + n_base, tc, n_couple * sizeof *all);
    const size_t n_tables = n_base + n_couple;
    const rmc_h5_attr attrs[] = {
        {"forecast_market", RMC_H5_STR, 0, 0, r->market},
        {"forecast_markets", RMC_H5_I32, 0, (int64_t)K, NULL},
        {"forecast_pre_score", RMC_H5_F64, r->pre_score, 0, NULL},
        {"forecast_compared", RMC_H5_I32, 0, (int64_t)r->compared, NULL},
        {"forecast_disagreements", RMC_H5_I32, 0, (int64_t)r->disagreements, NULL},
        {"forecast_market_applicants", RMC_H5_I32, 0, (int64_t)r->market_applicants, NULL},
        {"forecast_partner_pre_score", RMC_H5_F64, r->partner_pre_score, 0, NULL},
        {"forecast_couple_unconverged", RMC_H5_I32, 0, (int64_t)r->joint_exact.unconverged, NULL},
    };
    const size_t n_attrs = sizeof attrs / sizeof attrs[0] - (r->couple ? 0 : 2);
    const rmc_h5_tables tf = {
        .model_dir = r->market,
        .model_sha256 = r->market_sha256,
        .seed = r->seed,
        .replicates = r->replicates,
        .threads = r->threads,
        .rng_name = r->rng_name,
        .command_line = command_line,
        .wall_seconds = r->wall_seconds,
        .tables = all,
        .n_tables = n_tables,
        .attrs = attrs,
        .n_attrs = n_attrs,
    };
    st = rmc_h5_write_tables(path, force, &tf, d);
    bufs_free(&b);
    cbufs_free(&cb);
    return st;
}
