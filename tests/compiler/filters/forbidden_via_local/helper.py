import threading

import proxy_wasm


class Filter(proxy_wasm.HttpContext):
    lock = threading.Lock()
