/*
 * proxy-wasm-python native runtime: an Envoy dynamic module that embeds CPython.
 *
 * Envoy loads this shared library as an HTTP filter (dynamic_modules). The filter config is JSON
 * written by proxy_wasm_envoy.native: the filter path, the sys.path of the Python that wrote it,
 * and the Proxy-Wasm plugin/VM configuration. Each Envoy event hook takes the GIL, sets the
 * current filter (thread-local) and calls one method of the Python Plugin object
 * (proxy_wasm_shim.native.runtime), which drives the SDK dispatcher (contract 2). The SDK's host
 * calls (contract 1) reach Envoy through the built-in module `_proxy_wasm_envoy` defined here:
 * one Python function per Envoy callback, thin and uniform; proxy_wasm_shim.native.host maps the
 * Proxy-Wasm imports onto them.
 *
 * The main thread starts Python (first filter config) and releases the GIL; every hook, on any
 * worker thread, takes it (pw_enter/pw_leave). A callback the filter does not override (its
 * bit is clear in the callback mask) returns Continue without taking the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "envoy_abi.h"

#define EXPORT __attribute__((visibility("default")))

#ifndef PW_PYTHON_HOME
#error "PW_PYTHON_HOME (sys.base_prefix of the Python this module embeds) must be defined"
#endif
#ifndef PW_LIBPYTHON
#error "PW_LIBPYTHON (path of the shared libpython) must be defined"
#endif

enum { LOG_ERROR = 4 };

/* Events delivered to the Python Plugin, with the callback-mask bit that gates each
 * (sdk/proxy_wasm/_hostabi.py CALLBACK_BITS; -1: always delivered). */
enum {
    EV_REQUEST_HEADERS, EV_REQUEST_BODY, EV_REQUEST_TRAILERS, EV_RESPONSE_HEADERS,
    EV_RESPONSE_BODY, EV_RESPONSE_TRAILERS, EV_COMPLETE, EV_SCHEDULED, EV_NEW_CONNECTION,
    EV_DOWNSTREAM_DATA, EV_UPSTREAM_DATA, EV_CONNECTION_EVENT, EV_COUNT
};
static const char *const ev_methods[EV_COUNT] = {
    "on_request_headers", "on_request_body", "on_request_trailers", "on_response_headers",
    "on_response_body", "on_response_trailers", "on_complete", "on_scheduled",
    "on_new_connection", "on_downstream_data", "on_upstream_data", "on_connection_event",
};
static const int ev_bits[EV_COUNT] = {8, 9, 10, 11, 12, 13, -1, -1, 3, 4, 5, -1};
static PyObject *ev_names[EV_COUNT];

typedef struct {
    filter_config_envoy_ptr envoy;
    PyObject *plugin;
    unsigned long mask;
    scheduler_ptr scheduler; /* events to the main thread (ticks); NULL for TCP filters */
    int network;             /* a network (TCP) filter configuration */
} pw_config;

typedef struct {
    pw_config *config;
    long context_id;
    scheduler_ptr scheduler;
    int network; /* a TCP connection (network filter), not an HTTP stream */
} pw_filter;

static int pw_started;
static __thread filter_envoy_ptr pw_current;
static __thread int pw_current_net; /* pw_current is a network filter */
static __thread pw_config *pw_current_config;

static void pw_log(int level, const char *msg, size_t len) {
    module_buffer b = {msg, len};
    envoy_dynamic_module_callback_log(level, b);
}

/* Logs the pending Python exception (with traceback) as one error entry and clears it. */
static void pw_log_exception(const char *where) {
    PyObject *type = NULL, *exc = NULL, *tbo = NULL;
    PyErr_Fetch(&type, &exc, &tbo);
    if (type == NULL) return;
    PyErr_NormalizeException(&type, &exc, &tbo);
    if (tbo != NULL && exc != NULL) PyException_SetTraceback(exc, tbo);
    Py_XDECREF(type);
    Py_XDECREF(tbo);
    if (exc == NULL) return;
    PyObject *text = NULL;
    PyObject *tb = PyImport_ImportModule("traceback");
    if (tb != NULL) {
        PyObject *lines = PyObject_CallMethod(tb, "format_exception", "O", exc);
        if (lines != NULL) {
            PyObject *empty = PyUnicode_FromString("");
            if (empty != NULL) text = PyUnicode_Join(empty, lines);
            Py_XDECREF(empty);
            Py_DECREF(lines);
        }
        Py_DECREF(tb);
    }
    if (text == NULL) { PyErr_Clear(); text = PyObject_Repr(exc); }
    const char *detail = text ? PyUnicode_AsUTF8(text) : NULL;
    PyObject *msg = PyUnicode_FromFormat("proxy-wasm-python native: %s failed:\n%s", where,
                                         detail ? detail : "?");
    const char *m = msg ? PyUnicode_AsUTF8(msg) : NULL;
    if (m != NULL) {
        size_t n = strlen(m);
        while (n > 0 && m[n - 1] == '\n') n--;
        pw_log(LOG_ERROR, m, n);
    }
    PyErr_Clear();
    Py_XDECREF(msg);
    Py_XDECREF(text);
    Py_DECREF(exc);
}

/* ------------------------------------------------------------------------------------------ */
/* The built-in module `_proxy_wasm_envoy`: Envoy's callbacks for the current filter.          */

static int need_filter(void) {
    if (pw_current == NULL || pw_current_net) {
        PyErr_SetString(PyExc_LookupError, "no HTTP stream is current");
        return -1;
    }
    return 0;
}

static int need_connection(void) {
    if (pw_current == NULL || !pw_current_net) {
        PyErr_SetString(PyExc_LookupError, "no TCP connection is current");
        return -1;
    }
    return 0;
}

static int need_config(void) {
    if (pw_current_config == NULL) {
        PyErr_SetString(PyExc_LookupError, "no filter configuration is current");
        return -1;
    }
    return 0;
}

/* "O&" converter: a read-only bytes-like argument (exactly as "y#") as a module buffer. */
static int pw_buffer_arg(PyObject *obj, void *out) {
    module_buffer *buffer = out;
    Py_ssize_t len;
    if (!PyArg_Parse(obj, "y#", &buffer->ptr, &len)) return 0;
    buffer->length = (size_t)len;
    return 1;
}

/* The bytes Envoy wrote to `out`, or None when the callback (`ok`) found nothing. */
static PyObject *pw_bytes_or_none(bool ok, const envoy_buffer *out) {
    if (!ok) Py_RETURN_NONE;
    return PyBytes_FromStringAndSize(out->ptr, (Py_ssize_t)out->length);
}

