"""The filter configuration the native runtime reads (written by ``proxy_wasm_envoy.native``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class NativeConfig:
    """The JSON filter configuration ``proxy_wasm_envoy.native`` writes into the Envoy config."""

    filter: str
    sys_path: list[str] = field(default_factory=list)
    site_dirs: list[str] = field(default_factory=list)
    plugin_name: str = ""
    root_id: str = ""
    vm_id: str = ""
    plugin_config: str = ""
    vm_config: str = ""

    @classmethod
    def parse(cls, raw: bytes) -> NativeConfig:
        """Parse the filter configuration (unknown keys are an error)."""
        data = json.loads(raw)
        if not isinstance(data, dict) or not isinstance(data.get("filter"), str):
            raise ValueError('the filter configuration must be a JSON object with a "filter" path')
        return cls(**data)
