"""`jaxcore.scipy.stats`: log-densities, densities and distribution
functions of the common distributions, with scipy's loc/scale arguments
(the formulas jax.scipy.stats uses)."""

import math
import types

from ... import numpy as jnp
from .. import special as sp


def _f(x):
    x = jnp.asarray(x)
    return x if str(x.dtype).startswith(("float", "bfloat")) else x.astype("float32")


def _std(x, loc, scale):
    return (_f(x) - loc) / scale


def _clamp(lo, x, hi):
    """lax.clamp: its derivative is 1 strictly inside, 0 at and beyond the
    bounds (the cdfs differentiate as JAX's)."""
    from ... import lax
    return lax.clamp(jnp.asarray(lo, x.dtype), x, jnp.asarray(hi, x.dtype))


def _ns(name, **fns):
    return types.SimpleNamespace(__name__=f"jaxcore.scipy.stats.{name}", **fns)


# --- normal
def _norm_logpdf(x, loc=0, scale=1):
    z = _std(x, loc, scale)
    return -0.5 * z * z - jnp.log(jnp.asarray(scale, z.dtype)) - 0.5 * math.log(2 * math.pi)

norm = _ns(
    "norm",
    logpdf=_norm_logpdf,
    pdf=lambda x, loc=0, scale=1: jnp.exp(_norm_logpdf(x, loc, scale)),
    cdf=lambda x, loc=0, scale=1: sp.ndtr(_std(x, loc, scale)),
    logcdf=lambda x, loc=0, scale=1: sp.log_ndtr(_std(x, loc, scale)),
    sf=lambda x, loc=0, scale=1: sp.ndtr(-_std(x, loc, scale)),
    logsf=lambda x, loc=0, scale=1: sp.log_ndtr(-_std(x, loc, scale)),
    ppf=lambda q, loc=0, scale=1: sp.ndtri(_f(q)) * scale + loc,
    isf=lambda q, loc=0, scale=1: -sp.ndtri(_f(q)) * scale + loc,
)


# --- uniform on [loc, loc + scale]
def _uniform_logpdf(x, loc=0, scale=1):
    x = _f(x)
    inside = jnp.logical_and(x >= loc, x <= jnp.add(loc, scale))
    return jnp.where(inside, -jnp.log(jnp.asarray(scale, x.dtype)), -jnp.inf)

uniform = _ns(
    "uniform",
    logpdf=_uniform_logpdf,
    pdf=lambda x, loc=0, scale=1: jnp.exp(_uniform_logpdf(x, loc, scale)),
    cdf=lambda x, loc=0, scale=1: (lambda z: jnp.where(z < 0, 0.0, jnp.where(z > 1, 1.0, z)))(_std(x, loc, scale)),
    ppf=lambda q, loc=0, scale=1: jnp.where(jnp.logical_and(_f(q) >= 0, _f(q) <= 1), _f(q) * scale + loc, jnp.nan),
)


# --- exponential
def _expon_logpdf(x, loc=0, scale=1):
    z = _std(x, loc, scale)
    return jnp.where(z < 0, -jnp.inf, -z - jnp.log(jnp.asarray(scale, z.dtype)))

expon = _ns(
    "expon",
    logpdf=_expon_logpdf,
    pdf=lambda x, loc=0, scale=1: jnp.exp(_expon_logpdf(x, loc, scale)),
    # (loc - x) / scale, not -z: at x = loc JAX's cdf is -0.
    cdf=lambda x, loc=0, scale=1: jnp.where(_std(x, loc, scale) < 0, 0.0, -jnp.expm1((loc - _f(x)) / scale)),
    sf=lambda x, loc=0, scale=1: jnp.where(_std(x, loc, scale) < 0, 1.0, jnp.exp(-_std(x, loc, scale))),
    ppf=lambda q, loc=0, scale=1: -jnp.log1p(-_f(q)) * scale + loc,
)


# --- Laplace
def _laplace_logpdf(x, loc=0, scale=1):
    z = _std(x, loc, scale)
    return -jnp.abs(z) - jnp.log(2 * jnp.asarray(scale, z.dtype))

laplace = _ns(
    "laplace",
    logpdf=_laplace_logpdf,
    pdf=lambda x, loc=0, scale=1: jnp.exp(_laplace_logpdf(x, loc, scale)),
    cdf=lambda x, loc=0, scale=1: jnp.where(_std(x, loc, scale) < 0, 0.5 * jnp.exp(_std(x, loc, scale)),
                                            1 - 0.5 * jnp.exp(-_std(x, loc, scale))),
)


