# JaxCore's tests: the seed's values, JAX's random values, column-major
# round trips, every transformation, errors, and no leaks. Prints one line
# "N passed, N failed" and exits non-zero on any failure.

include(joinpath(@__DIR__, "..", "src", "JaxCore.jl"))
using .JaxCore
using Test
using LinearAlgebra
const J = JaxCore

const PASSED = Ref(0)
const FAILED = Ref(0)

macro check(ex)
    src = string(ex)
    quote
        ok = try
            $(esc(ex)) === true
        catch err
            println("ERROR in ", $src, ": ", sprint(showerror, err))
            false
        end
        if ok
            PASSED[] += 1
        else
            FAILED[] += 1
            println("FAILED: ", $src)
        end
        get(ENV, "JAXCORE_TEST_VERBOSE", "") == "1" && (println("checked: ", $src); flush(stdout))
    end
end

"""true when `f()` throws an exception of type T whose message contains `msg`."""
function throws(f, T, msg="")
    try
        f()
        return false
    catch err
        return err isa T && occursin(msg, sprint(showerror, err))
    end
end

f32ulps(a::Float32, b::Float32) = abs(Int64(reinterpret(Int32, a)) - Int64(reinterpret(Int32, b)))

# ---- the seed's values ----
@check J.grad(tanh)(1.0f0) ≈ 0.4199743f0
@check round(J.grad(tanh)(1.0), digits=7) == 0.4199743
# values are known under grad outside jit, as in JAX: code may branch on them ((x .< 3)[])
branchy(x) = (x .< 3)[] ? 3 * x^2 : -4 * x
@check J.grad(branchy)(2.0f0) == 12.0f0
@check J.grad(branchy)(4.0f0) == -4.0f0
@check throws(() -> J.jit(J.grad(branchy))(2.0f0), ArgumentError, "inside jit")
d3 = J.grad(J.grad(J.grad(tanh)))(1.0f0)
@check d3 isa Float32 && f32ulps(d3, 0.6216267f0) <= 1
k0 = J.Random.key(0)
pts = J.Random.normal(k0, (100, 3))
dist(a, b) = sum(abs.(a .- b))
d = J.vmap(J.vmap(dist, in_axes=(nothing, 1)), in_axes=(1, nothing))(pts, pts)
@check size(d) == (100, 100)
P = Array(pts)
@check isapprox(Array(d), [sum(abs.(P[i, :] .- P[j, :])) for i in 1:100, j in 1:100]; rtol=1e-5)

# ---- JAX's random values (jax 0.10.2) ----
@check Array(k0) == UInt32[0, 0]
@check Array(J.Random.split(k0)) == UInt32[1797259609 2579123966; 928981903 3453687069]
@check isapprox(Array(J.Random.uniform(k0, 3)), Float32[0.947667, 0.9785799, 0.33229148]; rtol=2e-7)
@check isapprox(Array(J.Random.normal(k0, 3)), Float32[1.6226422, 2.0252647, -0.43359444]; rtol=2e-7)
@check Array(J.Random.randint(J.Random.key(42), 6, 0, 10)) == Int32[4, 4, 1, 9, 9, 9]

