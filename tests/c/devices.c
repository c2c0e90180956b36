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
  jc_client_free(c);
  return 0;
}
