/* Clients and devices from C: the CPU plugin with 4 devices. */
#include <stdio.h>
#include "jaxcore.h"

int main(void) {
  jc_client_options o = {0};
  o.struct_size = sizeof o;
  o.cpu_device_count = 4;
  jc_client c;
  if (jc_client_open("cpu", &o, &c) != JC_OK) {
    printf("error: %s\n", jc_last_error());
    return 1;
  }
  char name[32];
  size_t len, n;
  jc_client_platform(c, name, sizeof name, &len);
  jc_client_device_count(c, &n);
  printf("platform %s, %zu devices:", name, n);
  for (size_t i = 0; i < n; i++) {
    jc_device d;
    int64_t id;
    jc_client_device(c, i, &d);
    jc_device_id(d, &id);
    printf(" %lld", (long long)id);
    jc_device_free(d);
  }
  printf("\n");
  jc_device bad;
  printf("out of range: %d\n", jc_client_device(c, n, &bad));

  /* device_put to device 2, read back, and use it as a jit argument */
  jc_device d2;
  jc_client_device(c, 2, &d2);
  float v[3] = {1, 2, 3};
  int64_t s3 = 3;
  jc_array x, xd, y, sum;
  jc_array_from_host(JC_FLOAT32, &s3, 1, v, sizeof v, &x);
  if (jc_array_device_put(x, d2, &xd) != JC_OK) {
    printf("error: %s\n", jc_last_error());
    return 1;
  }
  int64_t where;
  jc_array_device_index(xd, &where);
  jc_add(xd, xd, &y);
  jc_sum(y, &sum);
  float total;
  jc_array_to_host(sum, &total, sizeof total);
  printf("on device %lld, sum of 2x = %.1f\n", (long long)where, total);
  jc_array all[] = {x, xd, y, sum};
  jc_array_free_all(all, 4);
  jc_device_free(d2);
  jc_client_free(c);
  return 0;
}
