"""Loaded by every Python process started with this folder on PYTHONPATH (the CLI and its probe
children): refuses and logs every attempt to resolve a host name or open a network connection.

The privacy test runs a real advice run under it and checks the log stays empty. Local IPC (Unix
sockets, socketpair) is not network and is allowed.
"""

import os
import socket

_LOG = os.environ.get("ADVISOR_NETGUARD_LOG")


def _record(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {what}\n")


def _refuse(what: str):
    _record(what)
    raise OSError(f"network blocked by the privacy test: {what}")


_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


def _is_network(sock: socket.socket) -> bool:
    return sock.family in (socket.AF_INET, socket.AF_INET6)


def _connect(self, address):
    if _is_network(self):
        _refuse(f"connect {address!r}")
    return _original_connect(self, address)


def _connect_ex(self, address):
    if _is_network(self):
        _refuse(f"connect_ex {address!r}")
    return _original_connect_ex(self, address)


def _sendto(self, *args):
    if _is_network(self):
        _refuse(f"sendto {args[-1]!r}")
    return _original_sendto(self, *args)


_original_sendto = socket.socket.sendto
socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex
socket.socket.sendto = _sendto
socket.getaddrinfo = lambda host, *args, **kwargs: _refuse(f"getaddrinfo {host!r}")
socket.gethostbyname = lambda host: _refuse(f"gethostbyname {host!r}")
socket.create_connection = lambda address, *args, **kwargs: _refuse(f"create_connection {address!r}")
_record("guard loaded")
