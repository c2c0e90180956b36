// Header-only C++17 wrapper over the libjaxcore C ABI: RAII handles,
// arithmetic operators, lambdas as transformable functions, exceptions that
// carry the engine's message. No logic of its own beyond the idioms.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "jaxcore.h"

namespace jc {

/// An error from the engine: its status and message.
struct Error : std::runtime_error {
  jc_status status;
  Error(jc_status s, const std::string &m) : std::runtime_error(m), status(s) {}
};

inline void check(jc_status s) {
  if (s != JC_OK) throw Error(s, jc_last_error());
}

/// An array handle (move-only; `copy()` makes a second handle).
class Array {
 public:
  Array() = default;
  explicit Array(jc_array h) : h_(h) {}
  Array(Array &&o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Array &operator=(Array &&o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  Array(const Array &) = delete;
  Array &operator=(const Array &) = delete;
  ~Array() { reset(); }

  /// A float32 scalar (use `weak(v)` for a host scalar that adapts its dtype).
  static Array scalar(float v) { return make([&](jc_array *o) { return jc_array_scalar(JC_FLOAT32, v, o); }); }
  /// A weakly typed host scalar: `x * weak(2.0)` keeps x's dtype.
  static Array weak(double v) { return make([&](jc_array *o) { return jc_weak_float(v, o); }); }
  /// A float32 array with this data and shape (row-major).
  static Array from(const std::vector<float> &v, std::vector<int64_t> shape) {
    return make([&](jc_array *o) { return jc_array_from_host(JC_FLOAT32, shape.data(), shape.size(), v.data(), v.size() * sizeof(float), o); });
  }

  Array copy() const { return make([&](jc_array *o) { return jc_array_retain(h_, o); }); }
  jc_array get() const { return h_; }
  /// Gives up ownership (the engine takes it, e.g. a callback's output).
  jc_array release() { return std::exchange(h_, nullptr); }

  std::vector<int64_t> shape() const {
    size_t n = 0;
    check(jc_array_ndim(h_, &n));
    std::vector<int64_t> s(n);
    check(jc_array_shape(h_, s.data(), n));
    return s;
  }
  size_t size() const {
    size_t n = 0;
    check(jc_array_size(h_, &n));
    return n;
  }
  /// The elements as float32 (the array must be float32).
  std::vector<float> to_vector() const {
    std::vector<float> v(size());
    check(jc_array_to_host(h_, v.data(), v.size() * sizeof(float)));
    return v;
  }
  float item() const { return to_vector().at(0); }
  std::string str() const {
    size_t len = 0;
    check(jc_array_to_string(h_, nullptr, 0, &len));
    std::string s(len + 1, '\0');
    check(jc_array_to_string(h_, &s[0], s.size(), &len));
    s.resize(len);
    return s;
  }

 private:
  template <class F>
  static Array make(F f) {
    jc_array o = nullptr;
    check(f(&o));
    return Array(o);
  }
  void reset() {
    if (h_) jc_array_free(h_);
    h_ = nullptr;
  }
  jc_array h_ = nullptr;
};

/// Parameters of `op` (numpy names; see jc_params in jaxcore.h).
struct Params {
  std::vector<int64_t> ints;
  std::vector<double> floats;
  int32_t dtype = -1;
  uint32_t flags = 0;
  std::string str;
  Params() = default;
  Params(std::vector<int64_t> i, std::vector<double> f = {}, int32_t d = -1, uint32_t fl = 0, std::string s = {})
      : ints(std::move(i)), floats(std::move(f)), dtype(d), flags(fl), str(std::move(s)) {}
};

/// Any numpy function / lax primitive / random function by name.
inline std::vector<Array> op_n(const char *name, std::initializer_list<const Array *> args, const Params &p = {}) {
  std::vector<jc_array> hs;
  for (auto a : args) hs.push_back(a->get());
  jc_params cp = {};
  cp.struct_size = sizeof cp;
  cp.ints = p.ints.data();
  cp.n_ints = p.ints.size();
  cp.floats = p.floats.data();
  cp.n_floats = p.floats.size();
  cp.dtype = p.dtype;
  cp.flags = p.flags;
  cp.str_ = p.str.empty() ? nullptr : p.str.c_str();
  std::vector<jc_array> outs(16, nullptr);
  size_t n = 0;
  check(jc_op(name, hs.data(), hs.size(), &cp, outs.data(), outs.size(), &n));
  std::vector<Array> r;
  for (size_t i = 0; i < n; i++) r.emplace_back(outs[i]);
  return r;
}
inline Array op(const char *name, std::initializer_list<const Array *> args, const Params &p = {}) {
  return std::move(op_n(name, args, p).at(0));
}

inline Array operator+(const Array &a, const Array &b) { return op("add", {&a, &b}); }
inline Array operator-(const Array &a, const Array &b) { return op("subtract", {&a, &b}); }
inline Array operator*(const Array &a, const Array &b) { return op("multiply", {&a, &b}); }
inline Array operator/(const Array &a, const Array &b) { return op("divide", {&a, &b}); }
inline Array operator*(const Array &a, double b) { Array w = Array::weak(b); return a * w; }
inline Array operator*(double a, const Array &b) { Array w = Array::weak(a); return w * b; }
inline Array operator+(const Array &a, double b) { Array w = Array::weak(b); return a + w; }
inline Array operator-(const Array &a) { return op("negative", {&a}); }
inline Array tanh(const Array &a) { return op("tanh", {&a}); }
inline Array exp(const Array &a) { return op("exp", {&a}); }
inline Array abs(const Array &a) { return op("abs", {&a}); }
inline Array sum(const Array &a) { return op("sum", {&a}); }
inline Array matmul(const Array &a, const Array &b) { return op("matmul", {&a, &b}); }

/// A transformable function (move-only).
class Function {
 public:
  using Body = std::function<std::vector<Array>(std::vector<Array> &)>;

  explicit Function(jc_fn h) : h_(h) {}
  /// A C++ callable as a function of arrays. Exceptions thrown inside are
  /// caught here and reported through the engine, never unwound through C.
  explicit Function(Body body, const char *name = "lambda") {
    auto *heap = new Body(std::move(body));
    check_owned(jc_fn_from_callback(&trampoline, heap, &destroy, name, &h_), heap);
  }
  /// A unary lambda `Array(const Array&)`.
  template <class F, class = decltype(std::declval<F>()(std::declval<const Array &>()))>
  explicit Function(F f, const char *name = "lambda")
      : Function(Body([f](std::vector<Array> &xs) {
                   std::vector<Array> r;
                   r.push_back(f(xs.at(0)));
                   return r;
                 }),
                 name) {}
  Function(Function &&o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Function &operator=(Function &&o) noexcept {
    if (this != &o) {
      if (h_) jc_fn_free(h_);
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  Function(const Function &) = delete;
  ~Function() {
    if (h_) jc_fn_free(h_);
  }
  jc_fn get() const { return h_; }

  std::vector<Array> call(std::initializer_list<const Array *> args) const {
    std::vector<jc_array> hs;
    for (auto a : args) hs.push_back(a->get());
    std::vector<jc_array> outs(64, nullptr);
    size_t n = 0;
    check(jc_fn_call(h_, hs.data(), hs.size(), outs.data(), outs.size(), &n));
    std::vector<Array> r;
    for (size_t i = 0; i < n; i++) r.emplace_back(outs[i]);
    return r;
  }
  Array operator()(const Array &x) const { return std::move(call({&x}).at(0)); }
  Array operator()(const Array &x, const Array &y) const { return std::move(call({&x, &y}).at(0)); }

 private:
  static void check_owned(jc_status s, Body *heap) {
    if (s != JC_OK) {
      delete heap;
      check(s);
    }
  }
  static void destroy(void *p) { delete static_cast<Body *>(p); }
  static jc_status trampoline(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
    try {
      std::vector<Array> xs;
      for (size_t i = 0; i < n; i++) {
        jc_array h = nullptr;
        check(jc_array_retain(in[i], &h));
        xs.emplace_back(h);
      }
      std::vector<Array> ys = (*static_cast<Body *>(ud))(xs);
      if (ys.size() > cap) throw Error(JC_ERR_VALUE, "too many outputs");
      *n_out = ys.size();
      for (size_t i = 0; i < ys.size(); i++) out[i] = ys[i].release();
      return JC_OK;
    } catch (const Error &e) {
      jc_set_error(e.status, e.what());
      return e.status;
    } catch (const std::exception &e) {
      jc_set_error(JC_ERR_RUNTIME, e.what());
      return JC_ERR_RUNTIME;
    } catch (...) {
      jc_set_error(JC_ERR_RUNTIME, "unknown C++ exception in a callback");
      return JC_ERR_RUNTIME;
    }
  }
  jc_fn h_ = nullptr;
};

inline Function grad(const Function &f, std::vector<int64_t> argnums = {0}, bool has_aux = false) {
  jc_fn h = nullptr;
  check(jc_grad(f.get(), argnums.data(), argnums.size(), has_aux, &h));
  return Function(h);
}
inline Function value_and_grad(const Function &f, std::vector<int64_t> argnums = {0}, bool has_aux = false) {
  jc_fn h = nullptr;
  check(jc_value_and_grad(f.get(), argnums.data(), argnums.size(), has_aux, &h));
  return Function(h);
}
inline Function jit(const Function &f, std::vector<int64_t> static_argnums = {}, std::vector<int64_t> donate_argnums = {}) {
  jc_fn h = nullptr;
  check(jc_jit(f.get(), static_argnums.data(), static_argnums.size(), donate_argnums.data(), donate_argnums.size(), &h));
  return Function(h);
}
/// `None` in vmap axes.
constexpr int64_t none = JC_AXIS_NONE;
inline Function vmap(const Function &f, std::vector<int64_t> in_axes, std::vector<int64_t> out_axes = {0}) {
  jc_fn h = nullptr;
  check(jc_vmap(f.get(), in_axes.data(), in_axes.size(), out_axes.data(), out_axes.size(), -1, &h));
  return Function(h);
}

/// Reads a string out of one of the engine's `(buf, cap, len)` functions.
template <class F>
inline std::string read_string(F f) {
  size_t len = 0;
  check(f(nullptr, 0, &len));
  std::string s(len + 1, '\0');
  check(f(&s[0], s.size(), &len));
  s.resize(len);
  return s;
}

// ---- sharding: meshes, partition specs, placement, shard_map, collectives

/// `jax.config.update("jax_num_cpu_devices", n)`: before any device is used.
inline void set_cpu_device_count(size_t n) { check(jc_set_cpu_device_count(n)); }

enum class AxisType : int32_t { Auto = JC_AXIS_AUTO, Explicit = JC_AXIS_EXPLICIT, Manual = JC_AXIS_MANUAL };

/// `P("data", "")`: per dimension the mesh axis ("a", or "a,b" for two), "" for none.
using PartitionSpec = std::vector<std::string>;

/// A named grid of devices (`jax.make_mesh`).
class Mesh {
 public:
  Mesh(std::vector<size_t> shape, std::vector<std::string> names, std::vector<AxisType> types = {}) {
    std::vector<const char *> ns;
    for (auto &n : names) ns.push_back(n.c_str());
    std::vector<int32_t> ts;
    for (auto t : types) ts.push_back(static_cast<int32_t>(t));
    check(jc_make_mesh(shape.data(), ns.data(), ts.empty() ? nullptr : ts.data(), shape.size(), &h_));
  }
  Mesh(Mesh &&o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Mesh(const Mesh &) = delete;
  Mesh &operator=(const Mesh &) = delete;
  ~Mesh() {
    if (h_) jc_mesh_free(h_);
  }
  jc_mesh get() const { return h_; }
  std::string str() const { return read_string([&](char *b, size_t c, size_t *l) { return jc_mesh_to_string(h_, b, c, l); }); }

 private:
  jc_mesh h_ = nullptr;
};

namespace detail {
inline std::vector<const char *> spec_ptrs(const PartitionSpec &spec) {
  std::vector<const char *> v;
  for (auto &s : spec) v.push_back(s.empty() ? nullptr : s.c_str());
  return v;
}
}  // namespace detail

/// `jax.device_put(x, NamedSharding(mesh, spec))`.
inline Array device_put(const Array &x, const Mesh &mesh, const PartitionSpec &spec) {
  auto p = detail::spec_ptrs(spec);
  jc_array o = nullptr;
  check(jc_device_put_sharded(x.get(), mesh.get(), p.data(), p.size(), &o));
  return Array(o);
}
/// `jax.sharding.reshard` / `with_sharding_constraint` (also inside traced functions).
inline Array reshard(const Array &x, const Mesh &mesh, const PartitionSpec &spec) {
  auto p = detail::spec_ptrs(spec);
  jc_array o = nullptr;
  check(jc_reshard(x.get(), mesh.get(), p.data(), p.size(), &o));
  return Array(o);
}
/// `jax.typeof(x)` as text: `f32[512@data,512]`.
inline std::string typeof_str(const Array &x) {
  return read_string([&](char *b, size_t c, size_t *l) { return jc_array_type_string(x.get(), b, c, l); });
}
/// `x.sharding` as text ("" on one device).
inline std::string sharding_str(const Array &x) {
  return read_string([&](char *b, size_t c, size_t *l) { return jc_array_sharding_string(x.get(), b, c, l); });
}

/// `jax.shard_map(f, mesh=, in_specs=, out_specs=)`.
inline Function shard_map(const Function &f, const Mesh &mesh, const std::vector<PartitionSpec> &in_specs, const std::vector<PartitionSpec> &out_specs) {
  auto pack = [](const std::vector<PartitionSpec> &specs, std::vector<const char *> &names, std::vector<size_t> &counts) {
    for (auto &sp : specs) {
      auto p = detail::spec_ptrs(sp);
      names.insert(names.end(), p.begin(), p.end());
      counts.push_back(p.size());
    }
  };
  std::vector<const char *> in_n, out_n;
  std::vector<size_t> in_c, out_c;
  pack(in_specs, in_n, in_c);
  pack(out_specs, out_n, out_c);
  jc_fn h = nullptr;
  check(jc_shard_map(f.get(), mesh.get(), in_n.data(), in_c.data(), in_c.size(), out_n.data(), out_c.data(), out_c.size(), &h));
  return Function(h);
}

namespace lax {
/// Collectives over mesh axes ("a" or "a,b"), inside shard_map.
inline Array psum(const Array &x, const std::string &axes) { return op("lax.psum", {&x}, Params{{}, {}, -1, 0, axes}); }
inline Array pmean(const Array &x, const std::string &axes) { return op("lax.pmean", {&x}, Params{{}, {}, -1, 0, axes}); }
inline Array pmax(const Array &x, const std::string &axes) { return op("lax.pmax", {&x}, Params{{}, {}, -1, 0, axes}); }
inline Array all_gather(const Array &x, const std::string &axes, int64_t axis = 0, bool tiled = false) {
  return op("lax.all_gather", {&x}, Params{{axis}, {}, -1, tiled ? JC_FLAG_ALT : 0u, axes});
}
inline Array psum_scatter(const Array &x, const std::string &axes, int64_t dim = 0, bool tiled = false) {
  return op("lax.psum_scatter", {&x}, Params{{dim}, {}, -1, tiled ? JC_FLAG_ALT : 0u, axes});
}
inline Array axis_index(const std::string &axes) { return op("lax.axis_index", {}, Params{{}, {}, -1, 0, axes}); }
}  // namespace lax

namespace random {
inline Array key(int64_t seed) { return op("random.key", {}, Params{{seed}}); }
inline Array normal(const Array &k, std::vector<int64_t> shape) { return op("random.normal", {&k}, Params{shape, {}, JC_FLOAT32}); }
}  // namespace random

}  // namespace jc
