/* GENERATED from runtime_shim/abi.py by `python -m proxy_wasm_shim.generate`: do not edit. */
/* Included by shim.c after the argument helpers and the hand-written functions. */
FASTCALL(proxy_get_current_time_nanoseconds) {
    NARGS(0, proxy_get_current_time_nanoseconds);
    HOSTCALL_UNAVAILABLE("proxy_get_current_time_nanoseconds");
    uint64_t nanoseconds = 0;
    status_t st = proxy_get_current_time_nanoseconds(&nanoseconds);
    CHECK(st, "proxy_get_current_time_nanoseconds");
    return PyLong_FromUnsignedLongLong(nanoseconds);
}

FASTCALL(proxy_set_tick_period_milliseconds) {
    NARGS(1, proxy_set_tick_period_milliseconds);
    HOSTCALL_UNAVAILABLE("proxy_set_tick_period_milliseconds");
    LONGARG(0, period_ms);
    status_t st = proxy_set_tick_period_milliseconds((uint32_t)period_ms);
    CHECK(st, "proxy_set_tick_period_milliseconds");
    Py_RETURN_NONE;
}

FASTCALL(proxy_set_effective_context) {
    NARGS(1, proxy_set_effective_context);
    HOSTCALL_UNAVAILABLE("proxy_set_effective_context");
    LONGARG(0, context_id);
    status_t st = proxy_set_effective_context((uint32_t)context_id);
    CHECK(st, "proxy_set_effective_context");
    Py_RETURN_NONE;
}

FASTCALL(proxy_done) {
    NARGS(0, proxy_done);
    HOSTCALL_UNAVAILABLE("proxy_done");
    status_t st = proxy_done();
    CHECK(st, "proxy_done");
    Py_RETURN_NONE;
}

FASTCALL(proxy_get_buffer_bytes) {
    NARGS(3, proxy_get_buffer_bytes);
    HOSTCALL_UNAVAILABLE("proxy_get_buffer_bytes");
    LONGARG(0, buffer_type);
    LONGARG(1, start);
    LONGARG(2, max_size);
    char *data = NULL;
    size_t data_size = 0;
    status_t st = proxy_get_buffer_bytes((int32_t)buffer_type, (uint32_t)start, (uint32_t)max_size, &data, &data_size);
    if (st != ST_OK) {
        free(data);
        if (st == ST_NOT_FOUND) Py_RETURN_NONE;
        return pw_raise(st, "proxy_get_buffer_bytes");
    }
    return pw_take_bytes(data, data_size);
}

FASTCALL(proxy_get_buffer_status) {
    NARGS(1, proxy_get_buffer_status);
    HOSTCALL_UNAVAILABLE("proxy_get_buffer_status");
    LONGARG(0, buffer_type);
    size_t size = 0;
    uint32_t flags = 0;
    status_t st = proxy_get_buffer_status((int32_t)buffer_type, &size, &flags);
    CHECK(st, "proxy_get_buffer_status");
    return pw_tuple(2, PyLong_FromSize_t(size), PyLong_FromUnsignedLong((unsigned long)flags));
}

FASTCALL(proxy_set_buffer_bytes) {
    NARGS(4, proxy_set_buffer_bytes);
    HOSTCALL_UNAVAILABLE("proxy_set_buffer_bytes");
    LONGARG(0, buffer_type);
    LONGARG(1, start);
    LONGARG(2, size);
    BYTESARG(3, value, value_size, "value");
    status_t st = proxy_set_buffer_bytes((int32_t)buffer_type, (uint32_t)start, (uint32_t)size, value, (size_t)value_size);
    CHECK(st, "proxy_set_buffer_bytes");
    Py_RETURN_NONE;
}

FASTCALL(proxy_get_header_map_pairs) {
    NARGS(1, proxy_get_header_map_pairs);
    HOSTCALL_UNAVAILABLE("proxy_get_header_map_pairs");
    LONGARG(0, map_type);
    char *pairs = NULL;
    size_t pairs_size = 0;
    status_t st = proxy_get_header_map_pairs((int32_t)map_type, &pairs, &pairs_size);
    if (st != ST_OK) {
        free(pairs);
        return pw_raise(st, "proxy_get_header_map_pairs");
    }
    return pw_take_pairs(pairs, pairs_size);
}

FASTCALL(proxy_get_header_map_size) {
    NARGS(1, proxy_get_header_map_size);
    HOSTCALL_UNAVAILABLE("proxy_get_header_map_size");
    LONGARG(0, map_type);
    size_t size = 0;
    status_t st = proxy_get_header_map_size((int32_t)map_type, &size);
    CHECK(st, "proxy_get_header_map_size");
    return PyLong_FromSize_t(size);
}

