/*
 * WASI calls answered inside the module instead of imported from the proxy.
 *
 * A filter has no filesystem: proxies answer every file call with an error anyway, some answer
 * wrongly (Envoy's fd_filestat_get says EBADF for stdout, which stops CPython start-up; its
 * path_link/path_symlink are registered with the wrong signature, so V8 refuses a module that
 * imports them; its fd_seek/fd_close log an error), and older proxies lack most of them (a
 * missing import makes the module fail to load). Defining the symbol that wasi-libc calls,
 * `__imported_wasi_snapshot_preview1_<name>`, makes the linker resolve the call here, so the
 * import disappears. What remains imported is within the set every Proxy-Wasm host has offered
 * since 2020: fd_write, fd_close (libc's close() imports it directly), environ_get,
 * environ_sizes_get, clock_time_get, random_get, proc_exit.
 *
 * Signatures must match wasi-libc's declarations exactly (i64 where WASI has 64-bit values).
 */
#include <stdint.h>
#include <string.h>

#define OVERRIDE(name) __imported_wasi_snapshot_preview1_##name

enum {
    E_SUCCESS = 0, E_BADF = 8, E_INVAL = 28, E_NOENT = 44, E_NOSYS = 52, E_NOTDIR = 54,
    E_NOTSUP = 58, E_SPIPE = 70,
};
enum { FILETYPE_CHARACTER_DEVICE = 2 };

static int is_stdio(int32_t fd) { return fd >= 0 && fd <= 2; }

/* __wasi_fdstat_t: u8 filetype, u16 flags, u64 rights_base, u64 rights_inheriting (24 bytes) */
int32_t OVERRIDE(fd_fdstat_get)(int32_t fd, int32_t out) {
    if (!is_stdio(fd)) return E_BADF;
    uint8_t *p = (uint8_t *)(uintptr_t)out;
    memset(p, 0, 24);
    p[0] = FILETYPE_CHARACTER_DEVICE;
    uint64_t rights = fd == 0 ? 2 /* fd_read */ : 64 /* fd_write */;
    memcpy(p + 8, &rights, 8);
    return E_SUCCESS;
}

/* __wasi_filestat_t: dev, ino, u8 filetype, nlink, size, atim, mtim, ctim (64 bytes) */
int32_t OVERRIDE(fd_filestat_get)(int32_t fd, int32_t out) {
    if (!is_stdio(fd)) return E_BADF;
    uint8_t *p = (uint8_t *)(uintptr_t)out;
    memset(p, 0, 64);
    p[16] = FILETYPE_CHARACTER_DEVICE;
    return E_SUCCESS;
}

