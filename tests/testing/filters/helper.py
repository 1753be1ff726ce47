"""A sibling module imported by auth_filter.py."""


def greeting(name: str) -> str:
    return f"hello {name}"