# --- logistic
def _logistic_logpdf(x, loc=0, scale=1):
    from ... import nn
    z = _std(x, loc, scale)
    return -z - 2 * nn.softplus(-z) - jnp.log(jnp.asarray(scale, z.dtype))

logistic = _ns(
    "logistic",
    logpdf=_logistic_logpdf,
    pdf=lambda x, loc=0, scale=1: jnp.exp(_logistic_logpdf(x, loc, scale)),
    cdf=lambda x, loc=0, scale=1: sp.expit(_std(x, loc, scale)),
    sf=lambda x, loc=0, scale=1: sp.expit(-_std(x, loc, scale)),
    ppf=lambda q, loc=0, scale=1: sp.logit(_f(q)) * scale + loc,
    isf=lambda q, loc=0, scale=1: -sp.logit(_f(q)) * scale + loc,
)


# --- Cauchy
def _cauchy_logpdf(x, loc=0, scale=1):
    z = _std(x, loc, scale)
    return -math.log(math.pi) - jnp.log(jnp.asarray(scale, z.dtype)) - jnp.log1p(z * z)

cauchy = _ns(
    "cauchy",
    logpdf=_cauchy_logpdf,
    pdf=lambda x, loc=0, scale=1: jnp.exp(_cauchy_logpdf(x, loc, scale)),
    cdf=lambda x, loc=0, scale=1: 0.5 + jnp.arctan(_std(x, loc, scale)) / math.pi,
    ppf=lambda q, loc=0, scale=1: jnp.tan(math.pi * (_f(q) - 0.5)) * scale + loc,
)


# --- gamma, chi-square, beta, Student's t
def _gamma_logpdf(x, a, loc=0, scale=1):
    y = _std(x, loc, scale)
    a = jnp.asarray(a, y.dtype)
    v = sp.xlogy(a - 1, y) - y - sp.gammaln(a) - jnp.log(jnp.asarray(scale, y.dtype))
    return jnp.where(y < 0, -jnp.inf, v)

def _gamma_cdf(x, a, loc=0, scale=1):
    y = _std(x, loc, scale)
    return sp.gammainc(a, _clamp(0.0, y, jnp.inf))

def _gamma_sf(x, a, loc=0, scale=1):
    y = _std(x, loc, scale)
    return sp.gammaincc(a, _clamp(0.0, y, jnp.inf))

gamma = _ns("gamma", logpdf=_gamma_logpdf, pdf=lambda x, a, loc=0, scale=1: jnp.exp(_gamma_logpdf(x, a, loc, scale)),
            cdf=_gamma_cdf, sf=_gamma_sf,
            logcdf=lambda x, a, loc=0, scale=1: jnp.log(_gamma_cdf(x, a, loc, scale)),
            logsf=lambda x, a, loc=0, scale=1: jnp.log(_gamma_sf(x, a, loc, scale)))

def _chi2_logpdf(x, df, loc=0, scale=1):
    return _gamma_logpdf(x, jnp.asarray(df) / 2.0, loc, jnp.multiply(scale, 2.0))

chi2 = _ns("chi2", logpdf=_chi2_logpdf, pdf=lambda x, df, loc=0, scale=1: jnp.exp(_chi2_logpdf(x, df, loc, scale)),
           cdf=lambda x, df, loc=0, scale=1: _gamma_cdf(x, jnp.asarray(df) / 2.0, loc, jnp.multiply(scale, 2.0)),
           sf=lambda x, df, loc=0, scale=1: _gamma_sf(x, jnp.asarray(df) / 2.0, loc, jnp.multiply(scale, 2.0)),
           logcdf=lambda x, df, loc=0, scale=1: jnp.log(_gamma_cdf(x, jnp.asarray(df) / 2.0, loc, jnp.multiply(scale, 2.0))),
           logsf=lambda x, df, loc=0, scale=1: jnp.log(_gamma_sf(x, jnp.asarray(df) / 2.0, loc, jnp.multiply(scale, 2.0))))

def _beta_logpdf(x, a, b, loc=0, scale=1):
    y = _std(x, loc, scale)
    a, b = jnp.asarray(a, y.dtype), jnp.asarray(b, y.dtype)
    v = sp.xlogy(a - 1, y) + sp.xlog1py(b - 1, -y) - sp.betaln(a, b) - jnp.log(jnp.asarray(scale, y.dtype))
    return jnp.where(jnp.logical_or(y < 0, y > 1), -jnp.inf, v)

