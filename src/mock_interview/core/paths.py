"""Where the project's files live, and the two ways it writes them.

Shipped config sits beside the package, user data in platformdirs. Files inside the data folder
are private (folders 0700, files 0600: they hold people's voices); a file the user names is
written with their umask in the folder they chose, and that folder is never chmod'ed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import platformdirs

from mock_interview.core.errors import UserError

APP_NAME = "mock-interview"
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def shipped_config_dir() -> Path:
    """The top-level `config/` folder: in the source tree, or installed into the package."""
    here = Path(__file__).resolve().parent.parent  # the package folder, above core/
    for candidate in (here / "config", here.parent.parent / "config"):
        if (candidate / "settings.toml").is_file():
            return candidate
    raise FileNotFoundError(f"shipped config not found beside {here}")


def user_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "settings.toml"


def make_private_dir(path: Path, data_folder: Path) -> None:
    """Make `path` and every folder from `data_folder` down to it user-only (0700), creating
    what is missing; folders above `data_folder` are created with the umask and left alone.

    A `path` outside `data_folder` is refused: nothing is created outside the data folder.
    """
    inside = path.is_relative_to(data_folder)
    if not inside or not path.resolve().is_relative_to(data_folder.resolve()):
        raise UserError(f"refusing to create {path}: it is outside the data folder {data_folder}")
    data_folder.parent.mkdir(parents=True, exist_ok=True)
    folders = [data_folder]
    for part in path.relative_to(data_folder).parts:
        folders.append(folders[-1] / part)
    for folder in folders:
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask


def make_private_file(path: Path) -> None:
    """Create (or tighten) a user-only file in a folder that already exists; touches no folder."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)


@contextmanager
def open_user_file(path: Path) -> Iterator[BinaryIO]:
    """A file the user named: written to a fresh temporary name beside it with the user's umask,
    renamed over `path` only when the body finishes, so an interruption leaves nothing half-written.
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror or error}") from error
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {error.strerror or error}") from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_user_file(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to a file the user named; see `open_user_file`."""
    with open_user_file(path) as handle:
        handle.write(text.encode("utf-8"))


def data_dir() -> Path:
    """Recordings and the database: user-only (0700), since these are people's voices."""
    path = Path(platformdirs.user_data_dir(APP_NAME))
    make_private_dir(path, data_folder=path)
    return path


def state_dir() -> Path:
    """Crash logs: user-only, since a traceback can quote a transcript or a path."""
    path = Path(platformdirs.user_state_dir(APP_NAME))
    make_private_dir(path, data_folder=path)
    return path


def cache_dir() -> Path:
    path = Path(platformdirs.user_cache_dir(APP_NAME))
    make_private_dir(path, data_folder=path)
    return path


def samples_dir() -> Path:
    """The bundled sample answers (`audio_samples/`), used by the demo and the tests."""
    here = Path(__file__).resolve().parent.parent  # the package folder, above core/
    for candidate in (here / "audio_samples", here.parent.parent / "audio_samples"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"audio_samples not found beside {here}")
