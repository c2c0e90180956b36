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
    cdf=lambda x, loc=0, scale=1: jnp.clip(_std(x, loc, scale), 0.0, 1.0),
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
    cdf=lambda x, loc=0, scale=1: jnp.where(_std(x, loc, scale) < 0, 0.0, -jnp.expm1(-_std(x, loc, scale))),
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
    return sp.gammainc(a, jnp.maximum(y, 0.0))

def _gamma_sf(x, a, loc=0, scale=1):
    y = _std(x, loc, scale)
    return sp.gammaincc(a, jnp.maximum(y, 0.0))

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
    return sp.betainc(a, b, jnp.clip(_std(x, loc, scale), 0.0, 1.0))

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
