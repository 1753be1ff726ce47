/* GENERATED from runtime_shim/abi.py by `python -m proxy_wasm_shim.generate`: do not edit. */
/* Included by shim.c after pw_call and PW_MASKED. */
EXPORT(proxy_on_context_create) void proxy_on_context_create(uint32_t context_id, uint32_t parent_context_id) {
    pw_call(PW_CB_CONTEXT_CREATE, 0, 2, context_id, parent_context_id, 0, 0, 0);
}
EXPORT(proxy_on_vm_start) int32_t proxy_on_vm_start(uint32_t root_context_id, uint32_t vm_configuration_size) {
    return pw_call(PW_CB_VM_START, 0, 2, root_context_id, vm_configuration_size, 0, 0, 0);
}
EXPORT(proxy_on_configure) int32_t proxy_on_configure(uint32_t root_context_id, uint32_t plugin_configuration_size) {
    return pw_call(PW_CB_CONFIGURE, 0, 2, root_context_id, plugin_configuration_size, 0, 0, 0);
}
EXPORT(proxy_on_tick) void proxy_on_tick(uint32_t root_context_id) {
    if (PW_MASKED(0)) return;
    pw_call(PW_CB_TICK, 0, 1, root_context_id, 0, 0, 0, 0);
}
EXPORT(proxy_on_queue_ready) void proxy_on_queue_ready(uint32_t root_context_id, uint32_t queue_id) {
    if (PW_MASKED(1)) return;
    pw_call(PW_CB_QUEUE_READY, 0, 2, root_context_id, queue_id, 0, 0, 0);
}
EXPORT(proxy_on_foreign_function) void proxy_on_foreign_function(uint32_t root_context_id, uint32_t function_id, uint32_t arguments_size) {
    if (PW_MASKED(2)) return;
    pw_call(PW_CB_FOREIGN_FUNCTION, 0, 3, root_context_id, function_id, arguments_size, 0, 0);
}
EXPORT(proxy_on_new_connection) int32_t proxy_on_new_connection(uint32_t context_id) {
    if (PW_MASKED(3)) return 0;
    return pw_call(PW_CB_NEW_CONNECTION, 0, 1, context_id, 0, 0, 0, 0);
}
EXPORT(proxy_on_downstream_data) int32_t proxy_on_downstream_data(uint32_t context_id, uint32_t data_size, uint32_t end_of_stream) {
    if (PW_MASKED(4)) return 0;
    return pw_call(PW_CB_DOWNSTREAM_DATA, 0, 3, context_id, data_size, end_of_stream, 0, 0);
}
EXPORT(proxy_on_upstream_data) int32_t proxy_on_upstream_data(uint32_t context_id, uint32_t data_size, uint32_t end_of_stream) {
    if (PW_MASKED(5)) return 0;
    return pw_call(PW_CB_UPSTREAM_DATA, 0, 3, context_id, data_size, end_of_stream, 0, 0);
}
EXPORT(proxy_on_downstream_connection_close) void proxy_on_downstream_connection_close(uint32_t context_id, uint32_t peer_type) {
    if (PW_MASKED(6)) return;
    pw_call(PW_CB_DOWNSTREAM_CONNECTION_CLOSE, 0, 2, context_id, peer_type, 0, 0, 0);
}
EXPORT(proxy_on_upstream_connection_close) void proxy_on_upstream_connection_close(uint32_t context_id, uint32_t peer_type) {
    if (PW_MASKED(7)) return;
    pw_call(PW_CB_UPSTREAM_CONNECTION_CLOSE, 0, 2, context_id, peer_type, 0, 0, 0);
}
EXPORT(proxy_on_request_headers) int32_t proxy_on_request_headers(uint32_t context_id, uint32_t num_headers, uint32_t end_of_stream) {
    if (PW_MASKED(8)) return 0;
    return pw_call(PW_CB_REQUEST_HEADERS, 0, 3, context_id, num_headers, end_of_stream, 0, 0);
}
EXPORT(proxy_on_request_body) int32_t proxy_on_request_body(uint32_t context_id, uint32_t body_size, uint32_t end_of_stream) {
    if (PW_MASKED(9)) return 0;
    return pw_call(PW_CB_REQUEST_BODY, 0, 3, context_id, body_size, end_of_stream, 0, 0);
}
EXPORT(proxy_on_request_trailers) int32_t proxy_on_request_trailers(uint32_t context_id, uint32_t num_trailers) {
    if (PW_MASKED(10)) return 0;
    return pw_call(PW_CB_REQUEST_TRAILERS, 0, 2, context_id, num_trailers, 0, 0, 0);
}
EXPORT(proxy_on_response_headers) int32_t proxy_on_response_headers(uint32_t context_id, uint32_t num_headers, uint32_t end_of_stream) {
    if (PW_MASKED(11)) return 0;
    return pw_call(PW_CB_RESPONSE_HEADERS, 0, 3, context_id, num_headers, end_of_stream, 0, 0);
}
EXPORT(proxy_on_response_body) int32_t proxy_on_response_body(uint32_t context_id, uint32_t body_size, uint32_t end_of_stream) {
    if (PW_MASKED(12)) return 0;
    return pw_call(PW_CB_RESPONSE_BODY, 0, 3, context_id, body_size, end_of_stream, 0, 0);
}
EXPORT(proxy_on_response_trailers) int32_t proxy_on_response_trailers(uint32_t context_id, uint32_t num_trailers) {
    if (PW_MASKED(13)) return 0;
    return pw_call(PW_CB_RESPONSE_TRAILERS, 0, 2, context_id, num_trailers, 0, 0, 0);
}
EXPORT(proxy_on_log) void proxy_on_log(uint32_t context_id) {
    if (PW_MASKED(14)) return;
    pw_call(PW_CB_LOG, 0, 1, context_id, 0, 0, 0, 0);
}
EXPORT(proxy_on_done) int32_t proxy_on_done(uint32_t context_id) {
    if (PW_MASKED(15)) return 1;
    return pw_call(PW_CB_DONE, 1, 1, context_id, 0, 0, 0, 0);
}
EXPORT(proxy_on_delete) void proxy_on_delete(uint32_t context_id) {
    pw_call(PW_CB_DELETE, 0, 1, context_id, 0, 0, 0, 0);
}
EXPORT(proxy_on_http_call_response) void proxy_on_http_call_response(uint32_t context_id, uint32_t token, uint32_t num_headers, uint32_t body_size, uint32_t num_trailers) {
    pw_call(PW_CB_HTTP_CALL_RESPONSE, 0, 5, context_id, token, num_headers, body_size, num_trailers);
}
EXPORT(proxy_on_grpc_receive_initial_metadata) void proxy_on_grpc_receive_initial_metadata(uint32_t context_id, uint32_t token, uint32_t num_headers) {
    pw_call(PW_CB_GRPC_RECEIVE_INITIAL_METADATA, 0, 3, context_id, token, num_headers, 0, 0);
}
EXPORT(proxy_on_grpc_receive) void proxy_on_grpc_receive(uint32_t context_id, uint32_t token, uint32_t message_size) {
    pw_call(PW_CB_GRPC_RECEIVE, 0, 3, context_id, token, message_size, 0, 0);
}
EXPORT(proxy_on_grpc_receive_trailing_metadata) void proxy_on_grpc_receive_trailing_metadata(uint32_t context_id, uint32_t token, uint32_t num_trailers) {
    pw_call(PW_CB_GRPC_RECEIVE_TRAILING_METADATA, 0, 3, context_id, token, num_trailers, 0, 0);
}
EXPORT(proxy_on_grpc_close) void proxy_on_grpc_close(uint32_t context_id, uint32_t token, uint32_t status_code) {
    pw_call(PW_CB_GRPC_CLOSE, 0, 3, context_id, token, status_code, 0, 0);
}
