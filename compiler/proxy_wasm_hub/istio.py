"""Istio ``WasmPlugin`` (extensions.istio.io/v1alpha1) manifests (distribution.md §3)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from proxy_wasm_compiler.errors import UserError

API_VERSION = "extensions.istio.io/v1alpha1"
KIND = "WasmPlugin"
PHASES = ("UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS")
FAIL_STRATEGIES = ("FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD")
#: ``failStrategy`` unless told otherwise: a crashed VM is replaced for the next request (the same
#: default as ``proxy-wasm run`` and ``deploy envoy``; Istio's own is FAIL_CLOSE).
DEFAULT_FAIL_STRATEGY = "FAIL_RELOAD"
PULL_POLICIES = ("IfNotPresent", "Always")
PLUGIN_TYPES = ("HTTP", "NETWORK")
MATCH_MODES = ("CLIENT", "SERVER", "CLIENT_AND_SERVER")

_DNS_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_KEY_RE = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


def resource_name(text: str) -> str:
    """A Kubernetes object name (DNS-1123 subdomain) derived from ``text``."""
    name = re.sub(r"[^a-z0-9.-]+", "-", text.lower()).strip("-.")
    name = re.sub(r"-{2,}", "-", name)[:253].strip("-.")
    if not name or not _DNS_LABEL_RE.match(name):
        raise UserError(f"cannot derive a resource name from {text!r}: pass --name")
    return name


def check_name(name: str, what: str = "--name") -> str:
    if len(name) > 253 or not _DNS_LABEL_RE.match(name):
        raise UserError(
            f"{what} {name!r} is not a valid Kubernetes name "
            "(lowercase letters, digits, '-' and '.')"
        )
    return name


def parse_labels(items: Sequence[str], flag: str = "--selector") -> dict[str, str]:
    """``["app=web", "version=v1"]`` -> ``{"app": "web", "version": "v1"}`` (validated)."""
    labels: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise UserError(f"{flag} {item!r}: expected KEY=VALUE")
        if not _LABEL_KEY_RE.match(key) or "*" in key:
            raise UserError(f"{flag} {item!r}: {key!r} is not a valid label key")
        if len(value) > 63 or not _LABEL_VALUE_RE.match(value):
            raise UserError(f"{flag} {item!r}: {value!r} is not a valid label value")
        labels[key] = value
    return labels


def parse_match(text: str) -> dict[str, Any]:
    """``SERVER``, ``SERVER:8080,9090``, ``CLIENT_AND_SERVER:443`` or ``:8080`` (ports only)."""
    mode, _, ports_text = text.partition(":")
    mode = mode.strip().upper()
    out: dict[str, Any] = {}
    if mode:
        if mode not in MATCH_MODES:
            raise UserError(f"--match {text!r}: mode must be one of {', '.join(MATCH_MODES)}")
        out["mode"] = mode
    ports: list[dict[str, int]] = []
    for piece in filter(None, (p.strip() for p in ports_text.split(","))):
        if not piece.isdigit() or not 1 <= int(piece) <= 65535:
            raise UserError(f"--match {text!r}: {piece!r} is not a port number (1-65535)")
        if {"number": int(piece)} not in ports:
            ports.append({"number": int(piece)})
    if ports:
        out["ports"] = ports
    if not out:
        raise UserError(f"--match {text!r}: expected MODE[:PORT,...] or :PORT,...")
    return out


def load_plugin_config(path: Path) -> dict[str, Any]:
    """Read ``pluginConfig`` from a JSON or YAML file; it must be a mapping (a Struct)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        doc = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{exc.msg}", _loc(path, exc.lineno, exc.colno)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        raise UserError(str(problem), _loc(path, line, col)) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise UserError(
            f"{path}: pluginConfig must be a mapping (JSON object), got {type(doc).__name__}"
        )
    try:
        json.dumps(doc)
    except (TypeError, ValueError) as exc:
        raise UserError(f"{path}: pluginConfig is not JSON-compatible: {exc}") from None
    return doc


def _loc(path: Path, line: int | None, col: int | None) -> Any:
    from proxy_wasm_compiler.errors import Location

    return Location(str(path), line, col)


def wasm_plugin(
    *,
    name: str,
    url: str,
    namespace: str | None = None,
    sha256: str | None = None,
    plugin_name: str | None = None,
    phase: str | None = None,
    priority: int | None = None,
    plugin_config: Mapping[str, Any] | None = None,
    match: Sequence[Mapping[str, Any]] = (),
    fail_strategy: str | None = None,
    selector: Mapping[str, str] | None = None,
    image_pull_policy: str | None = None,
    image_pull_secret: str | None = None,
    plugin_type: str | None = None,
    env: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The WasmPlugin object as a dict (field order as in Istio's docs)."""
    if sha256 is not None and not re.fullmatch(r"[a-f0-9]{64}", sha256):
        raise UserError(f"sha256 {sha256!r} is not 64 lowercase hex digits")
    if priority is not None and not -(2**31) <= priority < 2**31:
        raise UserError(f"--priority {priority} does not fit in an int32")
    metadata: dict[str, Any] = {"name": check_name(name)}
    if namespace:
        metadata["namespace"] = check_name(namespace, "--namespace")
    if labels:
        metadata["labels"] = dict(labels)
    spec: dict[str, Any] = {}
    if selector:
        spec["selector"] = {"matchLabels": dict(selector)}
    spec["url"] = url
    if sha256:
        spec["sha256"] = sha256
    if image_pull_policy:
        spec["imagePullPolicy"] = image_pull_policy
    if image_pull_secret:
        spec["imagePullSecret"] = image_pull_secret
    if plugin_name:
        if len(plugin_name) > 256:
            raise UserError(f"plugin name {plugin_name[:40]!r}... is longer than 256 characters")
        spec["pluginName"] = plugin_name
    if phase:
        spec["phase"] = phase
    if priority is not None:
        spec["priority"] = priority
    spec["failStrategy"] = fail_strategy or DEFAULT_FAIL_STRATEGY
    if plugin_type:
        spec["type"] = plugin_type
    if match:
        spec["match"] = [dict(m) for m in match]
    if env:
        spec["vmConfig"] = {
            "env": [{"name": k, "valueFrom": "INLINE", "value": v} for k, v in env.items()]
        }
    if plugin_config is not None:
        spec["pluginConfig"] = dict(plugin_config)
    return {"apiVersion": API_VERSION, "kind": KIND, "metadata": metadata, "spec": spec}


def to_yaml(doc: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(doc), sort_keys=False, default_flow_style=False)
