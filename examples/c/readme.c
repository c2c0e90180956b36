/* The seed README's examples from C: grad of tanh and its third derivative,
 * a jitted function, and pairwise L1 distances by nested vmap. */
#include <stdio.h>
#include <stdlib.h>
#include "jaxcore.h"

#define CHECK(call)                                                          \
  do {                                                                       \
    jc_status s_ = (call);                                                   \
    if (s_ != JC_OK) {                                                       \
      fprintf(stderr, "%s failed (%d): %s\n", #call, s_, jc_last_error());  \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

/* f(x) = tanh(x) */
static jc_status tanh_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  *n_out = 1;
  return jc_tanh(in[0], &out[0]);
}

/* d(a, b) = sum(|a - b|) */
static jc_status l1_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_array d = NULL, a = NULL;
  size_t k = 0;
  jc_status s = jc_subtract(in[0], in[1], &d);
  if (s == JC_OK) s = jc_op("abs", &d, 1, NULL, &a, 1, &k);
  if (s == JC_OK) s = jc_sum(a, &out[0]);
  jc_array_free(d);
  jc_array_free(a);
  *n_out = 1;
  return s;
}

/* f(x) = x * x + x * 2.0 */
static jc_status poly_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_array xx = NULL, two = NULL, x2 = NULL;
  jc_status s = jc_multiply(in[0], in[0], &xx);
  if (s == JC_OK) s = jc_weak_float(2.0, &two);
  if (s == JC_OK) s = jc_multiply(in[0], two, &x2);
  if (s == JC_OK) s = jc_add(xx, x2, &out[0]);
  jc_array_free(xx);
  jc_array_free(two);
  jc_array_free(x2);
  *n_out = 1;
  return s;
}

static float scalar_of(jc_array a) {
  float v = 0;
  CHECK(jc_array_to_host(a, &v, sizeof v));
  return v;
}

int main(void) {
  if (jc_abi_version() / 1000 != JC_ABI_VERSION / 1000) return 2;
  jc_fn f, g1, g2, g3;
  CHECK(jc_fn_from_callback(tanh_cb, NULL, NULL, "tanh", &f));
  CHECK(jc_grad(f, NULL, 0, false, &g1));
  CHECK(jc_grad(g1, NULL, 0, false, &g2));
  CHECK(jc_grad(g2, NULL, 0, false, &g3));
  jc_array x, y;
  size_t n;
  CHECK(jc_array_scalar(JC_FLOAT32, 1.0, &x));
  CHECK(jc_fn_call(g1, &x, 1, &y, 1, &n));
  printf("grad(tanh)(1.0) = %.7f\n", scalar_of(y));
  jc_array_free(y);
  CHECK(jc_fn_call(g3, &x, 1, &y, 1, &n));
  printf("grad(grad(grad(tanh)))(1.0) = %.7f\n", scalar_of(y));
  jc_array_free(y);

  /* jit: x*x + x*2.0 on a 1000x1000 array of ones -> 3 everywhere */
  jc_fn p, pj;
  CHECK(jc_fn_from_callback(poly_cb, NULL, NULL, "poly", &p));
  CHECK(jc_jit(p, NULL, 0, NULL, 0, &pj));
  jc_params params = {0};
  params.struct_size = sizeof params;
  int64_t shape[2] = {1000, 1000};
  params.ints = shape;
  params.n_ints = 2;
  params.dtype = JC_FLOAT32;
  jc_array ones, r;
  CHECK(jc_op("ones", NULL, 0, &params, &ones, 1, &n));
  CHECK(jc_fn_call(pj, &ones, 1, &r, 1, &n));
  jc_array total;
  CHECK(jc_sum(r, &total));
  printf("jit sum = %.1f\n", scalar_of(total));

  /* pairwise L1 distances of 100 points by vmap(vmap(d, (None, 0)), (0, None)) */
  jc_fn d, inner, outer;
  CHECK(jc_fn_from_callback(l1_cb, NULL, NULL, "l1", &d));
  int64_t in_inner[2] = {JC_AXIS_NONE, 0}, in_outer[2] = {0, JC_AXIS_NONE}, zero = 0;
  CHECK(jc_vmap(d, in_inner, 2, &zero, 1, -1, &inner));
  CHECK(jc_vmap(inner, in_outer, 2, &zero, 1, -1, &outer));
  jc_array key, pts, dist;
  jc_params kp = {0};
  kp.struct_size = sizeof kp;
  int64_t seed = 0;
  kp.ints = &seed;
  kp.n_ints = 1;
  kp.dtype = -1;
  CHECK(jc_op("random.key", NULL, 0, &kp, &key, 1, &n));
  int64_t pshape[2] = {100, 3};
  jc_params np_ = {0};
  np_.struct_size = sizeof np_;
  np_.ints = pshape;
  np_.n_ints = 2;
  np_.dtype = JC_FLOAT32;
  CHECK(jc_op("random.normal", &key, 1, &np_, &pts, 1, &n));
  jc_array pair[2] = {pts, pts};
  CHECK(jc_fn_call(outer, pair, 2, &dist, 1, &n));
  int64_t dshape[2];
  CHECK(jc_array_shape(dist, dshape, 2));
  printf("pairwise distances shape = (%lld, %lld)\n", (long long)dshape[0], (long long)dshape[1]);

  jc_array all[] = {x, ones, r, total, key, pts, dist};
  CHECK(jc_array_free_all(all, sizeof all / sizeof all[0]));
  jc_fn fns[] = {f, g1, g2, g3, p, pj, d, inner, outer};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) CHECK(jc_fn_free(fns[i]));
  printf("live arrays = %zu, live functions = %zu\n", jc_array_live_count(), jc_fn_live_count());
  return 0;
}