int32_t OVERRIDE(fd_seek)(int32_t fd, int64_t offset, int32_t whence, int32_t out) {
    (void)offset; (void)whence; (void)out;
    return is_stdio(fd) ? E_SPIPE : E_BADF;
}
int32_t OVERRIDE(fd_tell)(int32_t fd, int32_t out) { (void)out; return is_stdio(fd) ? E_SPIPE : E_BADF; }
int32_t OVERRIDE(fd_close)(int32_t fd) { return is_stdio(fd) ? E_SUCCESS : E_BADF; }
/* The proxy's clocks have nanosecond resolution (clock ids 0 realtime, 1 monotonic). */
int32_t OVERRIDE(clock_res_get)(int32_t id, int32_t out) {
    if (id != 0 && id != 1) return E_INVAL;
    uint64_t one = 1;
    memcpy((void *)(uintptr_t)out, &one, 8);
    return E_SUCCESS;
}
int32_t OVERRIDE(fd_read)(int32_t fd, int32_t iovs, int32_t n, int32_t out) {
    (void)iovs; (void)n;
    if (fd != 0) return E_BADF;
    *(uint32_t *)(uintptr_t)out = 0; /* stdin is always at end of file */
    return E_SUCCESS;
}
int32_t OVERRIDE(fd_pread)(int32_t fd, int32_t a, int32_t b, int64_t c, int32_t d) {
    (void)fd; (void)a; (void)b; (void)c; (void)d; return E_BADF;
}
int32_t OVERRIDE(fd_pwrite)(int32_t fd, int32_t a, int32_t b, int64_t c, int32_t d) {
    (void)fd; (void)a; (void)b; (void)c; (void)d; return is_stdio(fd) ? E_SPIPE : E_BADF;
}
int32_t OVERRIDE(fd_advise)(int32_t fd, int64_t a, int64_t b, int32_t c) {
    (void)a; (void)b; (void)c; return is_stdio(fd) ? E_SUCCESS : E_BADF;
}
int32_t OVERRIDE(fd_datasync)(int32_t fd) { return is_stdio(fd) ? E_INVAL : E_BADF; }
int32_t OVERRIDE(fd_sync)(int32_t fd) { return is_stdio(fd) ? E_INVAL : E_BADF; }
int32_t OVERRIDE(fd_fdstat_set_flags)(int32_t fd, int32_t flags) {
    (void)flags; return is_stdio(fd) ? E_NOTSUP : E_BADF;
}
int32_t OVERRIDE(fd_filestat_set_size)(int32_t fd, int64_t size) {
    (void)size; return is_stdio(fd) ? E_INVAL : E_BADF;
}
int32_t OVERRIDE(fd_filestat_set_times)(int32_t fd, int64_t a, int64_t m, int32_t flags) {
    (void)a; (void)m; (void)flags; return is_stdio(fd) ? E_NOTSUP : E_BADF;
}
/* No preopened directories: the first fd_prestat_get ends libc's scan. */
int32_t OVERRIDE(fd_prestat_get)(int32_t fd, int32_t out) { (void)fd; (void)out; return E_BADF; }
int32_t OVERRIDE(fd_prestat_dir_name)(int32_t fd, int32_t p, int32_t n) {
    (void)fd; (void)p; (void)n; return E_BADF;
}
int32_t OVERRIDE(fd_readdir)(int32_t fd, int32_t a, int32_t b, int64_t c, int32_t d) {
    (void)a; (void)b; (void)c; (void)d; return is_stdio(fd) ? E_NOTDIR : E_BADF;
}
int32_t OVERRIDE(path_open)(int32_t fd, int32_t a, int32_t b, int32_t c, int32_t d, int64_t e,
                            int64_t f, int32_t g, int32_t h) {
    (void)fd; (void)a; (void)b; (void)c; (void)d; (void)e; (void)f; (void)g; (void)h;
    return E_NOENT;
}
int32_t OVERRIDE(path_filestat_get)(int32_t fd, int32_t a, int32_t b, int32_t c, int32_t d) {
    (void)fd; (void)a; (void)b; (void)c; (void)d; return E_NOENT;
}
int32_t OVERRIDE(path_filestat_set_times)(int32_t fd, int32_t a, int32_t b, int32_t c, int64_t d,
                                          int64_t e, int32_t f) {
    (void)fd; (void)a; (void)b; (void)c; (void)d; (void)e; (void)f; return E_NOENT;
}
int32_t OVERRIDE(path_create_directory)(int32_t fd, int32_t a, int32_t b) {
    (void)fd; (void)a; (void)b; return E_NOTSUP;
}
int32_t OVERRIDE(path_remove_directory)(int32_t fd, int32_t a, int32_t b) {
    (void)fd; (void)a; (void)b; return E_NOENT;
}
int32_t OVERRIDE(path_unlink_file)(int32_t fd, int32_t a, int32_t b) {
    (void)fd; (void)a; (void)b; return E_NOENT;
}
int32_t OVERRIDE(path_link)(int32_t fd, int32_t a, int32_t b, int32_t c, int32_t d, int32_t e,
                            int32_t f) {
    (void)fd; (void)a; (void)b; (void)c; (void)d; (void)e; (void)f; return E_NOTSUP;
}
int32_t OVERRIDE(path_symlink)(int32_t a, int32_t b, int32_t fd, int32_t c, int32_t d) {
    (void)a; (void)b; (void)fd; (void)c; (void)d; return E_NOTSUP;
}
int32_t OVERRIDE(path_readlink)(int32_t fd, int32_t a, int32_t b, int32_t c, int32_t d, int32_t e) {
    (void)fd; (void)a; (void)b; (void)c; (void)d; (void)e; return E_NOENT;
}
int32_t OVERRIDE(path_rename)(int32_t fd, int32_t a, int32_t b, int32_t c, int32_t d, int32_t e) {
    (void)fd; (void)a; (void)b; (void)c; (void)d; (void)e; return E_NOENT;
}
/* A filter must never block: there is nothing to wait for inside a proxy callback. */
int32_t OVERRIDE(poll_oneoff)(int32_t in, int32_t out, int32_t n, int32_t nevents) {
    (void)in; (void)out; (void)n;
    *(uint32_t *)(uintptr_t)nevents = 0;
    return E_NOTSUP;
}
int32_t OVERRIDE(sched_yield)(void) { return E_SUCCESS; }
