"""`jax.scipy.stats.gaussian_kde`: scipy's Gaussian kernel density estimate
(bandwidth by Scott's or Silverman's rule, weighted samples), a pytree so it
passes through jit and vmap as JAX's does."""

import math

from ... import numpy as jnp
from ... import tree_util


@tree_util.register_pytree_node_class
class gaussian_kde:
    def __init__(self, dataset, bw_method=None, weights=None):
        dataset = jnp.atleast_2d(dataset)
        if jnp.issubdtype(dataset.dtype, jnp.complexfloating):
            raise NotImplementedError("gaussian_kde does not support complex data")
        if not jnp.issubdtype(dataset.dtype, jnp.floating):
            dataset = dataset.astype("float64" if jnp._x64() else "float32")
        if not dataset.size > 1:
            raise ValueError("`dataset` input should have multiple elements.")
        d, n = dataset.shape
        if weights is not None:
            weights = jnp.atleast_1d(weights).astype(dataset.dtype)
            weights = weights / jnp.sum(weights)
            if weights.ndim != 1:
                raise ValueError("`weights` input should be one-dimensional.")
            if len(weights) != n:
                raise ValueError("`weights` input should be of length n")
        else:
            weights = jnp.full(n, 1.0 / n, dtype=dataset.dtype)
        self._setattr(dataset, weights, d, n, 1 / jnp.sum(weights ** 2), bw_method)

    def _setattr(self, dataset, weights, d, n, neff, bw_method):
        self.dataset, self.weights, self.d, self.n, self.neff = dataset, weights, d, n, neff
        if bw_method is None or bw_method == "scott":
            factor = neff ** (-1.0 / (d + 4))
        elif bw_method == "silverman":
            factor = (neff * (d + 2) / 4.0) ** (-1.0 / (d + 4))
        elif isinstance(bw_method, str):
            raise ValueError("`bw_method` should be 'scott', 'silverman', a scalar, or a callable.")
        elif callable(bw_method):
            factor = bw_method(self)
        else:
            factor = bw_method
        data_covariance = jnp.atleast_2d(jnp.cov(dataset, rowvar=True, bias=False, aweights=weights))
        data_inv_cov = jnp.linalg.inv(data_covariance)
        self.factor = factor
        self.covariance = data_covariance * factor ** 2
        self.inv_cov = data_inv_cov / factor ** 2

    def tree_flatten(self):
        return ((self.neff, self.dataset, self.weights, self.factor, self.covariance, self.inv_cov),
                (self.d, self.n))

    @classmethod
    def tree_unflatten(cls, aux, children):
        obj = object.__new__(cls)
        obj.neff, obj.dataset, obj.weights, obj.factor, obj.covariance, obj.inv_cov = children
        obj.d, obj.n = aux
        return obj

    def _points(self, points):
        points = jnp.atleast_2d(points)
        d, m = points.shape
        if d != self.d:
            if d == 1 and m == self.d:
                points = jnp.reshape(points, (self.d, 1))
            else:
                raise ValueError(f"points have dimension {d}, dataset has dimension {self.d}")
        return points

    def _kernel_sums(self, points, in_log):
        """sum_i w_i N(x; x_i, covariance) at each point (or its log),
        computed in the whitened frame of the inverse covariance."""
        from ...scipy.special import logsumexp
        whitening = jnp.linalg.cholesky(self.inv_cov)
        train = self.dataset.T @ whitening
        test = self._points(points).T @ whitening
        log_norm = jnp.sum(jnp.log(jnp.diag(whitening))) - 0.5 * self.d * math.log(2 * math.pi)
        sq = jnp.sum(jnp.square(test[:, None, :] - train[None, :, :]), axis=-1)
        arg = log_norm - 0.5 * sq
        if in_log:
            return logsumexp(jnp.log(self.weights)[None, :] + arg, axis=1)
        return jnp.sum(self.weights[None, :] * jnp.exp(arg), axis=1)

    def evaluate(self, points):
        return self._kernel_sums(points, False)

    __call__ = evaluate

    def pdf(self, x):
        return self.evaluate(x)

    def logpdf(self, x):
        return self._kernel_sums(x, True)

    def integrate_gaussian(self, mean, cov):
        """The integral of this density times the normal density N(mean, cov)."""
        mean = jnp.atleast_1d(jnp.squeeze(mean))
        cov = jnp.atleast_2d(cov)
        if mean.shape != (self.d,):
            raise ValueError(f"mean does not have dimension {self.d}")
        if cov.shape != (self.d, self.d):
            raise ValueError(f"covariance does not have dimension {self.d}")
        chol = jnp.linalg.cholesky(self.covariance + cov)
        norm = jnp.sqrt(2 * math.pi) ** self.d * jnp.prod(jnp.diag(chol))
        diff = self.dataset - mean[:, None]
        tdiff = jnp.linalg.solve(self.covariance + cov, diff)
        energies = jnp.sum(diff * tdiff, axis=0) / 2.0
        return jnp.sum(jnp.exp(-energies) * self.weights) / norm

    def integrate_box_1d(self, low, high):
        """The probability mass between low and high (1-d data only)."""
        from ...scipy.special import ndtr
        if self.d != 1:
            raise ValueError("integrate_box_1d() only handles 1D pdfs")
        sd = jnp.squeeze(jnp.sqrt(self.covariance))
        lo = jnp.squeeze((low - self.dataset) / sd)
        hi = jnp.squeeze((high - self.dataset) / sd)
        return jnp.sum(self.weights * (ndtr(hi) - ndtr(lo)))

    def integrate_kde(self, other):
        """The integral of the product of this density and another KDE."""
        if other.d != self.d:
            raise ValueError("KDEs are not the same dimensionality")
        chol = jnp.linalg.cholesky(self.covariance + other.covariance)
        norm = jnp.sqrt(2 * math.pi) ** self.d * jnp.prod(jnp.diag(chol))
        diff = self.dataset[:, :, None] - other.dataset[:, None, :]
        flat = jnp.reshape(diff, (self.d, -1))
        energies = jnp.reshape(jnp.sum(flat * jnp.linalg.solve(self.covariance + other.covariance, flat), axis=0),
                               (self.n, other.n)) / 2.0
        return jnp.sum(self.weights[:, None] * other.weights[None, :] * jnp.exp(-energies)) / norm

    def resample(self, key, shape=()):
        """Samples of shape (d, *shape): a kernel picked by weight, plus
        normal noise with the kernel covariance."""
        from ... import random
        ind_key, eps_key = random.split(key)
        ind = random.choice(ind_key, self.n, shape=shape, p=self.weights)
        eps = random.multivariate_normal(eps_key, jnp.zeros(self.d, self.covariance.dtype), self.covariance,
                                         shape=shape, dtype=self.dataset.dtype)
        return self.dataset[:, ind] + jnp.moveaxis(eps, -1, 0)

    def integrate_box(self, low_bounds, high_bounds, maxpts=None):
        raise NotImplementedError("gaussian_kde.integrate_box is not supported (nor is it in JAX)")

    def set_bandwidth(self, bw_method=None):
        raise NotImplementedError("gaussian_kde.set_bandwidth is not supported (nor is it in JAX)")
