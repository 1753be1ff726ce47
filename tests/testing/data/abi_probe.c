// A tiny hand-written Proxy-Wasm filter (ABI 0.2.1) used to test the wasm runtime's adapters
// without the Python compiler. Built by tests/testing/conftest.py with `python -m ziglang cc`.
//
// Behaviour, keyed on the request path:
//   on_vm_start: logs "vm config: <config>"; on_configure: logs "plugin config: <config>"
//                and sets a 1000 ms tick period.
//   request headers: adds "x-probe: c", replaces "x-replace", removes "x-remove",
//     /deny   -> local reply 403 "denied" with header x-reason: probe, returns CONTINUE
//     /pause  -> returns PAUSE
//     /call   -> proxy_http_call("upstream", ...) then PAUSE; answered -> on_http_call_response
//                copies the callout body into request header x-callout and resumes
//     /pairs  -> replaces all request headers with the pairs ("a","1"),("b","22")
//     /status -> logs "bad log: <status>" from proxy_log(level 9)
//   request body: PAUSE until end of stream, then replaces the body with "<n bytes>"
//   response headers: logs "req headers in resp: <status>" from reading request headers,
//     adds "x-resp: 1"
//   tick: increments counter "ticks", CAS-increments shared data "n", enqueues "tick" to the
//     queue it registered as "q" in on_configure
//   queue ready: dequeues and logs "dequeued: <value>"
//   on_log: logs "log <path>" reading :path from the request headers (access-log phase)
//   printf goes to stdout (WASI fd 1).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(proxy_log) int proxy_log(int level, const char *msg, int size);
IMPORT(proxy_set_tick_period_milliseconds) int proxy_set_tick_period_milliseconds(int ms);
IMPORT(proxy_get_buffer_bytes) int proxy_get_buffer_bytes(int t, int start, int max, char **p, int *s);
IMPORT(proxy_set_buffer_bytes) int proxy_set_buffer_bytes(int t, int start, int size, const char *p, int s);
IMPORT(proxy_get_header_map_value) int proxy_get_header_map_value(int m, const char *k, int ks, char **p, int *s);
IMPORT(proxy_add_header_map_value) int proxy_add_header_map_value(int m, const char *k, int ks, const char *v, int vs);
IMPORT(proxy_replace_header_map_value) int proxy_replace_header_map_value(int m, const char *k, int ks, const char *v, int vs);
IMPORT(proxy_remove_header_map_value) int proxy_remove_header_map_value(int m, const char *k, int ks);
IMPORT(proxy_set_header_map_pairs) int proxy_set_header_map_pairs(int m, const char *p, int s);
IMPORT(proxy_get_header_map_pairs) int proxy_get_header_map_pairs(int m, char **p, int *s);
IMPORT(proxy_send_local_response) int proxy_send_local_response(int code, const char *d, int ds, const char *b, int bs, const char *h, int hs, int grpc);
IMPORT(proxy_http_call) int proxy_http_call(const char *u, int us, const char *h, int hs, const char *b, int bs, const char *t, int ts, int timeout, int *token);
IMPORT(proxy_set_effective_context) int proxy_set_effective_context(int id);
IMPORT(proxy_continue_stream) int proxy_continue_stream(int type);
IMPORT(proxy_define_metric) int proxy_define_metric(int type, const char *n, int ns, int *id);
IMPORT(proxy_increment_metric) int proxy_increment_metric(int id, int64_t delta);
IMPORT(proxy_get_shared_data) int proxy_get_shared_data(const char *k, int ks, char **p, int *s, uint32_t *cas);
IMPORT(proxy_set_shared_data) int proxy_set_shared_data(const char *k, int ks, const char *v, int vs, uint32_t cas);
IMPORT(proxy_register_shared_queue) int proxy_register_shared_queue(const char *n, int ns, int *id);
IMPORT(proxy_enqueue_shared_queue) int proxy_enqueue_shared_queue(int id, const char *v, int vs);
IMPORT(proxy_dequeue_shared_queue) int proxy_dequeue_shared_queue(int id, char **p, int *s);
IMPORT(proxy_get_property) int proxy_get_property(const char *path, int ps, char **p, int *s);

EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1(void) {}

static void logf_(int level, const char *fmt, const char *a, int alen) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, fmt, alen, a);
  proxy_log(level, buf, n);
}

static int root_id, queue_id, counter_id, call_stream;

EXPORT(proxy_on_context_create) void on_context_create(int id, int parent) {
  if (parent == 0) root_id = id;
}

EXPORT(proxy_on_vm_start) int on_vm_start(int id, int size) {
  char *p = 0; int s = 0;
  proxy_get_buffer_bytes(6, 0, size, &p, &s);
  logf_(2, "vm config: %.*s", p ? p : "", s);
  free(p);
  return 1;
}

EXPORT(proxy_on_configure) int on_configure(int id, int size) {
  char *p = 0; int s = 0;
  proxy_get_buffer_bytes(7, 0, size, &p, &s);
  logf_(2, "plugin config: %.*s", p ? p : "", s);
  int fail = s == 4 && memcmp(p, "fail", 4) == 0;
  free(p);
  proxy_set_tick_period_milliseconds(1000);
  proxy_register_shared_queue("q", 1, &queue_id);
  proxy_define_metric(0, "ticks", 5, &counter_id);
  printf("configured\n");
  fflush(stdout);
  return !fail;
}

