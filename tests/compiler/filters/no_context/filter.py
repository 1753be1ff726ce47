import proxy_wasm


class Forgotten(proxy_wasm.HttpContext):
    pass
