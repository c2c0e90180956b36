# The raw layer: one `ccall` per C function, status checks, errors.

const ABI_MAJOR = 1

function _find_lib()
    p = get(ENV, "JAXCORE_LIB", "")
    if !isempty(p)
        isfile(p) || error("JAXCORE_LIB=$p does not exist")
        return p
    end
    dir = @__DIR__
    for _ in 1:6
        for sub in ("release", "debug")
            c = joinpath(dir, "target", sub, "libjaxcore.so")
            isfile(c) && return c
        end
        dir = dirname(dir)
    end
    error("libjaxcore.so not found: build it (cargo build --release) or set JAXCORE_LIB")
end

const libjaxcore = _find_lib()

"""An error reported by libjaxcore (the engine's message)."""
struct JaxCoreError <: Exception
    status::Int32
    msg::String
end
Base.showerror(io::IO, e::JaxCoreError) = print(io, "JaxCoreError(", _status_name(e.status), "): ", e.msg)

_status_name(s) = get(Dict(1 => "type", 2 => "value", 3 => "index", 4 => "tracer", 5 => "not implemented",
                           6 => "runtime", 7 => "invalid argument", 8 => "internal"), Int(s), "status $s")

abi_version() = ccall((:jc_abi_version, libjaxcore), UInt32, ())
last_error() = unsafe_string(ccall((:jc_last_error, libjaxcore), Cstring, ()))
set_error(status, msg) = ccall((:jc_set_error, libjaxcore), Cvoid, (Int32, Cstring), status, msg)

let v = abi_version()
    div(v, 1000) == ABI_MAJOR || error("libjaxcore ABI version $(div(v, 1000)).$(v % 1000) is not supported (this binding needs $ABI_MAJOR.x)")
end

# a Julia exception raised inside a callback, re-thrown by the call that ran it
const PENDING = Ref{Any}(nothing)

function check(status::Int32)
    if status != 0
        pending = PENDING[]
        PENDING[] = nothing
        pending === nothing || throw(pending)
        throw(JaxCoreError(status, last_error()))
    end
    nothing
end

const Handle = Ptr{Cvoid}

struct JcParams
    struct_size::Csize_t
    ints::Ptr{Int64}
    n_ints::Csize_t
    floats::Ptr{Float64}
    n_floats::Csize_t
    dtype::Int32
    flags::UInt32
    str::Ptr{UInt8}
end

const FLAG_AXIS = UInt32(1)
const FLAG_KEEPDIMS = UInt32(2)
const FLAG_ALT = UInt32(8)
const AXIS_NONE = typemin(Int64)

const DTYPES = [Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float16, Nothing, Float32, Float64, ComplexF32, ComplexF64]

function dtype_code(T::Type)
    i = findfirst(isequal(T), DTYPES)
    i === nothing && throw(ArgumentError("JaxCore has no dtype for $T"))
    UInt32(i - 1)
end

array_free(h::Handle) = ccall((:jc_array_free, libjaxcore), Int32, (Handle,), h)
array_live_count() = ccall((:jc_array_live_count, libjaxcore), Csize_t, ())
fn_live_count() = ccall((:jc_fn_live_count, libjaxcore), Csize_t, ())

function array_retain(h::Handle)
    out = Ref{Handle}(C_NULL)
    check(ccall((:jc_array_retain, libjaxcore), Int32, (Handle, Ref{Handle}), h, out))
    out[]
end

function array_from_host(T::Type, shape::Vector{Int64}, data::Vector)
    out = Ref{Handle}(C_NULL)
    check(ccall((:jc_array_from_host, libjaxcore), Int32, (UInt32, Ptr{Int64}, Csize_t, Ptr{Cvoid}, Csize_t, Ref{Handle}),
                dtype_code(T), shape, length(shape), data, sizeof(data), out))
    out[]
end

function array_scalar(T::Type, v::Float64)
    out = Ref{Handle}(C_NULL)
    check(ccall((:jc_array_scalar, libjaxcore), Int32, (UInt32, Float64, Ref{Handle}), dtype_code(T), v, out))
    out[]
end

function weak_float(v::Float64)
    out = Ref{Handle}(C_NULL)
    check(ccall((:jc_weak_float, libjaxcore), Int32, (Float64, Ref{Handle}), v, out))
    out[]
end

function weak_int(v::Int64)
    out = Ref{Handle}(C_NULL)
    check(ccall((:jc_weak_int, libjaxcore), Int32, (Int64, Ref{Handle}), v, out))
    out[]
