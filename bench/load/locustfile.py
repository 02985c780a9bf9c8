"""The load of bench/bench_load.py: each simulated user sends one request after another (no think
time), cycling through LOAD_PATHS (separated by spaces) with the LOAD_COOKIE session, if any.

Every byte of an answer is received, as sent (gzip where the server compressed it), and not
inflated: the load generator shares the server's two cores, and inflating is the client's work on
its own machine. Inflating a kept taste (13.6 KiB to 39 KiB) took locust about 0.2 ms of CPU, a
fifth of what the server spends on the request, so large answers were charged for the client's
work and the constant view, 0.1 KiB and not compressed, was not."""

import itertools
import os

from locust import FastHttpUser, constant, task

PATHS = os.environ["LOAD_PATHS"].split()
NAME = os.environ.get("LOAD_NAME", PATHS[0])
COOKIE = os.environ.get("LOAD_COOKIE", "")


class Caller(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        # each user starts at another place in the list, so users do not ask for one item in step
        self.paths = itertools.islice(itertools.cycle(PATHS), id(self) % len(PATHS), None)
        self.headers = {"Cookie": COOKIE} if COOKIE else {}

    @task
    def call(self) -> None:
        with self.client.get(next(self.paths), name=NAME, headers=self.headers, stream=True,
                             catch_response=True) as response:
            received = sum(len(chunk) for chunk in response.iter_content(65536, decode_content=False))
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif received != int(response.headers.get("content-length", received)):
                response.failure(f"{received} bytes received of {response.headers['content-length']}")
