/* The seed's scaling example from C, on 8 CPU devices: the parameters of an
 * MLP sharded over mesh axis `data` (FSDP), the batch split the same way,
 * jit(grad(loss)) partitioned by XLA over the mesh. The gradients equal the
 * single-device ones. */
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

static jc_array op(jc_status *s, const char *name, const jc_array *args, size_t n) {
  jc_array out = NULL;
  size_t k = 0;
  if (*s == JC_OK) *s = jc_op(name, args, n, NULL, &out, 1, &k);
  return out;
}

/* loss(w1, b1, w2, b2, x, y) = mean((tanh(x @ w1 + b1) @ w2 + b2 - y)^2) */
static jc_status loss_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_status s = JC_OK;
  jc_array t[8] = {0};
  jc_array a0[2] = {in[4], in[0]};
  t[0] = op(&s, "matmul", a0, 2);
  jc_array a1[2] = {t[0], in[1]};
  t[1] = op(&s, "add", a1, 2);
  t[2] = op(&s, "tanh", &t[1], 1);
  jc_array a3[2] = {t[2], in[2]};
  t[3] = op(&s, "matmul", a3, 2);
  jc_array a4[2] = {t[3], in[3]};
  t[4] = op(&s, "add", a4, 2);
  jc_array a5[2] = {t[4], in[5]};
  t[5] = op(&s, "subtract", a5, 2);
  jc_array a6[2] = {t[5], t[5]};
  t[6] = op(&s, "multiply", a6, 2);
  if (s == JC_OK) out[0] = op(&s, "mean", &t[6], 1);
  for (int i = 0; i < 7; i++) jc_array_free(t[i]);
  *n_out = 1;
  return s;
}

static jc_array filled(const int64_t *shape, size_t ndim, float scale, int salt) {
  size_t count = 1;
  for (size_t i = 0; i < ndim; i++) count *= (size_t)shape[i];
  float *v = malloc(count * sizeof *v);
  for (size_t i = 0; i < count; i++) v[i] = scale * ((float)((i * 37 + (size_t)salt * 11) % 97) / 48.0f - 1.0f);
  jc_array a = NULL;
  CHECK(jc_array_from_host(JC_FLOAT32, shape, ndim, v, count * sizeof *v, &a));
  free(v);
  return a;
}

int main(void) {
  /* before anything touches a device: 8 CPU devices */
  CHECK(jc_set_cpu_device_count(8));
  const int64_t s_w1[2] = {16, 32}, s_b1[1] = {32}, s_w2[2] = {32, 8}, s_b2[1] = {8}, s_x[2] = {64, 16}, s_y[2] = {64, 8};
  jc_array args[6] = {filled(s_w1, 2, 0.3f, 1), filled(s_b1, 1, 0.1f, 2), filled(s_w2, 2, 0.3f, 3),
                      filled(s_b2, 1, 0.1f, 4), filled(s_x, 2, 1.0f, 5), filled(s_y, 2, 1.0f, 6)};

  jc_fn loss, g, jg;
  CHECK(jc_fn_from_callback(loss_cb, NULL, NULL, "loss", &loss));
  const int64_t argnums[4] = {0, 1, 2, 3};
  CHECK(jc_grad(loss, argnums, 4, false, &g));
  CHECK(jc_jit(g, NULL, 0, NULL, 0, &jg));

  /* single device */
  jc_array want[4];
  size_t n = 0;
  CHECK(jc_fn_call(jg, args, 6, want, 4, &n));

  /* FSDP over 8 devices: every array split on its first dimension over `data`
   * (Auto axes: XLA's partitioner decides the communication) */
  const size_t mesh_shape[1] = {8};
  const char *names[1] = {"data"};
  const int32_t types[1] = {JC_AXIS_AUTO};
  jc_mesh mesh;
  CHECK(jc_make_mesh(mesh_shape, names, types, 1, &mesh));
  char text[256];
  size_t len = 0;
  CHECK(jc_mesh_to_string(mesh, text, sizeof text, &len));
  printf("mesh: %s\n", text);
  const char *data[1] = {"data"};
  jc_array sharded[6];
  for (int i = 0; i < 6; i++) CHECK(jc_device_put_sharded(args[i], mesh, data, 1, &sharded[i]));
  size_t shards = 0;
  CHECK(jc_array_shard_count(sharded[0], &shards));
  CHECK(jc_array_sharding_string(sharded[0], text, sizeof text, &len));
  printf("w1: %zu shards, %s\n", shards, text);

  jc_array got[4];
  CHECK(jc_fn_call(jg, sharded, 6, got, 4, &n));
  double maxdiff = 0;
  for (int i = 0; i < 4; i++) {
    size_t size = 0;
    CHECK(jc_array_size(want[i], &size));
    float *a = malloc(size * 4), *b = malloc(size * 4);
    CHECK(jc_array_to_host(want[i], a, size * 4));
    CHECK(jc_array_to_host(got[i], b, size * 4));
    for (size_t j = 0; j < size; j++) {
      double d = (double)a[j] - (double)b[j];
      if (d < 0) d = -d;
      if (d > maxdiff) maxdiff = d;
    }
    free(a);
    free(b);
  }
  printf("fsdp gradients %s the single-device ones (max |diff| = %.2e)\n", maxdiff < 1e-5 ? "equal" : "DIFFER FROM", maxdiff);

  /* explicit mode: the sharding is part of the type */
  const int32_t explicit_[1] = {JC_AXIS_EXPLICIT};
  jc_mesh emesh;
  jc_array typed;
  CHECK(jc_make_mesh(mesh_shape, names, explicit_, 1, &emesh));
  CHECK(jc_device_put_sharded(args[0], emesh, data, 1, &typed));
  CHECK(jc_array_type_string(typed, text, sizeof text, &len));
  printf("typeof(w1) = %s\n", text);

  jc_array_free(typed);
  for (int i = 0; i < 4; i++) {
    jc_array_free(want[i]);
    jc_array_free(got[i]);
  }
  for (int i = 0; i < 6; i++) {
    jc_array_free(args[i]);
    jc_array_free(sharded[i]);
  }
  jc_mesh_free(mesh);
  jc_mesh_free(emesh);
  jc_fn_free(jg);
  jc_fn_free(g);
  jc_fn_free(loss);
  printf("live arrays = %zu, live functions = %zu\n", jc_array_live_count(), jc_fn_live_count());
  return maxdiff < 1e-5 ? 0 : 1;
}
