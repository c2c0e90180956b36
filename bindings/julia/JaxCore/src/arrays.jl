# JArray: a jc_array handle owned by a Julia object (freed by its finalizer).

"""
    JArray(x)

An array of the engine (on the host, a device, or a tracer inside a
transformation). Made from Julia arrays and numbers; `Array(x)` converts
back, keeping Julia's shape and element order.
"""
mutable struct JArray
    h::Handle
    function JArray(h::Handle)
        x = new(h)
        finalizer(_free!, x)
        x
    end
end

function _free!(x::JArray)
    if x.h != C_NULL
        array_free(x.h)
        x.h = C_NULL
    end
    nothing
end

# Julia is column-major, the engine row-major: reversing the axes of the
# data (not of the shape) keeps element [i, j, ...] in place.
_rowmajor(a::AbstractArray) = ndims(a) <= 1 ? collect(vec(a)) : vec(permutedims(a, ndims(a):-1:1))

JArray(x::JArray) = x
function JArray(a::AbstractArray{T}) where {T<:Number}
    T in DTYPES || throw(ArgumentError("JaxCore has no dtype for $T"))
    JArray(array_from_host(T, collect(Int64, size(a)), _rowmajor(a)))
end
JArray(x::T) where {T<:Number} = JArray(fill(x))

"""A weakly typed scalar (a Julia literal in an expression with arrays)."""
weak(x::Integer) = JArray(weak_int(Int64(x)))
weak(x::Real) = JArray(weak_float(Float64(x)))
weak(x::JArray) = x
weak(x::AbstractArray) = JArray(x)

Base.size(x::JArray) = Tuple(Int.(array_shape(x.h)))
Base.size(x::JArray, d::Integer) = size(x)[d]
Base.ndims(x::JArray) = array_ndim(x.h)
Base.length(x::JArray) = prod(size(x))
Base.eltype(x::JArray) = array_dtype(x.h)
is_tracer(x::JArray) = array_is_tracer(x.h)

function Base.Array(x::JArray)
    if is_tracer(x)
        # under grad/jvp/vjp outside jit a tracer has a value, as in JAX (so
        # `if (x > 0)[]` works there); elsewhere it is abstract
        v = try
            JArray(array_known_value(x.h))
        catch err
            err isa JaxCoreError || rethrow()
            throw(ArgumentError("cannot convert a traced array (inside jit, vmap or a loop body) to a Julia Array"))
        end
        return Base.Array(v)
    end
    T = eltype(x)
    s = size(x)
    data = array_to_host!(x.h, Vector{T}(undef, prod(s)))
    length(s) == 0 && return fill(data[1])
    length(s) == 1 && return data
    permutedims(reshape(data, reverse(s)...), length(s):-1:1)
end
Base.collect(x::JArray) = Base.Array(x)
Base.getindex(x::JArray) = Base.Array(x)[]
Base.convert(::Type{Base.Array}, x::JArray) = Base.Array(x)

function Base.show(io::IO, x::JArray)
    T = try eltype(x) catch; "bfloat16" end
    if is_tracer(x)
        print(io, "Traced{", T, "}", size(x))
    elseif ndims(x) == 0
        print(io, "JArray{", T, "}(", x[], ")")
    else
        print(io, "JArray{", T, "}(", Base.Array(x), ")")
    end
end
Base.show(io::IO, ::MIME"text/plain", x::JArray) = show(io, x)

_h(x::JArray) = x.h
op1(name, xs...; kw...) = JArray(op(name, Handle[_h(weak(x)) for x in xs]; kw...)[1])

