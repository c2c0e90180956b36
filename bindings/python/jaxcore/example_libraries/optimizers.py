"""`jax.example_libraries.optimizers`: each optimizer is a triple
(init_fun, update_fun, get_params) over pytrees of parameters; the state is
a pytree, so `update_fun` can be jitted."""

import collections
import functools

from .. import numpy as jnp
from .. import tree_util as tu


class OptimizerState:
    """Per-leaf optimizer states (each a tuple of arrays) and the parameter tree."""
    __slots__ = ("states", "tree")

    def __init__(self, states, tree):
        self.states, self.tree = list(states), tree

    def __iter__(self):  # unpacks as JAX's (packed_state, tree_def, subtree_defs)
        return iter((self.states, self.tree, None))


tu.register_pytree_node(OptimizerState, lambda s: ((s.states,), s.tree), lambda tree, kids: OptimizerState(kids[0], tree))

Optimizer = collections.namedtuple("Optimizer", ["init_fn", "update_fn", "params_fn"])


def optimizer(leaf_maker):
    """Lifts an optimizer written for one array to pytrees of arrays."""
    @functools.wraps(leaf_maker)
    def make(*args, **kwargs):
        init, update, get_params = leaf_maker(*args, **kwargs)

        def tree_init(params):
            leaves, tree = tu.tree_flatten(params)
            return OptimizerState([init(x) for x in leaves], tree)

        def tree_update(i, grads, state):
            leaves, tree = tu.tree_flatten(grads)
            if tree != state.tree:
                raise TypeError("optimizer update function was passed a gradient tree that did not match the parameter "
                                f"tree structure with which it was initialized: parameter tree {state.tree} and grad tree {tree}.")
            return OptimizerState([update(i, g, s) for g, s in zip(leaves, state.states)], tree)

        def tree_get_params(state):
            return tu.tree_unflatten(state.tree, [get_params(s) for s in state.states])

        return Optimizer(tree_init, tree_update, tree_get_params)
    return make


# --- schedules: step number -> step size

def constant(step_size):
    return lambda i: step_size


def exponential_decay(step_size, decay_steps, decay_rate):
    return lambda i: step_size * decay_rate ** (i / decay_steps)


def inverse_time_decay(step_size, decay_steps, decay_rate, staircase=False):
    if staircase:
        return lambda i: step_size / (1 + decay_rate * jnp.floor(i / decay_steps))
    return lambda i: step_size / (1 + decay_rate * i / decay_steps)


def polynomial_decay(step_size, decay_steps, final_step_size, power=1.0):
    def schedule(i):
        frac = 1 - jnp.minimum(i, decay_steps) / decay_steps
        return frac ** power * (step_size - final_step_size) + final_step_size
    return schedule


def piecewise_constant(boundaries, values):
    boundaries, values = jnp.array(boundaries), jnp.array(values)
    if not boundaries.ndim == values.ndim == 1:
        raise ValueError("boundaries and values must be sequences")
    if boundaries.shape[0] != values.shape[0] - 1:
        raise ValueError("boundaries length must be one shorter than values length")
    return lambda i: values[jnp.sum(i > boundaries)]


def make_schedule(scalar_or_schedule):
    if callable(scalar_or_schedule):
        return scalar_or_schedule
    if jnp.ndim(scalar_or_schedule) == 0:
        return constant(scalar_or_schedule)
    raise TypeError(type(scalar_or_schedule))


# --- optimizers (per array; `optimizer` lifts them to pytrees)

def _params(state):
    return state[0]


@optimizer
def sgd(step_size):
    lr = make_schedule(step_size)
    return (lambda x: x), (lambda i, g, x: x - lr(i) * g), (lambda x: x)


@optimizer
def momentum(step_size, mass):
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, v = state
        v = mass * v + g
        return x - lr(i) * v, v
    return (lambda x: (x, jnp.zeros_like(x))), update, _params


@optimizer
def nesterov(step_size, mass):
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, v = state
        v = mass * v + g
        return x - lr(i) * (mass * v + g), v
    return (lambda x: (x, jnp.zeros_like(x))), update, _params


@optimizer
def adagrad(step_size, momentum=0.9):
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, g_sq, m = state
        g_sq = g_sq + jnp.square(g)
        inv = jnp.where(g_sq > 0, 1.0 / jnp.sqrt(g_sq), 0.0)
        m = (1.0 - momentum) * (g * inv) + momentum * m
        return x - lr(i) * m, g_sq, m
    return (lambda x: (x, jnp.zeros_like(x), jnp.zeros_like(x))), update, _params


@optimizer
def rmsprop(step_size, gamma=0.9, eps=1e-8):
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, avg = state
        avg = avg * gamma + jnp.square(g) * (1.0 - gamma)
        return x - lr(i) * g / jnp.sqrt(avg + eps), avg
    return (lambda x: (x, jnp.zeros_like(x))), update, _params


@optimizer
def rmsprop_momentum(step_size, gamma=0.9, eps=1e-8, momentum=0.9):
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, avg, mom = state
        avg = avg * gamma + jnp.square(g) * (1.0 - gamma)
        mom = momentum * mom + lr(i) * g / jnp.sqrt(avg + eps)
        return x - mom, avg, mom
    return (lambda x: (x, jnp.zeros_like(x), jnp.zeros_like(x))), update, _params


@optimizer
def adam(step_size, b1=0.9, b2=0.999, eps=1e-8):
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, m, v = state
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * jnp.square(g) + b2 * v
        mhat = m / (1 - jnp.asarray(b1, m.dtype) ** (i + 1))
        vhat = v / (1 - jnp.asarray(b2, m.dtype) ** (i + 1))
        return x - lr(i) * mhat / (jnp.sqrt(vhat) + eps), m, v
    return (lambda x: (x, jnp.zeros_like(x), jnp.zeros_like(x))), update, _params


@optimizer
def adamax(step_size, b1=0.9, b2=0.999, eps=1e-8):
    lr = make_schedule(step_size)

    def update(i, g, state):
        x, m, u = state
        m = (1 - b1) * g + b1 * m
        u = jnp.maximum(b2 * u, jnp.abs(g))
        return x - lr(i) / (1 - jnp.asarray(b1, m.dtype) ** (i + 1)) * m / (u + eps), m, u
    return (lambda x: (x, jnp.zeros_like(x), jnp.zeros_like(x))), update, _params


# --- gradient utilities

def l2_norm(tree):
    return jnp.sqrt(sum(jnp.vdot(x, x) for x in tu.tree_leaves(tree)))


def clip_grads(grad_tree, max_norm):
    norm = l2_norm(grad_tree)
    return tu.tree_map(lambda g: jnp.where(norm < max_norm, g, g * (max_norm / norm)), grad_tree)


def unpack_optimizer_state(opt_state):
    """The parameter tree with each leaf's state tuple in its place."""
    return tu.tree_unflatten(opt_state.tree, [_Join(s) for s in opt_state.states])


def pack_optimizer_state(marked_pytree):
    leaves, tree = tu.tree_flatten(marked_pytree, is_leaf=lambda x: isinstance(x, _Join))
    return OptimizerState([j.state for j in leaves], tree)


class _Join:
    __slots__ = ("state",)

    def __init__(self, state):
        self.state = state
