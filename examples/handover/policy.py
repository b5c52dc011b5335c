"""Imported by ../handover.ks as `policy`."""


def frame_limit(requested: int, mtu: int) -> int:
    """The frame-size limit: the requested one, or the MTU plus an Ethernet header."""
    return requested if requested > 0 else mtu + 14
