/* GENERATED from runtime_shim/abi.py by `python -m proxy_wasm_shim.generate`: do not edit. */
/* Included by shim.c after status_t and the IMPORT macro. */
enum {
    ST_OK = 0,
    ST_NOT_FOUND = 1,
    ST_BAD_ARGUMENT = 2,
    ST_SERIALIZATION_FAILURE = 3,
    ST_PARSE_FAILURE = 4,
    ST_BAD_EXPRESSION = 5,
    ST_INVALID_MEMORY_ACCESS = 6,
    ST_EMPTY = 7,
    ST_CAS_MISMATCH = 8,
    ST_RESULT_MISMATCH = 9,
    ST_INTERNAL_FAILURE = 10,
    ST_BROKEN_CONNECTION = 11,
    ST_UNIMPLEMENTED = 12,
};
enum { LOG_TRACE = 0, LOG_DEBUG = 1, LOG_INFO = 2, LOG_WARN = 3, LOG_ERROR = 4, LOG_CRITICAL = 5 };

/* env.proxy_* imports (ABI v0.2.1, 39 functions) */
IMPORT(proxy_log) status_t proxy_log(int32_t level, const char *message, size_t message_size);
IMPORT(proxy_get_log_level) status_t proxy_get_log_level(int32_t *level);
IMPORT(proxy_get_current_time_nanoseconds) status_t proxy_get_current_time_nanoseconds(uint64_t *nanoseconds);
IMPORT(proxy_set_tick_period_milliseconds) status_t proxy_set_tick_period_milliseconds(uint32_t period_ms);
IMPORT(proxy_set_effective_context) status_t proxy_set_effective_context(uint32_t context_id);
IMPORT(proxy_done) status_t proxy_done(void);
IMPORT(proxy_get_buffer_bytes) status_t proxy_get_buffer_bytes(int32_t buffer_type, uint32_t start, uint32_t max_size, char **data, size_t *data_size);
IMPORT(proxy_get_buffer_status) status_t proxy_get_buffer_status(int32_t buffer_type, size_t *size, uint32_t *flags);
IMPORT(proxy_set_buffer_bytes) status_t proxy_set_buffer_bytes(int32_t buffer_type, uint32_t start, uint32_t size, const char *value, size_t value_size);
IMPORT(proxy_get_header_map_pairs) status_t proxy_get_header_map_pairs(int32_t map_type, char **pairs, size_t *pairs_size);
IMPORT(proxy_get_header_map_size) status_t proxy_get_header_map_size(int32_t map_type, size_t *size);
IMPORT(proxy_set_header_map_pairs) status_t proxy_set_header_map_pairs(int32_t map_type, const char *pairs, size_t pairs_size);
IMPORT(proxy_get_header_map_value) status_t proxy_get_header_map_value(int32_t map_type, const char *key, size_t key_size, char **value, size_t *value_size);
IMPORT(proxy_add_header_map_value) status_t proxy_add_header_map_value(int32_t map_type, const char *key, size_t key_size, const char *value, size_t value_size);
IMPORT(proxy_replace_header_map_value) status_t proxy_replace_header_map_value(int32_t map_type, const char *key, size_t key_size, const char *value, size_t value_size);
IMPORT(proxy_remove_header_map_value) status_t proxy_remove_header_map_value(int32_t map_type, const char *key, size_t key_size);
IMPORT(proxy_continue_stream) status_t proxy_continue_stream(int32_t stream_type);
IMPORT(proxy_close_stream) status_t proxy_close_stream(int32_t stream_type);
IMPORT(proxy_send_local_response) status_t proxy_send_local_response(uint32_t status_code, const char *details, size_t details_size, const char *body, size_t body_size, const char *headers, size_t headers_size, uint32_t grpc_status);
IMPORT(proxy_get_status) status_t proxy_get_status(uint32_t *code, char **message, size_t *message_size);
IMPORT(proxy_http_call) status_t proxy_http_call(const char *upstream, size_t upstream_size, const char *headers, size_t headers_size, const char *body, size_t body_size, const char *trailers, size_t trailers_size, uint32_t timeout_ms, uint32_t *token);
IMPORT(proxy_grpc_call) status_t proxy_grpc_call(const char *upstream, size_t upstream_size, const char *service, size_t service_size, const char *method, size_t method_size, const char *initial_metadata, size_t initial_metadata_size, const char *message, size_t message_size, uint32_t timeout_ms, uint32_t *token);
IMPORT(proxy_grpc_stream) status_t proxy_grpc_stream(const char *upstream, size_t upstream_size, const char *service, size_t service_size, const char *method, size_t method_size, const char *initial_metadata, size_t initial_metadata_size, uint32_t *token);
IMPORT(proxy_grpc_send) status_t proxy_grpc_send(uint32_t token, const char *message, size_t message_size, int32_t end_stream);
IMPORT(proxy_grpc_cancel) status_t proxy_grpc_cancel(uint32_t token);
IMPORT(proxy_grpc_close) status_t proxy_grpc_close(uint32_t token);
IMPORT(proxy_get_shared_data) status_t proxy_get_shared_data(const char *key, size_t key_size, char **value, size_t *value_size, uint32_t *cas);
IMPORT(proxy_set_shared_data) status_t proxy_set_shared_data(const char *key, size_t key_size, const char *value, size_t value_size, uint32_t cas);
IMPORT(proxy_register_shared_queue) status_t proxy_register_shared_queue(const char *name, size_t name_size, uint32_t *queue_id);
IMPORT(proxy_resolve_shared_queue) status_t proxy_resolve_shared_queue(const char *vm_id, size_t vm_id_size, const char *name, size_t name_size, uint32_t *queue_id);
IMPORT(proxy_enqueue_shared_queue) status_t proxy_enqueue_shared_queue(uint32_t queue_id, const char *value, size_t value_size);
IMPORT(proxy_dequeue_shared_queue) status_t proxy_dequeue_shared_queue(uint32_t queue_id, char **value, size_t *value_size);
IMPORT(proxy_define_metric) status_t proxy_define_metric(int32_t metric_type, const char *name, size_t name_size, uint32_t *metric_id);
IMPORT(proxy_record_metric) status_t proxy_record_metric(uint32_t metric_id, uint64_t value);
IMPORT(proxy_increment_metric) status_t proxy_increment_metric(uint32_t metric_id, int64_t delta);
IMPORT(proxy_get_metric) status_t proxy_get_metric(uint32_t metric_id, uint64_t *value);
IMPORT(proxy_get_property) status_t proxy_get_property(const char *path, size_t path_size, char **value, size_t *value_size);
IMPORT(proxy_set_property) status_t proxy_set_property(const char *path, size_t path_size, const char *value, size_t value_size);
IMPORT(proxy_call_foreign_function) status_t proxy_call_foreign_function(const char *name, size_t name_size, const char *arguments, size_t arguments_size, char **result, size_t *result_size);

