#!/usr/bin/env python3
"""A fleet for benchmarks: N sites on 127.0.0.1, each on its own port (a real fleet is many
hosts, so no per-host connection cap binds), served by nginx: every request is answered 200
with a small JSON body after DELAY milliseconds (the echo module's `echo_sleep`, which Debian's
nginx-light ships), with keep-alive. nginx, not a script, so that the fleet's own work per
request (about 50 µs of CPU, against 140 for an asyncio server) does not slow the answers of a
thousand sites arriving at once. One nginx, with one worker, serves at most 4,000 sites (each
holds a listening socket and a connection); the ports are chosen together for all of them.
Prints the ports, one per line, then "ready", and stops nginx when terminated. Files go in DIR.

    bench/sites.py N DELAY_MS DIR
"""
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"


def free_ports(count):
    """Free ports below the range the kernel gives clients (their source ports): a fleet's
    listeners taken from that range would leave the client fewer, and a benchmark that opens
    tens of thousands of connections a minute (each client's port waits 60 s in TIME_WAIT once
    closed) would run out of them. All are held at once, so that none repeats."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as file:
        clients_from = int(file.read().split()[0])
    sockets = []
    try:
        for port in range(10000, clients_from):
            if len(sockets) == count:
                break
            listener = socket.socket()
            try:
                listener.bind(("127.0.0.1", port))
            except OSError:
                listener.close()
                continue
            sockets.append(listener)
        if len(sockets) < count:
            sys.exit(f"sites: only {len(sockets)} free ports between 10000 and {clients_from}")
        return [listener.getsockname()[1] for listener in sockets]
    finally:
        for listener in sockets:
            listener.close()


def config(ports, delay_ms, directory):
    listens = "\n".join(f"    listen 127.0.0.1:{port} backlog=1024;" for port in ports)
    # Each site holds a listening socket and a connection, and a second one while the last
    # command's is still being closed as the next command connects: short of connections,
    # nginx would close some unanswered.
    descriptors = 4 * len(ports) + 256
    return f"""load_module {ECHO_MODULE};
worker_processes 1;
worker_rlimit_nofile {descriptors};
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections {descriptors}; }}
http {{
  access_log off;
  client_body_temp_path {directory}/body;
  proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi;
  uwsgi_temp_path {directory}/uwsgi;
  scgi_temp_path {directory}/scgi;
  default_type application/json;
  keepalive_requests 100000;
  server {{
{listens}
    location / {{
      echo_sleep {delay_ms / 1000:.3f};
      echo '{{"ok": true}}';
    }}
  }}
}}
"""


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def die_with_parent():
    # nginx stops with this script, even if the script is killed outright.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start(shares, delay_ms, directory):
    """One nginx per share of the ports; those still running once all accept, or None."""
    running = []
    for part, share in enumerate(shares):
        place = f"{directory}/nginx-{part + 1}"
        os.makedirs(place, exist_ok=True)
        with open(f"{place}/nginx.conf", "w") as file:
            file.write(config(share, delay_ms, place))
        running.append(subprocess.Popen(["nginx", "-c", f"{place}/nginx.conf", "-e", f"{place}/error.log"],
                                        preexec_fn=die_with_parent))
    signal.signal(signal.SIGTERM, lambda *_: ([nginx.terminate() for nginx in running], sys.exit(0)))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and all(nginx.poll() is None for nginx in running):
        if all(accepts(share[0]) and accepts(share[-1]) for share in shares):
            return running
        time.sleep(0.05)
    for nginx in running:
        nginx.terminate()
        nginx.wait()
    return None


def main():
    sites, delay_ms, directory = int(sys.argv[1]), float(sys.argv[2]), os.path.abspath(sys.argv[3])
    if not os.path.exists(ECHO_MODULE):
        sys.exit(f"sites: {ECHO_MODULE} is missing (Debian's nginx-light ships it)")
    parts = (sites + 3999) // 4000
    # A port taken between choosing it and nginx binding it fails the start: choose again.
    for _ in range(3):
        ports = free_ports(sites)
        running = start([ports[part::parts] for part in range(parts)], delay_ms, directory)
        if running:
            break
    else:
        sys.exit(f"sites: nginx did not start; see {directory}/nginx-*/error.log")
    print("\n".join(map(str, ports)), flush=True)
    print("ready", flush=True)
    while all(nginx.poll() is None for nginx in running):
        time.sleep(1)
    sys.exit("sites: an nginx stopped")


main()
