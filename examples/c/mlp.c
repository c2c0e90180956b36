/* Trains a small MLP (8-32-32-4, tanh, softmax cross-entropy) with
 * jit(value_and_grad(loss)) and plain SGD, from C. The labels come from a
 * random teacher network, so the loss can fall well below log(4). */
#include <stdio.h>
#include <stdlib.h>
#include "jaxcore.h"

#define CHECK(call)                                                         \
  do {                                                                      \
    jc_status s_ = (call);                                                  \
    if (s_ != JC_OK) {                                                      \
      fprintf(stderr, "%s failed (%d): %s\n", #call, s_, jc_last_error()); \
      exit(1);                                                              \
    }                                                                       \
  } while (0)

static jc_params P(const int64_t *ints, size_t n_ints, int32_t dtype, uint32_t flags) {
  jc_params p = {0};
  p.struct_size = sizeof p;
  p.ints = ints;
  p.n_ints = n_ints;
  p.dtype = dtype;
  p.flags = flags;
  return p;
}

/* One result of jc_op (status through *s; does nothing once *s failed). */
static jc_array op(jc_status *s, const char *name, const jc_array *args, size_t n, const jc_params *p) {
  jc_array out = NULL;
  size_t k = 0;
  if (*s == JC_OK) *s = jc_op(name, args, n, p, &out, 1, &k);
  return out;
}

/* loss(w1, b1, w2, b2, w3, b3, x, y) = mean(-sum(log_softmax(mlp(x)) * y, -1)) */
static jc_status loss_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_status s = JC_OK;
  jc_array t[16] = {0};
  int k = 0;
  jc_array h = in[6];
  for (int l = 0; l < 3; l++) {
    jc_array a[2] = {h, in[2 * l]};
    t[k] = op(&s, "matmul", a, 2, NULL);
    jc_array b[2] = {t[k++], in[2 * l + 1]};
    t[k] = op(&s, "add", b, 2, NULL);
    if (l < 2) {
      jc_array c = t[k++];
      t[k] = op(&s, "tanh", &c, 1, NULL);
    }
    h = t[k++];
  }
  int64_t last = -1;
  jc_params keep = P(&last, 1, -1, JC_FLAG_AXIS | JC_FLAG_KEEPDIMS);
  jc_params axis = P(&last, 1, -1, JC_FLAG_AXIS);
  t[k] = op(&s, "logsumexp", &h, 1, &keep);
  jc_array d[2] = {h, t[k++]};
  t[k] = op(&s, "subtract", d, 2, NULL);
  jc_array m[2] = {t[k++], in[7]};
  t[k] = op(&s, "multiply", m, 2, NULL);
  jc_array sm = t[k++];
  t[k] = op(&s, "sum", &sm, 1, &axis);
  jc_array ng = t[k++];
  t[k] = op(&s, "negative", &ng, 1, NULL);
  jc_array me = t[k++];
  if (s == JC_OK) out[0] = op(&s, "mean", &me, 1, NULL);
  for (int i = 0; i < k; i++) jc_array_free(t[i]);
  *n_out = 1;
  return s;
}

