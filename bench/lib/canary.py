# The canary of canary.js with blocking sockets, one thread per request. A refused connect is
# then read inside connect() itself, with no event loop between the kernel's answer and the
# clock: the figure is the server machine's refusal. The Node canary learns the same refusal a
# loop turn later. Both read the same p99 (12-16 ms at 1-3x, docs/performance.md): on loopback
# with both cores busy the SYN and its RST wait for the kernel's deferred packet work, whoever
# asks; this one's median is lower (0.25-0.3 ms against 0.4-0.5).
# For an answered request (200 or 503) both wait for the server's bytes, so both readings hold
# the server's delay; this one also holds its thread's wait for Python's lock after a read,
# which its idle siblings (all blocked in system calls) rarely hold.
#
# As a program: python3 bench/lib/canary.py http://127.0.0.1:8080/path - sends until SIGTERM,
# then prints {"records": [[offset ms, outcome, ms]], "lateness": [ms]}, as canary.js does.
import json
import random
import signal
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

TIMEOUT_S = 10.0


def main(url):
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.1\r\nhost: {parts.netloc}\r\nconnection: close\r\n\r\n"
    ).encode("latin-1")
    started = time.perf_counter()
    records, lateness = [], []
    lock = threading.Lock()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    sys.stdout.write("canary ready\n")  # canary.js waits for it before it stops the canary
    sys.stdout.flush()

    def once(due):
        sent = time.perf_counter()
        outcome = ask(parts.port, request)
        took = time.perf_counter() - sent
        with lock:
            lateness.append(round((sent - due) * 1000, 2))
            records.append([round((sent - started) * 1000, 2), outcome, round(took * 1000, 2)])

    threads = []
    due = time.perf_counter()
    while not stopping.is_set():
        thread = threading.Thread(target=once, args=(due,), daemon=True)
        thread.start()
        threads.append(thread)
        delay = 0.005 + random.random() * 0.010
        due = time.perf_counter() + delay
        stopping.wait(delay)
    for thread in threads:
        thread.join(TIMEOUT_S + 0.5)
    with lock:
        sys.stdout.write(json.dumps({"records": records, "lateness": lateness}))


def ask(port, request):
    """One GET on a fresh connection: how it was answered."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT_S)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.connect(("127.0.0.1", port))
        sock.sendall(request)
        head = b""
        while len(head) < 12:
            chunk = sock.recv(4096)
            if not chunk:
                return "reset"  # closed before an answer
            head += chunk
        status = int(head[9:12])
        return "ok" if 200 <= status < 300 else "refused" if status == 503 else "other"
    except ConnectionRefusedError:
        return "refusedConnect"
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    except (OSError, ValueError):
        return "other"
    finally:
        sock.close()


if __name__ == "__main__":
    main(sys.argv[1])
