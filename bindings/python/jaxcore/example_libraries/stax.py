"""`jax.example_libraries.stax`: layers as (init_fun, apply_fun) pairs;
init_fun(rng, input_shape) -> (output_shape, params), apply_fun(params,
inputs, **kwargs). Keys are split as in JAX's stax, so a network gets the
same parameters as JAX's for the same key."""

import functools
import math

from .. import lax, random
from .. import numpy as jnp
from ..nn import relu, log_softmax, softmax, softplus, sigmoid, elu, leaky_relu, selu, gelu, standardize
from ..nn.initializers import glorot_normal, normal, ones, zeros

glorot, randn = glorot_normal, normal
logsoftmax = log_softmax


def Dense(out_dim, W_init=glorot_normal(), b_init=normal()):
    def init_fun(rng, input_shape):
        k1, k2 = random.split(rng)
        return tuple(input_shape[:-1]) + (out_dim,), (W_init(k1, (input_shape[-1], out_dim)), b_init(k2, (out_dim,)))

    def apply_fun(params, inputs, **kwargs):
        W, b = params
        return jnp.dot(inputs, W) + b
    return init_fun, apply_fun


def _conv_out_shape(lhs_shape, rhs_shape, strides, padding, dimension_numbers):
    """Output shape of conv_general_dilated (unit dilations), in the output layout."""
    dn = lax.conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    lhs = [lhs_shape[i] for i in dn.lhs_spec]
    rhs = [rhs_shape[i] for i in dn.rhs_spec]
    pads = lax.padtype_to_pads(lhs[2:], rhs[2:], strides, padding) if isinstance(padding, str) else padding
    spatial = [(n + lo + hi - k) // s + 1 for n, k, s, (lo, hi) in zip(lhs[2:], rhs[2:], strides, pads)]
    canonical = [lhs[0], rhs[0]] + spatial
    out = [0] * len(canonical)
    for i, d in enumerate(dn.out_spec):
        out[d] = canonical[i]
    return tuple(out)


def GeneralConv(dimension_numbers, out_chan, filter_shape, strides=None, padding="VALID", W_init=None, b_init=normal(1e-6)):
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    one = (1,) * len(filter_shape)
    strides = strides or one
    W_init = W_init or glorot_normal(rhs_spec.index("I"), rhs_spec.index("O"))

    def init_fun(rng, input_shape):
        it = iter(filter_shape)
        kernel_shape = [out_chan if c == "O" else input_shape[lhs_spec.index("C")] if c == "I" else next(it) for c in rhs_spec]
        out_shape = _conv_out_shape(input_shape, kernel_shape, strides, padding, dimension_numbers)
        bias_shape = [out_chan if c == "C" else 1 for c in out_spec]
        k1, k2 = random.split(rng)
        return out_shape, (W_init(k1, kernel_shape), b_init(k2, bias_shape))

    def apply_fun(params, inputs, **kwargs):
        W, b = params
        return lax.conv_general_dilated(inputs, W, strides, padding, one, one, dimension_numbers=dimension_numbers) + b
    return init_fun, apply_fun


Conv = functools.partial(GeneralConv, ("NHWC", "HWIO", "NHWC"))


def BatchNorm(axis=(0, 1, 2), epsilon=1e-5, center=True, scale=True, beta_init=zeros, gamma_init=ones):
    axis = (axis,) if jnp.isscalar(axis) else tuple(axis)

    def init_fun(rng, input_shape):
        shape = tuple(d for i, d in enumerate(input_shape) if i not in axis)
        k1, k2 = random.split(rng)
        return input_shape, (beta_init(k1, shape) if center else (), gamma_init(k2, shape) if scale else ())

    def apply_fun(params, x, **kwargs):
        beta, gamma = params
        ed = tuple(None if i in axis else slice(None) for i in range(jnp.ndim(x)))
        z = standardize(x, axis, epsilon=epsilon)
        if scale:
            z = gamma[ed] * z
        if center:
            z = z + beta[ed]
        return z
    return init_fun, apply_fun


def elementwise(fun, **fun_kwargs):
    return (lambda rng, input_shape: (input_shape, ())), (lambda params, inputs, **kwargs: fun(inputs, **fun_kwargs))


Tanh = elementwise(jnp.tanh)
Relu = elementwise(relu)
Exp = elementwise(jnp.exp)
LogSoftmax = elementwise(log_softmax, axis=-1)
Softmax = elementwise(softmax, axis=-1)
Softplus = elementwise(softplus)
Sigmoid = elementwise(sigmoid)
Elu = elementwise(elu)
LeakyRelu = elementwise(leaky_relu)
Selu = elementwise(selu)
Gelu = elementwise(gelu)


def _pooling_layer(reducer, init_val, average=False):
    def PoolingLayer(window_shape, strides=None, padding="VALID", spec=None):
        strides = strides or (1,) * len(window_shape)
        nonspatial = (0, len(window_shape) + 1) if spec is None else (spec.index("N"), spec.index("C"))
        dims, strd = tuple(window_shape), tuple(strides)
        for i in sorted(nonspatial):
            dims, strd = dims[:i] + (1,) + dims[i:], strd[:i] + (1,) + strd[i:]

        def init_fun(rng, input_shape):
            pads = lax.padtype_to_pads(input_shape, dims, strd, padding)
            out = tuple((n + lo + hi - w) // s + 1 for n, w, s, (lo, hi) in zip(input_shape, dims, strd, pads))
            return out, ()

        def apply_fun(params, inputs, **kwargs):
            out = lax.reduce_window(inputs, init_val, reducer, dims, strd, padding)
            if not average:
                return out
            # divide by the number of input elements each window covered
            sp = tuple(inputs.shape[i] for i in range(inputs.ndim) if i not in nonspatial)
            counts = lax.reduce_window(jnp.ones(sp, inputs.dtype), 0.0, lax.add, tuple(window_shape), tuple(strides), padding)
            for i in sorted(nonspatial):
                counts = jnp.expand_dims(counts, i)
            return out / counts
        return init_fun, apply_fun
    return PoolingLayer


MaxPool = _pooling_layer(lax.max, -jnp.inf)
SumPool = _pooling_layer(lax.add, 0.0)
AvgPool = _pooling_layer(lax.add, 0.0, average=True)


def _flatten():
    def init_fun(rng, input_shape):
        return (input_shape[0], math.prod(input_shape[1:])), ()

    def apply_fun(params, inputs, **kwargs):
        return jnp.reshape(inputs, (inputs.shape[0], -1))
    return init_fun, apply_fun


Flatten = _flatten()
Identity = ((lambda rng, input_shape: (input_shape, ())), (lambda params, inputs, **kwargs: inputs))


def FanOut(num):
    return (lambda rng, input_shape: ([input_shape] * num, ())), (lambda params, inputs, **kwargs: [inputs] * num)


FanInSum = ((lambda rng, input_shape: (input_shape[0], ())), (lambda params, inputs, **kwargs: sum(inputs[1:], inputs[0])))


def FanInConcat(axis=-1):
    def init_fun(rng, input_shape):
        ax = axis % len(input_shape[0])
        size = sum(s[ax] for s in input_shape)
        return tuple(input_shape[0][:ax]) + (size,) + tuple(input_shape[0][ax + 1:]), ()
    return init_fun, (lambda params, inputs, **kwargs: jnp.concatenate(inputs, axis))


def Dropout(rate, mode="train"):
    """Keeps each input with probability `rate` (JAX's stax convention),
    scaling kept values by 1/rate; needs `rng=` when applied in train mode."""
    def apply_fun(params, inputs, **kwargs):
        rng = kwargs.get("rng", None)
        if rng is None:
            raise ValueError("Dropout layer requires apply_fun to be called with a PRNG key argument. That is, instead of "
                             "`apply_fun(params, inputs)`, call it like `apply_fun(params, inputs, rng)` where `rng` is a "
                             "PRNG key (e.g. from `jax.random.key`).")
        if mode == "train":
            keep = random.bernoulli(rng, rate, inputs.shape)
            return jnp.where(keep, inputs / rate, 0)
        return inputs
    return (lambda rng, input_shape: (input_shape, ())), apply_fun


def serial(*layers):
    init_funs, apply_funs = zip(*layers)

    def init_fun(rng, input_shape):
        params = []
        for init in init_funs:
            rng, layer_rng = random.split(rng)
            input_shape, p = init(layer_rng, input_shape)
            params.append(p)
        return input_shape, params

    def apply_fun(params, inputs, **kwargs):
        rng = kwargs.pop("rng", None)
        rngs = random.split(rng, len(layers)) if rng is not None else (None,) * len(layers)
        for f, p, r in zip(apply_funs, params, rngs):
            inputs = f(p, inputs, rng=r, **kwargs)
        return inputs
    return init_fun, apply_fun


def parallel(*layers):
    init_funs, apply_funs = zip(*layers)

    def init_fun(rng, input_shape):
        rngs = random.split(rng, len(layers))
        return zip(*[init(r, s) for init, r, s in zip(init_funs, rngs, input_shape)])

    def apply_fun(params, inputs, **kwargs):
        rng = kwargs.pop("rng", None)
        rngs = random.split(rng, len(layers)) if rng is not None else (None,) * len(layers)
        return [f(p, x, rng=r, **kwargs) for f, p, x, r in zip(apply_funs, params, inputs, rngs)]
    return init_fun, apply_fun


def shape_dependent(make_layer):
    return ((lambda rng, input_shape: make_layer(input_shape)[0](rng, input_shape)),
            (lambda params, inputs, **kwargs: make_layer(inputs.shape)[1](params, inputs, **kwargs)))