static PyObject *mod_log(PyObject *self, PyObject *args) {
    int level;
    const char *msg;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "iy#", &level, &msg, &len)) return NULL;
    pw_log(level, msg, (size_t)len);
    Py_RETURN_NONE;
}

static PyObject *mod_log_enabled(PyObject *self, PyObject *args) {
    int level;
    if (!PyArg_ParseTuple(args, "i", &level)) return NULL;
    return PyBool_FromLong(envoy_dynamic_module_callback_log_enabled(level));
}

static PyObject *mod_get_header(PyObject *self, PyObject *args) {
    int type;
    module_buffer key;
    if (!PyArg_ParseTuple(args, "iO&", &type, pw_buffer_arg, &key) || need_filter()) return NULL;
    envoy_buffer out = {NULL, 0};
    size_t count = 0;
    bool ok = envoy_dynamic_module_callback_http_get_header(pw_current, type, key, &out, 0, &count);
    return pw_bytes_or_none(ok && count > 0 && out.ptr != NULL, &out);
}

static PyObject *mod_get_headers(PyObject *self, PyObject *args) {
    int type;
    if (!PyArg_ParseTuple(args, "i", &type) || need_filter()) return NULL;
    size_t n = envoy_dynamic_module_callback_http_get_headers_size(pw_current, type);
    PyObject *list = PyList_New(0);
    if (list == NULL || n == 0) return list;
    envoy_header *hs = PyMem_Calloc(n, sizeof *hs);
    if (hs == NULL) { Py_DECREF(list); return PyErr_NoMemory(); }
    if (envoy_dynamic_module_callback_http_get_headers(pw_current, type, hs)) {
        for (size_t i = 0; i < n; i++) {
            PyObject *pair = Py_BuildValue("(y#y#)", hs[i].key_ptr, (Py_ssize_t)hs[i].key_length,
                                           hs[i].value_ptr, (Py_ssize_t)hs[i].value_length);
            if (pair == NULL || PyList_Append(list, pair) < 0) {
                Py_XDECREF(pair);
                Py_CLEAR(list);
                break;
            }
            Py_DECREF(pair);
        }
    }
    PyMem_Free(hs);
    return list;
}

static PyObject *mod_headers_size(PyObject *self, PyObject *args) {
    int type;
    if (!PyArg_ParseTuple(args, "i", &type) || need_filter()) return NULL;
    return PyLong_FromSize_t(envoy_dynamic_module_callback_http_get_headers_size(pw_current, type));
}

/* set_header(type, key, value or None): None removes the header. */
static PyObject *mod_set_header(PyObject *self, PyObject *args) {
    int type;
    module_buffer key, value = {NULL, 0};
    PyObject *v;
    if (!PyArg_ParseTuple(args, "iO&O", &type, pw_buffer_arg, &key, &v) || need_filter())
        return NULL;
    if (v != Py_None) {
        Py_ssize_t vlen;
        if (PyBytes_AsStringAndSize(v, (char **)&value.ptr, &vlen) < 0) return NULL;
        value.length = (size_t)vlen;
    }
    return PyBool_FromLong(
        envoy_dynamic_module_callback_http_set_header(pw_current, type, key, value));
}

static PyObject *mod_add_header(PyObject *self, PyObject *args) {
    int type;
    module_buffer key, value;
    if (!PyArg_ParseTuple(args, "iO&O&", &type, pw_buffer_arg, &key, pw_buffer_arg, &value) ||
        need_filter())
        return NULL;
    return PyBool_FromLong(
        envoy_dynamic_module_callback_http_add_header(pw_current, type, key, value));
}

/* Fills `out` (PyMem) from a sequence of (bytes, bytes); the pairs stay referenced by `seq`. */
static envoy_header *headers_from(PyObject *seq, size_t *n_out) {
    PyObject *fast = PySequence_Fast(seq, "headers must be a sequence of (bytes, bytes) pairs");
    if (fast == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    envoy_header *hs = PyMem_Calloc(n ? (size_t)n : 1, sizeof *hs);
    if (hs == NULL) { Py_DECREF(fast); PyErr_NoMemory(); return NULL; }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(fast, i);
        PyObject *k, *v;
        Py_ssize_t kl, vl;
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
            PyBytes_AsStringAndSize(k = PyTuple_GET_ITEM(pair, 0), (char **)&hs[i].key_ptr, &kl) < 0 ||
            PyBytes_AsStringAndSize(v = PyTuple_GET_ITEM(pair, 1), (char **)&hs[i].value_ptr, &vl) < 0) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "headers must be (bytes, bytes)");
            PyMem_Free(hs);
            Py_DECREF(fast);
            return NULL;
        }
        hs[i].key_length = (size_t)kl;
        hs[i].value_length = (size_t)vl;
    }
    Py_DECREF(fast);  /* the caller keeps `seq` (hence the tuples) alive */
    *n_out = (size_t)n;
    return hs;
}

static PyObject *mod_send_response(PyObject *self, PyObject *args) {
    unsigned int code;
    PyObject *headers;
    module_buffer body, details;
    if (!PyArg_ParseTuple(args, "IOO&O&", &code, &headers, pw_buffer_arg, &body, pw_buffer_arg,
                          &details) ||
        need_filter())
        return NULL;
    size_t n = 0;
    envoy_header *hs = headers_from(headers, &n);
    if (hs == NULL) return NULL;
    envoy_dynamic_module_callback_http_send_response(pw_current, code, hs, n, body, details);
    PyMem_Free(hs);
    Py_RETURN_NONE;
}

static PyObject *mod_continue_stream(PyObject *self, PyObject *args) {
    int response;
    if (!PyArg_ParseTuple(args, "p", &response) || need_filter()) return NULL;
    if (response)
        envoy_dynamic_module_callback_http_filter_continue_encoding(pw_current);
    else
        envoy_dynamic_module_callback_http_filter_continue_decoding(pw_current);
    Py_RETURN_NONE;
}

/* One bytes object from Envoy's buffer chunks. */
static PyObject *pw_join_chunks(const envoy_buffer *chunks, size_t n) {
    size_t total = 0;
    for (size_t i = 0; chunks != NULL && i < n; i++) total += chunks[i].length;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
    if (out == NULL) return NULL;
    char *p = PyBytes_AS_STRING(out);
    for (size_t i = 0; chunks != NULL && i < n; i++) {
        if (chunks[i].length) memcpy(p, chunks[i].ptr, chunks[i].length);
        p += chunks[i].length;
    }
    return out;
}

/* Return Envoy's `n` buffer chunks, read into `chunks` by GET (a bool expression), as one bytes
 * object; None when GET fails. */