end

function array_ndim(h::Handle)
    n = Ref{Csize_t}(0)
    check(ccall((:jc_array_ndim, libjaxcore), Int32, (Handle, Ref{Csize_t}), h, n))
    Int(n[])
end

function array_shape(h::Handle)
    n = array_ndim(h)
    dims = zeros(Int64, max(n, 1))
    check(ccall((:jc_array_shape, libjaxcore), Int32, (Handle, Ptr{Int64}, Csize_t), h, dims, n))
    dims[1:n]
end

function array_dtype(h::Handle)
    c = Ref{UInt32}(0)
    check(ccall((:jc_array_dtype, libjaxcore), Int32, (Handle, Ref{UInt32}), h, c))
    T = DTYPES[c[] + 1]
    T === Nothing && throw(ArgumentError("bfloat16 arrays have no Julia element type"))
    T
end

function array_to_host!(h::Handle, data::Vector)
    check(ccall((:jc_array_to_host, libjaxcore), Int32, (Handle, Ptr{Cvoid}, Csize_t), h, data, sizeof(data)))
    data
end

function array_is_tracer(h::Handle)
    b = Ref{Bool}(false)
    check(ccall((:jc_array_is_tracer, libjaxcore), Int32, (Handle, Ref{Bool}), h, b))
    b[]
end

# The value of a tracer whose trace runs on known arguments (grad/jvp/vjp
# outside jit); a JaxCoreError (JC_ERR_TRACER) where it is abstract.
function array_known_value(h::Handle)
    out = Ref{Handle}(C_NULL)
    check(ccall((:jc_array_known_value, libjaxcore), Int32, (Handle, Ref{Handle}), h, out))
    out[]
end

function array_to_string(h::Handle)
    len = Ref{Csize_t}(0)
    check(ccall((:jc_array_to_string, libjaxcore), Int32, (Handle, Ptr{UInt8}, Csize_t, Ref{Csize_t}), h, C_NULL, 0, len))
    buf = zeros(UInt8, len[] + 1)
    check(ccall((:jc_array_to_string, libjaxcore), Int32, (Handle, Ptr{UInt8}, Csize_t, Ref{Csize_t}), h, buf, length(buf), len))
    String(buf[1:len[]])
end

"""Calls `jc_op(name, args; ints, floats, dtype, flags)`; returns the output handles."""
function op(name::String, args::Vector{Handle}; ints=Int64[], floats=Float64[], dtype=nothing, flags=UInt32(0), nout=16)
    ints = Vector{Int64}(ints)
    floats = Vector{Float64}(floats)
    outs = fill(C_NULL, nout)
    n = Ref{Csize_t}(0)
    GC.@preserve ints floats begin
        p = Ref(JcParams(sizeof(JcParams), pointer(ints), length(ints), pointer(floats), length(floats),
                         dtype === nothing ? Int32(-1) : Int32(dtype_code(dtype)), flags, C_NULL))
        check(ccall((:jc_op, libjaxcore), Int32, (Cstring, Ptr{Handle}, Csize_t, Ref{JcParams}, Ptr{Handle}, Csize_t, Ref{Csize_t}),
                    name, args, length(args), p, outs, nout, n))
    end
    outs[1:n[]]
end

# ---- functions ----

fn_free(h::Handle) = ccall((:jc_fn_free, libjaxcore), Int32, (Handle,), h)

function fn_call(f::Handle, args::Vector{Handle}; cap=1024)
    outs = fill(C_NULL, cap)
    n = Ref{Csize_t}(0)
    check(ccall((:jc_fn_call, libjaxcore), Int32, (Handle, Ptr{Handle}, Csize_t, Ptr{Handle}, Csize_t, Ref{Csize_t}),
                f, args, length(args), outs, cap, n))
    outs[1:n[]]
end

# callbacks: the user data is a key into CALLBACKS, which keeps the closure alive
const CALLBACKS = Dict{Int,Any}()
const NEXT_KEY = Ref(1)

function _trampoline(ud::Ptr{Cvoid}, ins::Ptr{Handle}, n::Csize_t, outs::Ptr{Handle}, cap::Csize_t, nout::Ptr{Csize_t})::Int32
    try
        f = CALLBACKS[Int(ud)]
        xs = [array_retain(unsafe_load(ins, i)) for i in 1:n]
        ys = f(xs)::Vector{Handle}
        length(ys) <= cap || error("callback returned $(length(ys)) outputs, more than $cap")
        for (i, y) in enumerate(ys)
            unsafe_store!(outs, y, i)
        end
        unsafe_store!(nout, Csize_t(length(ys)))
        return Int32(0)
    catch e
        PENDING[] = e
        set_error(Int32(6), sprint(showerror, e))
        return Int32(6)
    end