def _beta_cdf(x, a, b, loc=0, scale=1):
    return sp.betainc(a, b, _clamp(0.0, _std(x, loc, scale), 1.0))

beta = _ns("beta", logpdf=_beta_logpdf, pdf=lambda x, a, b, loc=0, scale=1: jnp.exp(_beta_logpdf(x, a, b, loc, scale)),
           cdf=_beta_cdf, sf=lambda x, a, b, loc=0, scale=1: 1 - _beta_cdf(x, a, b, loc, scale),
           logcdf=lambda x, a, b, loc=0, scale=1: jnp.log(_beta_cdf(x, a, b, loc, scale)),
           logsf=lambda x, a, b, loc=0, scale=1: jnp.log1p(-_beta_cdf(x, a, b, loc, scale)))

def _t_logpdf(x, df, loc=0, scale=1):
    z = _std(x, loc, scale)
    df = jnp.asarray(df, z.dtype)
    return (sp.gammaln((df + 1) / 2) - sp.gammaln(df / 2) - 0.5 * jnp.log(df * math.pi)
            - (df + 1) / 2 * jnp.log1p(z * z / df) - jnp.log(jnp.asarray(scale, z.dtype)))

def _t_cdf(x, df, loc=0, scale=1):
    z = _std(x, loc, scale)
    df = jnp.asarray(df, z.dtype)
    tail = 0.5 * sp.betainc(df / 2, 0.5, df / (df + z * z))
    return jnp.where(z < 0, tail, 1 - tail)

t = _ns("t", logpdf=_t_logpdf, pdf=lambda x, df, loc=0, scale=1: jnp.exp(_t_logpdf(x, df, loc, scale)),
        cdf=_t_cdf, sf=lambda x, df, loc=0, scale=1: _t_cdf(-_std(x, loc, scale), df))


# --- discrete: Poisson, Bernoulli, binomial, geometric
def _poisson_logpmf(k, mu, loc=0):
    x = _f(k) - loc
    mu = jnp.asarray(mu, x.dtype)
    v = sp.xlogy(x, mu) - sp.gammaln(x + 1) - mu
    return jnp.where(jnp.logical_or(x < 0, jnp.floor(x) != x), -jnp.inf, v)

poisson = _ns("poisson", logpmf=_poisson_logpmf, pmf=lambda k, mu, loc=0: jnp.exp(_poisson_logpmf(k, mu, loc)),
              cdf=lambda k, mu, loc=0: _poisson_cdf(k, mu, loc))

def _poisson_cdf(k, mu, loc=0):
    x = jnp.floor(_f(k) - loc)
    return jnp.where(x < 0, 0.0, sp.gammaincc(jnp.maximum(x, 0.0) + 1, jnp.asarray(mu, x.dtype)))

def _bernoulli_logpmf(k, p, loc=0):
    x = _f(k) - loc
    p = jnp.asarray(p, x.dtype)
    v = sp.xlogy(x, p) + sp.xlog1py(1 - x, -p)
    return jnp.where(jnp.logical_or(x == 0, x == 1), v, -jnp.inf)

bernoulli = _ns("bernoulli", logpmf=_bernoulli_logpmf, pmf=lambda k, p, loc=0: jnp.exp(_bernoulli_logpmf(k, p, loc)))

def _binom_logpmf(k, n, p, loc=0):
    x = _f(k) - loc
    n, p = jnp.asarray(n, x.dtype), jnp.asarray(p, x.dtype)
    comb = sp.gammaln(n + 1) - sp.gammaln(x + 1) - sp.gammaln(n - x + 1)
    v = comb + sp.xlogy(x, p) + sp.xlog1py(n - x, -p)
    return jnp.where(jnp.logical_or(jnp.logical_or(x < 0, x > n), jnp.floor(x) != x), -jnp.inf, v)

binom = _ns("binom", logpmf=_binom_logpmf, pmf=lambda k, n, p, loc=0: jnp.exp(_binom_logpmf(k, n, p, loc)))

def _geom_logpmf(k, p, loc=0):
    x = _f(k) - loc
    p = jnp.asarray(p, x.dtype)
    v = sp.xlog1py(x - 1, -p) + jnp.log(p)
    return jnp.where(x <= 0, -jnp.inf, v)

geom = _ns("geom", logpmf=_geom_logpmf, pmf=lambda k, p, loc=0: jnp.exp(_geom_logpmf(k, p, loc)))


