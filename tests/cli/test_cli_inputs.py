"""`run`'s option parsers: any text gives a cluster or one UserError, never a crash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from proxy_wasm_cli.run_cmd import parse_cluster_option
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_envoy.config import ClusterSpec

NAMES = st.text(st.characters(blacklist_characters="=", blacklist_categories=["Cs"]), min_size=1)
HOSTS = st.one_of(
    st.just(""),
    st.ip_addresses(v=4).map(str),
    st.from_regex(r"[a-z][a-z0-9.-]{0,20}", fullmatch=True),
)


# Shaped like the option, with any text (Unicode digits too) in each part.
SHAPED = st.builds(
    "{}={}:{}{}".format,
    st.text(min_size=1, max_size=8),
    st.text(max_size=8),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=6),
    st.sampled_from(["", ",h2", ",h3", ","]),
)


@given(st.one_of(st.text(), SHAPED))
def test_any_text_is_a_cluster_or_one_user_error(value: str) -> None:
    try:
        cluster = parse_cluster_option(value)
    except UserError as exc:
        assert "\n" not in str(exc) and "--cluster" in str(exc)
    else:
        assert isinstance(cluster, ClusterSpec) and 0 < cluster.port < 65536


@given(NAMES, HOSTS, st.integers(1, 65535), st.booleans())
def test_a_well_formed_option_round_trips(name: str, host: str, port: int, h2: bool) -> None:
    value = f"{name}={host}:{port}" + (",h2" if h2 else "")
    cluster = parse_cluster_option(value)
    assert (cluster.name, cluster.port, cluster.http2) == (name, port, h2)
    assert cluster.host == (host or "127.0.0.1")