# ---- column-major round trips, non-square and 3-d ----
A = reshape(collect(1.0:12.0), 3, 4)
@check Array(J.JArray(A)) == A
@check size(J.JArray(A)) == (3, 4)
@check J.JArray(A)[2, 3][] == A[2, 3]
@check Array(J.JArray(A)[2, :]) == A[2, :]
@check Array(J.JArray(A)[:, 2:3]) == A[:, 2:3]
B = reshape(collect(Float32, 1:24), 2, 3, 4)
@check Array(J.JArray(B)) == B
@check J.JArray(B)[2, 3, 4][] == B[2, 3, 4]
@check Array(sum(J.JArray(B); dims=2)) == sum(B; dims=2)
@check Array(reshape(J.JArray(A), 2, 6)) == reshape(A, 2, 6)
@check Array(vec(J.JArray(B))) == vec(B)
@check Array(J.JArray(A) * J.JArray(A')) ≈ A * A'
@check Array(J.JArray(A)' ) == Matrix(A')
@check Array(J.JArray(A) .+ J.JArray([10.0, 20.0, 30.0])) == A .+ [10.0, 20.0, 30.0]
@check Array(exp.(J.JArray(A)) .* 2) ≈ exp.(A) .* 2
@check eltype(J.JArray(B)) == Float32 && ndims(J.JArray(B)) == 3
@check J.Array === J.JArray && Array(J.Array([1 2; 3 4])) == [1 2; 3 4]

# ---- transformations ----
loss(w, x) = sum(tanh.(x * w))
W = [0.1 0.2; -0.3 0.4; 0.5 -0.6]   # 3×2
X = [1.0 2.0 3.0; -1.0 0.5 2.0]      # 2×3
gW = J.grad(loss)(W, X)
fd = similar(W)
for i in eachindex(W)
    e = zeros(size(W)); e[i] = 1e-6
    fd[i] = (loss(W .+ e, X) - loss(W .- e, X)) / 2e-6
end
@check gW isa Matrix{Float64} && size(gW) == (3, 2) && isapprox(gW, fd; rtol=1e-6)
v, (g1, g2) = J.value_and_grad(loss; argnums=(1, 2))(W, X)
@check v ≈ loss(W, X) && g1 ≈ gW && size(g2) == (2, 3)
params = (w=W, b=[0.5, -0.5])
pl(p, x) = sum(tanh.(x * p.w .+ p.b'))
gp = J.grad(pl)(params, X)
@check gp isa NamedTuple && size(gp.w) == (3, 2) && size(gp.b) == (2,)
y, t = J.jvp(sin, (1.0,), (2.0,))
@check y ≈ sin(1.0) && t ≈ 2cos(1.0)
y, back = J.vjp(x -> x .* x, [1.0, 2.0, 3.0])
@check y == [1.0, 4.0, 9.0] && back([1.0, 1.0, 1.0])[1] == [2.0, 4.0, 6.0]
@check J.vmap(x -> sum(x .^ 2))([1.0 2.0; 3.0 4.0]) == [5.0, 25.0]
@check J.vmap(x -> sum(x .^ 2); in_axes=2)([1.0 2.0; 3.0 4.0]) == [10.0, 20.0]
jf = J.jit((x, y) -> x .* y .+ 1)
@check jf([1.0, 2.0], [3.0, 4.0]) == [4.0, 9.0]
@check jf([2.0, 2.0], [3.0, 4.0]) == [7.0, 9.0]
@check J.jit(J.grad(loss))(W, X) ≈ gW
@check J.jacobian(x -> x .^ 2)([1.0, 2.0, 3.0]) ≈ Matrix(Diagonal([2.0, 4.0, 6.0]))
@check J.hessian(x -> sum(x .^ 3))([1.0, 2.0]) ≈ [6.0 0.0; 0.0 12.0]
@check J.grad(x -> J.grad(tanh)(x))(0.5) ≈ -2tanh(0.5) * (1 - tanh(0.5)^2)

# ---- errors become Julia exceptions ----
@check throws(() -> J.JArray([1.0, 2.0]) + J.JArray([1.0, 2.0, 3.0]), J.JaxCoreError, "incompatible shapes")
@check throws(() -> J.grad(x -> error("boom inside"))(1.0), ErrorException, "boom inside")
@check throws(() -> J.grad(x -> x)(1), J.JaxCoreError, "grad requires real")
@check throws(() -> J.JArray(Complex(1, 2)), ArgumentError, "no dtype")  # integer complex numbers have no dtype
# ComplexF32/ComplexF64 arrays are complex64/complex128 (computed by XLA)
@check Array(J.JArray(ComplexF32[1 + 2im, 3 - 1im]) .* J.JArray(ComplexF32[2im, 1])) ≈ ComplexF32[-4 + 2im, 3 - 1im]

# ---- no leaks over 10,000 arrays ----
GC.gc(); GC.gc()
before = J.array_live_count()
let s = 0.0
    for i in 1:10_000
        x = J.JArray([Float64(i)])
        s += Array(x .* 2)[1]
    end
    @check s == 2 * sum(1:10_000)
end
GC.gc(); GC.gc()
@check J.array_live_count() == before

println(PASSED[], " passed, ", FAILED[], " failed")
exit(FAILED[] == 0 ? 0 : 1)
