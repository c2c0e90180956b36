"""
    JaxCore.Random

`jax.random` with JAX's streams: `key`, `split`, `fold_in`, `uniform`,
`normal`, `randint`. Keys are `UInt32` arrays of length 2; shapes are
Julia's (element `[i, j]` equals JAX's `[i-1, j-1]`).
"""
module Random

using ..JaxCore: JArray, op, Handle, weak

key(seed::Integer) = JArray(op("random.key", Handle[]; ints=[Int64(seed)])[1])
split(k::JArray, num::Integer=2) = JArray(op("random.split", Handle[k.h]; ints=[Int64(num)])[1])
fold_in(k::JArray, data::Integer) = JArray(op("random.fold_in", Handle[k.h]; ints=[Int64(data)])[1])
_shape(s) = s isa Integer ? Int64[s] : Int64[d for d in s]
# (type-valued keyword defaults crash Julia 1.5.3's compiler: `nothing` stands for the default)
_or(T, default) = T === nothing ? default : T
uniform(k::JArray, shape=(); dtype=nothing, minval=0.0, maxval=1.0) =
    JArray(op("random.uniform", Handle[k.h]; ints=_shape(shape), floats=[minval, maxval], dtype=_or(dtype, Float32))[1])
normal(k::JArray, shape=(); dtype=nothing) = JArray(op("random.normal", Handle[k.h]; ints=_shape(shape), dtype=_or(dtype, Float32))[1])
randint(k::JArray, shape, minval::Integer, maxval::Integer; dtype=nothing) =
    JArray(op("random.randint", Handle[k.h]; ints=_shape(shape), floats=[Float64(minval), Float64(maxval)], dtype=_or(dtype, Int32))[1])

end
