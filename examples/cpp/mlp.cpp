// Trains a small MLP (8-32-32-4, tanh, softmax cross-entropy) with
// jit(value_and_grad(loss)) and SGD, in C++. Labels come from a random
// teacher, so the loss can fall far below log(4).
#include <cstdio>
#include "jaxcore.hpp"

using jc::Array;
using jc::Params;

int main() {
  const int64_t sizes[4] = {8, 32, 32, 4};
  Array root = jc::random::key(0);
  Array keys = jc::op("random.split", {&root}, Params{{8}});
  auto key = [&](int64_t i) { return jc::op("getitem", {&keys}, Params{{JC_INDEX_INT, i, 0, 0}}); };
  std::vector<Array> params;
  for (int l = 0; l < 3; l++) {
    Array k = key(l);
    params.push_back(jc::random::normal(k, {sizes[l], sizes[l + 1]}) * 0.4);
    params.push_back(jc::op("zeros", {}, Params{{sizes[l + 1]}, {}, JC_FLOAT32}));
  }
  Array kx = key(4);
  Array kt = key(5);
  Array x = jc::random::normal(kx, {256, 8});
  Array teacher = jc::random::normal(kt, {8, 4});
  Array logits = jc::matmul(x, teacher);
  Array labels = jc::op("argmax", {&logits}, Params{{-1}, {}, -1, JC_FLAG_AXIS});
  Array y = jc::op("one_hot", {&labels}, Params{{4}, {}, JC_FLOAT32});

  jc::Function loss(jc::Function::Body([](std::vector<Array> &a) {
                      Array h = a[6].copy();
                      for (int l = 0; l < 3; l++) {
                        Array z = jc::matmul(h, a[2 * l]) + a[2 * l + 1];
                        h = l < 2 ? jc::tanh(z) : std::move(z);
                      }
                      Array lse = jc::op("logsumexp", {&h}, Params{{-1}, {}, -1, JC_FLAG_AXIS | JC_FLAG_KEEPDIMS});
                      Array weighted = (h - lse) * a[7];
                      Array nll = -jc::op("sum", {&weighted}, Params{{-1}, {}, -1, JC_FLAG_AXIS});
                      std::vector<Array> r;
                      r.push_back(jc::op("mean", {&nll}));
                      return r;
                    }),
                    "loss");
  auto step = jc::jit(jc::value_and_grad(loss, {0, 1, 2, 3, 4, 5}));
  float first = 0, last = 0;
  for (int it = 0; it <= 300; it++) {
    std::vector<Array> outs = step.call({&params[0], &params[1], &params[2], &params[3], &params[4], &params[5], &x, &y});
    last = outs[0].item();
    if (it == 0) first = last;
    if (it % 100 == 0) std::printf("step %3d  loss %.4f\n", it, last);
    for (int i = 0; i < 6; i++) params[i] = params[i] - outs[1 + i] * 0.5;
  }
  std::printf("loss fell from %.4f to %.4f\n", first, last);
  return last < 0.5f * first ? 0 : 1;
}
