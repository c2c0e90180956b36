"""Complex numbers and the FFT: arithmetic, promotion, real/imag/conj/angle,
derivatives with JAX's convention (a complex cotangent is dL/dRe - i dL/dIm),
and jnp.fft against numpy.fft."""

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp
from jaxcore import lax


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def test_complex_arithmetic_promotion_and_parts():
    z = np.array([1 + 2j, 3 - 1j, -0.5 + 0.25j], np.complex64)
    w = np.array([2 - 1j, 0.5 + 0.5j, 1j], np.complex64)
    Z, W = jnp.asarray(z), jnp.asarray(w)
    assert Z.dtype == np.complex64 and repr(Z) == "Array([ 1. +2.j  ,  3. -1.j  , -0.5+0.25j], dtype=complex64)"
    for f in [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a * 2.5 + 1j]:
        close(f(Z, W), f(z, w))
    for f in ["exp", "log", "sqrt", "sin", "cos", "tanh", "abs", "conj", "real", "imag", "angle", "square"]:
        close(getattr(jnp, f)(Z), getattr(np, f)(z), 2e-5)
    assert jnp.abs(Z).dtype == np.float32 and jnp.real(Z).dtype == np.float32
    close(jnp.sum(Z), z.sum())
    close(Z @ W, z @ w)
    close(jnp.prod(Z), np.prod(z))
    close(jnp.cumsum(Z), np.cumsum(z))
    assert (jnp.ones(2) * 1j).dtype == np.complex64  # a weak complex scalar
    assert (jnp.ones(2, jnp.int32) + Z[:2]).dtype == np.complex64
    close(lax.complex(jnp.ones(2), jnp.arange(2.0)), [1, 1 + 1j])
    close(Z.real, z.real)
    close(Z.imag, z.imag)
    close(Z.conj(), z.conj())
    assert np.asarray(Z == Z).all() and not np.asarray(Z != Z).any()
    with pytest.raises(TypeError, match="not ordered"):
        lax.lt(Z, W)
    close(jnp.asarray(z).astype(jnp.float32), z.real)  # complex -> real keeps the real part
    close(jax.jit(lambda a, b: jnp.exp(a) * b)(Z, W), np.exp(z) * w)
    close(jax.vmap(lambda a: a * 1j)(jnp.arange(3.0)), np.arange(3.0) * 1j)
    close(Z.reshape(3, 1).T, z.reshape(3, 1).T)
    close(Z[::-1], z[::-1])
    close(jnp.sort_complex(jnp.array([3 + 1j, 1 + 2j, 1 - 1j])), np.sort_complex(np.array([3 + 1j, 1 + 2j, 1 - 1j])))


def test_complex_derivatives_follow_jax_convention():
    z0 = jnp.asarray(np.complex64(1 + 1j))
    close(jax.grad(lambda z: jnp.abs(z) ** 2)(z0), 2 - 2j)      # values printed by JAX 0.10.2
    close(jax.grad(lambda z: jnp.real(z * z))(z0), 2 + 2j)
    close(jax.grad(lambda x: jnp.abs(x * (1 + 1j)) ** 2)(2.0), 8.0)
    t, dt = jax.jvp(lambda z: z * z, (z0,), (jnp.asarray(np.complex64(1j)),))
    close(t, 2j)
    close(dt, -2 + 2j)
    close(jax.vjp(lambda z: z * z, z0)[1](jnp.asarray(np.complex64(1)))[0], 2 + 2j)
    with pytest.raises(TypeError, match="real-valued outputs"):
        jax.grad(lambda z: z * z)(z0)