# ---- elementwise math on JArrays (scalars and arrays alike) ----
const UNARY = Dict(:exp => "exp", :log => "log", :sin => "sin", :cos => "cos", :tan => "tan", :tanh => "tanh",
                   :sinh => "sinh", :cosh => "cosh", :asin => "arcsin", :acos => "arccos", :atan => "arctan",
                   :sqrt => "sqrt", :abs => "abs", :sign => "sign", :log1p => "log1p", :expm1 => "expm1",
                   :log2 => "log2", :log10 => "log10", :floor => "floor", :ceil => "ceil", :cbrt => "cbrt",
                   :exp2 => "exp2", :asinh => "arcsinh", :acosh => "arccosh", :atanh => "arctanh")
for (jf, name) in UNARY
    @eval Base.$jf(x::JArray) = op1($name, x)
end
Base.:-(x::JArray) = op1("negative", x)
Base.:+(x::JArray) = x

const BINARY = Dict(:+ => "add", :- => "subtract", :* => "multiply", :/ => "divide", :^ => "power",
                    :max => "maximum", :min => "minimum", :> => "greater", :< => "less", :>= => "greater_equal",
                    :<= => "less_equal", :(==) => "equal", :!= => "not_equal", :atan => "arctan2", :% => "remainder")

# arrays combine elementwise only with dot syntax, as in Julia; + and - of equal shapes too
Base.:+(x::JArray, y::JArray) = op1("add", x, y)
Base.:-(x::JArray, y::JArray) = op1("subtract", x, y)
Base.:+(x::JArray, y::Number) = op1("add", x, y)
Base.:+(x::Number, y::JArray) = op1("add", x, y)
Base.:-(x::JArray, y::Number) = op1("subtract", x, y)
Base.:-(x::Number, y::JArray) = op1("subtract", x, y)
Base.:*(x::JArray, y::Number) = op1("multiply", x, y)
Base.:*(x::Number, y::JArray) = op1("multiply", x, y)
Base.:/(x::JArray, y::Number) = op1("divide", x, y)
Base.:/(x::Number, y::JArray) = op1("divide", x, y)
Base.:^(x::JArray, y::Integer) = op1("power", x, y)
Base.:^(x::JArray, y::Real) = op1("power", x, y)
Base.max(x::JArray, y::Union{JArray,Number}) = op1("maximum", x, y)
Base.min(x::JArray, y::Union{JArray,Number}) = op1("minimum", x, y)

"""Matrix product (`*` of two arrays), or elementwise for 0-d arrays."""
function Base.:*(x::JArray, y::JArray)
    (ndims(x) == 0 || ndims(y) == 0) && return op1("multiply", x, y)
    op1("matmul", x, y)
end
Base.:*(x::JArray, y::AbstractArray) = x * JArray(y)
Base.:*(x::AbstractArray, y::JArray) = JArray(x) * y

Base.transpose(x::JArray) = ndims(x) <= 1 ? x : op1("transpose", x)
Base.adjoint(x::JArray) = transpose(x)
Base.permutedims(x::JArray, perm) = op1("transpose", x; ints=[p - 1 for p in perm], flags=FLAG_AXIS)

# Julia's reshape is column-major: reverse, reshape reversed, reverse back
_reverse_axes(x::JArray) = ndims(x) <= 1 ? x : op1("transpose", x; ints=collect(ndims(x)-1:-1:0), flags=FLAG_AXIS)
function Base.reshape(x::JArray, dims::Tuple{Vararg{Int}})
    r = op1("reshape", _reverse_axes(x); ints=collect(Int64, reverse(dims)))
    _reverse_axes(r)
end
Base.reshape(x::JArray, dims::Int...) = reshape(x, dims)
Base.vec(x::JArray) = reshape(x, length(x))

# reductions: `dims` as in Julia (kept as size-1 dimensions)
function _reduce(name, x::JArray, dims)
    dims === (:) && return op1(name, x)
    ds = dims isa Integer ? [dims] : collect(dims)
    op1(name, x; ints=[d - 1 for d in ds], flags=FLAG_AXIS | FLAG_KEEPDIMS)
