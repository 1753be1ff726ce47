/* A tiny but real Proxy-Wasm (ABI 0.2.1) HTTP filter for the hub tests: it does nothing but
 * let requests through. Built with:
 *   python -m ziglang cc -target wasm32-wasi -mexec-model=reactor -O2 -o tiny.wasm tiny_filter.c
 */
#include <stdint.h>
#include <stdlib.h>

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("proxy_abi_version_0_2_1") void proxy_abi_version_0_2_1(void) {}

EXPORT("malloc") void *proxy_wasm_malloc(size_t size) { return malloc(size); }

EXPORT("proxy_on_context_create") void proxy_on_context_create(uint32_t id, uint32_t parent) {
    (void)id;
    (void)parent;
}

EXPORT("proxy_on_vm_start") uint32_t proxy_on_vm_start(uint32_t id, uint32_t size) {
    (void)id;
    (void)size;
    return 1;
}

EXPORT("proxy_on_configure") uint32_t proxy_on_configure(uint32_t id, uint32_t size) {
    (void)id;
    (void)size;
    return 1;
}

EXPORT("proxy_on_request_headers")
uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
    (void)id;
    (void)headers;
    (void)end_of_stream;
    return 0; /* Continue */
}

EXPORT("proxy_on_done") uint32_t proxy_on_done(uint32_t id) {
    (void)id;
    return 1;
}

EXPORT("proxy_on_delete") void proxy_on_delete(uint32_t id) { (void)id; }