int main(void) {
  const int64_t sizes[4] = {8, 32, 32, 4};
  jc_array params[6], key, x, y, teacher;
  size_t n;
  jc_status s = JC_OK;
  int64_t seed = 0;
  jc_params kp = P(&seed, 1, -1, 0);
  CHECK(jc_op("random.key", NULL, 0, &kp, &key, 1, &n));
  int64_t nk = 8;
  jc_params sp = P(&nk, 1, -1, 0);
  jc_array keys;
  CHECK(jc_op("random.split", &key, 1, &sp, &keys, 1, &n));
  jc_array k_[8];
  for (int64_t i = 0; i < 8; i++) {
    int64_t spec[4] = {JC_INDEX_INT, i, 0, 0};
    jc_params ip = P(spec, 4, -1, 0);
    CHECK(jc_op("getitem", &keys, 1, &ip, &k_[i], 1, &n));
  }
  for (int l = 0; l < 3; l++) {
    int64_t wshape[2] = {sizes[l], sizes[l + 1]};
    jc_params np_ = P(wshape, 2, JC_FLOAT32, 0);
    jc_array w = op(&s, "random.normal", &k_[l], 1, &np_), scale;
    CHECK(s);
    CHECK(jc_weak_float(0.4, &scale));
    jc_array ws[2] = {w, scale};
    params[2 * l] = op(&s, "multiply", ws, 2, NULL);
    jc_params zp = P(&sizes[l + 1], 1, JC_FLOAT32, 0);
    params[2 * l + 1] = op(&s, "zeros", NULL, 0, &zp);
    CHECK(s);
    jc_array_free(w);
    jc_array_free(scale);
  }
  /* data: x ~ N(0, 1), labels = argmax(x @ teacher) */
  int64_t xshape[2] = {256, 8}, tshape[2] = {8, 4};
  jc_params xp = P(xshape, 2, JC_FLOAT32, 0), tp = P(tshape, 2, JC_FLOAT32, 0);
  x = op(&s, "random.normal", &k_[4], 1, &xp);
  teacher = op(&s, "random.normal", &k_[5], 1, &tp);
  jc_array xt[2] = {x, teacher};
  jc_array logits = op(&s, "matmul", xt, 2, NULL);
  int64_t last = -1;
  jc_params ap = P(&last, 1, -1, JC_FLAG_AXIS);
  jc_array labels = op(&s, "argmax", &logits, 1, &ap);
  int64_t classes = 4;
  jc_params op_ = P(&classes, 1, JC_FLOAT32, 0);
  y = op(&s, "one_hot", &labels, 1, &op_);
  CHECK(s);

  jc_fn loss, vg, step;
  int64_t argnums[6] = {0, 1, 2, 3, 4, 5};
  CHECK(jc_fn_from_callback(loss_cb, NULL, NULL, "loss", &loss));
  CHECK(jc_value_and_grad(loss, argnums, 6, false, &vg));
  CHECK(jc_jit(vg, NULL, 0, NULL, 0, &step));
  jc_array lr;
  CHECK(jc_weak_float(0.5, &lr));
  float first = 0, last_loss = 0;
  for (int it = 0; it <= 300; it++) {
    jc_array args[8], outs[7];
    for (int i = 0; i < 6; i++) args[i] = params[i];
    args[6] = x;
    args[7] = y;
    CHECK(jc_fn_call(step, args, 8, outs, 7, &n));
    float v;
    CHECK(jc_array_to_host(outs[0], &v, sizeof v));
    if (it == 0) first = v;
    last_loss = v;
    if (it % 100 == 0) printf("step %3d  loss %.4f\n", it, v);
    for (int i = 0; i < 6; i++) {
      jc_array lg[2] = {lr, outs[1 + i]};
      jc_array upd = op(&s, "multiply", lg, 2, NULL);
      jc_array pu[2] = {params[i], upd};
      jc_array np2 = op(&s, "subtract", pu, 2, NULL);
      CHECK(s);
      jc_array_free(params[i]);
      jc_array_free(upd);
      params[i] = np2;
    }
    CHECK(jc_array_free_all(outs, n));
  }
  printf("loss fell from %.4f to %.4f\n", first, last_loss);
  jc_array rest[] = {key, keys, x, y, teacher, logits, labels, lr};
  CHECK(jc_array_free_all(rest, sizeof rest / sizeof rest[0]));
  CHECK(jc_array_free_all(params, 6));
  CHECK(jc_array_free_all(k_, 8));
  jc_fn_free(step);
  jc_fn_free(vg);
  jc_fn_free(loss);
  printf("live arrays = %zu, live functions = %zu\n", jc_array_live_count(), jc_fn_live_count());
  return last_loss < 0.5f * first ? 0 : 1;
}