FASTCALL(proxy_set_header_map_pairs) {
    NARGS(2, proxy_set_header_map_pairs);
    HOSTCALL_UNAVAILABLE("proxy_set_header_map_pairs");
    LONGARG(0, map_type);
    size_t pairs_size = 0;
    char *pairs = pw_serialize_pairs(args[1], &pairs_size);
    if (pairs == NULL) return NULL;
    status_t st = proxy_set_header_map_pairs((int32_t)map_type, pairs, pairs_size);
    free(pairs);
    CHECK(st, "proxy_set_header_map_pairs");
    Py_RETURN_NONE;
}

FASTCALL(proxy_get_header_map_value) {
    NARGS(2, proxy_get_header_map_value);
    HOSTCALL_UNAVAILABLE("proxy_get_header_map_value");
    LONGARG(0, map_type);
    BYTESARG(1, key, key_size, "key");
    char *value = NULL;
    size_t value_size = 0;
    status_t st = proxy_get_header_map_value((int32_t)map_type, key, (size_t)key_size, &value, &value_size);
    if (st != ST_OK) {
        free(value);
        if (st == ST_NOT_FOUND) Py_RETURN_NONE;
        return pw_raise(st, "proxy_get_header_map_value");
    }
    return pw_take_bytes(value, value_size);
}

FASTCALL(proxy_add_header_map_value) {
    NARGS(3, proxy_add_header_map_value);
    HOSTCALL_UNAVAILABLE("proxy_add_header_map_value");
    LONGARG(0, map_type);
    BYTESARG(1, key, key_size, "key");
    BYTESARG(2, value, value_size, "value");
    status_t st = proxy_add_header_map_value((int32_t)map_type, key, (size_t)key_size, value, (size_t)value_size);
    CHECK(st, "proxy_add_header_map_value");
    Py_RETURN_NONE;
}

FASTCALL(proxy_replace_header_map_value) {
    NARGS(3, proxy_replace_header_map_value);
    HOSTCALL_UNAVAILABLE("proxy_replace_header_map_value");
    LONGARG(0, map_type);
    BYTESARG(1, key, key_size, "key");
    BYTESARG(2, value, value_size, "value");
    status_t st = proxy_replace_header_map_value((int32_t)map_type, key, (size_t)key_size, value, (size_t)value_size);
    CHECK(st, "proxy_replace_header_map_value");
    Py_RETURN_NONE;
}

FASTCALL(proxy_remove_header_map_value) {
    NARGS(2, proxy_remove_header_map_value);
    HOSTCALL_UNAVAILABLE("proxy_remove_header_map_value");
    LONGARG(0, map_type);
    BYTESARG(1, key, key_size, "key");
    status_t st = proxy_remove_header_map_value((int32_t)map_type, key, (size_t)key_size);
    CHECK(st, "proxy_remove_header_map_value");
    Py_RETURN_NONE;
}

FASTCALL(proxy_continue_stream) {
    NARGS(1, proxy_continue_stream);
    HOSTCALL_UNAVAILABLE("proxy_continue_stream");
    LONGARG(0, stream_type);
    status_t st = proxy_continue_stream((int32_t)stream_type);
    CHECK(st, "proxy_continue_stream");
    Py_RETURN_NONE;
}

FASTCALL(proxy_close_stream) {
    NARGS(1, proxy_close_stream);
    HOSTCALL_UNAVAILABLE("proxy_close_stream");
    LONGARG(0, stream_type);
    status_t st = proxy_close_stream((int32_t)stream_type);
    CHECK(st, "proxy_close_stream");
    Py_RETURN_NONE;
}

FASTCALL(proxy_send_local_response) {
    NARGS(5, proxy_send_local_response);
    HOSTCALL_UNAVAILABLE("proxy_send_local_response");
    LONGARG(0, status_code);
    BYTESARG(1, details, details_size, "details");
    BYTESARG(2, body, body_size, "body");
    LONGARG(4, grpc_status);
    size_t headers_size = 0;
    char *headers = pw_serialize_pairs(args[3], &headers_size);
    if (headers == NULL) return NULL;
    status_t st = proxy_send_local_response((uint32_t)status_code, details, (size_t)details_size, body, (size_t)body_size, headers, headers_size, (uint32_t)grpc_status);
    free(headers);
    CHECK(st, "proxy_send_local_response");
    Py_RETURN_NONE;
}

