// The seed README's examples in C++: grad of tanh and its third derivative,
// jit, pairwise distances by nested vmap, and an exception from a lambda.
#include <cstdio>
#include "jaxcore.hpp"

int main() {
  jc::Function f([](const jc::Array &x) { return jc::tanh(x); }, "tanh");
  auto g1 = jc::grad(f);
  auto g3 = jc::grad(jc::grad(g1));
  jc::Array x = jc::Array::scalar(1.0f);
  std::printf("grad(tanh)(1.0) = %.7f\n", g1(x).item());
  std::printf("grad(grad(grad(tanh)))(1.0) = %.7f\n", g3(x).item());

  auto poly = jc::jit(jc::Function([](const jc::Array &x) { return x * x + x * 2.0; }, "poly"));
  jc::Array ones = jc::op("ones", {}, jc::Params{{1000, 1000}, {}, JC_FLOAT32});
  std::printf("jit sum = %.1f\n", jc::sum(poly(ones)).item());

  jc::Function d(jc::Function::Body([](std::vector<jc::Array> &xs) {
                   std::vector<jc::Array> r;
                   r.push_back(jc::sum(jc::abs(xs[0] - xs[1])));
                   return r;
                 }),
                 "l1");
  auto pairwise = jc::vmap(jc::vmap(d, {jc::none, 0}), {0, jc::none});
  jc::Array pts = jc::random::normal(jc::random::key(0), {100, 3});
  auto shape = pairwise(pts, pts).shape();
  std::printf("pairwise distances shape = (%lld, %lld)\n", (long long)shape[0], (long long)shape[1]);

  jc::Function bad([](const jc::Array &x) -> jc::Array { throw std::runtime_error("thrown in a lambda"); }, "bad");
  try {
    jc::grad(bad)(x);
  } catch (const jc::Error &e) {
    std::printf("caught: %s\n", e.what());
  }
  return 0;
}
