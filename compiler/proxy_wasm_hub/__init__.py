"""Publishing Proxy-Wasm modules to OCI registries, pulling them back, deploying to Istio.

Library entry points (the CLI verbs ``push``/``pull``/``tag``/``login``/``logout``/``list``/
``deploy istio`` are thin wrappers):

    import proxy_wasm_hub as hub
    hub.push_module(Path("filter.wasm"), "127.0.0.1:5000/team/auth:1.0",
                    transport=hub.Transport(plain_http=True))
    path = hub.pull_module("oci://127.0.0.1:5000/team/auth:1.0", dest_dir, plain_http=True)
"""

from proxy_wasm_hub.ops import (
    PullResult,
    PushResult,
    RemoteImage,
    deploy_istio,
    fetch_module,
    list_local,
    list_remote,
    login,
    logout,
    pull,
    pull_module,
    push_module,
    tag,
)
from proxy_wasm_hub.reference import Reference, parse_reference
from proxy_wasm_hub.registry import Transport

__all__ = [
    "PullResult",
    "PushResult",
    "Reference",
    "RemoteImage",
    "Transport",
    "deploy_istio",
    "fetch_module",
    "list_local",
    "list_remote",
    "login",
    "logout",
    "parse_reference",
    "pull",
    "pull_module",
    "push_module",
    "tag",
]