FASTCALL(proxy_get_status) {
    NARGS(0, proxy_get_status);
    HOSTCALL_UNAVAILABLE("proxy_get_status");
    uint32_t code = 0;
    char *message = NULL;
    size_t message_size = 0;
    status_t st = proxy_get_status(&code, &message, &message_size);
    if (st != ST_OK) {
        free(message);
        return pw_raise(st, "proxy_get_status");
    }
    return pw_tuple(2, PyLong_FromUnsignedLong((unsigned long)code), pw_take_bytes(message, message_size));
}

FASTCALL(proxy_http_call) {
    NARGS(5, proxy_http_call);
    HOSTCALL_UNAVAILABLE("proxy_http_call");
    BYTESARG(0, upstream, upstream_size, "upstream");
    BYTESARG(2, body, body_size, "body");
    LONGARG(4, timeout_ms);
    size_t headers_size = 0;
    char *headers = pw_serialize_pairs(args[1], &headers_size);
    if (headers == NULL) return NULL;
    size_t trailers_size = 0;
    char *trailers = pw_serialize_pairs(args[3], &trailers_size);
    if (trailers == NULL) { free(headers); return NULL; }
    uint32_t token = 0;
    status_t st = proxy_http_call(upstream, (size_t)upstream_size, headers, headers_size, body, (size_t)body_size, trailers, trailers_size, (uint32_t)timeout_ms, &token);
    free(headers);
    free(trailers);
    CHECK(st, "proxy_http_call");
    return PyLong_FromUnsignedLong((unsigned long)token);
}

FASTCALL(proxy_grpc_call) {
    NARGS(6, proxy_grpc_call);
    HOSTCALL_UNAVAILABLE("proxy_grpc_call");
    BYTESARG(0, upstream, upstream_size, "upstream");
    BYTESARG(1, service, service_size, "service");
    BYTESARG(2, method, method_size, "method");
    BYTESARG(4, message, message_size, "message");
    LONGARG(5, timeout_ms);
    size_t initial_metadata_size = 0;
    char *initial_metadata = pw_serialize_pairs(args[3], &initial_metadata_size);
    if (initial_metadata == NULL) return NULL;
    uint32_t token = 0;
    status_t st = proxy_grpc_call(upstream, (size_t)upstream_size, service, (size_t)service_size, method, (size_t)method_size, initial_metadata, initial_metadata_size, message, (size_t)message_size, (uint32_t)timeout_ms, &token);
    free(initial_metadata);
    CHECK(st, "proxy_grpc_call");
    return PyLong_FromUnsignedLong((unsigned long)token);
}

FASTCALL(proxy_grpc_stream) {
    NARGS(4, proxy_grpc_stream);
    HOSTCALL_UNAVAILABLE("proxy_grpc_stream");
    BYTESARG(0, upstream, upstream_size, "upstream");
    BYTESARG(1, service, service_size, "service");
    BYTESARG(2, method, method_size, "method");
    size_t initial_metadata_size = 0;
    char *initial_metadata = pw_serialize_pairs(args[3], &initial_metadata_size);
    if (initial_metadata == NULL) return NULL;
    uint32_t token = 0;
    status_t st = proxy_grpc_stream(upstream, (size_t)upstream_size, service, (size_t)service_size, method, (size_t)method_size, initial_metadata, initial_metadata_size, &token);
    free(initial_metadata);
    CHECK(st, "proxy_grpc_stream");
    return PyLong_FromUnsignedLong((unsigned long)token);
}

FASTCALL(proxy_grpc_send) {
    NARGS(3, proxy_grpc_send);
    HOSTCALL_UNAVAILABLE("proxy_grpc_send");
    LONGARG(0, token);
    BYTESARG(1, message, message_size, "message");
    int end_stream = PyObject_IsTrue(args[2]);
    if (end_stream < 0) return NULL;
    status_t st = proxy_grpc_send((uint32_t)token, message, (size_t)message_size, (int32_t)end_stream);
    CHECK(st, "proxy_grpc_send");
    Py_RETURN_NONE;
}

FASTCALL(proxy_grpc_cancel) {
    NARGS(1, proxy_grpc_cancel);
    HOSTCALL_UNAVAILABLE("proxy_grpc_cancel");
    LONGARG(0, token);
    status_t st = proxy_grpc_cancel((uint32_t)token);
    CHECK(st, "proxy_grpc_cancel");
    Py_RETURN_NONE;
}

FASTCALL(proxy_grpc_close) {
    NARGS(1, proxy_grpc_close);
    HOSTCALL_UNAVAILABLE("proxy_grpc_close");
    LONGARG(0, token);
    status_t st = proxy_grpc_close((uint32_t)token);
    CHECK(st, "proxy_grpc_close");
    Py_RETURN_NONE;
}

