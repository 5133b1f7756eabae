"""What reconfigure.py's shape lock must not do where the cache directory is unusual: make
every data source wait when the filesystem has no locks, or create files through a link
planted where its lock file goes (bootstrapper/reconfigure.py)."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import time

import pytest

from bootstrapper import reconfigure, replay


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BOOTSTRAPPER_NO_CACHE", raising=False)
    yield tmp_path
    reconfigure.release()


def ask(query: dict) -> bytes | None:
    return reconfigure.answer(json.dumps(query).encode())


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.EOPNOTSUPP])
def test_a_cache_on_a_filesystem_without_locks_makes_nobody_wait(cache, monkeypatch, code):
    """flock fails with ENOLCK on NFS when no lock manager answers (a container without
    rpc.statd), EOPNOTSUPP on some network filesystems: no data source holds the shape, so
    waiting for one only adds WAIT_S to every data source of the plan."""
    def no_locks(fd, operation):  # noqa: ANN001 - fcntl.flock's signature
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    monkeypatch.setattr(reconfigure, "WAIT_S", 3.0)
    start = time.monotonic()
    assert ask({"role": "one"}) is None  # nothing stored: render as usual, at once
    assert time.monotonic() - start < 1.5


def test_a_link_planted_as_the_lock_file_is_not_followed(cache):
    """Whoever can plant a link in the cache directory can do worse already (replay.py's
    entries), but the lock must not add creating a file anywhere the caller may write
    (as root: an empty /etc/nologin locks every other user out)."""
    query = {"role": "one"}
    where = replay.directory()
    os.makedirs(where)
    target = cache / "created-through-the-link"
    os.symlink(target, os.path.join(where, f".{reconfigure.shape_key(query)}.lock"))
    assert ask(query) is None
    assert not os.path.lexists(target)
