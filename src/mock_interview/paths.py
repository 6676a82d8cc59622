"""Where the project's files live: shipped config beside the package, user data in platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "mock-interview"


def shipped_config_dir() -> Path:
    """The top-level `config/` folder: in the source tree, or installed into the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "config", here.parent.parent / "config"):
        if (candidate / "settings.toml").is_file():
            return candidate
    raise FileNotFoundError(f"shipped config not found beside {here}")


def user_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "settings.toml"


def data_dir() -> Path:
    """Recordings and the database: user-only (0700), since these are people's voices."""
    path = Path(platformdirs.user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def cache_dir() -> Path:
    path = Path(platformdirs.user_cache_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def samples_dir() -> Path:
    """The bundled sample answers (`audio_samples/`), used by the demo and the tests."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "audio_samples", here.parent.parent / "audio_samples"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"audio_samples not found beside {here}")