#define RETURN_CHUNKS(n, GET)                                                                   \
    do {                                                                                        \
        if ((n) == 0) return PyBytes_FromStringAndSize(NULL, 0);                                \
        envoy_buffer *chunks = PyMem_Calloc((n), sizeof *chunks);                              \
        if (chunks == NULL) return PyErr_NoMemory();                                            \
        PyObject *out = (GET) ? pw_join_chunks(chunks, (n)) : Py_NewRef(Py_None);               \
        PyMem_Free(chunks);                                                                     \
        return out;                                                                             \
    } while (0)

/* get_body(body_type) -> bytes or None when that body is not available. */
static PyObject *mod_get_body(PyObject *self, PyObject *args) {
    int type;
    if (!PyArg_ParseTuple(args, "i", &type) || need_filter()) return NULL;
    size_t n = envoy_dynamic_module_callback_http_get_body_chunks_size(pw_current, type);
    RETURN_CHUNKS(n, envoy_dynamic_module_callback_http_get_body_chunks(pw_current, type, chunks));
}

static PyObject *mod_drain_body(PyObject *self, PyObject *args) {
    int type;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "in", &type, &n) || need_filter()) return NULL;
    return PyBool_FromLong(envoy_dynamic_module_callback_http_drain_body(pw_current, type, (size_t)n));
}

static PyObject *mod_append_body(PyObject *self, PyObject *args) {
    int type;
    module_buffer data;
    if (!PyArg_ParseTuple(args, "iO&", &type, pw_buffer_arg, &data) || need_filter()) return NULL;
    return PyBool_FromLong(envoy_dynamic_module_callback_http_append_body(pw_current, type, data));
}

static PyObject *mod_attribute_string(PyObject *self, PyObject *args) {
    int id;
    if (!PyArg_ParseTuple(args, "i", &id) || need_filter()) return NULL;
    envoy_buffer out = {NULL, 0};
    bool ok = envoy_dynamic_module_callback_http_filter_get_attribute_string(pw_current, id, &out);
    return pw_bytes_or_none(ok, &out);
}

static PyObject *mod_attribute_int(PyObject *self, PyObject *args) {
    int id;
    if (!PyArg_ParseTuple(args, "i", &id) || need_filter()) return NULL;
    uint64_t out = 0;
    if (!envoy_dynamic_module_callback_http_filter_get_attribute_int(pw_current, id, &out))
        Py_RETURN_NONE;
    return PyLong_FromUnsignedLongLong(out);
}

static PyObject *mod_set_filter_state(PyObject *self, PyObject *args) {
    module_buffer key, value;
    if (!PyArg_ParseTuple(args, "O&O&", pw_buffer_arg, &key, pw_buffer_arg, &value) || need_filter())
        return NULL;
    return PyBool_FromLong(
        envoy_dynamic_module_callback_http_set_filter_state_bytes(pw_current, key, value));
}

static PyObject *mod_set_filter_state_typed(PyObject *self, PyObject *args) {
    module_buffer key, value;
    if (!PyArg_ParseTuple(args, "O&O&", pw_buffer_arg, &key, pw_buffer_arg, &value) || need_filter())
        return NULL;
    return PyBool_FromLong(
        envoy_dynamic_module_callback_http_set_filter_state_typed(pw_current, key, value));
}

static PyObject *mod_get_filter_state(PyObject *self, PyObject *args) {
    module_buffer key;
    if (!PyArg_ParseTuple(args, "O&", pw_buffer_arg, &key) || need_filter()) return NULL;
    envoy_buffer out = {NULL, 0};
    bool ok = envoy_dynamic_module_callback_http_get_filter_state_bytes(pw_current, key, &out);
    return pw_bytes_or_none(ok, &out);
}

static PyObject *mod_set_metadata(PyObject *self, PyObject *args) {
    module_buffer ns, key, value;
    if (!PyArg_ParseTuple(args, "O&O&O&", pw_buffer_arg, &ns, pw_buffer_arg, &key, pw_buffer_arg,
                          &value) ||
        need_filter())
        return NULL;
    envoy_dynamic_module_callback_http_set_dynamic_metadata_string(pw_current, ns, key, value);
    Py_RETURN_NONE;
}

static PyObject *mod_get_metadata(PyObject *self, PyObject *args) {
    int source;
    module_buffer ns, key;
    if (!PyArg_ParseTuple(args, "iO&O&", &source, pw_buffer_arg, &ns, pw_buffer_arg, &key) ||
        need_filter())
        return NULL;
    envoy_buffer out = {NULL, 0};
    bool ok = envoy_dynamic_module_callback_http_get_metadata_string(pw_current, source, ns, key, &out);
    return pw_bytes_or_none(ok, &out);
}

static PyObject *mod_get_metadata_number(PyObject *self, PyObject *args) {
    int source;
    module_buffer ns, key;
    if (!PyArg_ParseTuple(args, "iO&O&", &source, pw_buffer_arg, &ns, pw_buffer_arg, &key) ||
        need_filter())
        return NULL;
    double out = 0;
    if (!envoy_dynamic_module_callback_http_get_metadata_number(pw_current, source, ns, key, &out))
        Py_RETURN_NONE;
    return PyFloat_FromDouble(out);
}

static PyObject *mod_clear_route_cache(PyObject *self, PyObject *unused) {
    if (need_filter()) return NULL;
    envoy_dynamic_module_callback_http_clear_route_cache(pw_current);
    Py_RETURN_NONE;
}

/* http_callout(cluster, headers, body, timeout_ms) -> (result, callout id or None): from the
 * current stream, or, with no stream current (a root context, on the main thread), from the
 * filter configuration. */
static PyObject *mod_http_callout(PyObject *self, PyObject *args) {
    module_buffer cluster, body;
    PyObject *headers;
    unsigned long long timeout;
    if (!PyArg_ParseTuple(args, "O&OO&K", pw_buffer_arg, &cluster, &headers, pw_buffer_arg, &body,
                          &timeout))
        return NULL;
    if (pw_current_net) {
        need_filter(); /* sets the error: callouts from TCP filters are not served */
        return NULL;
    }
    if (pw_current == NULL && need_config()) return NULL;
    if (pw_current == NULL && pw_current_config->network) {
        PyErr_SetString(PyExc_LookupError, "no HTTP callouts from a TCP filter's root context");
        return NULL;
    }
    size_t n = 0;
    envoy_header *hs = headers_from(headers, &n);
    if (hs == NULL) return NULL;
    uint64_t id = 0;
    int rc = pw_current != NULL
        ? envoy_dynamic_module_callback_http_filter_http_callout(pw_current, &id, cluster, hs, n,
                                                                 body, timeout)
        : envoy_dynamic_module_callback_http_filter_config_http_callout(
              pw_current_config->envoy, &id, cluster, hs, n, body, timeout);
    PyMem_Free(hs);
    if (rc != CALLOUT_INIT_SUCCESS) return Py_BuildValue("(iO)", rc, Py_None);
    return Py_BuildValue("(iK)", rc, (unsigned long long)id);
}

