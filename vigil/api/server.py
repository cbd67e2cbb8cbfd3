"""The uvicorn HTTP protocol of ``vigil serve``: uvicorn's own, with ``TCP_NODELAY`` on every connection.

With ``--workers N`` uvicorn binds the listening socket itself without naming the TCP protocol, so
asyncio does not switch Nagle's algorithm off on the accepted connections. A response is written in
two pieces (head, then body); the second waits for the client's delayed ACK, about 40 ms on Linux,
on every keep-alive request. Pass ``http=HTTP_PROTOCOL`` (``--http vigil.api.server:HttpProtocol``).
"""

from __future__ import annotations

import asyncio
import logging
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

HTTP_PROTOCOL = "vigil.api.server:HttpProtocol"


def set_nodelay(transport: asyncio.BaseTransport) -> bool:
    """Switch Nagle's algorithm off on a TCP transport's socket; False when it is not TCP (or cannot)."""
    sock = transport.get_extra_info("socket")
    if sock is None or getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as e:
        log.debug("cannot set TCP_NODELAY: %s", e)
        return False
    return True


class HttpProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's HTTP/1.1 protocol (httptools when installed, else h11) with ``TCP_NODELAY`` set."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Set ``TCP_NODELAY``, then let uvicorn take the connection."""
        set_nodelay(transport)
        super().connection_made(transport)


__all__ = ["HTTP_PROTOCOL", "HttpProtocol", "set_nodelay"]
