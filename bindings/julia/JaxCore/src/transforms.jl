# Transformations of Julia functions. Arguments are trees of tuples and
# NamedTuples (and vectors of them) whose leaves are JArrays, Julia arrays or
# numbers; the engine sees the flat list of leaves. The function runs traced
# through a C callback; a Julia exception inside it is re-thrown here.

# flatten: leaves (as JArrays) and a rebuild function taking new leaves
function flatten(x)
    leaves = JArray[]
    kinds = Any[]
    _flat!(leaves, kinds, x)
    leaves, kinds
end

_flat!(leaves, kinds, x::JArray) = (push!(leaves, x); push!(kinds, :jarray))
_flat!(leaves, kinds, x::Number) = (push!(leaves, JArray(x)); push!(kinds, :number))
_flat!(leaves, kinds, x::AbstractArray{<:Number}) = (push!(leaves, JArray(x)); push!(kinds, :array))
function _flat!(leaves, kinds, x::Union{Tuple,NamedTuple,AbstractVector})
    if x isa AbstractVector{<:Number}
        push!(leaves, JArray(x))
        push!(kinds, :array)
        return
    end
    for c in x
        _flat!(leaves, kinds, c)
    end
end
_flat!(leaves, kinds, x) = throw(ArgumentError("JaxCore transformations take arrays, numbers, tuples, NamedTuples and vectors of them; got a $(typeof(x))"))

# rebuild `like`'s structure from leaves (converted back to what the user passed)
function unflatten(like, leaves, convert_back::Bool)
    it = Ref(1)
    _unflat(like, leaves, it, convert_back)
end
function _take(leaves, it)
    x = leaves[it[]]
    it[] += 1
    x
end
_unflat(like::JArray, leaves, it, cb) = _take(leaves, it)
_unflat(like::Number, leaves, it, cb) = (x = _take(leaves, it); cb && !is_tracer(x) ? x[] : x)
_unflat(like::AbstractArray{<:Number}, leaves, it, cb) = (x = _take(leaves, it); cb && !is_tracer(x) ? Base.Array(x) : x)
_unflat(like::Tuple, leaves, it, cb) = Tuple(_unflat(c, leaves, it, cb) for c in like)
_unflat(like::NamedTuple{K}, leaves, it, cb) where {K} = NamedTuple{K}(Tuple(_unflat(c, leaves, it, cb) for c in like))
_unflat(like::AbstractVector, leaves, it, cb) = like isa AbstractVector{<:Number} ? (x = _take(leaves, it); cb && !is_tracer(x) ? Base.Array(x) : x) : [_unflat(c, leaves, it, cb) for c in like]

_count(x::Union{JArray,Number,AbstractArray{<:Number}}) = 1
_count(x::Union{Tuple,NamedTuple,AbstractVector}) = x isa AbstractVector{<:Number} ? 1 : (isempty(x) ? 0 : sum(_count(c) for c in x))

# outputs of a transformation called on Julia values come back as Julia values
_has_jarray(x::JArray) = true
_has_jarray(x::Union{Tuple,NamedTuple}) = any(_has_jarray, x)
_has_jarray(x::AbstractVector) = !(x isa AbstractVector{<:Number}) && any(_has_jarray, x)
_has_jarray(x) = false
_to_julia(x::JArray) = is_tracer(x) ? x : (ndims(x) == 0 ? x[] : Base.Array(x))
_to_julia(x::Union{Tuple,NamedTuple}) = map(_to_julia, x)
_to_julia(x::AbstractVector) = x isa AbstractVector{<:Number} ? x : map(_to_julia, x)
_to_julia(x) = x
_outputs(args, y) = _has_jarray(args) ? y : _to_julia(y)

# output structure recorded while tracing
mutable struct OutTree
    like::Any
end

"""An engine function computing `f(args...)` from the flat leaves of `args`."""
function traced(f, args::Tuple, out::OutTree)
    fn_from_callback(string(nameof_safe(f))) do hs
        xs = [JArray(h) for h in hs]
        rebuilt = unflatten(args, xs, false)
        y = f(rebuilt...)
        out.like = y
        ys, _ = flatten(y)
        Handle[array_retain(v.h) for v in ys]
    end
end

nameof_safe(f) = try
    nameof(f)
catch
    :f
end

# a function handle freed when the Julia object is collected
mutable struct Fn
    h::Handle
    function Fn(h::Handle)
        x = new(h)
        finalizer(x -> (x.h != C_NULL && (fn_free(x.h); x.h = C_NULL)), x)
        x
    end
end

function call(f::Fn, leaves::Vector{JArray})
    hs = Handle[x.h for x in leaves]
    outs = GC.@preserve leaves fn_call(f.h, hs)
    [JArray(h) for h in outs]
end

_argnums(a::Integer) = [Int64(a - 1)]
_argnums(a) = Int64[x - 1 for x in a]

function _leaf_nums(args, nums)
    counts = [_count(a) for a in args]
    offsets = cumsum([0; counts[1:end-1]])
    Int64[offsets[i + 1] + k for i in nums for k in 0:counts[i + 1]-1], counts
end

# runs the gradient transformation `kind` of f at args: its flat outputs
# (value first for :value_and_grad), the 0-based argnums and leaf counts
function _run_grad(kind, f, argnums, args)
    leaves, _ = flatten(args)
    nums = _argnums(argnums)
    lnums, counts = _leaf_nums(args, nums)
    base = Fn(traced(f, args, OutTree(nothing)))
    call(Fn(fn_transform(kind, base.h, lnums)), leaves), nums, counts
