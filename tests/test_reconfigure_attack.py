"""What reconfigure.py's shape lock must not do where the cache directory is unusual: make
every data source wait when the filesystem has no locks, or create files through a link
planted where its lock file goes; and a guard for the one refusal besides a secret that a
configuration value can cause, EC2's size limit (bootstrapper/reconfigure.py)."""

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
    """What the data source prints for `query` without rendering, or None."""
    answered = reconfigure.answer(json.dumps(query).encode())
    return None if answered is None else answered[0]


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


def test_a_role_that_takes_the_user_data_over_ec2s_limit_is_left_to_the_full_render(cache):
    """The one refusal a configuration value can cause besides a secret: EC2's 16 KB. A
    shape a few bytes under it (an env_file path of random letters, which gzip cannot
    shrink), then a longer random role: the full render refuses with size-limit, so the
    answer must be None, and a role as short as the first still gets its bytes."""
    import random

    from bootstrapper.errors import BootstrapperError
    from bootstrapper.profile import from_query
    from bootstrapper.terraform import printed, result

    letters = random.Random(16).choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                        k=12000)

    def query(length: int, role: str) -> dict:
        return {"format": "shell", "role": role, "env_file": "/etc/" + "".join(letters[:length])}

    def size(q: dict) -> int:
        return int(result(q)["size_bytes"])

    # The size grows about linearly with the path: a few secant steps find the length that
    # leaves ~20 bytes.
    points = [(1000, size(query(1000, "a"))), (3000, size(query(3000, "a")))]
    for _ in range(3):
        (x0, y0), (x1, y1) = points[-2:]
        length = x1 + (16384 - 20 - y1) * (x1 - x0) // (y1 - y0)
        points.append((length, size(query(length, "a"))))
        if 16384 - 40 < points[-1][1] <= 16384:
            break
    base = query(length, "a")
    out = printed(result(base))
    assert 16384 - 40 < int(json.loads(out)["size_bytes"]) <= 16384
    profile = from_query(base)
    reconfigure.remember(base, profile, out, replay.inputs_of(profile, None))
    over = query(length, "".join(letters[-64:]))
    with pytest.raises(BootstrapperError, match="size-limit"):
        result(over)
    assert ask(over) is None
    same_length = query(length, "b")
    assert ask(same_length) == printed(result(same_length))
