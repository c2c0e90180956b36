/* Misuse of the C ABI: every call gets an error status and a message that
 * names the problem, and the process never aborts. Prints one line per check
 * and "N passed, N failed" at the end. */
#include <stdio.h>
#include <string.h>
#include "jaxcore.h"

static int passed = 0, failed = 0;

static void expect(const char *what, jc_status got, jc_status want, const char *needle) {
  const char *msg = jc_last_error();
  int ok = (got == want) && (needle == NULL || strstr(msg, needle) != NULL);
  if (ok) passed++; else failed++;
  printf("%s %s: status %d (want %d) \"%s\"\n", ok ? "ok  " : "FAIL", what, got, want, msg);
}

static jc_status failing_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)in; (void)n; (void)out; (void)cap; (void)n_out;
  jc_set_error(JC_ERR_VALUE, "my callback refuses");
  return JC_ERR_VALUE;
}
static jc_status inner_error_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  jc_array three;
  int64_t s3 = 3;
  float v[3] = {1, 2, 3};
  jc_array_from_host(JC_FLOAT32, &s3, 1, v, sizeof v, &three);
  jc_status s = jc_add(in[0], three, &out[0]); /* in[0] is f32[4]: a shape error */
  jc_array_free(three);
  *n_out = 1;
  return s;
}
static jc_status bad_outputs_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)in; (void)n; (void)cap;
  out[0] = NULL;
  out[1] = (jc_array)(uintptr_t)0x12345;
  *n_out = 2;
  return JC_OK;
}
static int freed = 0;
static void free_ud(void *p) { (void)p; freed++; }
static jc_status identity_cb(void *ud, const jc_array *in, size_t n, jc_array *out, size_t cap, size_t *n_out) {
  (void)ud; (void)n; (void)cap;
  *n_out = 1;
  return jc_array_retain(in[0], &out[0]);
}