FASTCALL(proxy_get_shared_data) {
    NARGS(1, proxy_get_shared_data);
    HOSTCALL_UNAVAILABLE("proxy_get_shared_data");
    BYTESARG(0, key, key_size, "key");
    char *value = NULL;
    size_t value_size = 0;
    uint32_t cas = 0;
    status_t st = proxy_get_shared_data(key, (size_t)key_size, &value, &value_size, &cas);
    if (st != ST_OK) {
        free(value);
        if (st == ST_NOT_FOUND) Py_RETURN_NONE;
        return pw_raise(st, "proxy_get_shared_data");
    }
    return pw_tuple(2, pw_take_bytes(value, value_size), PyLong_FromUnsignedLong((unsigned long)cas));
}

FASTCALL(proxy_set_shared_data) {
    NARGS(3, proxy_set_shared_data);
    HOSTCALL_UNAVAILABLE("proxy_set_shared_data");
    BYTESARG(0, key, key_size, "key");
    BYTESARG(1, value, value_size, "value");
    LONGARG(2, cas);
    status_t st = proxy_set_shared_data(key, (size_t)key_size, value, (size_t)value_size, (uint32_t)cas);
    CHECK(st, "proxy_set_shared_data");
    Py_RETURN_NONE;
}

FASTCALL(proxy_register_shared_queue) {
    NARGS(1, proxy_register_shared_queue);
    HOSTCALL_UNAVAILABLE("proxy_register_shared_queue");
    BYTESARG(0, name, name_size, "name");
    uint32_t queue_id = 0;
    status_t st = proxy_register_shared_queue(name, (size_t)name_size, &queue_id);
    CHECK(st, "proxy_register_shared_queue");
    return PyLong_FromUnsignedLong((unsigned long)queue_id);
}

FASTCALL(proxy_resolve_shared_queue) {
    NARGS(2, proxy_resolve_shared_queue);
    HOSTCALL_UNAVAILABLE("proxy_resolve_shared_queue");
    BYTESARG(0, vm_id, vm_id_size, "vm_id");
    BYTESARG(1, name, name_size, "name");
    uint32_t queue_id = 0;
    status_t st = proxy_resolve_shared_queue(vm_id, (size_t)vm_id_size, name, (size_t)name_size, &queue_id);
    if (st != ST_OK) {
        if (st == ST_NOT_FOUND) Py_RETURN_NONE;
        return pw_raise(st, "proxy_resolve_shared_queue");
    }
    return PyLong_FromUnsignedLong((unsigned long)queue_id);
}

FASTCALL(proxy_enqueue_shared_queue) {
    NARGS(2, proxy_enqueue_shared_queue);
    HOSTCALL_UNAVAILABLE("proxy_enqueue_shared_queue");
    LONGARG(0, queue_id);
    BYTESARG(1, value, value_size, "value");
    status_t st = proxy_enqueue_shared_queue((uint32_t)queue_id, value, (size_t)value_size);
    CHECK(st, "proxy_enqueue_shared_queue");
    Py_RETURN_NONE;
}

FASTCALL(proxy_dequeue_shared_queue) {
    NARGS(1, proxy_dequeue_shared_queue);
    HOSTCALL_UNAVAILABLE("proxy_dequeue_shared_queue");
    LONGARG(0, queue_id);
    char *value = NULL;
    size_t value_size = 0;
    status_t st = proxy_dequeue_shared_queue((uint32_t)queue_id, &value, &value_size);
    if (st != ST_OK) {
        free(value);
        if (st == ST_EMPTY) Py_RETURN_NONE;
        return pw_raise(st, "proxy_dequeue_shared_queue");
    }
    return pw_take_bytes(value, value_size);
}

FASTCALL(proxy_define_metric) {
    NARGS(2, proxy_define_metric);
    HOSTCALL_UNAVAILABLE("proxy_define_metric");
    LONGARG(0, metric_type);
    BYTESARG(1, name, name_size, "name");
    uint32_t metric_id = 0;
    status_t st = proxy_define_metric((int32_t)metric_type, name, (size_t)name_size, &metric_id);
    CHECK(st, "proxy_define_metric");
    return PyLong_FromUnsignedLong((unsigned long)metric_id);
}