end

# the flat gradients regrouped per argnum, structured like those arguments
function _group_grads(args, argnums, nums, counts, gs)
    parts = Any[]
    k = 1
    for i in nums
        n = counts[i + 1]
        push!(parts, unflatten(args[i + 1], gs[k:k+n-1], true))
        k += n
    end
    argnums isa Integer ? parts[1] : Tuple(parts)
end

"""
    grad(f; argnums=1)

The gradient of the scalar-valued `f` with respect to argument `argnums`
(1-based; a tuple gives a tuple of gradients), structured like that argument.
"""
function grad(f; argnums=1)
    function g(args...)
        gs, nums, counts = _run_grad(:grad, f, argnums, args)
        _group_grads(args, argnums, nums, counts, gs)
    end
    g
end

"""
    value_and_grad(f; argnums=1)

`(f(args...), grad(f; argnums)(args...))` in one pass.
"""
function value_and_grad(f; argnums=1)
    function g(args...)
        outs, nums, counts = _run_grad(:value_and_grad, f, argnums, args)
        val = outs[1]
        (is_tracer(val) ? val : val[], _group_grads(args, argnums, nums, counts, outs[2:end]))
    end
    g
end

"""
    jvp(f, primals::Tuple, tangents::Tuple)

`(f(primals...), the directional derivative along tangents)`.
"""
function jvp(f, primals::Tuple, tangents::Tuple)
    pl, _ = flatten(primals)
    tl, _ = flatten(tangents)
    length(pl) == length(tl) || throw(ArgumentError("jvp: primals and tangents must have the same structure"))
    out = OutTree(nothing)
    base = Fn(traced(f, primals, out))
    ys, ts = GC.@preserve pl tl fn_jvp(base.h, Handle[x.h for x in pl], Handle[x.h for x in tl])
    y = unflatten(out.like, [JArray(h) for h in ys], true)
    t = unflatten(out.like, [JArray(h) for h in ts], true)
    _outputs(primals, y), _outputs(primals, t)
end

"""
    vjp(f, primals...)

`(f(primals...), pullback)` where `pullback(cotangent)` gives one cotangent
per primal, structured like the primals.
"""
function vjp(f, primals...)
    pl, _ = flatten(primals)
    out = OutTree(nothing)
    base = Fn(traced(f, primals, out))
    ys, pb = GC.@preserve pl fn_vjp(base.h, Handle[x.h for x in pl])
    pullback = Fn(pb)
    y = unflatten(out.like, [JArray(h) for h in ys], true)
    function back(ct)
        cl, _ = flatten(ct)
        gs = call(pullback, cl)
        unflatten(primals, gs, true)
    end
    _outputs(primals, y), back
end

"""
    vmap(f; in_axes=1, out_axes=1, axis_size=nothing)

`f` mapped over axis `in_axes` (1-based; `nothing`: not mapped; a tuple:
one entry per argument) of its arguments, results stacked along `out_axes`.
"""
function vmap(f; in_axes=1, out_axes=1, axis_size=nothing)
    function g(args...)
        leaves, _ = flatten(args)
        axes = in_axes isa Tuple ? in_axes : ntuple(_ -> in_axes, length(args))
        length(axes) == length(args) || throw(ArgumentError("vmap in_axes must have one entry per argument: got $(length(axes)) for $(length(args))"))
        leaf_axes = Int64[]
        for (a, ax) in zip(args, axes)
            append!(leaf_axes, fill(ax === nothing ? AXIS_NONE : Int64(ax - 1), _count(a)))
        end
        out = OutTree(nothing)
        base = Fn(traced(f, args, out))
        oa = Int64[out_axes === nothing ? AXIS_NONE : Int64(out_axes - 1)]
        vf = Fn(fn_vmap(base.h, leaf_axes, oa, axis_size === nothing ? -1 : Int64(axis_size)))
        ys = call(vf, leaves)
        _outputs(args, unflatten(out.like, ys, true))
    end
    g
end

"""
    jit(f)

`f` compiled through XLA: traced once per argument structure and types.
"""
function jit(f)
    cache = Dict{Any,Tuple{Fn,OutTree}}()
    function g(args...)
        leaves, _ = flatten(args)
        key = (map(typeof, args), [(eltype(l), size(l)) for l in leaves])
        hit = get(cache, key, nothing)
        if hit === nothing
            out = OutTree(nothing)
            base = Fn(traced(f, args, out))
            hit = (Fn(fn_jit(base.h)), out)
            cache[key] = hit
        end
        ys = call(hit[1], leaves)
        _outputs(args, unflatten(hit[2].like, ys, false))
    end
    g
end

function _jac(kind, f, argnums)
    function g(args...)
        js, _, _ = _run_grad(kind, f, argnums, args)
        length(js) == 1 || return js
        x = js[1]
        is_tracer(x) ? x : Base.Array(x)
    end
    g
end

"""
    jacobian(f; argnums=1)

The Jacobian of `f` (reverse mode): for an output of size `m` and an
argument of size `n`, an array of size `(size(out)..., size(arg)...)`.
"""
jacobian(f; argnums=1) = _jac(:jacrev, f, argnums)
jacfwd(f; argnums=1) = _jac(:jacfwd, f, argnums)

"""
    hessian(f; argnums=1)

The Hessian of the scalar-valued `f`.
"""
hessian(f; argnums=1) = _jac(:hessian, f, argnums)
