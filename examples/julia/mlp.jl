# A small MLP trained by gradient descent from Julia: the parameters are a
# NamedTuple of Julia arrays, the step is jit(value_and_grad(loss)).
# Run: scripts/julia.sh examples/julia/mlp.jl

include(joinpath(@__DIR__, "..", "..", "bindings", "julia", "JaxCore", "src", "JaxCore.jl"))
using .JaxCore
const J = JaxCore

# data: y = sin(3x) on [-1, 1], as 1×n rows (features × samples)
xs = reshape(collect(range(-1.0f0, 1.0f0; length=64)), 1, 64)
ys = sin.(3 .* xs)

init(k, m, n) = Array(J.Random.normal(k, (m, n))) .* Float32(1 / sqrt(n))
params = (w1=init(J.Random.fold_in(J.Random.key(0), 1), 32, 1), b1=zeros(Float32, 32),
          w2=init(J.Random.fold_in(J.Random.key(0), 2), 1, 32), b2=zeros(Float32, 1))

function loss(p, x, y)
    h = tanh.(p.w1 * x .+ p.b1)
    out = p.w2 * h .+ p.b2
    J.mean((out .- y) .^ 2)
end

step = J.jit(J.value_and_grad(loss))
lr = 0.1f0
first_loss = 0.0f0
last_loss = 0.0f0
for i in 1:300
    global params, first_loss, last_loss
    l, g = step(params, xs, ys)
    l = l isa J.JArray ? l[] : l
    i == 1 && (first_loss = l)
    last_loss = l
    g = map(a -> a isa J.JArray ? Array(a) : a, g)
    params = (w1=params.w1 .- lr .* g.w1, b1=params.b1 .- lr .* g.b1, w2=params.w2 .- lr .* g.w2, b2=params.b2 .- lr .* g.b2)
end
println("loss fell from ", first_loss, " to ", last_loss)
last_loss < first_loss / 5 || error("the MLP did not learn")
