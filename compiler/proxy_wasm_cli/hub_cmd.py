"""Hub verbs: ``push``, ``pull``, ``tag``, ``login``, ``logout``, ``list`` and ``deploy istio``.

(``deploy istio`` belongs to the ``deploy`` group, which names it; it lives here for the
transport options it shares with the other verbs.)

Thin wrappers over :mod:`proxy_wasm_hub`. Machine-readable results (digest, path,
YAML, ``--json``) go to stdout; human notes go to stderr through ``rich``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

import proxy_wasm_hub as hub
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.printable import printable
from proxy_wasm_hub import istio
from proxy_wasm_hub.image import ANN_ROOT_IDS, ANN_TITLE, FORMATS
from proxy_wasm_hub.ops import write_text_atomic
from proxy_wasm_hub.reference import normalize_registry

F = TypeVar("F", bound=Callable[..., Any])


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def transport_options(func: F) -> F:
    """--plain-http / --ca-file / --insecure-skip-tls-verify / --timeout."""
    func = click.option(
        "--timeout",
        type=click.FloatRange(0.1, 3600),
        default=30.0,
        show_default=True,
        help="Seconds to wait for each registry answer.",
    )(func)
    func = click.option(
        "--insecure-skip-tls-verify",
        "insecure",
        is_flag=True,
        help="Use TLS but do not verify the registry's certificate.",
    )(func)
    func = click.option(
        "--ca-file",
        type=click.Path(exists=True, dir_okay=False),
        help="PEM bundle of CAs to trust for the registry's certificate.",
    )(func)
    func = click.option(
        "--plain-http",
        is_flag=True,
        help="Talk plain HTTP (no TLS), e.g. to a local test registry.",
    )(func)
    return func


def _transport(
    plain_http: bool, ca_file: str | None, insecure: bool, timeout: float
) -> hub.Transport:
    if plain_http and (ca_file or insecure):
        raise UserError("--plain-http does not use TLS: drop --ca-file/--insecure-skip-tls-verify")
    return hub.Transport(plain_http=plain_http, ca_file=ca_file, insecure=insecure, timeout=timeout)


def _key_values(items: tuple[str, ...], flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"{flag} {item!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


# -- push -------------------------------------------------------------------------------------


@click.command("push")
@click.argument("file", type=click.Path(path_type=Path))
@click.argument("ref")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="compat",
    show_default=True,
    help="compat: an OCI image with plugin.wasm in a tar+gzip layer (Istio's "
    "recommendation); oci: Solo's two-layer Wasm artifact (wasme era).",
)
@click.option("--title", help="Image title (default: the module's name or file name).")
@click.option("--description", help="One-line description shown by `list`.")
@click.option("--source", "source_url", metavar="URL", help="Where the source code lives.")
@click.option(
    "--annotation",
    "annotations",
    multiple=True,
    metavar="KEY=VALUE",
    help="Extra manifest annotation (repeatable).",
)
@transport_options
def push_command(
    file: Path,
    ref: str,
    fmt: str,
    title: str | None,
    description: str | None,
    source_url: str | None,
    annotations: tuple[str, ...],
    plain_http: bool,
    ca_file: str | None,
    insecure: bool,
    timeout: float,
) -> None:
    """Publish FILE (a built Proxy-Wasm module) to a registry as REF.

    Prints the manifest digest (sha256:...) on stdout: pin deployments to it. The image
    carries annotations for title, description, source, SDK/Python/ABI versions and root ids
    read from the module. Credentials come from `proxy-wasm login`.

    \b
    Examples:
      proxy-wasm push filter.wasm 127.0.0.1:5000/team/auth:1.0 --plain-http
      proxy-wasm push filter.wasm ghcr.io/acme/auth:1.0 --description "JWT checks"
      proxy-wasm push filter.wasm registry.local/auth:1.0 --ca-file ca.pem --format oci
    """
    result = hub.push_module(
        file,
        ref,
        fmt=fmt,  # type: ignore[arg-type]
        title=title,
        description=description,
        source=source_url,
        extra_annotations=_key_values(annotations, "--annotation"),
        transport=_transport(plain_http, ca_file, insecure, timeout),
    )
    _err().print(
        f"pushed {result.reference.pinned} ({result.format}, "
        f"{len(result.module.data):,} byte module)"
    )
    click.echo(result.digest)


# -- pull -------------------------------------------------------------------------------------


@click.command("pull")
@click.argument("ref")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write the module (default: ./<repository name>.wasm; a directory is allowed).",
)
@transport_options
def pull_command(
    ref: str,
    output: Path | None,
    plain_http: bool,
    ca_file: str | None,
    insecure: bool,
    timeout: float,
) -> None:
    """Download the module of image REF (compat or oci layout), verifying digests.

    The manifest must hash to the digest the registry announces (and to @sha256:... when
    REF has one); the module layer must hash to its descriptor. The file is written
    atomically: on any error nothing is left behind. Prints the written path.

    \b
    Examples:
      proxy-wasm pull 127.0.0.1:5000/team/auth:1.0 --plain-http -o auth.wasm
      proxy-wasm pull ghcr.io/acme/auth@sha256:3f1c...e9 -o auth.wasm
    """
    result = hub.pull(ref, output, transport=_transport(plain_http, ca_file, insecure, timeout))
    _err().print(
        f"pulled {result.reference.pinned} ({result.format}); module {result.module_digest}"
    )
    click.echo(str(result.path))


# -- tag --------------------------------------------------------------------------------------


@click.command("tag")
@click.argument("src")
@click.argument("dst")
@transport_options
def tag_command(
    src: str, dst: str, plain_http: bool, ca_file: str | None, insecure: bool, timeout: float
) -> None:
    """Make DST point at the image SRC (same manifest and digest; blobs are copied when DST is
    another repository or registry). Prints the digest.

    \b
    Examples:
      proxy-wasm tag 127.0.0.1:5000/team/auth:1.0 127.0.0.1:5000/team/auth:stable --plain-http
    """
    pinned = hub.tag(src, dst, transport=_transport(plain_http, ca_file, insecure, timeout))
    _err().print(f"tagged {pinned.pinned} as {dst}")
    click.echo(pinned.digest)


# -- login / logout ---------------------------------------------------------------------------


@click.command("login")
@click.argument("registry")
@click.option("-u", "--username", required=True, help="User name.")
@click.option(
    "-p",
    "--password",
    help="Password (visible to other users of this machine: prefer --password-stdin).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@transport_options
def login_command(
    registry: str,
    username: str,
    password: str | None,
    password_stdin: bool,
    plain_http: bool,
    ca_file: str | None,
    insecure: bool,
    timeout: float,
) -> None:
    """Check credentials against REGISTRY and store them for push/pull/list.

    Stored in $PROXY_WASM_CONFIG_DIR/credentials.json (default
    ~/.config/proxy-wasm-python/) with 0600 permissions; never printed.

    \b
    Examples:
      echo "$TOKEN" | proxy-wasm login ghcr.io -u me --password-stdin
      proxy-wasm login 127.0.0.1:5443 -u ci -p secret --ca-file ca.pem
    """
    if password_stdin and password is not None:
        raise UserError("use either -p or --password-stdin, not both")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UserError("no password given: use --password-stdin (or -p PASSWORD)")
    host = normalize_registry(registry)
    needed = hub.login(
        host, username, password, transport=_transport(plain_http, ca_file, insecure, timeout)
    )
    note = "" if needed else " (the registry does not ask for authentication)"
    _err().print(f"logged in to {host} as {username}{note}")


@click.command("logout")
@click.argument("registry")
def logout_command(registry: str) -> None:
    """Forget the stored credentials for REGISTRY.

    \b
    Example:
      proxy-wasm logout 127.0.0.1:5443
    """
    host = normalize_registry(registry)
    if hub.logout(host):
        _err().print(f"logged out of {host}")
    else:
        _err().print(f"not logged in to {host}")


# -- list -------------------------------------------------------------------------------------


@click.command("list")
@click.option(
    "--remote",
    "remote",
    metavar="REGISTRY",
    help="List REGISTRY's repositories and tags (via _catalog) instead of the "
    "images pushed/pulled on this machine.",
)
@click.option(
    "--search", help="Keep images whose name, tag or annotations contain TEXT.", metavar="TEXT"
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@transport_options
def list_command(
    remote: str | None,
    search: str | None,
    as_json: bool,
    plain_http: bool,
    ca_file: str | None,
    insecure: bool,
    timeout: float,
) -> None:
    """List images with their annotations: local (pushed/pulled here) or --remote.

    \b
    Examples:
      proxy-wasm list
      proxy-wasm list --remote 127.0.0.1:5000 --plain-http --search auth
      proxy-wasm list --remote registry.local --ca-file ca.pem --json
    """
    if remote is None:
        rows = hub.list_local(search=search)
        if as_json:
            click.echo(json.dumps(rows, indent=2))
            return
        table = Table(title="images pushed/pulled on this machine")
        for col in ("reference", "digest", "format", "action", "when", "title", "root ids"):
            table.add_column(col)
        for row in rows:
            ann = row["annotations"]
            _add_row(
                table,
                row["reference"],
                row["digest"][:19],
                row["format"],
                row["action"],
                datetime.fromtimestamp(row["time"]).strftime("%Y-%m-%d %H:%M"),
                ann.get(ANN_TITLE, ""),
                ann.get(ANN_ROOT_IDS, ""),
            )
        _print_table(table, len(rows))
        return
    images = hub.list_remote(
        remote, search=search, transport=_transport(plain_http, ca_file, insecure, timeout)
    )
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "repository": i.repository,
                        "tag": i.tag,
                        "digest": i.digest,
                        "format": i.format,
                        "annotations": i.annotations,
                    }
                    for i in images
                ],
                indent=2,
            )
        )
        return
    table = Table(title=f"images in {normalize_registry(remote)}")
    for col in ("repository", "tag", "digest", "format", "title", "description", "sdk", "root ids"):
        table.add_column(col)
    for i in images:
        a = i.annotations
        _add_row(
            table,
            i.repository,
            i.tag,
            i.digest[:19],
            i.format,
            a.get(ANN_TITLE, ""),
            a.get("org.opencontainers.image.description", ""),
            a.get("io.proxy-wasm-python.sdk-version", ""),
            a.get(ANN_ROOT_IDS, ""),
        )
    _print_table(table, len(images))


def _add_row(table: Table, *cells: object) -> None:
    """A table row of registry strings: printable only, shown as text (never rich markup)."""
    table.add_row(*(Text(printable(cell)) for cell in cells))


def _print_table(table: Table, n: int) -> None:
    if n == 0:
        _err().print("no images")
        return
    console = Console(highlight=False)
    if not console.is_terminal:  # piped: do not wrap at 80 columns
        console = Console(highlight=False, width=240)
    console.print(table)


# -- deploy istio -----------------------------------------------------------------------------


@click.command("istio")
@click.argument("target", metavar="REF|FILE")
@click.option("--url", help="For a FILE: the http(s):// URL Istio downloads it from.")
@click.option("--name", help="metadata.name (default: from the image title or file name).")
@click.option("-n", "--namespace", help="metadata.namespace (istio-system applies mesh-wide).")
@click.option(
    "--plugin-name",
    "--root-id",
    "plugin_name",
    help="pluginName = the filter's root id (default: the image's single root id).",
)
@click.option(
    "--phase",
    type=click.Choice(istio.PHASES),
    help="Where in the filter chain: AUTHN, AUTHZ, STATS (default: near the router).",
)
@click.option("--priority", type=int, help="Order within the phase (higher runs first).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="pluginConfig from a JSON or YAML file (a mapping).",
)
@click.option(
    "--match",
    "match",
    multiple=True,
    metavar="MODE[:PORT,...]",
    help="Traffic selector, e.g. SERVER:8080 or CLIENT (repeatable).",
)
@click.option(
    "--fail-strategy",
    type=click.Choice(istio.FAIL_STRATEGIES),
    help="What happens when the plugin's VM crashes (default FAIL_RELOAD: a new VM).",
)
@click.option(
    "--selector",
    "selector",
    multiple=True,
    metavar="KEY=VALUE",
    help="Workload label to match (repeatable; none = every workload).",
)
@click.option("--image-pull-policy", type=click.Choice(istio.PULL_POLICIES))
@click.option("--image-pull-secret", help="Secret (docker config) for a private registry.")
@click.option(
    "--type",
    "plugin_type",
    type=click.Choice(istio.PLUGIN_TYPES),
    help="HTTP (default) or NETWORK filter.",
)
@click.option(
    "--env",
    "env",
    multiple=True,
    metavar="NAME=VALUE",
    help="Environment variable for the VM (repeatable).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Do not contact the registry (REF must be pinned with @sha256:...).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the YAML here (atomically) instead of stdout.",
)
@transport_options
def deploy_istio_command(
    target: str,
    url: str | None,
    name: str | None,
    namespace: str | None,
    plugin_name: str | None,
    phase: str | None,
    priority: int | None,
    config_file: Path | None,
    match: tuple[str, ...],
    fail_strategy: str | None,
    selector: tuple[str, ...],
    image_pull_policy: str | None,
    image_pull_secret: str | None,
    plugin_type: str | None,
    env: tuple[str, ...],
    offline: bool,
    output: Path | None,
    plain_http: bool,
    ca_file: str | None,
    insecure: bool,
    timeout: float,
) -> None:
    """Write an Istio WasmPlugin (extensions.istio.io/v1alpha1) for REF or FILE.

    For an image REF the url is oci://REF and sha256 is the image's manifest digest (what
    Istio checks), read from the registry. For a module FILE pass --url where Istio can
    download it; sha256 is then the module's checksum.

    \b
    Examples:
      proxy-wasm deploy istio 127.0.0.1:5000/team/auth:1.0 --plain-http \\
          --phase AUTHN --config auth.yaml --selector app=web | kubectl apply -f -
      proxy-wasm deploy istio filter.wasm --url https://files.example.com/filter.wasm \\
          --fail-strategy FAIL_OPEN --match SERVER:8080 -o wasmplugin.yaml
    """
    doc = hub.deploy_istio(
        target,
        url=url,
        name=name,
        namespace=namespace,
        plugin_name=plugin_name,
        phase=phase,
        priority=priority,
        config_file=config_file,
        match=list(match),
        fail_strategy=fail_strategy,
        selector=list(selector),
        image_pull_policy=image_pull_policy,
        image_pull_secret=image_pull_secret,
        plugin_type=plugin_type,
        env=list(env),
        offline=offline,
        transport=_transport(plain_http, ca_file, insecure, timeout),
    )
    text = istio.to_yaml(doc)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(output, text)
        _err().print(f"wrote {output}")
