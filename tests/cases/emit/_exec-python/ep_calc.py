"""Imported by exec-python-import.ks as `calc`."""


def payload_room(mtu: int, header_bytes: int) -> int:
    return mtu - header_bytes


def untyped_sum(a, b):
    return a + b


def describe(name: str, room: int) -> str:
    return f"{name} carries {room} payload bytes"


def is_jumbo(mtu: int) -> bool:
    return mtu > 1500


def log_line(text: str) -> None:
    print("python:", text, flush=True)


def checked_div(a: int, b: int) -> int:
    if b == 0:
        raise ValueError("division by zero requested")
    return a // b
