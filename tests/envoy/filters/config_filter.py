"""Envoy test filter: a JSON plugin configuration read in on_configure.

``{"header": NAME, "value": VALUE}`` adds that request header; ``{"reject": true}`` makes
on_configure return False, so Envoy refuses the plugin.
"""

import json

from proxy_wasm import Action, HttpContext, RootContext, log, set_root_context


class ConfigRoot(RootContext):
    def __init__(self) -> None:
        super().__init__()
        self.header = "x-config"
        self.value = "unset"

    def on_configure(self, plugin_configuration_size: int) -> bool:
        raw = self.get_plugin_configuration() or b"{}"
        config = json.loads(raw)
        if config.get("reject"):
            log.error("config_filter: configuration rejected on purpose")
            return False
        self.header = str(config.get("header", self.header))
        self.value = str(config.get("value", self.value))
        log.info("config_filter: configured header %s", self.header)
        return True

    def create_http_context(self, context_id: int) -> HttpContext:
        return ConfigHttp(self)


class ConfigHttp(HttpContext):
    def __init__(self, root: ConfigRoot) -> None:
        super().__init__()
        self.root = root

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.add_http_request_header(self.root.header, self.root.value)
        return Action.CONTINUE


set_root_context(lambda context_id: ConfigRoot())
