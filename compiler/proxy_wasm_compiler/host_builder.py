"""The compiler as the test host's :class:`proxy_wasm.testing.Builder`.

Registered as the ``proxy_wasm.builders`` entry point ``compiler`` (pyproject.toml), so the test
host builds filters and checks their imports with this pipeline without importing it by name.
"""

from __future__ import annotations

from pathlib import Path

from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_compiler.errors import Location, UserError
from proxy_wasm_compiler.graph import check_imports


class CompilerBuilder:
    """Builds with :func:`~proxy_wasm_compiler.build.build_filter`, reusing identical builds."""

    def build(self, source: Path, output: Path) -> Path:
        """Build ``source`` into ``output`` (an unchanged filter comes from the build cache)."""
        return build_filter(source, output, options=BuildOptions(reuse=True)).path

    def check_imports(self, source: Path) -> None:
        """Raise the build's located ``UserError`` for an import that cannot work in a proxy."""
        check_imports(source)

    def user_error(self, message: str, source: Path) -> Exception:
        """The build's located ``UserError``."""
        return UserError(message, Location(str(source)))