FASTCALL(proxy_record_metric) {
    NARGS(2, proxy_record_metric);
    HOSTCALL_UNAVAILABLE("proxy_record_metric");
    LONGARG(0, metric_id);
    unsigned long long value = PyLong_AsUnsignedLongLong(args[1]);
    if (value == (unsigned long long)-1 && PyErr_Occurred()) return NULL;
    status_t st = proxy_record_metric((uint32_t)metric_id, (uint64_t)value);
    CHECK(st, "proxy_record_metric");
    Py_RETURN_NONE;
}

FASTCALL(proxy_increment_metric) {
    NARGS(2, proxy_increment_metric);
    HOSTCALL_UNAVAILABLE("proxy_increment_metric");
    LONGARG(0, metric_id);
    LONGARG(1, delta);
    status_t st = proxy_increment_metric((uint32_t)metric_id, (int64_t)delta);
    CHECK(st, "proxy_increment_metric");
    Py_RETURN_NONE;
}

FASTCALL(proxy_get_metric) {
    NARGS(1, proxy_get_metric);
    HOSTCALL_UNAVAILABLE("proxy_get_metric");
    LONGARG(0, metric_id);
    uint64_t value = 0;
    status_t st = proxy_get_metric((uint32_t)metric_id, &value);
    CHECK(st, "proxy_get_metric");
    return PyLong_FromUnsignedLongLong(value);
}

FASTCALL(proxy_get_property) {
    NARGS(1, proxy_get_property);
    HOSTCALL_UNAVAILABLE("proxy_get_property");
    BYTESARG(0, path, path_size, "path");
    char *value = NULL;
    size_t value_size = 0;
    status_t st = proxy_get_property(path, (size_t)path_size, &value, &value_size);
    if (st != ST_OK) {
        free(value);
        if (st == ST_NOT_FOUND) Py_RETURN_NONE;
        return pw_raise(st, "proxy_get_property");
    }
    return pw_take_bytes(value, value_size);
}

FASTCALL(proxy_set_property) {
    NARGS(2, proxy_set_property);
    HOSTCALL_UNAVAILABLE("proxy_set_property");
    BYTESARG(0, path, path_size, "path");
    BYTESARG(1, value, value_size, "value");
    status_t st = proxy_set_property(path, (size_t)path_size, value, (size_t)value_size);
    CHECK(st, "proxy_set_property");
    Py_RETURN_NONE;
}

FASTCALL(proxy_call_foreign_function) {
    NARGS(2, proxy_call_foreign_function);
    HOSTCALL_UNAVAILABLE("proxy_call_foreign_function");
    BYTESARG(0, name, name_size, "name");
    BYTESARG(1, arguments, arguments_size, "arguments");
    char *result = NULL;
    size_t result_size = 0;
    status_t st = proxy_call_foreign_function(name, (size_t)name_size, arguments, (size_t)arguments_size, &result, &result_size);
    if (st != ST_OK) {
        free(result);
        return pw_raise(st, "proxy_call_foreign_function");
    }
    return pw_take_bytes(result, result_size);
}

#define M(name) {#name, (PyCFunction)(void (*)(void))h_##name, METH_FASTCALL, NULL}
static PyMethodDef pw_host_methods[] = {
    M(proxy_log),
    M(proxy_get_log_level),
    M(proxy_get_current_time_nanoseconds),
    M(proxy_set_tick_period_milliseconds),
    M(proxy_set_effective_context),
    M(proxy_done),
    M(proxy_get_buffer_bytes),
    M(proxy_get_buffer_status),
    M(proxy_set_buffer_bytes),
    M(proxy_get_header_map_pairs),
    M(proxy_get_header_map_size),
    M(proxy_set_header_map_pairs),
    M(proxy_get_header_map_value),
    M(proxy_add_header_map_value),
    M(proxy_replace_header_map_value),
    M(proxy_remove_header_map_value),
    M(proxy_continue_stream),
    M(proxy_close_stream),
    M(proxy_send_local_response),
    M(proxy_get_status),
    M(proxy_http_call),
    M(proxy_grpc_call),
    M(proxy_grpc_stream),
    M(proxy_grpc_send),
    M(proxy_grpc_cancel),
    M(proxy_grpc_close),
    M(proxy_get_shared_data),
    M(proxy_set_shared_data),
    M(proxy_register_shared_queue),
    M(proxy_resolve_shared_queue),
    M(proxy_enqueue_shared_queue),
    M(proxy_dequeue_shared_queue),
    M(proxy_define_metric),
    M(proxy_record_metric),
    M(proxy_increment_metric),
    M(proxy_get_metric),
    M(proxy_get_property),
    M(proxy_set_property),
    M(proxy_call_foreign_function),
    M(set_callback_mask),
    {NULL, NULL, 0, NULL},
};
#undef M