def test_fft_matches_numpy():
    rng = np.random.RandomState(0)
    x = rng.randn(8).astype(np.float32)
    X = (rng.randn(2, 3, 4) + 1j * rng.randn(2, 3, 4)).astype(np.complex64)
    f = jnp.fft
    close(f.fft(x), np.fft.fft(x), 1e-4)
    close(f.ifft(X), np.fft.ifft(X), 1e-4)
    close(f.rfft(x), np.fft.rfft(x), 1e-4)
    close(f.irfft(np.fft.rfft(x)), x, 1e-4)
    close(f.fft(x, n=5), np.fft.fft(x, n=5), 1e-4)
    close(f.fft(x, n=12, norm="ortho"), np.fft.fft(x, n=12, norm="ortho"), 1e-4)
    close(f.rfft(x, n=6, norm="forward"), np.fft.rfft(x, n=6, norm="forward"), 1e-4)
    close(f.fft2(X), np.fft.fft2(X), 1e-4)
    close(f.ifft2(X, s=(2, 5)), np.fft.ifft2(X, s=(2, 5)), 1e-4)
    close(f.fftn(X), np.fft.fftn(X), 1e-4)
    close(f.fftn(X, axes=(0, 2)), np.fft.fftn(X, axes=(0, 2)), 1e-4)
    R = X.real
    close(f.rfftn(R, s=(3, 6), axes=(0, 2)), np.fft.rfftn(R, s=(3, 6), axes=(0, 2)), 1e-4)
    close(f.irfftn(np.fft.rfftn(R), s=R.shape), R, 1e-4)
    close(f.hfft(np.fft.rfft(x)), np.fft.hfft(np.fft.rfft(x)), 1e-3)
    close(f.ihfft(x), np.fft.ihfft(x), 1e-4)
    close(f.fftfreq(7, 0.5), np.fft.fftfreq(7, 0.5))
    close(f.rfftfreq(8), np.fft.rfftfreq(8))
    close(f.fftshift(np.arange(7)), np.fft.fftshift(np.arange(7)))
    close(f.ifftshift(np.arange(6).reshape(2, 3)), np.fft.ifftshift(np.arange(6).reshape(2, 3)))
    close(jax.vmap(f.fft)(X[0]), np.fft.fft(X[0]), 1e-4)
    close(jax.jit(f.rfft)(x), np.fft.rfft(x), 1e-4)


def test_fft_derivatives_against_finite_differences():
    def num_grad(fun, r, eps=1e-6):
        r = np.asarray(r, np.float64)
        return np.array([(fun(r + eps * e) - fun(r - eps * e)) / (2 * eps) for e in np.eye(len(r))])
    r = np.arange(5.0)
    close(jax.grad(lambda v: jnp.sum(jnp.abs(jnp.fft.fft(v)) ** 2))(jnp.asarray(r, jnp.float32)),
          num_grad(lambda v: np.sum(np.abs(np.fft.fft(v)) ** 2), r), 1e-3)
    close(jax.grad(lambda v: jnp.sum(jnp.abs(jnp.fft.rfft(v)) ** 2))(jnp.asarray(r, jnp.float32)),
          num_grad(lambda v: np.sum(np.abs(np.fft.rfft(v)) ** 2), r), 1e-3)
    close(jax.grad(lambda v: jnp.sum(jnp.fft.irfft(v * (1 + 0.5j)) ** 3))(jnp.asarray(r, jnp.float32)),
          num_grad(lambda v: np.sum(np.fft.irfft(v * (1 + 0.5j)) ** 3), r), 1e-3)


def test_complex_reductions_vdot_norm_and_random():
    z = np.array([1 + 2j, 3 - 1j], np.complex64)
    w = np.array([2 - 1j, 0.5 + 0.5j], np.complex64)
    close(jnp.vdot(z, w), np.vdot(z, w))  # the first operand conjugated
    close(jnp.mean(z), z.mean())
    close(jnp.var(z), z.var())
    close(jnp.std(z), z.std())
    assert jnp.var(z).dtype == np.float32
    close(jnp.linalg.norm(z), np.linalg.norm(z))
    close(jnp.exp2(z), np.exp2(z), 1e-5)
    close(jax.grad(lambda v: jnp.real(jnp.vdot(v, v)))(jnp.asarray(z)), 2 * z.conj())  # JAX's convention
    # JAX's complex normal: independent parts of variance 1/2 (values printed by JAX 0.10.2)
    close(jax.random.normal(jax.random.key(0), (2,), dtype=jnp.complex64), [0.70994526 - 1.727077j, -0.6408772 - 1.4394435j])