end

function _release(ud::Ptr{Cvoid})::Cvoid
    delete!(CALLBACKS, Int(ud))
    nothing
end

"""An engine function from `f(::Vector{Handle})::Vector{Handle}` (owned handles in and out)."""
function fn_from_callback(f, name::String)
    key = NEXT_KEY[]
    NEXT_KEY[] += 1
    CALLBACKS[key] = f
    cb = @cfunction(_trampoline, Int32, (Ptr{Cvoid}, Ptr{Handle}, Csize_t, Ptr{Handle}, Csize_t, Ptr{Csize_t}))
    fr = @cfunction(_release, Cvoid, (Ptr{Cvoid},))
    out = Ref{Handle}(C_NULL)
    check(ccall((:jc_fn_from_callback, libjaxcore), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Cstring, Ref{Handle}),
                cb, Ptr{Cvoid}(key), fr, name, out))
    out[]
end

function fn_transform(sym::Symbol, f::Handle, nums::Vector{Int64})
    out = Ref{Handle}(C_NULL)
    if sym == :grad
        check(ccall((:jc_grad, libjaxcore), Int32, (Handle, Ptr{Int64}, Csize_t, Bool, Ref{Handle}), f, nums, length(nums), false, out))
    elseif sym == :value_and_grad
        check(ccall((:jc_value_and_grad, libjaxcore), Int32, (Handle, Ptr{Int64}, Csize_t, Bool, Ref{Handle}), f, nums, length(nums), false, out))
    elseif sym == :jacfwd
        check(ccall((:jc_jacfwd, libjaxcore), Int32, (Handle, Ptr{Int64}, Csize_t, Ref{Handle}), f, nums, length(nums), out))
    elseif sym == :jacrev
        check(ccall((:jc_jacrev, libjaxcore), Int32, (Handle, Ptr{Int64}, Csize_t, Ref{Handle}), f, nums, length(nums), out))
    elseif sym == :hessian
        check(ccall((:jc_hessian, libjaxcore), Int32, (Handle, Ptr{Int64}, Csize_t, Ref{Handle}), f, nums, length(nums), out))
    else
        error("unknown transformation $sym")
    end
    out[]
end

function fn_vmap(f::Handle, in_axes::Vector{Int64}, out_axes::Vector{Int64}, axis_size::Int64)
    out = Ref{Handle}(C_NULL)
    check(ccall((:jc_vmap, libjaxcore), Int32, (Handle, Ptr{Int64}, Csize_t, Ptr{Int64}, Csize_t, Int64, Ref{Handle}),
                f, in_axes, length(in_axes), out_axes, length(out_axes), axis_size, out))
    out[]
end

function fn_jit(f::Handle)
    out = Ref{Handle}(C_NULL)
    check(ccall((:jc_jit, libjaxcore), Int32, (Handle, Ptr{Int64}, Csize_t, Ptr{Int64}, Csize_t, Ref{Handle}), f, C_NULL, 0, C_NULL, 0, out))
    out[]
end

function fn_jvp(f::Handle, primals::Vector{Handle}, tangents::Vector{Handle}; cap=1024)
    outs = fill(C_NULL, cap)
    touts = fill(C_NULL, cap)
    n = Ref{Csize_t}(0)
    check(ccall((:jc_jvp, libjaxcore), Int32, (Handle, Ptr{Handle}, Ptr{Handle}, Csize_t, Ptr{Handle}, Ptr{Handle}, Csize_t, Ref{Csize_t}),
                f, primals, tangents, length(primals), outs, touts, cap, n))
    outs[1:n[]], touts[1:n[]]
end

function fn_vjp(f::Handle, primals::Vector{Handle}; cap=1024)
    outs = fill(C_NULL, cap)
    n = Ref{Csize_t}(0)
    pb = Ref{Handle}(C_NULL)
    check(ccall((:jc_vjp, libjaxcore), Int32, (Handle, Ptr{Handle}, Csize_t, Ptr{Handle}, Csize_t, Ref{Csize_t}, Ref{Handle}),
                f, primals, length(primals), outs, cap, n, pb))
    outs[1:n[]], pb[]
end
