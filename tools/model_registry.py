"""A file registry of trained models: <root>/<name>/<version>/model.skops + meta.json + model_card.md.

Models are stored with skops, never pickle, and loaded only when every type in the file is on an
explicit allowlist (`TRUSTED_TYPES`), so a tampered file cannot run code on load.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from models.scheduling import ModelMeta
from tools.noshow.model import MODEL_NAME, TrainedNoShowModel

# Types skops does not trust by default but our no-show models are made of; anything else in a
# model file makes `load_model` refuse it. Extend deliberately, one type at a time.
TRUSTED_TYPES: tuple[str, ...] = (
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.float64",
    "numpy.int64",
    "builtins.slice",
    # ColumnTransformer's "passthrough" is stored as partial(check_array, ...); both names are checked.
    "functools.partial",
    "sklearn.utils.validation.check_array",
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.impute._base.MissingIndicator",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._encoders.OrdinalEncoder",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.utils._bunch.Bunch",
    "scipy.interpolate._interpolate.interp1d",
    "scipy.interpolate.interp1d",
    # The intake classifier: TF-IDF vectorizers and calibrated logistic regressions.
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "numpy.float32",
    "numpy.int32",
)
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class UntrustedModelError(RuntimeError):
    """A model file holds a type outside the allowlist; it is not loaded."""


def _check_part(value: str, what: str) -> str:
    if not _SAFE_PART.match(value):
        raise ValueError(f"{what} {value!r} may hold only letters, digits, '.', '_' and '-'")
    return value


def save_model(root: Path, *, estimators: dict[str, Any], meta: ModelMeta, overwrite: bool = False) -> Path:
    """Write `estimators` (a dict of fitted sklearn objects) and `meta` under root/name/version."""
    folder = Path(root) / _check_part(meta.name, "name") / _check_part(meta.version, "version")
    if folder.exists() and not overwrite and (folder / "meta.json").exists():
        raise FileExistsError(f"model {meta.name} version {meta.version} already exists at {folder}")
    folder.mkdir(parents=True, exist_ok=True)
    import skops.io as sio  # imported here: skops takes seconds to import (it scans all estimators)

    tmp = folder / "model.skops.tmp"
    sio.dump(estimators, tmp)
    untrusted = set(sio.get_untrusted_types(file=tmp)) - set(TRUSTED_TYPES)
    if untrusted:
        tmp.unlink()
        raise UntrustedModelError(f"refusing to save types that loading would not trust: {sorted(untrusted)}")
    tmp.replace(folder / "model.skops")
    (folder / "model_card.md").write_text(meta.model_card or f"# {meta.name} {meta.version}\n", encoding="utf-8")
    (folder / "meta.json").write_text(meta.model_dump_json(indent=2), encoding="utf-8")
    return folder


def list_versions(root: Path, *, name: str) -> list[ModelMeta]:
    """Every stored version of `name`, oldest first (by creation time)."""
    base = Path(root) / _check_part(name, "name")
    metas = []
    if base.is_dir():
        for meta_file in base.glob("*/meta.json"):
            metas.append(ModelMeta.model_validate_json(meta_file.read_text(encoding="utf-8")))
    return sorted(metas, key=lambda m: (m.created_at, m.version))


def load_model(root: Path, *, name: str, version: str | None = None) -> tuple[dict[str, Any], ModelMeta]:
    """Load a version (default: the latest) after checking its types against `TRUSTED_TYPES`."""
    if version is None:
        versions = list_versions(root, name=name)
        if not versions:
            raise FileNotFoundError(f"no model named {name!r} in the registry at {root}")
        version = versions[-1].version
    folder = Path(root) / _check_part(name, "name") / _check_part(version, "version")
    if not (folder / "model.skops").is_file():
        raise FileNotFoundError(f"model {name} version {version} not found at {folder}")
    import skops.io as sio

    untrusted = set(sio.get_untrusted_types(file=folder / "model.skops")) - set(TRUSTED_TYPES)
    if untrusted:
        raise UntrustedModelError(f"{folder / 'model.skops'} holds types outside the allowlist: {sorted(untrusted)}")
    present = sio.get_untrusted_types(file=folder / "model.skops")
    estimators = sio.load(folder / "model.skops", trusted=present)
    meta = ModelMeta.model_validate_json((folder / "meta.json").read_text(encoding="utf-8"))
    return estimators, meta


def save_noshow_model(root: Path, model: TrainedNoShowModel, *, overwrite: bool = False) -> Path:
    """Store a tools.noshow.model.TrainedNoShowModel."""
    estimators = {"gbm": model.gbm, "calibrator": model.calibrator, "baseline": model.baseline}
    meta = model.meta.model_copy(update={"params": {**model.meta.params, "include_sensitive": model.include_sensitive}})
    return save_model(root, estimators=estimators, meta=meta, overwrite=overwrite)


def load_noshow_model(root: Path, *, version: str | None = None) -> TrainedNoShowModel:
    """Load a TrainedNoShowModel (latest unless `version`)."""
    estimators, meta = load_model(root, name=MODEL_NAME, version=version)
    return TrainedNoShowModel(
        gbm=estimators["gbm"],
        calibrator=estimators["calibrator"],
        baseline=estimators["baseline"],
        meta=meta,
        include_sensitive=bool(meta.params.get("include_sensitive", False)),
    )


def read_meta_json(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))
