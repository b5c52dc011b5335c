"""A Python module, imported by ../import_demo.ks as `network_utils`.

Its top-level functions are called from the program's user space through an embedded
CPython; the annotations give their KernelScript types.
"""


def get_default_mtu() -> int:
    return 1500


def payload_room(mtu: int, header_bytes: int) -> int:
    """Bytes left for payload in a frame of `mtu` bytes."""
    return max(mtu - header_bytes, 0)


def describe_interface(name: str, mtu: int) -> str:
    return f"{name} (mtu {mtu})"


def is_jumbo(mtu: int) -> bool:
    return mtu > 1500
