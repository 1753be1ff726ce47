"""Binds the Python SDK to a runtime: the C shim built into modules and the null binding."""
