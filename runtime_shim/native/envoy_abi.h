/*
 * The subset of Envoy's dynamic-module ABI that proxy-wasm-python's native runtime uses.
 *
 * Written for Envoy 1.40 (dynamic-module ABI "v0.2.0"; the v0.1.x declarations of
 * source/extensions/dynamic_modules/abi/abi.h are guaranteed compatible with it). Only what
 * pw_native.c calls or exports is declared. Envoy logs "Dynamic module ABI version v0.2.0
 * matched." when the version below is the one it was built with (tests/native checks the log),
 * and tests/native checks that every callback declared here is exported by the envoy binary.
 */
#ifndef PW_ENVOY_ABI_H
#define PW_ENVOY_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PW_ENVOY_ABI_VERSION "v0.2.0"

typedef struct { const char *ptr; size_t length; } envoy_buffer;   /* owned by Envoy */
typedef struct { const char *ptr; size_t length; } module_buffer;  /* owned by the module */
typedef struct {
    const char *key_ptr; size_t key_length;
    const char *value_ptr; size_t value_length;
} envoy_header;  /* envoy_dynamic_module_type_{envoy,module}_http_header: same layout */

/* envoy_dynamic_module_type_http_header_type: same order as Proxy-Wasm map types 0..3. */
enum { HDR_REQUEST = 0, HDR_REQUEST_TRAILER = 1, HDR_RESPONSE = 2, HDR_RESPONSE_TRAILER = 3 };
/* envoy_dynamic_module_type_http_body_type */
enum { BODY_RECEIVED_REQUEST = 0, BODY_BUFFERED_REQUEST = 1,
       BODY_RECEIVED_RESPONSE = 2, BODY_BUFFERED_RESPONSE = 3 };
/* envoy_dynamic_module_type_http_callout_init_result */
enum { CALLOUT_INIT_SUCCESS = 0 };

typedef void *filter_config_envoy_ptr;
typedef const void *filter_config_module_ptr;
typedef void *filter_envoy_ptr;
typedef const void *filter_module_ptr;
typedef void *scheduler_ptr;

/* -- callbacks Envoy implements (resolved from the envoy binary at load time) -------------- */
void envoy_dynamic_module_callback_log(int level, module_buffer message);
bool envoy_dynamic_module_callback_log_enabled(int level);
bool envoy_dynamic_module_callback_http_get_header(filter_envoy_ptr f, int header_type,
    module_buffer key, envoy_buffer *result, size_t index, size_t *optional_size);
size_t envoy_dynamic_module_callback_http_get_headers_size(filter_envoy_ptr f, int header_type);
bool envoy_dynamic_module_callback_http_get_headers(filter_envoy_ptr f, int header_type,
    envoy_header *result_headers);
bool envoy_dynamic_module_callback_http_add_header(filter_envoy_ptr f, int header_type,
    module_buffer key, module_buffer value);
bool envoy_dynamic_module_callback_http_set_header(filter_envoy_ptr f, int header_type,
    module_buffer key, module_buffer value);
void envoy_dynamic_module_callback_http_send_response(filter_envoy_ptr f, uint32_t status_code,
    envoy_header *headers, size_t headers_size, module_buffer body, module_buffer details);
size_t envoy_dynamic_module_callback_http_get_body_chunks_size(filter_envoy_ptr f, int body_type);
bool envoy_dynamic_module_callback_http_get_body_chunks(filter_envoy_ptr f, int body_type,
    envoy_buffer *result);
bool envoy_dynamic_module_callback_http_append_body(filter_envoy_ptr f, int body_type,
    module_buffer data);
bool envoy_dynamic_module_callback_http_drain_body(filter_envoy_ptr f, int body_type, size_t n);
void envoy_dynamic_module_callback_http_filter_continue_decoding(filter_envoy_ptr f);
void envoy_dynamic_module_callback_http_filter_continue_encoding(filter_envoy_ptr f);
bool envoy_dynamic_module_callback_http_filter_get_attribute_string(filter_envoy_ptr f,
    int attribute_id, envoy_buffer *result);