/* Dispatcher entry points: proxy_wasm._dispatch.<name> (docs/design.md). */
enum {
    PW_CB_CONTEXT_CREATE,
    PW_CB_VM_START,
    PW_CB_CONFIGURE,
    PW_CB_TICK,
    PW_CB_QUEUE_READY,
    PW_CB_FOREIGN_FUNCTION,
    PW_CB_NEW_CONNECTION,
    PW_CB_DOWNSTREAM_DATA,
    PW_CB_UPSTREAM_DATA,
    PW_CB_DOWNSTREAM_CONNECTION_CLOSE,
    PW_CB_UPSTREAM_CONNECTION_CLOSE,
    PW_CB_REQUEST_HEADERS,
    PW_CB_REQUEST_BODY,
    PW_CB_REQUEST_TRAILERS,
    PW_CB_RESPONSE_HEADERS,
    PW_CB_RESPONSE_BODY,
    PW_CB_RESPONSE_TRAILERS,
    PW_CB_LOG,
    PW_CB_DONE,
    PW_CB_DELETE,
    PW_CB_HTTP_CALL_RESPONSE,
    PW_CB_GRPC_RECEIVE_INITIAL_METADATA,
    PW_CB_GRPC_RECEIVE,
    PW_CB_GRPC_RECEIVE_TRAILING_METADATA,
    PW_CB_GRPC_CLOSE,
    PW_NUM_CALLBACKS
};
static const char *const pw_callback_names[PW_NUM_CALLBACKS] = {
    "proxy_on_context_create",
    "proxy_on_vm_start",
    "proxy_on_configure",
    "proxy_on_tick",
    "proxy_on_queue_ready",
    "proxy_on_foreign_function",
    "proxy_on_new_connection",
    "proxy_on_downstream_data",
    "proxy_on_upstream_data",
    "proxy_on_downstream_connection_close",
    "proxy_on_upstream_connection_close",
    "proxy_on_request_headers",
    "proxy_on_request_body",
    "proxy_on_request_trailers",
    "proxy_on_response_headers",
    "proxy_on_response_body",
    "proxy_on_response_trailers",
    "proxy_on_log",
    "proxy_on_done",
    "proxy_on_delete",
    "proxy_on_http_call_response",
    "proxy_on_grpc_receive_initial_metadata",
    "proxy_on_grpc_receive",
    "proxy_on_grpc_receive_trailing_metadata",
    "proxy_on_grpc_close",
};
