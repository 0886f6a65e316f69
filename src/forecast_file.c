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
    rmc_status st = bufs_alloc(&b, K, L, W, d);
    if (st != RMC_OK) {
        bufs_free(&b);
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
#undef T
    const size_t n_tables = sizeof t / sizeof t[0] - (W == 0 ? 7 : 0);
    const rmc_h5_attr attrs[] = {
        {"forecast_market", RMC_H5_STR, 0, 0, r->market},
        {"forecast_markets", RMC_H5_I32, 0, (int64_t)K, NULL},
        {"forecast_pre_score", RMC_H5_F64, r->pre_score, 0, NULL},
        {"forecast_compared", RMC_H5_I32, 0, (int64_t)r->compared, NULL},
        {"forecast_disagreements", RMC_H5_I32, 0, (int64_t)r->disagreements, NULL},
        {"forecast_market_applicants", RMC_H5_I32, 0, (int64_t)r->market_applicants, NULL},
    };
    rmc_model m = {0};
    m.dir = (char *)(uintptr_t)r->market;
    snprintf(m.sha256, sizeof m.sha256, "%s", r->market_sha256);
    const rmc_h5_tables tf = {
        .m = &m,
        .seed = r->seed,
        .replicates = r->replicates,
        .threads = r->threads,
        .rng_name = r->rng_name,
        .command_line = command_line,
        .wall_seconds = r->wall_seconds,
        .tables = t,
        .n_tables = n_tables,
        .attrs = attrs,
        .n_attrs = sizeof attrs / sizeof attrs[0],
    };
    st = rmc_h5_write_tables(path, force, &tf, d);
    bufs_free(&b);
    return st;
}