bool envoy_dynamic_module_callback_http_filter_get_attribute_int(filter_envoy_ptr f,
    int attribute_id, uint64_t *result);
bool envoy_dynamic_module_callback_http_set_filter_state_bytes(filter_envoy_ptr f,
    module_buffer key, module_buffer value);
bool envoy_dynamic_module_callback_http_set_filter_state_typed(filter_envoy_ptr f,
    module_buffer key, module_buffer value);
bool envoy_dynamic_module_callback_http_get_filter_state_bytes(filter_envoy_ptr f,
    module_buffer key, envoy_buffer *result);
void envoy_dynamic_module_callback_http_set_dynamic_metadata_string(filter_envoy_ptr f,
    module_buffer ns, module_buffer key, module_buffer value);
bool envoy_dynamic_module_callback_http_get_metadata_number(filter_envoy_ptr f, int source,
    module_buffer ns, module_buffer key, double *result);
void envoy_dynamic_module_callback_http_clear_route_cache(filter_envoy_ptr f);
bool envoy_dynamic_module_callback_http_get_metadata_string(filter_envoy_ptr f, int source,
    module_buffer ns, module_buffer key, envoy_buffer *result);
int envoy_dynamic_module_callback_http_filter_http_callout(filter_envoy_ptr f,
    uint64_t *callout_id_out, module_buffer cluster, envoy_header *headers, size_t headers_size,
    module_buffer body, uint64_t timeout_ms);
int envoy_dynamic_module_callback_http_filter_config_http_callout(filter_config_envoy_ptr c,
    uint64_t *callout_id_out, module_buffer cluster, envoy_header *headers, size_t headers_size,
    module_buffer body, uint64_t timeout_ms);
scheduler_ptr envoy_dynamic_module_callback_http_filter_scheduler_new(filter_envoy_ptr f);
void envoy_dynamic_module_callback_http_filter_scheduler_commit(scheduler_ptr s, uint64_t event_id);
void envoy_dynamic_module_callback_http_filter_scheduler_delete(scheduler_ptr s);
scheduler_ptr envoy_dynamic_module_callback_http_filter_config_scheduler_new(
    filter_config_envoy_ptr c);
void envoy_dynamic_module_callback_http_filter_config_scheduler_commit(scheduler_ptr s,
    uint64_t event_id);
void envoy_dynamic_module_callback_http_filter_config_scheduler_delete(scheduler_ptr s);
int envoy_dynamic_module_callback_http_filter_config_define_counter(filter_config_envoy_ptr c,
    module_buffer name, module_buffer *label_names, size_t n_labels, size_t *id_out);
int envoy_dynamic_module_callback_http_filter_config_define_gauge(filter_config_envoy_ptr c,
    module_buffer name, module_buffer *label_names, size_t n_labels, size_t *id_out);
int envoy_dynamic_module_callback_http_filter_config_define_histogram(filter_config_envoy_ptr c,
    module_buffer name, module_buffer *label_names, size_t n_labels, size_t *id_out);
int envoy_dynamic_module_callback_http_filter_config_increment_counter(filter_config_envoy_ptr c,
    size_t id, module_buffer *label_values, size_t n_labels, uint64_t value);
int envoy_dynamic_module_callback_http_filter_config_increment_gauge(filter_config_envoy_ptr c,
    size_t id, module_buffer *label_values, size_t n_labels, uint64_t value);
int envoy_dynamic_module_callback_http_filter_config_decrement_gauge(filter_config_envoy_ptr c,
    size_t id, module_buffer *label_values, size_t n_labels, uint64_t value);
int envoy_dynamic_module_callback_http_filter_config_set_gauge(filter_config_envoy_ptr c,
    size_t id, module_buffer *label_values, size_t n_labels, uint64_t value);
