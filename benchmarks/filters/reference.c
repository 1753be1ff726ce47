/* The benchmark's reference filter (issue 7) in C against the raw Proxy-Wasm ABI v0.2.1.
 *
 * Request: read x-user; "blocked" gets a local 403 "denied"; anyone else gets request header
 * "x-filter: 1". Response: add "x-powered-by: filter". Every request increments the counter
 * "bench_requests" (wasmcustom.bench_requests in Envoy's /stats).
 *
 * Build (bench_envoy.py does this):
 *   python -m ziglang cc -target wasm32-wasi -mexec-model=reactor -O2 -s \
 *     -Wl,--export=malloc -Wl,--export=free -o reference_c.wasm reference.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

enum { REQUEST_HEADERS = 0, RESPONSE_HEADERS = 2 };
enum { CONTINUE = 0, PAUSE = 1 };
enum { OK = 0 };

IMPORT(proxy_get_header_map_value)
int32_t proxy_get_header_map_value(int32_t map, const char *key, size_t key_size,
                                   char **value, size_t *value_size);
IMPORT(proxy_add_header_map_value)
int32_t proxy_add_header_map_value(int32_t map, const char *key, size_t key_size,
                                   const char *value, size_t value_size);
IMPORT(proxy_send_local_response)
int32_t proxy_send_local_response(int32_t status, const char *details, size_t details_size,
                                  const char *body, size_t body_size, const char *headers,
                                  size_t headers_size, int32_t grpc_status);
IMPORT(proxy_define_metric)
int32_t proxy_define_metric(int32_t type, const char *name, size_t name_size, uint32_t *id);
IMPORT(proxy_increment_metric)
int32_t proxy_increment_metric(uint32_t id, int64_t offset);

#define S(lit) lit, (sizeof(lit) - 1)

static uint32_t counter_id;
static int counter_defined;

EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1(void) {}

EXPORT(proxy_on_context_create) void proxy_on_context_create(uint32_t ctx, uint32_t parent) {
  (void)ctx;
  (void)parent;
}

EXPORT(proxy_on_vm_start) uint32_t proxy_on_vm_start(uint32_t ctx, uint32_t size) {
  (void)ctx;
  (void)size;
  return 1;
}

EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t ctx, uint32_t size) {
  (void)ctx;
  (void)size;
  if (!counter_defined && proxy_define_metric(0, S("bench_requests"), &counter_id) == OK)
    counter_defined = 1;
  return 1;
}

EXPORT(proxy_on_request_headers)
uint32_t proxy_on_request_headers(uint32_t ctx, uint32_t num_headers, uint32_t eos) {
  (void)ctx;
  (void)num_headers;
  (void)eos;
  if (counter_defined) proxy_increment_metric(counter_id, 1);
  char *value = NULL;
  size_t size = 0;
  int blocked = 0;
  if (proxy_get_header_map_value(REQUEST_HEADERS, S("x-user"), &value, &size) == OK) {
    blocked = size == 7 && memcmp(value, "blocked", 7) == 0;
    free(value);
  }
  if (blocked) {
    proxy_send_local_response(403, S(""), S("denied"), NULL, 0, -1);
    return PAUSE;
  }
  proxy_add_header_map_value(REQUEST_HEADERS, S("x-filter"), S("1"));
  return CONTINUE;
}

EXPORT(proxy_on_response_headers)
uint32_t proxy_on_response_headers(uint32_t ctx, uint32_t num_headers, uint32_t eos) {
  (void)ctx;
  (void)num_headers;
  (void)eos;
  proxy_add_header_map_value(RESPONSE_HEADERS, S("x-powered-by"), S("filter"));
  return CONTINUE;
}

EXPORT(proxy_on_done) uint32_t proxy_on_done(uint32_t ctx) {
  (void)ctx;
  return 1;
}
