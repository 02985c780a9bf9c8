"""The load of bench/bench_load.py: each simulated user sends one request after another (no think
time), cycling through LOAD_PATHS (separated by spaces) with the LOAD_COOKIE session, if any."""

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
        with self.client.get(next(self.paths), name=NAME, headers=self.headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