int envoy_dynamic_module_callback_http_filter_config_record_histogram_value(
    filter_config_envoy_ptr c, size_t id, module_buffer *label_values, size_t n_labels,
    uint64_t value);

/* -- network (TCP) filters --------------------------------------------------------------- */
enum { NET_CONTINUE = 0, NET_STOP_ITERATION = 1 };
enum { NET_EVENT_REMOTE_CLOSE = 0, NET_EVENT_LOCAL_CLOSE = 1 };
enum { NET_CLOSE_FLUSH_WRITE = 0 };
size_t envoy_dynamic_module_callback_network_filter_get_read_buffer_chunks_size(filter_envoy_ptr f);
bool envoy_dynamic_module_callback_network_filter_get_read_buffer_chunks(filter_envoy_ptr f,
    envoy_buffer *result);
size_t envoy_dynamic_module_callback_network_filter_get_write_buffer_chunks_size(filter_envoy_ptr f);
bool envoy_dynamic_module_callback_network_filter_get_write_buffer_chunks(filter_envoy_ptr f,
    envoy_buffer *result);
bool envoy_dynamic_module_callback_network_filter_drain_read_buffer(filter_envoy_ptr f, size_t n);
bool envoy_dynamic_module_callback_network_filter_drain_write_buffer(filter_envoy_ptr f, size_t n);
bool envoy_dynamic_module_callback_network_filter_append_read_buffer(filter_envoy_ptr f,
    module_buffer data);
bool envoy_dynamic_module_callback_network_filter_append_write_buffer(filter_envoy_ptr f,
    module_buffer data);
void envoy_dynamic_module_callback_network_filter_continue_reading(filter_envoy_ptr f);
void envoy_dynamic_module_callback_network_filter_close(filter_envoy_ptr f, int close_type);
bool envoy_dynamic_module_callback_network_filter_get_remote_address(filter_envoy_ptr f,
    envoy_buffer *address_out, uint32_t *port_out);
bool envoy_dynamic_module_callback_network_filter_get_local_address(filter_envoy_ptr f,
    envoy_buffer *address_out, uint32_t *port_out);
bool envoy_dynamic_module_callback_network_set_filter_state_bytes(filter_envoy_ptr f,
    module_buffer key, module_buffer value);
bool envoy_dynamic_module_callback_network_get_filter_state_bytes(filter_envoy_ptr f,
    module_buffer key, envoy_buffer *value_out);
bool envoy_dynamic_module_callback_network_set_filter_state_typed(filter_envoy_ptr f,
    module_buffer key, module_buffer value);
/* Metrics of a network filter configuration (no labels). */
int envoy_dynamic_module_callback_network_filter_config_define_counter(filter_config_envoy_ptr c,
    module_buffer name, size_t *id_out);
int envoy_dynamic_module_callback_network_filter_config_define_gauge(filter_config_envoy_ptr c,
    module_buffer name, size_t *id_out);
int envoy_dynamic_module_callback_network_filter_config_define_histogram(filter_config_envoy_ptr c,
    module_buffer name, size_t *id_out);
int envoy_dynamic_module_callback_network_filter_config_increment_counter(
    filter_config_envoy_ptr c, size_t id, uint64_t value);
int envoy_dynamic_module_callback_network_filter_config_increment_gauge(
    filter_config_envoy_ptr c, size_t id, uint64_t value);
int envoy_dynamic_module_callback_network_filter_config_decrement_gauge(
    filter_config_envoy_ptr c, size_t id, uint64_t value);
int envoy_dynamic_module_callback_network_filter_config_set_gauge(filter_config_envoy_ptr c,
    size_t id, uint64_t value);
int envoy_dynamic_module_callback_network_filter_config_record_histogram_value(
    filter_config_envoy_ptr c, size_t id, uint64_t value);

#endif