# --- multivariate normal and Dirichlet
def _mvn_logpdf(x, mean, cov, allow_singular=None):
    x, mean, cov = _f(x), _f(mean), _f(cov)
    if cov.ndim < 2:
        cov = jnp.eye(mean.shape[-1] if mean.ndim else 1, dtype=str(x.dtype)) * cov
    n = cov.shape[-1]
    L = jnp.linalg.cholesky(cov)
    d = x - mean
    flat = jnp.reshape(d, (-1, n))
    y = jnp.linalg.solve(L, flat.T).T
    quad = jnp.reshape(jnp.sum(y * y, axis=-1), d.shape[:-1])
    logdet = 2 * jnp.sum(jnp.log(jnp.diagonal(L)))
    return -0.5 * quad - 0.5 * logdet - 0.5 * n * math.log(2 * math.pi)

multivariate_normal = _ns("multivariate_normal", logpdf=_mvn_logpdf,
                          pdf=lambda x, mean, cov, allow_singular=None: jnp.exp(_mvn_logpdf(x, mean, cov)))

def _dirichlet_logpdf(x, alpha):
    x, alpha = _f(x), _f(alpha)
    norm_ = jnp.sum(sp.gammaln(alpha), axis=-1) - sp.gammaln(jnp.sum(alpha, axis=-1))
    return jnp.sum(sp.xlogy(alpha - 1, x), axis=-1) - norm_

dirichlet = _ns("dirichlet", logpdf=_dirichlet_logpdf, pdf=lambda x, alpha: jnp.exp(_dirichlet_logpdf(x, alpha)))


# --- pareto, Gumbel, generalized normal, truncated normal, von Mises, wrapped Cauchy
def _pareto_logpdf(x, b, loc=0, scale=1):
    z = _std(x, loc, scale)
    b = jnp.asarray(b, z.dtype)
    val = jnp.log(b) - (b + 1) * jnp.log(jnp.where(z >= 1, z, 1.0)) - jnp.log(jnp.asarray(scale, z.dtype))
    return jnp.where(z >= 1, val, -jnp.inf)

pareto = _ns("pareto", logpdf=_pareto_logpdf, pdf=lambda x, b, loc=0, scale=1: jnp.exp(_pareto_logpdf(x, b, loc, scale)))


def _gumbel_r_logpdf(x, loc=0, scale=1):
    z = _std(x, loc, scale)
    return -z - jnp.exp(-z) - jnp.log(jnp.asarray(scale, z.dtype))

gumbel_r = _ns(
    "gumbel_r",
    logpdf=_gumbel_r_logpdf,
    pdf=lambda x, loc=0, scale=1: jnp.exp(_gumbel_r_logpdf(x, loc, scale)),
    logcdf=lambda x, loc=0, scale=1: -jnp.exp(-_std(x, loc, scale)),
    cdf=lambda x, loc=0, scale=1: jnp.exp(-jnp.exp(-_std(x, loc, scale))),
    logsf=lambda x, loc=0, scale=1: jnp.log(-jnp.expm1(-jnp.exp(-_std(x, loc, scale)))),
    sf=lambda x, loc=0, scale=1: -jnp.expm1(-jnp.exp(-_std(x, loc, scale))),
    ppf=lambda q, loc=0, scale=1: -jnp.log(-jnp.log(_f(q))) * scale + loc,
)


def _gumbel_l_logpdf(x, loc=0, scale=1):
    z = _std(x, loc, scale)
    return z - jnp.exp(z) - jnp.log(jnp.asarray(scale, z.dtype))

gumbel_l = _ns(
    "gumbel_l",
    logpdf=_gumbel_l_logpdf,
    pdf=lambda x, loc=0, scale=1: jnp.exp(_gumbel_l_logpdf(x, loc, scale)),
    logcdf=lambda x, loc=0, scale=1: jnp.log(-jnp.expm1(-jnp.exp(_std(x, loc, scale)))),
    cdf=lambda x, loc=0, scale=1: -jnp.expm1(-jnp.exp(_std(x, loc, scale))),
    logsf=lambda x, loc=0, scale=1: -jnp.exp(_std(x, loc, scale)),
    sf=lambda x, loc=0, scale=1: jnp.exp(-jnp.exp(_std(x, loc, scale))),
    ppf=lambda q, loc=0, scale=1: jnp.log(-jnp.log1p(-_f(q))) * scale + loc,
)