int main(void) {
  jc_array a = NULL, b = NULL, r = NULL;
  jc_fn f = NULL, g = NULL, vm_unused = NULL;
  size_t n = 0;
  int64_t s4 = 4, s3 = 3;
  float v4[4] = {1, 2, 3, 4}, v3[3] = {1, 2, 3};

  expect("null array handle", jc_add(NULL, NULL, &r), JC_ERR_INVALID_ARGUMENT, "null jc_array handle");
  expect("null out-pointer", jc_array_from_host(JC_FLOAT32, &s4, 1, v4, sizeof v4, NULL), JC_ERR_INVALID_ARGUMENT, "out-pointer is null");
  expect("bad dtype code", jc_array_from_host(99, &s4, 1, v4, sizeof v4, &a), JC_ERR_INVALID_ARGUMENT, "unknown dtype code 99");
  expect("byte count mismatch", jc_array_from_host(JC_FLOAT32, &s4, 1, v4, 3, &a), JC_ERR_VALUE, "expected 16 bytes");
  int64_t neg = -2;
  expect("negative dimension", jc_array_from_host(JC_FLOAT32, &neg, 1, v4, 0, &a), JC_ERR_VALUE, "negative dimension");
  int64_t huge[3] = {1LL << 40, 1LL << 40, 1LL << 40};
  expect("overflowing shape", jc_array_from_host(JC_FLOAT32, huge, 3, v4, 16, &a), JC_ERR_VALUE, "overflows");
  int64_t zero = 0;
  expect("zero-size array is fine", jc_array_from_host(JC_FLOAT32, &zero, 1, NULL, 0, &r), JC_OK, NULL);
  jc_array_free(r);

  jc_array_from_host(JC_FLOAT32, &s4, 1, v4, sizeof v4, &a);
  jc_array_from_host(JC_FLOAT32, &s3, 1, v3, sizeof v3, &b);
  expect("mismatched shapes", jc_add(a, b, &r), JC_ERR_TYPE, "incompatible shapes for broadcasting: (4,), (3,)");
  expect("matmul of vectors of different length", jc_matmul(a, b, &r), JC_ERR_TYPE, "contracting dimensions");
  float dst[2];
  expect("copy to a too-small buffer", jc_array_to_host(a, dst, sizeof dst), JC_ERR_VALUE, "has 16 bytes, the destination 8");
  expect("unknown op", jc_op("no_such_op", &a, 1, NULL, &r, 1, &n), JC_ERR_NOT_IMPLEMENTED, "no_such_op");
  jc_params p = {0};
  p.struct_size = 3;
  expect("params struct_size too small", jc_op("sum", &a, 1, &p, &r, 1, &n), JC_ERR_INVALID_ARGUMENT, "struct_size");
  expect("op with too few arguments", jc_op("add", &a, 1, NULL, &r, 1, &n), JC_ERR_TYPE, "takes 2 array argument(s)");

  expect("freed handle", jc_array_free(b), JC_OK, NULL);
  expect("use after free", jc_add(a, b, &r), JC_ERR_INVALID_ARGUMENT, "after it was freed");
  expect("double free", jc_array_free(b), JC_ERR_INVALID_ARGUMENT, "freed twice");
  expect("free of null is fine", jc_array_free(NULL), JC_OK, NULL);

  expect("null callback", jc_fn_from_callback(NULL, NULL, NULL, "x", &f), JC_ERR_INVALID_ARGUMENT, "null callback");
  jc_fn_from_callback(failing_cb, NULL, NULL, "failing", &f);
  expect("function handle passed as an array", jc_add((jc_array)f, a, &r), JC_ERR_INVALID_ARGUMENT, "not a jc_array handle");
  expect("array handle passed as a function", jc_grad((jc_fn)a, NULL, 0, false, &g), JC_ERR_INVALID_ARGUMENT, "not a jc_fn handle");
  expect("failing callback", jc_fn_call(f, &a, 1, &r, 1, &n), JC_ERR_VALUE, "my callback refuses");
  jc_grad(f, NULL, 0, false, &g);
  expect("failing callback under grad", jc_fn_call(g, &a, 1, &r, 1, &n), JC_ERR_VALUE, "my callback refuses");
  jc_fn_free(g);
  jc_fn_free(f);
  jc_fn_from_callback(inner_error_cb, NULL, NULL, "inner", &f);
  expect("error inside a callback keeps its message", jc_fn_call(f, &a, 1, &r, 1, &n), JC_ERR_TYPE, "incompatible shapes");
  jc_fn_free(f);
  jc_fn_from_callback(bad_outputs_cb, NULL, NULL, "bad", &f);
  expect("callback returning invalid handles", jc_fn_call(f, &a, 1, &r, 1, &n), JC_ERR_VALUE, "not a valid array handle");
  jc_fn_free(f);
  jc_fn_from_callback(identity_cb, (void *)1, free_ud, "id", &f);
  jc_array outs[1];
  expect("too little room for outputs", jc_fn_call(f, &a, 1, outs, 0, &n), JC_ERR_VALUE, "room for 0");
  expect("grad of a vector-valued function", (jc_grad(f, NULL, 0, false, &g), jc_fn_call(g, &a, 1, &r, 1, &n)), JC_ERR_TYPE, "Gradient only defined for scalar-output functions");
  jc_fn_free(g);
  expect("closure_convert with a null out-pointer", jc_closure_convert(f, &a, 1, NULL, outs, 1, &n), JC_ERR_INVALID_ARGUMENT, "jc_closure_convert");
  expect("closure_convert of a function that fails", (jc_fn_from_callback(failing_cb, NULL, NULL, "fails", &g), jc_closure_convert(g, &a, 1, &vm_unused, outs, 1, &n)), JC_ERR_VALUE, "my callback refuses");
  jc_fn_free(g);
  int64_t bad_axes[2] = {0, 0};
  jc_fn vm;
  jc_vmap(f, bad_axes, 2, NULL, 0, -1, &vm);
  expect("vmap with in_axes of the wrong length", jc_fn_call(vm, &a, 1, &r, 1, &n), JC_ERR_VALUE, "in_axes");
  jc_fn_free(vm);
  jc_fn_free(f);
  expect("user data freed with the last function", freed == 1 ? JC_OK : JC_ERR_INTERNAL, JC_OK, NULL);
  expect("free of a freed function", jc_fn_free(f), JC_ERR_INVALID_ARGUMENT, "freed twice");

  jc_client cl = NULL;
  expect("unknown platform", jc_client_open("no-such-platform", NULL, &cl), JC_ERR_VALUE, "unknown PJRT platform");
  expect("missing plugin file", jc_client_open("/nonexistent/plugin.so", NULL, &cl), JC_ERR_RUNTIME, "/nonexistent/plugin.so");
  expect("null client", jc_client_device_count(NULL, &n), JC_ERR_INVALID_ARGUMENT, "null jc_client handle");

  jc_array_free(a);
  printf("live arrays %zu, live functions %zu\n", jc_array_live_count(), jc_fn_live_count());
  expect("no handle leaked", (jc_array_live_count() == 0 && jc_fn_live_count() == 0) ? JC_OK : JC_ERR_INTERNAL, JC_OK, NULL);
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
