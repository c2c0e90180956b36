"""
    JaxCore

JAX's core from Julia, over libjaxcore's C ABI with `ccall` only:
`grad`, `value_and_grad`, `jvp`, `vjp`, `vmap`, `jit`, `jacobian`,
`hessian` of Julia functions, arrays that broadcast with dot syntax, and
`JaxCore.Random` with JAX's streams.

Shapes are Julia's: a Julia `m×n` matrix is an `m×n` engine array (the
engine stores arrays row-major, so the binding permutes the data on the way
in and out; element `[i, j]` is the same on both sides). Broadcasting
follows Julia's rule (dimensions align from the first); Julia numbers are
weakly typed scalars, as Python numbers are in JAX.
"""
module JaxCore

__precompile__(false)  # the library path is found at load time

using Libdl

export grad, value_and_grad, jvp, vjp, vmap, jit, jacobian, hessian, JArray

include("lowlevel.jl")
include("arrays.jl")
include("transforms.jl")
include("Random.jl")

"""`JaxCore.Array`: the issue's name for `JArray` (not exported: it would
shadow `Base.Array` in user code)."""
const Array = JArray

end