def _gennorm_logpdf(x, beta, loc=0, scale=1):
    z = _std(x, loc, scale)
    beta = jnp.asarray(beta, z.dtype)
    return jnp.log(beta) - math.log(2.0) - sp.gammaln(1 / beta) - jnp.abs(z) ** beta - jnp.log(jnp.asarray(scale, z.dtype))

def _gennorm_cdf(x, beta, loc=0, scale=1):
    z = _std(x, loc, scale)
    beta = jnp.asarray(beta, z.dtype)
    return 0.5 + jnp.sign(z) * 0.5 * sp.gammainc(1 / beta, jnp.abs(z) ** beta)

gennorm = _ns("gennorm", logpdf=_gennorm_logpdf, pdf=lambda x, beta, loc=0, scale=1: jnp.exp(_gennorm_logpdf(x, beta, loc, scale)),
              cdf=_gennorm_cdf)


def _truncnorm_mass(a, b):
    return sp.ndtr(b) - sp.ndtr(a)

def _truncnorm_logpdf(x, a, b, loc=0, scale=1):
    z = _std(x, loc, scale)
    a, b = jnp.asarray(a, z.dtype), jnp.asarray(b, z.dtype)
    val = -0.5 * z * z - 0.5 * math.log(2 * math.pi) - jnp.log(_truncnorm_mass(a, b)) - jnp.log(jnp.asarray(scale, z.dtype))
    return jnp.where((z < a) | (z > b), -jnp.inf, val)

def _truncnorm_cdf(x, a, b, loc=0, scale=1):
    z = _std(x, loc, scale)
    a, b = jnp.asarray(a, z.dtype), jnp.asarray(b, z.dtype)
    return jnp.clip((sp.ndtr(z) - sp.ndtr(a)) / _truncnorm_mass(a, b), 0.0, 1.0)

truncnorm = _ns(
    "truncnorm",
    logpdf=_truncnorm_logpdf,
    pdf=lambda x, a, b, loc=0, scale=1: jnp.exp(_truncnorm_logpdf(x, a, b, loc, scale)),
    cdf=_truncnorm_cdf,
    logcdf=lambda x, a, b, loc=0, scale=1: jnp.log(_truncnorm_cdf(x, a, b, loc, scale)),
    sf=lambda x, a, b, loc=0, scale=1: 1 - _truncnorm_cdf(x, a, b, loc, scale),
    logsf=lambda x, a, b, loc=0, scale=1: jnp.log1p(-_truncnorm_cdf(x, a, b, loc, scale)),
)


def _vonmises_logpdf(x, kappa):
    x = _f(x)
    kappa = jnp.asarray(kappa, x.dtype)
    val = kappa * (jnp.cos(x) - 1) - jnp.log(2 * math.pi * sp.i0e(kappa))
    return jnp.where(kappa > 0, val, jnp.nan)

vonmises = _ns("vonmises", logpdf=_vonmises_logpdf, pdf=lambda x, kappa: jnp.exp(_vonmises_logpdf(x, kappa)))


def _wrapcauchy_logpdf(x, c):
    x = _f(x)
    c = jnp.asarray(c, x.dtype)
    val = jnp.log(1 - c * c) - math.log(2 * math.pi) - jnp.log(1 + c * c - 2 * c * jnp.cos(x))
    val = jnp.where((x >= 0) & (x <= 2 * math.pi), val, -jnp.inf)
    return jnp.where((c > 0) & (c < 1), val, jnp.nan)

wrapcauchy = _ns("wrapcauchy", logpdf=_wrapcauchy_logpdf, pdf=lambda x, c: jnp.exp(_wrapcauchy_logpdf(x, c)))


# --- discrete: negative binomial, beta-binomial, multinomial
def _nbinom_logpmf(k, n, p, loc=0):
    y = _f(k) - loc
    n, p = jnp.asarray(n, y.dtype), jnp.asarray(p, y.dtype)
    val = sp.gammaln(n + y) - sp.gammaln(y + 1) - sp.gammaln(n) + sp.xlogy(n, p) + sp.xlog1py(y, -p)
    return jnp.where(y < 0, -jnp.inf, val)

nbinom = _ns("nbinom", logpmf=_nbinom_logpmf, pmf=lambda k, n, p, loc=0: jnp.exp(_nbinom_logpmf(k, n, p, loc)))


