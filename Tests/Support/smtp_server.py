#!/usr/bin/python3
"""An SMTP server for maint's tests (aiosmtpd, from Debian): STARTTLS with the given certificate,
AUTH with one user, both required. Each message is written to DIR as NNN.eml, its envelope to
NNN.json. Prints "listening on PORT" when ready.
"""
import argparse
import asyncio
import json
import os
import socket
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", default="maint")
    parser.add_argument("--password", default="secret")
    args = parser.parse_args()
    lock = threading.Lock()
    counter = {"n": 0}

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with lock:
                counter["n"] += 1
                base = os.path.join(args.dir, "%03d" % counter["n"])
            with open(base + ".eml", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            with open(base + ".json", "w") as f:
                json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                           "authenticated": session.authenticated}, f)
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user and auth_data.password.decode() == args.password
        return AuthResult(success=ok)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    # aiosmtpd 1.4 checks its own port once started, so it needs a real one: ask the kernel for a free one.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_required=True, auth_require_tls=True)
    controller.start()
    print("listening on %d" % port, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    main()
