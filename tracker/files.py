"""Private files: the instance folder and everything tracker writes into it are the owner's only.

The database holds other people's personal data and the instance folder holds the keys, so
neither is readable by other accounts on the machine: the folder is 0700, files are 0600.
"""
from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077  # files 0600, folders 0700
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def use_private_umask() -> None:
    """Every file this process creates from now on (database, backups, exports) is 0600.

    Called by the `tracker` command (so `serve` and its gunicorn workers inherit it) before
    anything is opened. Process-wide on purpose: SQLite and the backup API create files
    through the C library, where only the umask reaches.
    """
    os.umask(PRIVATE_UMASK)


def secure_instance(instance: Path, database_url: str) -> None:
    """Make the instance folder 0700 and the SQLite database (with -wal/-shm) 0600.

    An empty database file is created 0600 before SQLite opens it: SQLite gives its -wal and
    -shm files the mode of the database file, so they follow. Existing files from older
    versions (0644) are tightened on start.
    """
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    _tighten(instance, 0o700)
    path = sqlite_path(database_url)
    if path is None:
        return
    if not path.exists() and path.parent.is_dir():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:  # another worker created it first
            pass
    for suffix in _SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _tighten(companion, 0o600)


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL (`sqlite:///path`), None for other engines and in-memory ones."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return None
    name = database_url[len(prefix):].split("?", 1)[0]
    return Path(name) if name and name != ":memory:" else None


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 (or tighten it if it exists): for backups and exports."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    _tighten(path, 0o600)


def _tighten(path: Path, mode: int) -> None:
    """chmod to `mode` when the file is looser and ours; a file we do not own is left alone."""
    try:
        st = path.stat()
        if st.st_mode & 0o777 & ~mode and st.st_uid == os.getuid():
            path.chmod(mode)
    except OSError:
        pass