def _betabinom_logpmf(k, n, a, b, loc=0):
    y = _f(k) - loc
    n, a, b = (jnp.asarray(v, y.dtype) for v in (n, a, b))
    log_comb = sp.gammaln(n + 1) - sp.gammaln(y + 1) - sp.gammaln(n - y + 1)
    val = log_comb + sp.betaln(y + a, n - y + b) - sp.betaln(a, b)
    return jnp.where((y < 0) | (y > n), -jnp.inf, val)

betabinom = _ns("betabinom", logpmf=_betabinom_logpmf, pmf=lambda k, n, a, b, loc=0: jnp.exp(_betabinom_logpmf(k, n, a, b, loc)))


def _multinomial_logpmf(x, n, p):
    x = _f(x)
    p = jnp.asarray(p, x.dtype)
    n = jnp.asarray(n, x.dtype)
    val = sp.gammaln(n + 1) + jnp.sum(sp.xlogy(x, p) - sp.gammaln(x + 1), axis=-1)
    return jnp.where(jnp.sum(x) == n, val, -jnp.inf)  # JAX compares the total over all of x

multinomial = _ns("multinomial", logpmf=_multinomial_logpmf, pmf=lambda x, n, p: jnp.exp(_multinomial_logpmf(x, n, p)))


# --- statistics of samples
def sem(a, axis=0, ddof=1, nan_policy="propagate", *, keepdims=False):
    """The standard error of the mean: std(a, ddof) / sqrt(n)."""
    a = _f(a)
    if nan_policy not in ("propagate", "omit"):
        raise ValueError("nan_policy must be 'propagate' or 'omit'")
    if nan_policy == "omit":
        n = jnp.sum(~jnp.isnan(a), axis=axis, keepdims=keepdims)
        return jnp.nanstd(a, axis=axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(n)
    n = a.size if axis is None else a.shape[axis]
    return jnp.std(a, axis=axis, ddof=ddof, keepdims=keepdims) / math.sqrt(n)


def rankdata(a, method="average", *, axis=None, nan_policy="propagate"):
    """Ranks from 1, ties by `method` (average, min, max, dense, ordinal);
    floats for every method, as JAX gives them."""
    ft = "float64" if jnp._x64() else "float32"
    if method not in ("average", "min", "max", "dense", "ordinal"):
        raise ValueError(f"unknown method '{method}'")
    a = jnp.asarray(a)
    if axis is not None:
        from ... import _api
        moved = jnp.moveaxis(a, axis, -1)
        flat = jnp.reshape(moved, (-1, moved.shape[-1]))
        out = _api.vmap(lambda v: rankdata(v, method=method))(flat)
        return jnp.moveaxis(jnp.reshape(out, moved.shape), -1, axis)
    v = jnp.ravel(a)
    n = v.shape[0]
    order = jnp.argsort(v, stable=True)
    inv = jnp.zeros(n, "int32").at[order].set(jnp.arange(n, dtype="int32"))
    if method == "ordinal":
        return (inv + 1).astype(ft)
    s = v[order]
    starts = jnp.concatenate([jnp.ones(1, bool), s[1:] != s[:-1]])
    dense = jnp.cumsum(starts)[inv]
    if method == "dense":
        return dense.astype(ft)
    first = jnp.concatenate([jnp.nonzero(starts, size=n, fill_value=n)[0], jnp.array([n])]).astype(ft)
    if method == "max":
        return first[dense]
    if method == "min":
        return first[dense - 1] + 1
    return 0.5 * (first[dense] + first[dense - 1] + 1)


def mode(a, axis=0, nan_policy="propagate", keepdims=False):
    """(mode, count): the smallest most frequent value along `axis` (pairwise
    counting, so it traces; O(n^2) in the axis length)."""
    import collections
    a = jnp.asarray(a)
    if axis is None:
        a, axis = jnp.ravel(a), 0
    moved = jnp.moveaxis(a, axis, -1)
    counts = jnp.sum(moved[..., :, None] == moved[..., None, :], axis=-1)
    best = jnp.max(counts, axis=-1, keepdims=True)
    big = jnp.inf if str(a.dtype).startswith(("float", "bfloat")) else jnp.iinfo(a.dtype).max
    m = jnp.min(jnp.where(counts == best, moved, big), axis=-1)
    c = best[..., 0]
    if keepdims:
        m, c = jnp.expand_dims(m, axis), jnp.expand_dims(c, axis)
    return collections.namedtuple("ModeResult", ["mode", "count"])(m, c)

from ._kde import gaussian_kde  # noqa: E402