/* The metric callbacks of an HTTP filter configuration (with labels, none used) and of a network
 * filter configuration (no labels). */
typedef int (*http_define_fn)(filter_config_envoy_ptr, module_buffer, module_buffer *, size_t,
                              size_t *);
typedef int (*http_update_fn)(filter_config_envoy_ptr, size_t, module_buffer *, size_t, uint64_t);
typedef int (*net_define_fn)(filter_config_envoy_ptr, module_buffer, size_t *);
typedef int (*net_update_fn)(filter_config_envoy_ptr, size_t, uint64_t);
static const http_define_fn http_define[3] = {
    envoy_dynamic_module_callback_http_filter_config_define_counter,
    envoy_dynamic_module_callback_http_filter_config_define_gauge,
    envoy_dynamic_module_callback_http_filter_config_define_histogram,
};
static const net_define_fn net_define[3] = {
    envoy_dynamic_module_callback_network_filter_config_define_counter,
    envoy_dynamic_module_callback_network_filter_config_define_gauge,
    envoy_dynamic_module_callback_network_filter_config_define_histogram,
};
/* ops: 0 counter +=, 1 gauge +=, 2 gauge -=, 3 gauge =, 4 histogram record */
static const http_update_fn http_update[5] = {
    envoy_dynamic_module_callback_http_filter_config_increment_counter,
    envoy_dynamic_module_callback_http_filter_config_increment_gauge,
    envoy_dynamic_module_callback_http_filter_config_decrement_gauge,
    envoy_dynamic_module_callback_http_filter_config_set_gauge,
    envoy_dynamic_module_callback_http_filter_config_record_histogram_value,
};
static const net_update_fn net_update[5] = {
    envoy_dynamic_module_callback_network_filter_config_increment_counter,
    envoy_dynamic_module_callback_network_filter_config_increment_gauge,
    envoy_dynamic_module_callback_network_filter_config_decrement_gauge,
    envoy_dynamic_module_callback_network_filter_config_set_gauge,
    envoy_dynamic_module_callback_network_filter_config_record_histogram_value,
};

/* define_metric(kind, name) -> (result, id); kind 0 counter, 1 gauge, 2 histogram (Proxy-Wasm
 * order). Envoy accepts definitions only while it loads the configuration. */
static PyObject *mod_define_metric(PyObject *self, PyObject *args) {
    int kind;
    module_buffer name;
    if (!PyArg_ParseTuple(args, "iO&", &kind, pw_buffer_arg, &name) || need_config()) return NULL;
    if (kind < 0 || kind > 2) return Py_BuildValue("(in)", -1, (Py_ssize_t)0);
    size_t id = 0;
    filter_config_envoy_ptr c = pw_current_config->envoy;
    int rc = pw_current_config->network ? net_define[kind](c, name, &id)
                                        : http_define[kind](c, name, NULL, 0, &id);
    return Py_BuildValue("(in)", rc, (Py_ssize_t)id);
}

/* update_metric(op, id, value) -> result; op 0 counter +=, 1 gauge +=, 2 gauge -=, 3 gauge =,
 * 4 histogram record. */
static PyObject *mod_update_metric(PyObject *self, PyObject *args) {
    int op;
    Py_ssize_t id;
    unsigned long long value;
    if (!PyArg_ParseTuple(args, "inK", &op, &id, &value) || need_config()) return NULL;
    if (op < 0 || op > 4) return PyLong_FromLong(-1);
    filter_config_envoy_ptr c = pw_current_config->envoy;
    int rc = pw_current_config->network ? net_update[op](c, (size_t)id, value)
                                        : http_update[op](c, (size_t)id, NULL, 0, value);
    return PyLong_FromLong(rc);
}

/* schedule(scheduler, event_id): Plugin.on_scheduled(context, event_id) on the stream's worker
 * (thread-safe: how another thread resumes a stream). */
static PyObject *mod_schedule(PyObject *self, PyObject *args) {
    PyObject *sched;
    unsigned long long event_id;
    if (!PyArg_ParseTuple(args, "OK", &sched, &event_id)) return NULL;
    void *s = PyLong_AsVoidPtr(sched);
    if (s == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "no scheduler");
        return NULL;
    }
    envoy_dynamic_module_callback_http_filter_scheduler_commit(s, event_id);
    Py_RETURN_NONE;
}

/* config_schedule(event_id): Plugin.on_config_scheduled(event_id) on the main thread. */
static PyObject *mod_config_schedule(PyObject *self, PyObject *args) {
    unsigned long long event_id;
    if (!PyArg_ParseTuple(args, "K", &event_id) || need_config()) return NULL;
    if (pw_current_config->scheduler == NULL) {
        PyErr_SetString(PyExc_LookupError, "no main-thread scheduler");
        return NULL;
    }
    envoy_dynamic_module_callback_http_filter_config_scheduler_commit(pw_current_config->scheduler,
                                                                      event_id);
    Py_RETURN_NONE;
}

/* -- TCP connections (network filters) ------------------------------------------------------ */

/* net_get_data(write) -> the read (downstream) or write (upstream) buffer. */
static PyObject *mod_net_get_data(PyObject *self, PyObject *args) {
    int write;
    if (!PyArg_ParseTuple(args, "p", &write) || need_connection()) return NULL;
    size_t n = write ? envoy_dynamic_module_callback_network_filter_get_write_buffer_chunks_size(pw_current)
                     : envoy_dynamic_module_callback_network_filter_get_read_buffer_chunks_size(pw_current);
    RETURN_CHUNKS(n, write ? envoy_dynamic_module_callback_network_filter_get_write_buffer_chunks(pw_current, chunks)
                           : envoy_dynamic_module_callback_network_filter_get_read_buffer_chunks(pw_current, chunks));
}

static PyObject *mod_net_drain(PyObject *self, PyObject *args) {
    int write;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "pn", &write, &n) || need_connection()) return NULL;
    return PyBool_FromLong(write ? envoy_dynamic_module_callback_network_filter_drain_write_buffer(pw_current, (size_t)n)
                                 : envoy_dynamic_module_callback_network_filter_drain_read_buffer(pw_current, (size_t)n));
}

