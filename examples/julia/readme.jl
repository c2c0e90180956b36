# The seed README's examples from Julia: grad of tanh and its third
# derivative, a jitted function, pairwise distances by nested vmap.
# Run: scripts/julia.sh examples/julia/readme.jl (JAXCORE_LIB or a build in target/).

include(joinpath(@__DIR__, "..", "..", "bindings", "julia", "JaxCore", "src", "JaxCore.jl"))
using .JaxCore
const J = JaxCore

println("grad(tanh)(1.0) = ", J.grad(tanh)(1.0f0))
println("grad(grad(grad(tanh)))(1.0) = ", J.grad(J.grad(J.grad(tanh)))(1.0f0))

f = J.jit(x -> x .* x .+ x .* 2.0f0)
x = ones(Float32, 1000, 1000)
println("jit sum = ", sum(f(x)))

pts = J.Random.normal(J.Random.key(0), (100, 3))
dist(a, b) = sum(abs.(a .- b))
d = J.vmap(J.vmap(dist, in_axes=(nothing, 1)), in_axes=(1, nothing))(pts, pts)
println("pairwise distances size = ", size(d))