end
Base.sum(x::JArray; dims=:) = _reduce("sum", x, dims)
Base.prod(x::JArray; dims=:) = _reduce("prod", x, dims)
Base.maximum(x::JArray; dims=:) = _reduce("max", x, dims)
Base.minimum(x::JArray; dims=:) = _reduce("min", x, dims)
mean(x::JArray; dims=:) = _reduce("mean", x, dims)
mean(x::AbstractArray; dims=:) = dims === (:) ? sum(x) / length(x) : sum(x; dims=dims) ./ prod(size(x, d) for d in dims)

# ---- broadcasting: dot syntax maps to engine ops, dimensions aligned as in Julia ----
struct JaxStyle <: Broadcast.BroadcastStyle end
Base.BroadcastStyle(::Type{JArray}) = JaxStyle()
Base.BroadcastStyle(::JaxStyle, ::Broadcast.BroadcastStyle) = JaxStyle()
Base.broadcastable(x::JArray) = x

const BCAST = Dict{Any,String}((+) => "add", (-) => "subtract", (*) => "multiply", (/) => "divide", (^) => "power",
                               max => "maximum", min => "minimum", (>) => "greater", (<) => "less", (>=) => "greater_equal",
                               (<=) => "less_equal", (==) => "equal", (!=) => "not_equal", (%) => "remainder")
for (jf, name) in UNARY
    @eval BCAST[Base.$jf] = $name
end

# Julia aligns dimensions from the first: pad lower-rank operands with trailing 1s
function _align(xs)
    js = [x isa Number ? x : weak(x) for x in xs]
    n = maximum([x isa JArray ? ndims(x) : 0 for x in js])
    [x isa JArray && 0 < ndims(x) < n ? reshape(x, (size(x)..., ntuple(_ -> 1, n - ndims(x))...)) : x for x in js]
end

function Base.broadcasted(::JaxStyle, f, args...)
    if length(args) == 1 && f === (-)
        return op1("negative", args[1])
    elseif length(args) == 1 && f === identity
        return weak(args[1])
    end
    name = get(BCAST, f, nothing)
    if name === nothing
        # any other function: applied to whole arrays (it must itself be array-valued)
        return f(map(a -> a isa Number ? a : weak(a), args)...)
    end
    op1(name, _align(args)...)
end
Base.Broadcast.materialize(x::JArray) = x
Base.Broadcast.broadcasted(::typeof(Base.literal_pow), ::typeof(^), x::JArray, ::Val{p}) where {p} = op1("power", x, p)

# ---- indexing: Julia's 1-based indices and ranges ----
function _index_spec(I)
    ints = Int64[]
    arrays = JArray[]
    for i in I
        if i isa Integer
            append!(ints, [0, i - 1, 0, 0])
        elseif i isa Colon
            append!(ints, [1, AXIS_NONE, AXIS_NONE, AXIS_NONE])
        elseif i isa AbstractRange{<:Integer}
            stop = last(i) - 1 + sign(step(i))
            append!(ints, [1, first(i) - 1, stop < 0 ? AXIS_NONE : stop, step(i)])
        elseif i isa AbstractArray{<:Integer} || i isa JArray
            append!(ints, [4, 0, 0, 0])
            push!(arrays, i isa JArray ? op1("subtract", i, 1) : JArray(collect(Int32, i) .- Int32(1)))
        elseif i isa AbstractArray{Bool}
            append!(ints, [4, 0, 0, 0])
            push!(arrays, JArray(collect(i)))
        else
            throw(ArgumentError("unsupported index $(repr(i))"))
        end
    end
    ints, arrays
end

function Base.getindex(x::JArray, I...)
    ints, arrays = _index_spec(I)
    JArray(op("getitem", Handle[x.h; [a.h for a in arrays]]; ints=ints)[1])
end
Base.lastindex(x::JArray, d::Integer) = size(x, d)
Base.lastindex(x::JArray) = length(x)
Base.firstindex(x::JArray, d::Integer) = 1
