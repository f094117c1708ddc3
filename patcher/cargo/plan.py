"""What `cargo wasm` (front.py) hands the wrapper (wrapper.py, which reads it as plain
JSON) for one cargo run: a file named by $RUSTC_WASM_PLAN. Packages are named by their
manifest directory, which cargo gives every rustc it runs as CARGO_MANIFEST_DIR."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from patcher.environment import PLAN_ENV

__all__ = ["PLAN_ENV", "Module", "WrapperPlan"]


@dataclass(frozen=True)
class Module:
    features: list[str]
    path: str
    sha256: str


@dataclass
class WrapperPlan:
    strict: bool
    dylib: tuple[str, str]  # the host's proc-macro file name: prefix, suffix
    modules: dict[str, list[Module]] = field(default_factory=dict)  # proc macros run from wasm
    stand_ins: list[str] = field(default_factory=list)  # needed only by those macros
    labels: dict[str, str] = field(default_factory=dict)  # manifest dir -> "name vX.Y.Z"
    native: dict[str, str] = field(default_factory=dict)  # "name vX.Y.Z" -> why it stays native

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_text(self.to_json())
        os.replace(partial, path)
        return path

    @staticmethod
    def read(path: Path) -> WrapperPlan:
        raw = json.loads(path.read_text())
        modules = {k: [Module(**m) for m in v] for k, v in raw["modules"].items()}
        return WrapperPlan(
            raw["strict"], tuple(raw["dylib"]), modules, raw["stand_ins"], raw["labels"], raw.get("native", {})
        )