static PyObject *mod_net_append(PyObject *self, PyObject *args) {
    int write;
    module_buffer data;
    if (!PyArg_ParseTuple(args, "pO&", &write, pw_buffer_arg, &data) || need_connection()) return NULL;
    return PyBool_FromLong(write ? envoy_dynamic_module_callback_network_filter_append_write_buffer(pw_current, data)
                                 : envoy_dynamic_module_callback_network_filter_append_read_buffer(pw_current, data));
}

static PyObject *mod_net_continue(PyObject *self, PyObject *unused) {
    if (need_connection()) return NULL;
    envoy_dynamic_module_callback_network_filter_continue_reading(pw_current);
    Py_RETURN_NONE;
}

static PyObject *mod_net_close(PyObject *self, PyObject *unused) {
    if (need_connection()) return NULL;
    envoy_dynamic_module_callback_network_filter_close(pw_current, NET_CLOSE_FLUSH_WRITE);
    Py_RETURN_NONE;
}

/* net_address(local) -> (address, port) or None. */
static PyObject *mod_net_address(PyObject *self, PyObject *args) {
    int local;
    if (!PyArg_ParseTuple(args, "p", &local) || need_connection()) return NULL;
    envoy_buffer out = {NULL, 0};
    uint32_t port = 0;
    bool ok = local ? envoy_dynamic_module_callback_network_filter_get_local_address(pw_current, &out, &port)
                    : envoy_dynamic_module_callback_network_filter_get_remote_address(pw_current, &out, &port);
    if (!ok) Py_RETURN_NONE;
    return Py_BuildValue("(y#I)", out.ptr, (Py_ssize_t)out.length, port);
}

static PyObject *mod_net_set_filter_state(PyObject *self, PyObject *args) {
    module_buffer key, value;
    int typed;
    if (!PyArg_ParseTuple(args, "O&O&p", pw_buffer_arg, &key, pw_buffer_arg, &value, &typed) ||
        need_connection())
        return NULL;
    return PyBool_FromLong(typed ? envoy_dynamic_module_callback_network_set_filter_state_typed(pw_current, key, value)
                                 : envoy_dynamic_module_callback_network_set_filter_state_bytes(pw_current, key, value));
}

static PyObject *mod_net_get_filter_state(PyObject *self, PyObject *args) {
    module_buffer key;
    if (!PyArg_ParseTuple(args, "O&", pw_buffer_arg, &key) || need_connection()) return NULL;
    envoy_buffer out = {NULL, 0};
    bool ok = envoy_dynamic_module_callback_network_get_filter_state_bytes(pw_current, key, &out);
    return pw_bytes_or_none(ok, &out);
}

static PyObject *mod_current(PyObject *self, PyObject *unused) {
    return PyLong_FromVoidPtr(pw_current);
}

/* set_current(filter pointer or 0, network=False): proxy_set_effective_context switches with it. */
static PyObject *mod_set_current(PyObject *self, PyObject *args) {
    PyObject *arg;
    int network = 0;
    if (!PyArg_ParseTuple(args, "O|p", &arg, &network)) return NULL;
    void *p = PyLong_AsVoidPtr(arg);
    if (p == NULL && PyErr_Occurred()) return NULL;
    pw_current = p;
    pw_current_net = network;
    Py_RETURN_NONE;
}

/* set_current_config(pointer): for threads of the module's own (ticks). */
static PyObject *mod_set_current_config(PyObject *self, PyObject *arg) {
    void *p = PyLong_AsVoidPtr(arg);
    if (p == NULL && PyErr_Occurred()) return NULL;
    pw_current_config = p;
    Py_RETURN_NONE;
}

static PyObject *mod_set_callback_mask(PyObject *self, PyObject *arg) {
    unsigned long mask = PyLong_AsUnsignedLong(arg);
    if (PyErr_Occurred()) return NULL;
    if (need_config()) return NULL;
    pw_current_config->mask = mask;
    Py_RETURN_NONE;
}

