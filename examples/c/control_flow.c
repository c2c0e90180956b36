/* Control flow and custom derivatives from C: a custom_jvp with a stable
 * derivative (log1pexp), a custom_vjp that clips gradients, both under
 * grad, vmap and jit; a scan (cumulative sum) and its gradient; a
 * while_loop. Every handle is freed at the end. */
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

/* y = a `name` b, freeing nothing; returns the status */
static jc_status op2(const char *name, jc_array a, jc_array b, jc_array *y) {
  jc_array args[2] = {a, b};
  size_t n;
  return jc_op(name, args, 2, NULL, y, 1, &n);
}
static jc_status op1(const char *name, jc_array a, jc_array *y) {
  size_t n;
  return jc_op(name, &a, 1, NULL, y, 1, &n);
}

/* log(1 + exp(x)) */
static jc_status log1pexp_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_array one = NULL, e = NULL, s1 = NULL;
  jc_status s = jc_weak_float(1.0, &one);
  if (s == JC_OK) s = op1("exp", in[0], &e);
  if (s == JC_OK) s = op2("add", one, e, &s1);
  if (s == JC_OK) s = op1("log", s1, &out[0]);
  jc_array tmp[] = {one, e, s1};
  jc_array_free_all(tmp, 3);
  *n_out = 1;
  return s;
}

/* (x, t) -> (log1pexp(x), (1 - 1/(1 + exp(x))) * t) */
static jc_status log1pexp_jvp_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)n; (void)cap;
  jc_array one = NULL, e = NULL, s1 = NULL, r = NULL, d = NULL;
  size_t k;
  jc_status s = log1pexp_cb(ud, in, 1, out, 1, &k);
  if (s == JC_OK) s = jc_weak_float(1.0, &one);
  if (s == JC_OK) s = op1("exp", in[0], &e);
  if (s == JC_OK) s = op2("add", one, e, &s1);
  if (s == JC_OK) s = op2("divide", one, s1, &r);
  if (s == JC_OK) s = op2("subtract", one, r, &d);
  if (s == JC_OK) s = op2("multiply", d, in[1], &out[1]);
  jc_array tmp[] = {one, e, s1, r, d};
  jc_array_free_all(tmp, 5);
  *n_out = 2;
  return s;
}

/* identity (a new handle to the same value) */
static jc_status identity_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  *n_out = 1;
  return op1("positive", in[0], &out[0]);
}

/* bwd: (g) -> clip(g, -1, 1) */
static jc_status clip_bwd_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_array one = NULL, m1 = NULL, lo = NULL;
  jc_status s = jc_weak_float(1.0, &one);
  if (s == JC_OK) s = jc_weak_float(-1.0, &m1);
  if (s == JC_OK) s = op2("minimum", in[0], one, &lo);
  if (s == JC_OK) s = op2("maximum", lo, m1, &out[0]);
  jc_array tmp[] = {one, m1, lo};
  jc_array_free_all(tmp, 3);
  *n_out = 1;
  return s;
}

/* loss(x) = sum(3 * clip_gradient(x)); user data: the clip_gradient function */
static jc_status clip_loss_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)n; (void)cap;
  jc_array c = NULL, three = NULL, m = NULL;
  size_t k;
  jc_status s = jc_fn_call((jc_fn)ud, in, 1, &c, 1, &k);
  if (s == JC_OK) s = jc_weak_float(3.0, &three);
  if (s == JC_OK) s = op2("multiply", c, three, &m);
  if (s == JC_OK) s = jc_sum(m, &out[0]);
  jc_array tmp[] = {c, three, m};
  jc_array_free_all(tmp, 3);
  *n_out = 1;
  return s;
}

/* scan step: (carry, x) -> (carry + x, carry + x) */
static jc_status cumsum_step_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_status s = op2("add", in[0], in[1], &out[0]);
  if (s == JC_OK) s = op1("positive", out[0], &out[1]);
  *n_out = 2;
  return s;
}

