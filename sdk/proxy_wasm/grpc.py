"""gRPC helpers: the ``upstream`` argument of :meth:`~proxy_wasm.BaseContext.dispatch_grpc_call`.

Envoy expects a gRPC callout's upstream as a serialized ``envoy.config.core.v3.GrpcService``
proto. :func:`grpc_service` writes the few bytes of one that names an Envoy cluster
(``envoy_grpc``), with no protobuf library::

    from proxy_wasm.grpc import grpc_service

    self.dispatch_grpc_call(grpc_service("auth"), "auth.Authorizer", "Check", [], b"token", 1.0)
"""

from __future__ import annotations

from .protobuf import field_bytes


def grpc_service(cluster: str, authority: str | None = None) -> bytes:
    """A serialized ``GrpcService`` with ``envoy_grpc { cluster_name, authority }``.

    ``authority`` (the ``:authority`` header of the calls) defaults, in Envoy, to the cluster
    name.
    """
    if not cluster:
        raise ValueError("grpc_service needs a cluster name")
    envoy_grpc = field_bytes(1, cluster.encode())  # EnvoyGrpc.cluster_name = 1
    if authority:
        envoy_grpc += field_bytes(2, authority.encode())  # EnvoyGrpc.authority = 2
    return field_bytes(1, envoy_grpc)  # GrpcService.envoy_grpc = 1
