"""The local cloud: moto's server, run by Baryon as every account's resource plane on one machine.

moto keeps resources only in memory, so the process must outlive Baryon. `baryon up` starts it detached (in
its own session, so Ctrl-C and `kill -9` of Baryon leave it running), writes its pid and port to
`<data_dir>/cloud/process.json`, and the next `baryon up` reuses it while it is still moto's server and
answers. A restart of moto itself is covered by moto's request recorder: moto appends every request it
receives to `<data_dir>/cloud/recording`, and Baryon replays that file into a freshly started moto. Replayed
resources get the same identifiers because the recording begins with a seed for moto's random generator and
moto handles one request at a time (`baryon.cloud.moto_server`; `docs/local-cloud.md` says why both matter).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from base64 import b64decode
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import urllib3

HOST = "127.0.0.1"
SERVER_MODULE = "baryon.cloud.moto_server"
HEALTH_PATH = "/moto-api/config"
"""A moto-API page that answers without touching any account (and without drawing from moto's random)."""
START_SECONDS = 60.0
REPLAY_SECONDS = 300.0
"""Longest a single replayed request may take."""
STOP_GRACE_SECONDS = 5.0
"""A server still running this long after SIGTERM gets SIGKILL (plain `moto.server` ignores SIGTERM for long)."""


class CloudError(Exception):
    """The local cloud could not be started or restored."""


@dataclass(frozen=True)
class CloudProcess:
    """A local cloud process Baryon started: its pid and where it listens."""

    pid: int
    port: int
    host: str = HOST

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class Ready:
    """The outcome of `LocalCloud.ensure`: `reused` a running cloud, `started` an empty one, or `replayed`
    the recording into a new one (`requests` entries)."""

    process: CloudProcess
    how: str
    requests: int = 0


class LocalCloud:
    """The local cloud of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "cloud"
        self._child: subprocess.Popen[bytes] | None = None  # kept so the handle is not collected while we run

    @property
    def recording(self) -> Path:
        return self.folder / "recording"

    @property
    def log(self) -> Path:
        return self.folder / "moto.log"

    @property
    def _state(self) -> Path:
        return self.folder / "process.json"

    def recorded(self) -> CloudProcess | None:
        """The process the state file names, alive or not."""
        found = self._read_state()
        return found[0] if found is not None else None

    def running(self) -> CloudProcess | None:
        """The recorded process, if it is ready (its recording replayed), still moto's server on its port,
        and answers."""
        found = self._read_state()
        if found is None or not found[1] or not _is_moto(found[0]) or not _answers(found[0].url):
            return None
        return found[0]

    def ensure(self) -> Ready:
        """Reuse the running local cloud, or start one (replaying its recording, if there is one)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._locked():
            current = self.running()
            if current is not None:
                return Ready(current, "reused")
            previous = self.recorded()
            if previous is not None and _is_moto(previous):  # alive but not answering: hung
                _terminate(previous.pid)
            entries = repair_recording(self.recording)
            port = previous.port if previous is not None and _port_free(previous.port) else _free_port()
            process = self._spawn(port)
            self._write_state(process, ready=False)  # others keep away until the recording is replayed
            try:
                if entries == 0:
                    _post(process.url, f"/moto-api/seed?a={secrets.randbelow(2**31)}", timeout=10)
                    ready = Ready(process, "started")
                else:
                    ready = Ready(process, "replayed", replay(process.url, self.recording))
            except CloudError:
                _terminate(process.pid)  # never leave a half-restored cloud for the next start to reuse
                raise
            self._write_state(process, ready=True)
            return ready

    def stop(self) -> CloudProcess | None:
        """Stop the local cloud; the process stopped, if one ran. The recording stays, so the next start
        restores the resources, and so does the state file, so the next start listens on the same port."""
        with self._locked():
            process = self.recorded()
            if process is None or not _is_moto(process):
                return None
            _terminate(process.pid)
            return process

    def _spawn(self, port: int) -> CloudProcess:
        env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}  # one account per server otherwise
        env.update(
            MOTO_ENABLE_RECORDING="true",
            MOTO_RECORDER_FILEPATH=str(self.recording),
            MOTO_IAM_LOAD_MANAGED_POLICIES="true",  # AWS-managed policies exist in every account, as in AWS
        )
        command = [sys.executable, "-m", SERVER_MODULE, "-H", HOST, "-p", str(port), "--folder", str(self.folder)]
        with open(self.log, "ab") as log:
            child = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._child = child
        process = CloudProcess(pid=child.pid, port=port)
        deadline = time.monotonic() + START_SECONDS
        while not _answers(process.url):
            if child.poll() is not None:
                raise CloudError(f"moto's server exited ({child.returncode}); see {self.log}")
            if time.monotonic() > deadline:
                _terminate(child.pid)
                raise CloudError(f"moto's server did not answer within {START_SECONDS:.0f} s; see {self.log}")
            time.sleep(0.1)
        return process

    def _read_state(self) -> tuple[CloudProcess, bool] | None:
        try:
            data = json.loads(self._state.read_text())
            process = CloudProcess(pid=int(data["pid"]), port=int(data["port"]), host=str(data.get("host", HOST)))
            return process, bool(data.get("ready"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_state(self, process: CloudProcess, ready: bool) -> None:
        temporary = self._state.with_name("process.json.tmp")
        temporary.write_text(json.dumps({**asdict(process), "ready": ready}))
        os.replace(temporary, self._state)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One `baryon` command at a time decides about this data directory's cloud."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def running_url(data_dir: Path) -> str | None:
    """The URL of the data directory's local cloud while it runs (for processes that never start it)."""
    process = LocalCloud(data_dir).running()
    return process.url if process is not None else None


def replay(url: str, recording: Path) -> int:
    """Send every recorded request again, in order, to the (new, empty) moto at `url`; how many were sent.

    Recording is paused meanwhile, so the file is not appended to itself. Answers are not checked: a request
    that failed when it was recorded fails again, the same way."""
    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=REPLAY_SECONDS))
    _post(url, "/moto-api/recorder/stop-recording", timeout=10)
    sent = 0
    try:
        with open(recording, "rb") as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                    body = entry.get("body") or ""
                    data = b64decode(body) if entry.get("body_encoded") else body.encode()
                    headers = {k: v for k, v in entry["headers"].items() if k.lower() not in _NOT_REPLAYED}
                    path = urllib3.util.parse_url(entry["url"]).request_uri
                    pool.request(entry["method"], url + path, body=data or None, headers=headers, redirect=False)
                except (ValueError, KeyError, TypeError, urllib3.exceptions.HTTPError) as exc:
                    raise CloudError(f"replaying {recording} stopped at entry {sent + 1}: {exc}") from exc
                sent += 1
    finally:
        _post(url, "/moto-api/recorder/start-recording", timeout=10)
        pool.clear()
    return sent


