"""The digest benchmark's mail server: aiosmtpd, doing what a relay must to accept a message.

    python bench/smtp_sink.py --port 2525 [--samples DIR --keep-every 500]

Every message really arrives over SMTP (EHLO, MAIL, RCPT, DATA and its end) and
is answered "250" only once all of its data is in. Two things differ from
`python -m aiosmtpd -c aiosmtpd.handlers.Sink`, both as a real relay (Postfix,
Exim) behaves:

* DATA is read up to the end-of-data mark in one read and un-dot-stuffed in one
  pass, not awaited line by line: aiosmtpd's line loop cost about 3 ms of Python
  per 45 KiB digest (550 lines), as much CPU as building the message, which a
  relay written in C spends in microseconds. On this 2-core machine that CPU was
  taken from the workers being measured.
* EHLO offers PIPELINING (RFC 2920). aiosmtpd's command loop reads one command
  at a time from a buffered stream, so pipelined commands are answered in order;
  and as RFC 2920 asks of a server, replies are sent together once no further
  command is waiting (aiosmtpd writes each one at once: a send each).
* A plain <local@domain> in MAIL and RCPT is read with a pattern; anything else still
  goes to aiosmtpd's RFC 5322 parser (about 90 microseconds an address).

It counts what it accepted (the bench compares that with the members sent) and
keeps every `--keep-every`-th message in `--samples` for the bench to check.
`XSTATS` (a command of this server only) answers "250 <messages> <bytes>".
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
from pathlib import Path

from aiosmtpd.smtp import SMTP

END = b"\r\n.\r\n"
PLAIN_ADDRESS = re.compile(r"<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>")


class Sink:
    """Accepts every message; counts them and keeps a sample on disk."""

    def __init__(self, samples: Path | None = None, keep_every: int = 0):
        self.samples, self.keep_every = samples, keep_every
        self.messages = 0
        self.bytes = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.bytes += len(envelope.content)
        if self.samples is not None and self.keep_every and self.messages % self.keep_every == 1:
            name = f"{self.messages:07d}.eml"
            (self.samples / name).write_bytes(envelope.content)
            (self.samples / f"{name}.rcpt").write_text("\n".join(envelope.rcpt_tos))
        return "250 2.0.0 Ok: queued"


class RelaySMTP(SMTP):
    """aiosmtpd's SMTP with DATA read in one piece (see the module docstring)."""

    # The stream may hold a whole message: DATA reads up to its end mark at once.
    # (Command lines keep their own, smaller limits: command_size_limits.)
    line_length_limit = 16 * 1024 * 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._replies: list[bytes] = []

    async def push(self, status: str | bytes) -> None:
        """Replies wait while another complete command is in the input (pipelining)."""
        if isinstance(status, str):
            status = status.encode("utf-8" if self.enable_SMTPUTF8 else "ascii")
        self._replies.append(status + b"\r\n")
        if b"\n" not in self._reader._buffer:  # no complete command waiting
            self._writer.write(b"".join(self._replies))
            self._replies.clear()
            await self._writer.drain()

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        plain = PLAIN_ADDRESS.match(arg.lstrip())
        if plain is None or len(plain[1].rpartition("@")[0]) > (self.local_part_limit or 1e9):
            return super()._getaddr(arg)
        return plain[1], arg.lstrip()[plain.end() :]

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            # Clients end the data with CRLF "." CRLF (smtplib and forum.mail add the
            # CRLF to a message without one), so this also ends an empty message.
            data = await self._reader.readuntil(END)
        except asyncio.LimitOverrunError:
            await self.push("552 Error: Too much mail data")
            self.transport.close()
            return
        content = data[: -len(END) + 2]  # keep the last line's CRLF
        if content.startswith(b"."):
            content = content[1:]
        content = content.replace(b"\r\n.", b"\r\n")  # RFC 5321 4.5.2: remove dot-stuffing
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)

    async def smtp_XSTATS(self, arg: str) -> None:
        await self.push(f"250 {self.event_handler.messages} {self.event_handler.bytes}")


async def serve(port: int, handler: Sink) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: RelaySMTP(handler, hostname="127.0.0.1", loop=loop), "127.0.0.1", port
    )
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--samples", type=Path, help="keep some messages here (.eml)")
    parser.add_argument("--keep-every", type=int, default=500)
    args = parser.parse_args(argv)
    if args.samples is not None:
        args.samples.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args.port, Sink(args.samples, args.keep_every)))


if __name__ == "__main__":
    main()