static int path_is(const char *want) {
  char *p = 0; int s = 0;
  if (proxy_get_header_map_value(0, ":path", 5, &p, &s) != 0) return 0;
  int eq = s == (int)strlen(want) && memcmp(p, want, s) == 0;
  free(p);
  return eq;
}

EXPORT(proxy_on_request_headers) int on_request_headers(int id, int n, int eos) {
  proxy_add_header_map_value(0, "X-Probe", 7, "c", 1);
  proxy_replace_header_map_value(0, "x-replace", 9, "new", 3);
  proxy_remove_header_map_value(0, "x-remove", 8);
  if (path_is("/deny")) {
    // pairs: x-reason: probe
    static const char h[] = "\x01\0\0\0" "\x08\0\0\0" "\x05\0\0\0" "x-reason\0probe\0";
    proxy_send_local_response(403, "denied by probe", 15, "denied", 6, h, sizeof h - 1, -1);
    return 0;
  }
  if (path_is("/pause")) return 1;
  if (path_is("/status")) {
    char buf[32];
    int st = proxy_log(9, "x", 1);
    int len = snprintf(buf, sizeof buf, "%d", st);
    logf_(2, "bad log: %.*s", buf, len);
  }
  if (path_is("/pairs")) {
    static const char h[] = "\x02\0\0\0" "\x01\0\0\0\x01\0\0\0" "\x01\0\0\0\x02\0\0\0" "a\0" "1\0" "b\0" "22\0";
    proxy_set_header_map_pairs(0, h, sizeof h - 1);
    char *p = 0; int s = 0;
    proxy_get_header_map_pairs(0, &p, &s);
    char buf[16];
    int len = snprintf(buf, sizeof buf, "%d", s);
    logf_(2, "pairs size: %.*s", buf, len);
    free(p);
  }
  if (path_is("/call")) {
    static const char h[] = "\x03\0\0\0" "\x07\0\0\0\x03\0\0\0" "\x05\0\0\0\x01\0\0\0" "\x0a\0\0\0\x04\0\0\0"
                            ":method\0GET\0" ":path\0/\0" ":authority\0auth\0";
    int token = 0;
    int st = proxy_http_call("upstream", 8, h, sizeof h - 1, "ping", 4, "", 0, 5000, &token);
    if (st != 0) {
      char buf[32];
      int len = snprintf(buf, sizeof buf, "%d", st);
      logf_(4, "http_call failed: %.*s", buf, len);
      return 0;
    }
    call_stream = id;
    return 1;
  }
  return 0;
}

EXPORT(proxy_on_http_call_response) void on_http_call_response(int root, int token, int nh, int bs, int nt) {
  char *p = 0; int s = 0;
  proxy_get_buffer_bytes(4, 0, bs, &p, &s);
  proxy_set_effective_context(call_stream);
  proxy_add_header_map_value(0, "x-callout", 9, p ? p : "", s);
  free(p);
  proxy_continue_stream(0);
}

EXPORT(proxy_on_request_body) int on_request_body(int id, int size, int eos) {
  if (!eos) return 1;
  char buf[32];
  int len = snprintf(buf, sizeof buf, "<%d bytes>", size);
  proxy_set_buffer_bytes(0, 0, size, buf, len);
  return 0;
}

EXPORT(proxy_on_response_headers) int on_response_headers(int id, int n, int eos) {
  char *p = 0; int s = 0;
  int st = proxy_get_header_map_value(0, ":path", 5, &p, &s);
  char buf[32];
  int len = snprintf(buf, sizeof buf, "%d", st);
  logf_(2, "req headers in resp: %.*s", buf, len);
  proxy_add_header_map_value(2, "x-resp", 6, "1", 1);
  return 0;
}

EXPORT(proxy_on_tick) void on_tick(int root) {
  proxy_increment_metric(counter_id, 1);
  for (;;) {
    char *p = 0; int s = 0; uint32_t cas = 0;
    long n = 0;
    if (proxy_get_shared_data("n", 1, &p, &s, &cas) == 0) { n = strtol(p, 0, 10); free(p); }
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld", n + 1);
    if (proxy_set_shared_data("n", 1, buf, len, cas) == 0) break;
  }
  proxy_enqueue_shared_queue(queue_id, "tick", 4);
}

EXPORT(proxy_on_queue_ready) void on_queue_ready(int root, int qid) {
  char *p = 0; int s = 0;
  if (proxy_dequeue_shared_queue(qid, &p, &s) == 0) {
    logf_(2, "dequeued: %.*s", p, s);
    free(p);
  }
}

EXPORT(proxy_on_log) void on_log(int id) {
  char *p = 0; int s = 0;
  if (proxy_get_header_map_value(0, ":path", 5, &p, &s) == 0) {
    logf_(2, "log %.*s", p, s);
    free(p);
  }
}

EXPORT(proxy_on_done) int on_done(int id) { return 1; }
