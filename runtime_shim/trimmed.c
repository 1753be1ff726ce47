/* What the trim stage (compiler/proxy_wasm_compiler/trim.py) leaves in place of the code it
 * removes after the snapshot, and what runs at snapshot time so that less is needed later.
 *
 * CPython's parser and compiler entry points get a body that calls pw_trimmed_compiler: eval,
 * exec, compile and ast.parse of source at run time then raise a RuntimeError that says how to
 * keep the compiler, instead of trapping. Shutdown gets pw_trimmed_noop. */
#include "Python.h"

#define EXPORT(name) __attribute__((export_name(#name)))

EXPORT(pw_trimmed_compiler) void *pw_trimmed_compiler(void) {
    PyErr_SetString(PyExc_RuntimeError,
                    "compiling Python source at run time was removed from this module by "
                    "trimming; build with --no-trim to keep it");
    return NULL;
}

EXPORT(pw_trimmed_noop) int pw_trimmed_noop(void) { return 0; }

/* Called by pw_snapshot_init once the filter is imported: resolve now what would need the
 * compiler at run time (load_config's field types). Failures are left for run time to report. */
void pw_prepare_for_trim(void) {
    PyObject *config = PyImport_ImportModule("proxy_wasm.config");
    PyObject *res = config ? PyObject_CallMethod(config, "resolve_field_types", NULL) : NULL;
    if (res == NULL) PyErr_Clear();
    Py_XDECREF(res);
    Py_XDECREF(config);
}
