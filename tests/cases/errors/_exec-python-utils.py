"""Helper module of the exec-python error cases."""
import math


def scale(value: int, factor: int) -> int:
    return value * factor


def ratio(a: int, b: int) -> float:
    return a / b


def label(name: str, weight: float = 1.0) -> str:
    return f"{name}:{weight}"


def total(*values):
    return sum(values)


def flag(enabled: bool) -> bool:
    return not enabled


def untyped(a, b):
    return a + b