_NOT_REPLAYED = frozenset({"host", "content-length", "transfer-encoding"})


def repair_recording(path: Path) -> int:
    """Mend the end of a recording after moto was killed while appending to it; the number of entries.

    moto writes an entry, then its newline: a complete last entry without its newline is kept (the request
    may have run), a partial one is dropped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    head, newline, tail = data.rpartition(b"\n")
    if tail:
        with open(path, "r+b") as handle:
            if _parses(tail):
                handle.seek(0, os.SEEK_END)
                handle.write(b"\n")
                return data.count(b"\n") + 1
            handle.truncate(len(head) + len(newline))
    return data.count(b"\n")


def _parses(line: bytes) -> bool:
    try:
        json.loads(line)
        return True
    except ValueError:
        return False


def _is_moto(process: CloudProcess) -> bool:
    """Whether the pid is still a live moto server on the recorded port (pids are reused after a reboot)."""
    try:
        arguments = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return False
    except OSError:  # no procfs: trust the pid while it exists
        try:
            os.kill(process.pid, 0)
            return True
        except OSError:
            return False
    return SERVER_MODULE.encode() in arguments and str(process.port).encode() in arguments  # zombies: no cmdline


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=2) as response:
            return bool(200 <= response.status < 300)
    except OSError:
        return False


def _post(url: str, path: str, timeout: float) -> None:
    request = urllib.request.Request(url + path, data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except OSError as exc:
        raise CloudError(f"the local cloud at {url} refused {path}: {exc}") from exc


def _terminate(pid: int) -> None:
    """SIGTERM, then SIGKILL after the grace period; returns once the process is gone."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, STOP_GRACE_SECONDS)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child: reap it
            return False
    except ChildProcessError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


def _port_free(port: int) -> bool:
    """Whether a server could listen on the port now (connections of an earlier one in TIME_WAIT don't count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
            return True
        except OSError:
            return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])
