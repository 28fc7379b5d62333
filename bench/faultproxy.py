#!/usr/bin/python3
"""A fault-injecting TCP proxy for the soak's Redis link (the kernel here has no netem). Loopback only.

  faultproxy.py LISTEN_PORT TARGET_PORT CONTROL_PORT

Every connection to LISTEN_PORT is forwarded to TARGET_PORT, byte for byte, until a fault is injected. The
control port takes one command per line and answers one line ("ok ..." or "error ..."):

  latency MS SECONDS   every chunk, in each direction, waits MS more before it is passed on, for SECONDS
  stall SECONDS        nothing passes in either direction for SECONDS; connections stay open (a frozen link)
  reset                every open connection is closed with a TCP RST on both sides (a broken link)
  stats                connections accepted and open, bytes passed, faults injected

Faults end by themselves; new connections are accepted throughout (a reset does not refuse reconnects).
Stops at SIGTERM or SIGINT.
"""

import asyncio
import signal
import socket
import struct
import sys
import time

CHUNK = 65536


class Link:
    """The state every pump consults before it passes a chunk on."""

    def __init__(self):
        self.latency_s = 0.0
        self.latency_until = 0.0
        self.stall_until = 0.0
        self.open = set()  # (client writer, server writer) pairs
        self.accepted = 0
        self.bytes = 0
        self.faults = 0

    async def gate(self):
        while time.monotonic() < self.stall_until:
            await asyncio.sleep(min(0.05, self.stall_until - time.monotonic()))
        if time.monotonic() < self.latency_until:
            await asyncio.sleep(self.latency_s)

    def reset_all(self):
        n = len(self.open)
        for pair in list(self.open):
            for writer in pair:
                sock = writer.get_extra_info("socket")
                if sock is not None:  # linger 0: close() sends RST instead of FIN
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
        self.open.clear()
        return n


async def pump(link, reader, writer):
    try:
        while data := await reader.read(CHUNK):
            await link.gate()
            writer.write(data)
            await writer.drain()
            link.bytes += len(data)
    except (ConnectionError, OSError):
        pass
    finally:
        writer.transport.abort()


async def forward(link, target_port, client_reader, client_writer):
    link.accepted += 1
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.transport.abort()  # Redis is down (restarting): the client sees a refused link
        return
    pair = (client_writer, server_writer)
    link.open.add(pair)
    try:
        await asyncio.gather(pump(link, client_reader, server_writer), pump(link, server_reader, client_writer))
    finally:
        link.open.discard(pair)


def command(link, line):
    words = line.split()
    now = time.monotonic()
    try:
        if words[:1] == ["latency"] and len(words) == 3:
            link.latency_s, link.latency_until = float(words[1]) / 1000, now + float(words[2])
            link.faults += 1
            return f"ok latency {words[1]} ms for {words[2]} s"
        if words[:1] == ["stall"] and len(words) == 2:
            link.stall_until = now + float(words[1])
            link.faults += 1
            return f"ok stall {words[1]} s"
        if words == ["reset"]:
            link.faults += 1
            return f"ok reset {link.reset_all()} connections"
        if words == ["stats"]:
            return f"ok accepted={link.accepted} open={len(link.open)} bytes={link.bytes} faults={link.faults}"
    except ValueError:
        pass
    return f"error unknown command: {line.strip()}"


async def control(link, reader, writer):
    try:
        while line := await reader.readline():
            writer.write((command(link, line.decode()) + "\n").encode())
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    listen_port, target_port, control_port = (int(a) for a in sys.argv[1:4])
    link = Link()
    proxy = await asyncio.start_server(lambda r, w: forward(link, target_port, r, w), "127.0.0.1", listen_port)
    ctl = await asyncio.start_server(lambda r, w: control(link, r, w), "127.0.0.1", control_port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    print(f"faultproxy: 127.0.0.1:{listen_port} -> 127.0.0.1:{target_port}, control on {control_port}", flush=True)
    await stop.wait()
    proxy.close()
    ctl.close()
    link.reset_all()


if __name__ == "__main__":
    asyncio.run(main())
