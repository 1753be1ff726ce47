/* A tiny hand-written Proxy-Wasm (ABI 0.2.1) filter for the Envoy runner's tests.
 *
 * HTTP: adds request header "x-c-filter: 1" and, if the request has "x-deny", replies 403
 * "denied by c filter"; adds response header "x-c-filter-response: 1". Logs the plugin
 * configuration at info level on configure; refuses the configuration "reject".
 * TCP: logs "tcp connection" on a new connection and counts the bytes in a log line.
 * Built by tests/envoy/conftest.py with zig cc; the .wasm is not committed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(proxy_log) int proxy_log(int level, const char *msg, size_t size);
IMPORT(proxy_add_header_map_value) int proxy_add_header_map_value(int map, const char *k, size_t ks,
                                                                 const char *v, size_t vs);
IMPORT(proxy_get_header_map_value) int proxy_get_header_map_value(int map, const char *k, size_t ks,
                                                                 const char **v, size_t *vs);
IMPORT(proxy_get_buffer_bytes) int proxy_get_buffer_bytes(int buf, size_t start, size_t max,
                                                         const char **data, size_t *size);
IMPORT(proxy_send_local_response) int proxy_send_local_response(
    int status, const char *details, size_t ds, const char *body, size_t bs,
    const char *headers, size_t hs, int grpc_status);

EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1(void) {}

EXPORT(malloc) void *exported_malloc(size_t size) { return malloc(size); }

static void log_str(int level, const char *s) { proxy_log(level, s, strlen(s)); }

EXPORT(proxy_on_context_create) void proxy_on_context_create(uint32_t ctx, uint32_t parent) {
  (void)ctx;
  (void)parent;
}

EXPORT(proxy_on_vm_start) int proxy_on_vm_start(uint32_t ctx, uint32_t size) {
  (void)ctx;
  (void)size;
  return 1;
}

EXPORT(proxy_on_configure) int proxy_on_configure(uint32_t ctx, uint32_t size) {
  (void)ctx;
  const char *data = NULL;
  size_t len = 0;
  if (size == 0 || proxy_get_buffer_bytes(7 /* PLUGIN_CONFIGURATION */, 0, size, &data, &len) != 0) {
    log_str(2, "c filter configured without configuration");
    return 1;
  }
  char msg[256] = "c filter configuration: ";
  size_t prefix = strlen(msg);
  size_t n = len < sizeof(msg) - prefix - 1 ? len : sizeof(msg) - prefix - 1;
  memcpy(msg + prefix, data, n);
  msg[prefix + n] = 0;
  log_str(2, msg);
  int reject = (len == 8 && memcmp(data, "\"reject\"", 8) == 0);
  free((void *)data);
  if (reject) {
    log_str(4, "c filter: configuration rejected");
    return 0;
  }
  return 1;
}

EXPORT(proxy_on_request_headers) int proxy_on_request_headers(uint32_t ctx, uint32_t n, int eos) {
  (void)ctx;
  (void)n;
  (void)eos;
  const char *v = NULL;
  size_t vs = 0;
  if (proxy_get_header_map_value(0, "x-deny", 6, &v, &vs) == 0) {
    free((void *)v);
    log_str(3, "c filter: denying request");
    proxy_send_local_response(403, "c_filter", 8, "denied by c filter\n", 19, "", 0, -1);
    return 1; /* Pause */
  }
  proxy_add_header_map_value(0, "x-c-filter", 10, "1", 1);
  return 0;
}

EXPORT(proxy_on_response_headers) int proxy_on_response_headers(uint32_t ctx, uint32_t n, int eos) {
  (void)ctx;
  (void)n;
  (void)eos;
  proxy_add_header_map_value(2, "x-c-filter-response", 19, "1", 1);
  return 0;
}

EXPORT(proxy_on_new_connection) int proxy_on_new_connection(uint32_t ctx) {
  (void)ctx;
  log_str(2, "c filter: tcp connection");
  return 0;
}

EXPORT(proxy_on_downstream_data) int proxy_on_downstream_data(uint32_t ctx, uint32_t size, int eos) {
  (void)ctx;
  (void)eos;
  char msg[64];
  static const char digits[] = "0123456789";
  char num[16];
  int i = 0;
  uint32_t v = size;
  do { num[i++] = digits[v % 10]; v /= 10; } while (v && i < 15);
  strcpy(msg, "c filter: downstream bytes ");
  size_t p = strlen(msg);
  while (i > 0) msg[p++] = num[--i];
  msg[p] = 0;
  log_str(2, msg);
  return 0;
}

EXPORT(proxy_on_upstream_data) int proxy_on_upstream_data(uint32_t ctx, uint32_t size, int eos) {
  (void)ctx;
  (void)size;
  (void)eos;
  return 0;
}

EXPORT(proxy_on_done) int proxy_on_done(uint32_t ctx) {
  (void)ctx;
  return 1;
}