/* sum of the scan's ys */
static jc_status cumsum_total_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)n; (void)cap;
  jc_array zero = NULL, res[2] = {NULL, NULL};
  size_t k;
  jc_status s = jc_array_scalar(JC_FLOAT32, 0.0, &zero);
  if (s == JC_OK) s = jc_scan((jc_fn)ud, &zero, 1, in, 1, -1, false, 1, res, 2, &k);
  if (s == JC_OK) s = jc_sum(res[1], &out[0]);
  jc_array tmp[] = {zero, res[0], res[1]};
  jc_array_free_all(tmp, 3);
  *n_out = 1;
  return s;
}

/* while: (i, x) -> i < 10 ; (i + 1, 2 x) */
static jc_status lt10_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_array ten = NULL;
  jc_status s = jc_array_scalar(JC_INT32, 10, &ten);
  if (s == JC_OK) s = op2("less", in[0], ten, &out[0]);
  jc_array_free(ten);
  *n_out = 1;
  return s;
}
static jc_status double_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_array one = NULL;
  jc_status s = jc_array_scalar(JC_INT32, 1, &one);
  if (s == JC_OK) s = op2("add", in[0], one, &out[0]);
  if (s == JC_OK) s = op2("add", in[1], in[1], &out[1]);
  jc_array_free(one);
  *n_out = 2;
  return s;
}

/* a host function: called with concrete arrays when the program runs (it
   reads them on the host); counts its calls through ud */
static jc_status host_cube_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)n; (void)cap;
  float v[4];
  jc_status s = jc_array_to_host(in[0], v, sizeof v);
  for (int i = 0; i < 4; i++) v[i] = v[i] * v[i] * v[i];
  int64_t shape = 4;
  if (s == JC_OK) s = jc_array_from_host(JC_FLOAT32, &shape, 1, v, sizeof v, &out[0]);
  *(int *)ud += 1;
  *n_out = 1;
  return s;
}
/* traced: pure_callback(host_cube, x) + x */
static jc_status with_callback_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)n; (void)cap;
  jc_dtype dt = JC_FLOAT32;
  size_t ndim = 1;
  int64_t dim = 4;
  jc_array cubed = NULL;
  size_t k;
  jc_status s = jc_host_callback((jc_fn)ud, in, 1, &dt, &ndim, &dim, 1, JC_CALLBACK_PURE, 1, &cubed, 1, &k);
  if (s == JC_OK) s = op2("add", cubed, in[0], &out[0]);
  jc_array_free(cubed);
  *n_out = 1;
  return s;
}

static void print_array(const char *what, jc_array a, size_t n) {
  float v[8];
  CHECK(jc_array_to_host(a, v, n * sizeof(float)));
  printf("%s = [", what);
  for (size_t i = 0; i < n; i++) printf(i ? ", %.7g" : "%.7g", v[i]);
  printf("]\n");
}