static PyMethodDef mod_methods[] = {
    {"log", mod_log, METH_VARARGS, "log(level, message): Envoy's [dynamic_modules] log."},
    {"log_enabled", mod_log_enabled, METH_VARARGS, "log_enabled(level) -> bool."},
    {"get_header", mod_get_header, METH_VARARGS, "get_header(map, key) -> first value or None."},
    {"get_headers", mod_get_headers, METH_VARARGS, "get_headers(map) -> [(key, value)]."},
    {"headers_size", mod_headers_size, METH_VARARGS, "headers_size(map) -> int."},
    {"set_header", mod_set_header, METH_VARARGS, "set_header(map, key, value|None) -> bool."},
    {"add_header", mod_add_header, METH_VARARGS, "add_header(map, key, value) -> bool."},
    {"send_response", mod_send_response, METH_VARARGS, "send_response(code, headers, body, details)."},
    {"continue_stream", mod_continue_stream, METH_VARARGS, "continue_stream(response: bool)."},
    {"get_body", mod_get_body, METH_VARARGS, "get_body(body_type) -> bytes or None."},
    {"drain_body", mod_drain_body, METH_VARARGS, "drain_body(body_type, n) -> bool."},
    {"append_body", mod_append_body, METH_VARARGS, "append_body(body_type, data) -> bool."},
    {"attribute_string", mod_attribute_string, METH_VARARGS, "attribute_string(id) -> bytes|None."},
    {"attribute_int", mod_attribute_int, METH_VARARGS, "attribute_int(id) -> int|None."},
    {"set_filter_state", mod_set_filter_state, METH_VARARGS, "set_filter_state(key, value) -> bool."},
    {"set_filter_state_typed", mod_set_filter_state_typed, METH_VARARGS, "set_filter_state_typed(key, value) -> bool."},
    {"get_filter_state", mod_get_filter_state, METH_VARARGS, "get_filter_state(key) -> bytes|None."},
    {"set_metadata", mod_set_metadata, METH_VARARGS, "set_metadata(ns, key, value)."},
    {"get_metadata", mod_get_metadata, METH_VARARGS, "get_metadata(source, ns, key) -> bytes|None."},
    {"get_metadata_number", mod_get_metadata_number, METH_VARARGS, "get_metadata_number(source, ns, key) -> float|None."},
    {"clear_route_cache", mod_clear_route_cache, METH_NOARGS, "clear_route_cache()."},
    {"http_callout", mod_http_callout, METH_VARARGS, "http_callout(cluster, headers, body, ms) -> (rc, id|None)."},
    {"define_metric", mod_define_metric, METH_VARARGS, "define_metric(kind, name) -> (rc, id)."},
    {"update_metric", mod_update_metric, METH_VARARGS, "update_metric(op, id, value) -> rc."},
    {"schedule", mod_schedule, METH_VARARGS, "schedule(scheduler, event_id): on the stream's worker."},
    {"config_schedule", mod_config_schedule, METH_VARARGS, "config_schedule(event_id): on the main thread."},
    {"net_get_data", mod_net_get_data, METH_VARARGS, "net_get_data(write) -> bytes|None."},
    {"net_drain", mod_net_drain, METH_VARARGS, "net_drain(write, n) -> bool."},
    {"net_append", mod_net_append, METH_VARARGS, "net_append(write, data) -> bool."},
    {"net_continue", mod_net_continue, METH_NOARGS, "net_continue(): continue reading."},
    {"net_close", mod_net_close, METH_NOARGS, "net_close(): close the connection."},
    {"net_address", mod_net_address, METH_VARARGS, "net_address(local) -> (address, port)|None."},
    {"net_set_filter_state", mod_net_set_filter_state, METH_VARARGS, "net_set_filter_state(key, value, typed) -> bool."},
    {"net_get_filter_state", mod_net_get_filter_state, METH_VARARGS, "net_get_filter_state(key) -> bytes|None."},
    {"current", mod_current, METH_NOARGS, "current() -> the current stream's filter pointer."},
    {"set_current", mod_set_current, METH_VARARGS, "set_current(pointer): switch the current stream."},
    {"set_current_config", mod_set_current_config, METH_O, "set_current_config(pointer)."},
    {"set_callback_mask", mod_set_callback_mask, METH_O, "set_callback_mask(mask)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef mod_def = {
    PyModuleDef_HEAD_INIT, "_proxy_wasm_envoy",
    "Envoy dynamic-module callbacks for the current stream (proxy-wasm-python native).", -1,
    mod_methods,
};

static PyObject *mod_init(void) { return PyModule_Create(&mod_def); }

/* ------------------------------------------------------------------------------------------ */
/* Start-up                                                                                    */

static const char pw_boot_source[] =
    "def boot(raw):\n"
    "    import json, sys\n"
    "    cfg = json.loads(raw)\n"
    "    for p in reversed(cfg.get('sys_path', [])):\n"
    "        if p not in sys.path:\n"
    "            sys.path.insert(0, p)\n"
    "    if cfg.get('site_dirs'):\n"
    "        import site\n"
    "        for d in cfg['site_dirs']:\n"
    "            site.addsitedir(d)\n"
    "    from proxy_wasm_shim.native import runtime\n"
    "    return runtime\n";

static PyObject *pw_boot_fn;

static int pw_start_python(void) {
    if (pw_started) return pw_started > 0 ? 0 : -1;
    pw_started = -1;
    /* C extensions (lib-dynload, site-packages) resolve libpython's symbols globally. */
    dlopen(PW_LIBPYTHON, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
    if (PyImport_AppendInittab("_proxy_wasm_envoy", mod_init) < 0) return -1;
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.install_signal_handlers = 0;
    config.site_import = 0;
    config.write_bytecode = 0;
    config.buffered_stdio = 0;
    PyStatus status = PyConfig_SetBytesString(&config, &config.home, PW_PYTHON_HOME);
    if (!PyStatus_Exception(status))
        status = PyConfig_SetString(&config, &config.program_name, L"envoy-proxy-wasm-python");
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        const char *msg = status.err_msg ? status.err_msg : "Python start-up failed";
        pw_log(LOG_ERROR, msg, strlen(msg));
        return -1;
    }
    PyObject *globals = PyDict_New();
    if (globals != NULL) {
        PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
        PyObject *r = PyRun_String(pw_boot_source, Py_file_input, globals, globals);
        Py_XDECREF(r);
        pw_boot_fn = PyDict_GetItemString(globals, "boot");
        Py_XINCREF(pw_boot_fn);
        Py_DECREF(globals);
    }
    for (int i = 0; i < EV_COUNT; i++) ev_names[i] = PyUnicode_InternFromString(ev_methods[i]);
    if (pw_boot_fn == NULL) {
        pw_log_exception("start-up");
        PyEval_SaveThread();
        return -1;
    }
    pw_started = 1;
    PyEval_SaveThread(); /* the workers take the GIL per callback */
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The GIL per callback                                                                        */

/* Each Envoy thread keeps one Python thread state for good (PyGILState_Release would create and
 * destroy one per callback); hooks nest when Envoy calls back into this module from inside a
 * callback (a local reply runs the encoder hooks), so only the outermost takes and drops the GIL. */
static __thread PyThreadState *pw_tstate;
static __thread int pw_depth;

static void pw_enter(void) {
    if (pw_depth++ > 0) return;
    if (pw_tstate == NULL) {
        PyGILState_Ensure(); /* never released: the thread state stays */
        pw_tstate = PyThreadState_Get();
    } else {
        PyEval_RestoreThread(pw_tstate);
    }
}

static void pw_leave(void) {
    if (--pw_depth == 0) PyEval_SaveThread();
}

/* ------------------------------------------------------------------------------------------ */
/* Event hooks                                                                                 */

EXPORT const char *envoy_dynamic_module_on_program_init(void) { return PW_ENVOY_ABI_VERSION; }

static pw_config *pw_config_new(filter_config_envoy_ptr envoy, envoy_buffer config, int network) {
    if (pw_start_python() < 0) return NULL;
    pw_enter();
    pw_config *c = PyMem_RawCalloc(1, sizeof *c);
    PyObject *plugin = NULL;
    if (c != NULL) {
        c->envoy = envoy;
        c->mask = ~0UL;
        c->network = network;
        if (!network) c->scheduler = envoy_dynamic_module_callback_http_filter_config_scheduler_new(envoy);
        pw_config *saved = pw_current_config;
        pw_current_config = c;
        PyObject *runtime = PyObject_CallFunction(pw_boot_fn, "y#", config.ptr, (Py_ssize_t)config.length);
        if (runtime != NULL) {
            plugin = PyObject_CallMethod(runtime, "new_plugin", "y#Ni", config.ptr,
                                         (Py_ssize_t)config.length, PyLong_FromVoidPtr(c),
                                         network);
            Py_DECREF(runtime);
        }
        if (plugin == NULL) pw_log_exception("loading the filter");
        pw_current_config = saved;
    }
    if (plugin == NULL || plugin == Py_None) {
        Py_XDECREF(plugin);
        if (c != NULL && c->scheduler != NULL)
            envoy_dynamic_module_callback_http_filter_config_scheduler_delete(c->scheduler);
        PyMem_RawFree(c);
        c = NULL;
    } else {
        c->plugin = plugin;
    }
    pw_leave();
    return c;
}

EXPORT filter_config_module_ptr envoy_dynamic_module_on_http_filter_config_new(
    filter_config_envoy_ptr envoy, envoy_buffer name, envoy_buffer config) {
    return pw_config_new(envoy, config, 0);
}

EXPORT void envoy_dynamic_module_on_http_filter_config_destroy(filter_config_module_ptr p) {
    pw_config *c = (pw_config *)p;
    if (c == NULL) return;
    pw_enter();
    PyObject *r = PyObject_CallMethod(c->plugin, "close", NULL);
    if (r == NULL) pw_log_exception("closing the filter");
    Py_XDECREF(r);
    Py_DECREF(c->plugin);
    pw_leave();
    if (c->scheduler != NULL)
        envoy_dynamic_module_callback_http_filter_config_scheduler_delete(c->scheduler);
    PyMem_RawFree(c);
}

static pw_filter *pw_filter_new(pw_config *c, filter_envoy_ptr envoy, int network) {
    pw_filter *f = PyMem_RawCalloc(1, sizeof *f);
    if (f == NULL) return NULL;
    f->config = c;
    f->network = network;
    pw_enter();
    filter_envoy_ptr saved = pw_current;
    int saved_net = pw_current_net;
    pw_config *saved_config = pw_current_config;
    pw_current = envoy;
    pw_current_net = network;
    pw_current_config = c;
    if (!network) f->scheduler = envoy_dynamic_module_callback_http_filter_scheduler_new(envoy);
    PyObject *r = PyObject_CallMethod(c->plugin, network ? "new_connection" : "new_stream", "NN",
                                      PyLong_FromVoidPtr(envoy), PyLong_FromVoidPtr(f->scheduler));
    if (r == NULL) {
        pw_log_exception("creating the stream context");
        f->context_id = -1;
    } else {
        f->context_id = PyLong_AsLong(r);
        Py_DECREF(r);
    }
    pw_current = saved;
    pw_current_net = saved_net;
    pw_current_config = saved_config;
    pw_leave();
    return f;
}

EXPORT filter_module_ptr envoy_dynamic_module_on_http_filter_new(filter_config_module_ptr p,
                                                                  filter_envoy_ptr envoy) {
    return pw_filter_new((pw_config *)p, envoy, 0);
}

/* One event into Python: GIL, current stream, Plugin.<method>(context_id, arg) -> int. */
static long pw_event(filter_envoy_ptr envoy, pw_filter *f, int ev, unsigned long long arg) {
    pw_config *c = f->config;
    if (ev_bits[ev] >= 0 && !(c->mask >> ev_bits[ev] & 1)) return 0;
    if (f->context_id < 0) return 0;
    pw_enter();
    filter_envoy_ptr saved = pw_current;
    int saved_net = pw_current_net;
    pw_config *saved_config = pw_current_config;
    pw_current = envoy;
    pw_current_net = f->network;
    pw_current_config = c;
    long result = 0;
    PyObject *argv[3] = {c->plugin, PyLong_FromLong(f->context_id),
                         PyLong_FromUnsignedLongLong(arg)};
    PyObject *r = NULL;
    if (argv[1] != NULL && argv[2] != NULL)
        r = PyObject_VectorcallMethod(ev_names[ev], argv, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    Py_XDECREF(argv[1]);
    Py_XDECREF(argv[2]);
    if (r == NULL) {
        pw_log_exception(ev_methods[ev]);
    } else {
        result = PyLong_AsLong(r);
        if (result == -1 && PyErr_Occurred()) { pw_log_exception(ev_methods[ev]); result = 0; }
        Py_DECREF(r);
    }
    pw_current = saved;
    pw_current_net = saved_net;
    pw_current_config = saved_config;
    pw_leave();
    return result;
}

#define HOOK(name, ev, ...)                                                                     \
    EXPORT int envoy_dynamic_module_on_http_filter_##name(filter_envoy_ptr e, filter_module_ptr m \
                                                          __VA_ARGS__)

HOOK(request_headers, EV_REQUEST_HEADERS, , bool eos) { return (int)pw_event(e, (pw_filter *)m, EV_REQUEST_HEADERS, eos); }
HOOK(request_body, EV_REQUEST_BODY, , bool eos) { return (int)pw_event(e, (pw_filter *)m, EV_REQUEST_BODY, eos); }
HOOK(request_trailers, EV_REQUEST_TRAILERS) { return (int)pw_event(e, (pw_filter *)m, EV_REQUEST_TRAILERS, 0); }
HOOK(response_headers, EV_RESPONSE_HEADERS, , bool eos) { return (int)pw_event(e, (pw_filter *)m, EV_RESPONSE_HEADERS, eos); }
HOOK(response_body, EV_RESPONSE_BODY, , bool eos) { return (int)pw_event(e, (pw_filter *)m, EV_RESPONSE_BODY, eos); }
HOOK(response_trailers, EV_RESPONSE_TRAILERS) { return (int)pw_event(e, (pw_filter *)m, EV_RESPONSE_TRAILERS, 0); }

EXPORT void envoy_dynamic_module_on_http_filter_stream_complete(filter_envoy_ptr e, filter_module_ptr m) {
    pw_event(e, (pw_filter *)m, EV_COMPLETE, 0);
}

EXPORT void envoy_dynamic_module_on_http_filter_destroy(filter_module_ptr m) {
    pw_filter *f = (pw_filter *)m;
    if (f->scheduler != NULL) envoy_dynamic_module_callback_http_filter_scheduler_delete(f->scheduler);
    PyMem_RawFree(f);
}

EXPORT void envoy_dynamic_module_on_http_filter_scheduled(filter_envoy_ptr e, filter_module_ptr m,
                                                          uint64_t event_id) {
    pw_event(e, (pw_filter *)m, EV_SCHEDULED, event_id);
}

/* An event committed with config_schedule (ticks), on the main thread. */
EXPORT void envoy_dynamic_module_on_http_filter_config_scheduled(filter_config_envoy_ptr e,
                                                                 filter_config_module_ptr m,
                                                                 uint64_t event_id) {
    pw_config *c = (pw_config *)m;
    if (c == NULL) return;
    pw_enter();
    filter_envoy_ptr saved = pw_current;
    pw_config *saved_config = pw_current_config;
    pw_current = NULL;
    pw_current_config = c;
    PyObject *r = PyObject_CallMethod(c->plugin, "on_config_scheduled", "K",
                                      (unsigned long long)event_id);
    if (r == NULL) pw_log_exception("on_config_scheduled");
    Py_XDECREF(r);
    pw_current = saved;
    pw_current_config = saved_config;
    pw_leave();
}

/* HTTP callout answered: Plugin.on_callout_done(context_id, callout_id, result, headers, body);
 * context_id -1: a callout of the filter configuration (root context). */
static void pw_callout_done(filter_envoy_ptr e, pw_config *c, long context_id, uint64_t callout_id,
                            int result, envoy_header *headers, size_t n_headers,
                            envoy_buffer *chunks, size_t n_chunks) {
    pw_enter();
    filter_envoy_ptr saved = pw_current;
    pw_config *saved_config = pw_current_config;
    pw_current = e;
    pw_current_config = c;
    PyObject *hs = PyList_New(0);
    PyObject *body = pw_join_chunks(chunks, n_chunks);
    for (size_t i = 0; hs != NULL && headers != NULL && i < n_headers; i++) {
        PyObject *pair = Py_BuildValue("(y#y#)", headers[i].key_ptr, (Py_ssize_t)headers[i].key_length,
                                       headers[i].value_ptr, (Py_ssize_t)headers[i].value_length);
        if (pair == NULL || PyList_Append(hs, pair) < 0) Py_CLEAR(hs);
        Py_XDECREF(pair);
    }
    PyObject *r = NULL;
    if (hs != NULL && body != NULL)
        r = PyObject_CallMethod(c->plugin, "on_callout_done", "lKiOO", context_id,
                                (unsigned long long)callout_id, result, hs, body);
    if (r == NULL) pw_log_exception("on_callout_done");
    Py_XDECREF(r);
    Py_XDECREF(hs);
    Py_XDECREF(body);
    pw_current = saved;
    pw_current_config = saved_config;
    pw_leave();
}

EXPORT void envoy_dynamic_module_on_http_filter_http_callout_done(
    filter_envoy_ptr e, filter_module_ptr m, uint64_t callout_id, int result,
    envoy_header *headers, size_t n_headers, envoy_buffer *chunks, size_t n_chunks) {
    pw_filter *f = (pw_filter *)m;
    if (f->context_id < 0) return;
    pw_callout_done(e, f->config, f->context_id, callout_id, result, headers, n_headers, chunks,
                    n_chunks);
}

EXPORT void envoy_dynamic_module_on_http_filter_config_http_callout_done(
    filter_config_envoy_ptr e, filter_config_module_ptr m, uint64_t callout_id, int result,
    envoy_header *headers, size_t n_headers, envoy_buffer *chunks, size_t n_chunks) {
    pw_config *c = (pw_config *)m;
    if (c == NULL) return;
    pw_callout_done(NULL, c, -1, callout_id, result, headers, n_headers, chunks, n_chunks);
}

/* Hooks Envoy requires that this runtime has no use for. */
EXPORT void envoy_dynamic_module_on_http_filter_http_stream_headers(filter_envoy_ptr e, filter_module_ptr m, uint64_t id, envoy_header *h, size_t n, bool end) {}
EXPORT void envoy_dynamic_module_on_http_filter_http_stream_data(filter_envoy_ptr e, filter_module_ptr m, uint64_t id, const envoy_buffer *d, size_t n, bool end) {}
EXPORT void envoy_dynamic_module_on_http_filter_http_stream_trailers(filter_envoy_ptr e, filter_module_ptr m, uint64_t id, envoy_header *t, size_t n) {}
EXPORT void envoy_dynamic_module_on_http_filter_http_stream_complete(filter_envoy_ptr e, filter_module_ptr m, uint64_t id) {}
EXPORT void envoy_dynamic_module_on_http_filter_http_stream_reset(filter_envoy_ptr e, filter_module_ptr m, uint64_t id, int reason) {}
EXPORT void envoy_dynamic_module_on_http_filter_downstream_above_write_buffer_high_watermark(filter_envoy_ptr e, filter_module_ptr m) {}
EXPORT void envoy_dynamic_module_on_http_filter_downstream_below_write_buffer_low_watermark(filter_envoy_ptr e, filter_module_ptr m) {}

/* -- network (TCP) filters: the same runtime, a connection per filter --------------------- */

EXPORT filter_config_module_ptr envoy_dynamic_module_on_network_filter_config_new(
    filter_config_envoy_ptr envoy, envoy_buffer name, envoy_buffer config) {
    return pw_config_new(envoy, config, 1);
}

EXPORT void envoy_dynamic_module_on_network_filter_config_destroy(filter_config_module_ptr p) {
    envoy_dynamic_module_on_http_filter_config_destroy(p);
}

EXPORT filter_module_ptr envoy_dynamic_module_on_network_filter_new(filter_config_module_ptr p,
                                                                     filter_envoy_ptr envoy) {
    return pw_filter_new((pw_config *)p, envoy, 1);
}

EXPORT int envoy_dynamic_module_on_network_filter_new_connection(filter_envoy_ptr e, filter_module_ptr m) {
    return (int)pw_event(e, (pw_filter *)m, EV_NEW_CONNECTION, 0);
}

/* data events carry (length << 1 | end_of_stream) */
EXPORT int envoy_dynamic_module_on_network_filter_read(filter_envoy_ptr e, filter_module_ptr m,
                                                       size_t length, bool eos) {
    return (int)pw_event(e, (pw_filter *)m, EV_DOWNSTREAM_DATA, (unsigned long long)length << 1 | eos);
}

EXPORT int envoy_dynamic_module_on_network_filter_write(filter_envoy_ptr e, filter_module_ptr m,
                                                        size_t length, bool eos) {
    return (int)pw_event(e, (pw_filter *)m, EV_UPSTREAM_DATA, (unsigned long long)length << 1 | eos);
}

EXPORT void envoy_dynamic_module_on_network_filter_event(filter_envoy_ptr e, filter_module_ptr m,
                                                         int event) {
    pw_event(e, (pw_filter *)m, EV_CONNECTION_EVENT, (unsigned long long)event);
}

EXPORT void envoy_dynamic_module_on_network_filter_destroy(filter_module_ptr m) {
    pw_filter *f = (pw_filter *)m;
    if (f->context_id >= 0) pw_event(NULL, f, EV_COMPLETE, 0); /* if no close event came */
    PyMem_RawFree(f);
}

EXPORT void envoy_dynamic_module_on_network_filter_http_callout_done(filter_envoy_ptr e, filter_module_ptr m, uint64_t id, int result, envoy_header *h, size_t nh, envoy_buffer *b, size_t nb) {}
EXPORT void envoy_dynamic_module_on_network_filter_scheduled(filter_envoy_ptr e, filter_module_ptr m, uint64_t id) {}
EXPORT void envoy_dynamic_module_on_network_filter_config_scheduled(filter_config_module_ptr m, uint64_t id) {}
EXPORT void envoy_dynamic_module_on_network_filter_above_write_buffer_high_watermark(filter_envoy_ptr e, filter_module_ptr m) {}
EXPORT void envoy_dynamic_module_on_network_filter_below_write_buffer_low_watermark(filter_envoy_ptr e, filter_module_ptr m) {}
