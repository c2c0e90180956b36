// Sharding from C++ on 8 CPU devices: a mesh, a sharded array and its type,
// jit over the mesh, and shard_map with psum equal to the plain sum.
#include <cstdio>
#include "jaxcore.hpp"

int main() {
  jc::set_cpu_device_count(8);
  jc::Mesh mesh({8}, {"data"});
  std::printf("%s\n", mesh.str().c_str());
  std::vector<float> v(16 * 4);
  for (size_t i = 0; i < v.size(); i++) v[i] = float(i);
  jc::Array x = jc::Array::from(v, {16, 4});
  jc::Array xs = jc::device_put(x, mesh, {"data"});
  std::printf("typeof(x) = %s\n", jc::typeof_str(xs).c_str());

  auto f = jc::jit(jc::Function([](const jc::Array &a) { return jc::tanh(a) * 2.0; }));
  jc::Array y = f(xs);
  std::printf("jit keeps the type: %s\n", jc::typeof_str(y).c_str());

  // per-device partial sums, combined with psum: the same as sum(x)
  jc::Function part([](const jc::Array &a) { jc::Array s = jc::sum(a); return jc::lax::psum(s, "data"); });
  auto total = jc::shard_map(part, mesh, {{"data"}}, {{}});
  std::printf("shard_map psum = %.1f, sum = %.1f\n", total(xs).item(), jc::sum(x).item());
  return 0;
}
