"""The embedded broker: kombu's filesystem transport, with every message handed over atomically.

kombu's own transport creates a message's file in the queue folder and only then writes it, so a
worker polling the folder can take the file in between and read nothing: `JSONDecodeError`, and
the worker stops ("Unrecoverable error"; seen in tests/api/test_job_faults.py under load). It also
takes a message by `shutil.move` into the system's temporary folder, which is a copy and a delete
(not atomic) when that folder is on another filesystem than var/broker.

Here a message is written under a name no consumer matches and renamed into place, and taken by
renaming it into the broker's own `processed_folder` (same filesystem: atomic, so exactly one
worker wins), read, and deleted. config/celery.py points the `filesystem://` scheme here.

The exchange's routing table (control_folder/<exchange>.exchange) had the same fault: kombu
creates it empty and locks it only afterwards, so a producer routing a message in between read
nothing (JSONDecodeError, the producer's messages lost; seen in tests/jobs/test_broker.py on CI).
And kombu skips writing the binding when this process already bound the queue once, in any
folder, so a queue declared under a second broker folder routed nowhere. Here the table is
rewritten whole and renamed into place under a lock file, read without a lock, and every
binding is written to the folder in use.

`messages_waiting` asks whichever broker is configured (this one or Redis) how many job messages
wait in its queue: the sweep sends again only what the broker cannot be holding.
"""

from __future__ import annotations

import fcntl
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

log = logging.getLogger(__name__)

#: a message still being written ends with this; kombu's `_get` matches only "<queue>.msg"
_PARTIAL = ".part"


class Channel(filesystem.Channel):
    def get_table(self, exchange: str) -> list[filesystem.exchange_queue_t]:
        try:
            text = self._exchange_file(exchange).read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open the routing table of {exchange!r}") from exc
        return [filesystem.exchange_queue_t(*entry) for entry in loads(bytes_to_str(text))]

    def queue_bind(self, queue: str, exchange: str | None = None, routing_key: str = "",
                   arguments: Any = None, **kwargs: Any) -> None:
        exchange = exchange or "amq.direct"
        known = self.state.has_binding(queue, exchange, routing_key)
        super().queue_bind(queue, exchange, routing_key, arguments, **kwargs)
        if known:  # kombu skipped the file: this process bound it before, maybe in another folder
            meta = self.typeof(exchange).prepare_bind(queue, exchange, routing_key, arguments)
            self._queue_bind(exchange, *meta)

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange):
            table = self.get_table(exchange)
            if entry not in table:
                self._write_table(exchange, [entry, *table])

    def _delete(self, queue: str, exchange: str, routing_key: str, pattern: str,
                *args: Any, **kwargs: Any) -> None:
        self._purge(queue)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange):
            table = self.get_table(exchange)
            if entry in table:
                self._write_table(exchange, [kept for kept in table if kept != entry])

    @contextmanager
    def _table_lock(self, exchange: str) -> Iterator[None]:
        """Serialises changes to one exchange's table (readers need no lock: it is replaced whole)."""
        table = self._exchange_file(exchange)
        table.parent.mkdir(parents=True, exist_ok=True)
        with open(table.with_name(table.name + ".lock"), "a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _write_table(self, exchange: str, table: list[filesystem.exchange_queue_t]) -> None:
        final: Path = self._exchange_file(exchange)
        partial = final.with_name(f"{final.name}.{uuid.uuid4()}{_PARTIAL}")
        try:
            partial.write_bytes(str_to_bytes(dumps(table)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot write the routing table of {exchange!r}") from exc

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        try:
            with open(final + _PARTIAL, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(final + _PARTIAL, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str) -> Any:
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            taken = os.path.join(self.processed_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), taken)
            except OSError:
                continue  # another worker took it first
            try:
                with open(taken, "rb") as handle:
                    payload = handle.read()
                os.remove(taken)
            except OSError as exc:
                raise ChannelError(f"Cannot read file {taken!r} from queue.") from exc
            return loads(bytes_to_str(payload))
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel


def messages_waiting() -> int | None:
    """Job messages in the broker's queue that no worker has taken yet (Redis: the list's length;
    embedded: the message files), or None when the broker cannot be asked. Messages a worker
    holds (prefetched, or waiting for a countdown) are not counted."""
    from config.celery import app

    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1)  # a broker that is down answers None, now
            channel = conn.channel()
            try:
                return int(channel.queue_declare(queue=app.conf.task_default_queue).message_count)
            finally:
                channel.close()
    except Exception:  # the sweep then falls back to its cap alone
        log.warning("could not count the messages waiting in the broker", exc_info=True)
        return None
