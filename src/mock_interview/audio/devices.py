"""Sound devices through sounddevice/PortAudio: listing them and choosing the one to use.

sounddevice is imported only here and only when a device is needed, so analysis, history and the
TUI still work on a machine without PortAudio; there the user gets one line saying how to get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Literal

from mock_interview.core.errors import UserError

Direction = Literal["input", "output"]
PORTAUDIO_HINT = "PortAudio not found: install it with `sudo apt-get install libportaudio2`"


def import_sounddevice() -> ModuleType:
    """The sounddevice module, or a UserError naming the missing library and how to install it."""
    try:
        import sounddevice
    except (ImportError, OSError):
        raise UserError(PORTAUDIO_HINT) from None
    return sounddevice


@dataclass(frozen=True)
class Device:
    id: int
    name: str
    inputs: int
    outputs: int
    default_rate: int
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[Device]:
    sd = import_sounddevice()
    default_input, default_output = _default_ids(sd)
    return [
        Device(
            id=index,
            name=str(info["name"]),
            inputs=int(info["max_input_channels"]),
            outputs=int(info["max_output_channels"]),
            default_rate=int(info["default_samplerate"]),
            is_default_input=index == default_input,
            is_default_output=index == default_output,
        )
        for index, info in enumerate(sd.query_devices())
    ]


def _default_ids(sd: ModuleType) -> tuple[int, int]:
    defaults = sd.default.device
    return int(defaults[0]), int(defaults[1])


def find_device(spec: str, direction: Direction) -> Device:
    """The device a setting names (an id or a fragment of the name; empty: the default).

    Raises UserError when there is no such device, e.g. no microphone at all.
    """
    channels = "inputs" if direction == "input" else "outputs"
    candidates = [device for device in list_devices() if getattr(device, channels) > 0]
    noun = "microphone (input device)" if direction == "input" else "speaker (output device)"
    if not candidates:
        raise UserError(f"no {noun} found; `mock-interview devices` lists what PortAudio sees")
    spec = spec.strip()
    if not spec:
        flag = "is_default_input" if direction == "input" else "is_default_output"
        return next((device for device in candidates if getattr(device, flag)), candidates[0])
    matches = [
        device
        for device in candidates
        if (spec.isdigit() and device.id == int(spec)) or spec.lower() in device.name.lower()
    ]
    if not matches:
        raise UserError(
            f"no {direction} device matches '{spec}'; `mock-interview devices` lists them"
        )
    return matches[0]


def render_devices(devices: list[Device]) -> str:
    """The `mock-interview devices` table: ids to put in the settings or --input-device."""
    if not devices:
        return "No audio devices found (PortAudio sees none)."
    lines = [f"{'id':>3}  {'in':>3}  {'out':>3}  {'rate':>6}  name"]
    for device in devices:
        marks = [
            mark
            for mark, flag in (
                ("default input", device.is_default_input),
                ("default output", device.is_default_output),
            )
            if flag
        ]
        suffix = f"  ({', '.join(marks)})" if marks else ""
        lines.append(
            f"{device.id:>3}  {device.inputs:>3}  {device.outputs:>3}  "
            f"{device.default_rate:>6}  {device.name}{suffix}"
        )
    return "\n".join(lines)


def devices_command() -> int:
    """Handler of `mock-interview devices`."""
    print(render_devices(list_devices()))
    return 0