int main(void) {
  size_t k;
  /* custom_jvp: grad of log1pexp at 100 is 1, not NaN; under vmap and jit */
  jc_fn f, rule, lpe, g, vg, jvg;
  CHECK(jc_fn_from_callback(log1pexp_cb, NULL, NULL, "log1pexp", &f));
  CHECK(jc_fn_from_callback(log1pexp_jvp_cb, NULL, NULL, "log1pexp_jvp", &rule));
  CHECK(jc_custom_jvp(f, rule, &lpe));
  CHECK(jc_grad(lpe, NULL, 0, false, &g));
  int64_t axis0 = 0;
  CHECK(jc_vmap(g, &axis0, 1, &axis0, 1, -1, &vg));
  CHECK(jc_jit(vg, NULL, 0, NULL, 0, &jvg));
  float xs[4] = {-3, 0, 2, 100};
  int64_t s4 = 4;
  jc_array x, y, x100, g100;
  CHECK(jc_array_from_host(JC_FLOAT32, &s4, 1, xs, sizeof xs, &x));
  CHECK(jc_array_scalar(JC_FLOAT32, 100.0, &x100));
  CHECK(jc_fn_call(g, &x100, 1, &g100, 1, &k));
  print_array("custom_jvp grad(log1pexp)(100)", g100, 1);
  CHECK(jc_fn_call(jvg, &x, 1, &y, 1, &k));
  print_array("custom_jvp jit(vmap(grad(log1pexp)))", y, 4);
  jc_array t1[] = {y, x100, g100};
  jc_array_free_all(t1, 3);

  /* custom_vjp: the gradient of sum(3 * clip_gradient(x)) is clipped to 1 */
  jc_fn id, fwd, bwd, clip, loss, lg, jlg;
  CHECK(jc_fn_from_callback(identity_cb, NULL, NULL, "clip_gradient", &id));
  CHECK(jc_fn_from_callback(identity_cb, NULL, NULL, "clip_fwd", &fwd));
  CHECK(jc_fn_from_callback(clip_bwd_cb, NULL, NULL, "clip_bwd", &bwd));
  CHECK(jc_custom_vjp(id, fwd, bwd, &clip));
  CHECK(jc_fn_from_callback(clip_loss_cb, clip, NULL, "loss", &loss));
  CHECK(jc_grad(loss, NULL, 0, false, &lg));
  CHECK(jc_jit(lg, NULL, 0, NULL, 0, &jlg));
  CHECK(jc_fn_call(jlg, &x, 1, &y, 1, &k));
  print_array("custom_vjp jit(grad(loss))", y, 4);
  jc_array_free(y);

  /* scan: cumulative sum; the gradient of sum(ys) w.r.t. xs */
  jc_fn step, total, tg;
  CHECK(jc_fn_from_callback(cumsum_step_cb, NULL, NULL, "cumsum_step", &step));
  CHECK(jc_fn_from_callback(cumsum_total_cb, step, NULL, "total", &total));
  CHECK(jc_grad(total, NULL, 0, false, &tg));
  jc_array zero, res[2];
  CHECK(jc_array_scalar(JC_FLOAT32, 0.0, &zero));
  CHECK(jc_scan(step, &zero, 1, &x, 1, -1, false, 1, res, 2, &k));
  print_array("scan cumsum ys", res[1], 4);
  CHECK(jc_fn_call(tg, &x, 1, &y, 1, &k));
  print_array("grad of sum(cumsum)", y, 4);
  jc_array t2[] = {zero, res[0], res[1], y};
  jc_array_free_all(t2, 4);

  /* while_loop: double x ten times */
  jc_fn c, b;
  CHECK(jc_fn_from_callback(lt10_cb, NULL, NULL, "lt10", &c));
  CHECK(jc_fn_from_callback(double_cb, NULL, NULL, "double", &b));
  jc_array init[2], out[2];
  CHECK(jc_array_scalar(JC_INT32, 0, &init[0]));
  CHECK(jc_array_scalar(JC_FLOAT32, 1.5, &init[1]));
  CHECK(jc_while_loop(c, b, init, 2, out, 2, &k));
  print_array("while_loop doubled ten times", out[1], 1);
  jc_array t3[] = {init[0], init[1], out[0], out[1], x};
  jc_array_free_all(t3, 5);

  /* a host callback under jit: it runs at every call, on the values */
  int calls = 0;
  jc_fn cube, withcb, jwithcb;
  CHECK(jc_fn_from_callback(host_cube_cb, &calls, NULL, "host_cube", &cube));
  CHECK(jc_fn_from_callback(with_callback_cb, cube, NULL, "with_callback", &withcb));
  CHECK(jc_jit(withcb, NULL, 0, NULL, 0, &jwithcb));
  float hs[4] = {1, 2, -1, 0.5f};
  CHECK(jc_array_from_host(JC_FLOAT32, &s4, 1, hs, sizeof hs, &x));
  for (int rep = 0; rep < 2; rep++) {
    CHECK(jc_fn_call(jwithcb, &x, 1, &y, 1, &k));
    jc_array_free(y);
  }
  CHECK(jc_fn_call(jwithcb, &x, 1, &y, 1, &k));
  print_array("jit(pure_callback(cube) + x)", y, 4);
  printf("host callback ran %d times\n", calls);
  jc_array t4[] = {x, y};
  jc_array_free_all(t4, 2);

  jc_fn fns[] = {f, rule, lpe, g, vg, jvg, id, fwd, bwd, clip, loss, lg, jlg, step, total, tg, c, b, cube, withcb, jwithcb};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) jc_fn_free(fns[i]);
  printf("live arrays = %zu, live functions = %zu\n", jc_array_live_count(), jc_fn_live_count());
  return 0;
}
