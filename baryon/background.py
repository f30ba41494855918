"""A background worker thread of the server process (Proton registration, template sync).

Each worker has an `owner` id unique across processes and replicas, used in the leases it takes on jobs in
the store, so that any replica may die at any time and another finishes its work.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid


class BackgroundWorker:
    """Lifecycle shared by workers: `start`, `wake` (work arrived, look now), `stop` (finish and join)."""

    thread_name = "baryon-worker"

    def __init__(self) -> None:
        self.owner = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join(timeout=30)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        raise NotImplementedError
