"""Writes to stdout and stderr from callbacks (and at import)."""

import sys

import proxy_wasm

print("imported")


class Root(proxy_wasm.RootContext):
    def on_configure(self, plugin_configuration_size: int) -> bool:
        print("configured", 42)
        print("to stderr", file=sys.stderr)
        return True


class Http(proxy_wasm.HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> proxy_wasm.Action:
        sys.stdout.write("partial")
        sys.stdout.write(" line\n")
        print("multi\nline", end="")
        proxy_wasm.log.info("logged")
        return proxy_wasm.Action.CONTINUE


proxy_wasm.set_root_context(Root)
proxy_wasm.set_http_context(Http)
