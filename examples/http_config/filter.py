"""http_config: a JSON plugin configuration loaded into a dataclass with ``load_config``.

The root context parses the configuration in ``on_configure``; a configuration that does not
match the dataclass is rejected there (``return False``) with an error naming the JSON path of
the bad value, e.g. ``$.response_headers[0].value: expected str, got 5``. Each HTTP context gets
the parsed configuration from the root context that creates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import proxy_wasm
from proxy_wasm import Action, HttpContext, RootContext


@dataclass
class HeaderRule:
    """One header to set."""

    name: str
    value: str


@dataclass
class Config:
    """The plugin configuration (every key optional)."""

    request_headers: list[HeaderRule] = field(default_factory=list)
    response_headers: list[HeaderRule] = field(default_factory=list)
    deny_paths: list[str] = field(default_factory=list)


class ConfigRoot(RootContext):
    """Parses the configuration; creates the HTTP contexts with it."""

    def __init__(self) -> None:
        super().__init__()
        self.config = Config()

    def on_configure(self, plugin_configuration_size: int) -> bool:
        try:
            self.config = proxy_wasm.load_config(Config, self.get_plugin_configuration())
        except proxy_wasm.ConfigError as exc:
            proxy_wasm.log.error("invalid plugin configuration: %s", exc)
            return False
        proxy_wasm.log.info(
            "configured: %d request header(s), %d response header(s), %d denied path(s)",
            len(self.config.request_headers),
            len(self.config.response_headers),
            len(self.config.deny_paths),
        )
        return True

    def create_http_context(self, context_id: int) -> HttpContext:
        return ConfiguredHeaders(self.config)


class ConfiguredHeaders(HttpContext):
    """Applies one configuration to one stream."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        path = (self.get_http_request_header(":path") or "/").split("?", 1)[0]
        if path in self.config.deny_paths:
            self.send_http_response(403, [("content-type", "text/plain")], "denied by config\n")
            return Action.PAUSE
        for rule in self.config.request_headers:
            self.set_http_request_header(rule.name, rule.value)
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        for rule in self.config.response_headers:
            self.set_http_response_header(rule.name, rule.value)
        return Action.CONTINUE


proxy_wasm.set_root_context(ConfigRoot)
