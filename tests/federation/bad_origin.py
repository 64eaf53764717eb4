"""An origin that misbehaves, as a process of its own: ``python -m tests.federation.bad_origin MODE PORT``.

``garbage`` answers every request with 200 and bytes that are not JSON; ``slow`` holds every request for a
minute before answering; ``wrong`` answers a head of another platform. It prints READY once listening.
"""

from __future__ import annotations

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    mode, port = sys.argv[1], int(sys.argv[2])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if mode == "slow":
                time.sleep(60)
            body = (
                b"\x00\xffnot json"
                if mode == "garbage"
                else json.dumps(
                    {"platform": "elsewhere", "channel": "x", "tree_size": 1, "root_hash": "00" * 32}
                ).encode()
            )
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