def test_complex_linear_algebra():
    A = np.array([[1 + 1j, 2], [3j, 4 - 1j]], np.complex64)
    b = np.array([1, 1j], np.complex64)
    close(jnp.linalg.inv(A), np.linalg.inv(A))
    close(jnp.linalg.solve(A, b), np.linalg.solve(A, b))
    close(jnp.linalg.det(A), np.linalg.det(A))
    s, l = jnp.linalg.slogdet(A)
    close(s, np.linalg.slogdet(A)[0])
    close(l, np.linalg.slogdet(A)[1])
    # d Re(det A) / dA in JAX's convention (values printed by JAX 0.10.2)
    close(jax.grad(lambda a: jnp.real(jnp.linalg.det(a)))(jnp.asarray(A)), [[4 - 1j, -3j], [-2, 1 + 1j]])


def test_scipy_dct_and_map_coordinates():
    from jaxcore.scipy import fft as sfft, ndimage
    x = np.random.RandomState(0).randn(3, 5)
    N = x.shape[-1]
    C = np.cos(np.pi * np.arange(N)[:, None] * (2 * np.arange(N)[None, :] + 1) / (2 * N))
    ref = 2 * x @ C.T  # scipy's unnormalized DCT-II along the last axis
    close(sfft.dct(x.astype(np.float32)), ref, 1e-4)
    ortho = ref * np.where(np.arange(N) == 0, np.sqrt(1 / (4 * N)), np.sqrt(1 / (2 * N)))
    close(sfft.dct(x.astype(np.float32), norm="ortho"), ortho, 1e-5)
    for norm in [None, "ortho", "forward"]:
        close(sfft.idct(sfft.dct(x.astype(np.float32), norm=norm), norm=norm), x, 1e-5)
        close(sfft.idctn(sfft.dctn(x.astype(np.float32), norm=norm), norm=norm), x, 1e-5)
    img = jnp.arange(12.0).reshape(3, 4) ** 1.5
    c = [jnp.array([-1.2, 0.5, 1.7, 2.9, 3.4]), jnp.array([0.3, -0.6, 2.5, 3.7, 5.2])]
    # values printed by JAX 0.10.2's jax.scipy.ndimage.map_coordinates
    close(ndimage.map_coordinates(img, c, 1, mode="constant", cval=-1.0), [-1.0, 1.0, 28.8196, 0.1245, -1.0], 1e-4)
    close(ndimage.map_coordinates(img, c, 1, mode="wrap"), [20.9422, 8.7149, 28.8196, 4.0814, 5.5729], 1e-4)
    close(ndimage.map_coordinates(img, c, 1, mode="mirror"), [11.9511, 5.2541, 28.8196, 17.5676, 6.6466], 1e-4)
    close(ndimage.map_coordinates(img, c, 1, mode="reflect"), [2.0308, 4.0, 28.8196, 36.4829, 24.0164], 1e-4)
    close(ndimage.map_coordinates(img, c, 0, mode="nearest"), [0.0, 8.0, 36.4829, 36.4829, 36.4829], 1e-4)
    close(jax.grad(lambda v: ndimage.map_coordinates(v, [jnp.array([1.25])], 1).sum())(jnp.arange(4.0)), [0, 0.75, 0.25, 0])


def test_complex_sort_orders_by_real_then_imaginary():
    a = jnp.array([3 + 1j, 1 + 2j, 1 - 1j, 2 + 0j])
    assert np.asarray(jnp.argsort(a)).tolist() == [2, 1, 3, 0]
    np.testing.assert_array_equal(np.asarray(jnp.sort(a)), np.sort(np.asarray(a)))
    np.testing.assert_array_equal(np.asarray(jnp.sort(a, descending=True)), np.sort(np.asarray(a))[::-1])
    m = np.array([[2 + 1j, 1j], [0j, -1 + 0j]], np.complex64)
    np.testing.assert_array_equal(np.asarray(jnp.sort(jnp.asarray(m), axis=0)), np.sort(m, axis=0))
