"""The one model registry, for every trained model (intake classifier, no-show, denial): each version
is stored in Postgres (store/model_registry.py) as skops bytes with its metadata, sha256, the eval
run that admitted it, who registered it and when.

Models are stored with skops, never pickle, and loaded only when every type in the bytes is on an
explicit allowlist (`TRUSTED_TYPES`), so a tampered artifact cannot run code on load; the sha256 is
checked too. Each family turns its model into a dict of plain scikit-learn objects and back
(`to_estimators` / `from_estimators`); this module knows none of them. Older installs kept models
as folders (<root>/<name>/<version>/model.skops + meta.json): `import_model_folders` registers them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import psycopg

from models.model_registry import Admission, ModelHead, ModelVersion
from models.scheduling import ModelMeta
from store import model_registry as registry_store
from store.model_registry import ModelVersionExists

__all__ = ["TRUSTED_TYPES", "Admission", "ModelVersionExists", "NoModelRegistered", "UntrustedModelError",
           "dump_estimators", "import_model_folders", "latest_head", "list_versions", "load_estimators",
           "load_model", "read_model_folder", "register_model", "write_model_folder"]

# Types skops does not trust by default but our models are made of; anything else in a model's
# bytes makes loading refuse it. Extend deliberately, one type at a time.
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
    """A model's bytes hold a type outside the allowlist (or do not match their hash); not loaded."""


class NoModelRegistered(LookupError):
    """No version of that model is registered yet."""


def _check_part(value: str, what: str) -> str:
    if not _SAFE_PART.match(value):
        raise ValueError(f"{what} {value!r} may hold only letters, digits, '.', '_' and '-'")
    return value


def dump_estimators(estimators: dict[str, Any]) -> tuple[bytes, list[str]]:
    """skops bytes of `estimators` and the non-default types they hold; refuses types loading would not trust."""
    import skops.io as sio  # imported here: skops takes seconds to import (it scans all estimators)

    data = sio.dumps(estimators)
    present = sorted(sio.get_untrusted_types(data=data))
    untrusted = set(present) - set(TRUSTED_TYPES)
    if untrusted:
        raise UntrustedModelError(f"refusing to save types that loading would not trust: {sorted(untrusted)}")
    return data, present


def load_estimators(data: bytes) -> dict[str, Any]:
    """The estimators in skops bytes, after checking every type against `TRUSTED_TYPES`."""
    import skops.io as sio

    present = sio.get_untrusted_types(data=data)
    untrusted = set(present) - set(TRUSTED_TYPES)
    if untrusted:
        raise UntrustedModelError(f"model bytes hold types outside the allowlist: {sorted(untrusted)}")
    return sio.loads(data, trusted=present)


def register_model(conn: psycopg.Connection, *, estimators: dict[str, Any], meta: ModelMeta, registered_by: str,
                   admitted_by: Admission | None = None) -> ModelVersion:
    """Store a new version of `meta.name` (raises ModelVersionExists for a version already there).
    Every process using the model picks it up at its next use (see agents.runtime.Runtime.current_model)."""
    _check_part(meta.name, "name")
    _check_part(meta.version, "version")
    data, types = dump_estimators(estimators)
    return registry_store.insert_model_version(conn, meta=meta, artifact=data, sha256=hashlib.sha256(data).hexdigest(),
                                               types=types, registered_by=registered_by, admitted_by=admitted_by)


def latest_head(conn: psycopg.Connection, *, name: str) -> ModelHead | None:
    """The newest version of `name` (no bytes), or None."""
    return registry_store.latest_model_head(conn, name=name)


def list_versions(conn: psycopg.Connection, *, name: str | None = None) -> list[ModelVersion]:
    """Every registered version (of `name`, or of all models), oldest first."""
    return registry_store.list_model_versions(conn, name=name)


def load_model(conn: psycopg.Connection, *, name: str,
               version: str | None = None) -> tuple[dict[str, Any], ModelVersion]:
    """A version's estimators (default: the newest) and its record, after the hash and type checks."""
    if version is None:
        head = latest_head(conn, name=name)
        if head is None:
            raise NoModelRegistered(f"no model named {name!r} is registered")
        version = head.version
    found = registry_store.get_model_artifact(conn, name=name, version=version)
    if found is None:
        raise NoModelRegistered(f"model {name} version {version} is not registered")
    record, data = found
    if hashlib.sha256(data).hexdigest() != record.sha256:
        raise UntrustedModelError(f"model {name} version {version}: stored bytes do not match their sha256")
    return load_estimators(data), record


# --- model folders (what older installs wrote; an import path and an export format) ---------------


def write_model_folder(root: Path, *, estimators: dict[str, Any], meta: ModelMeta, overwrite: bool = False) -> Path:
    """Write root/name/version/{model.skops, meta.json, model_card.md} (an export of one version)."""
    folder = Path(root) / _check_part(meta.name, "name") / _check_part(meta.version, "version")
    if folder.exists() and not overwrite and (folder / "meta.json").exists():
        raise FileExistsError(f"model {meta.name} version {meta.version} already exists at {folder}")
    data, _ = dump_estimators(estimators)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "model.skops.tmp"
    tmp.write_bytes(data)
    tmp.replace(folder / "model.skops")
    (folder / "model_card.md").write_text(meta.model_card or f"# {meta.name} {meta.version}\n", encoding="utf-8")
    (folder / "meta.json").write_text(meta.model_dump_json(indent=2), encoding="utf-8")
    return folder


def read_model_folder(folder: Path) -> tuple[dict[str, Any], ModelMeta]:
    """One model folder's estimators (type-checked) and metadata."""
    folder = Path(folder)
    if not (folder / "model.skops").is_file() or not (folder / "meta.json").is_file():
        raise FileNotFoundError(f"{folder} is not a model folder (model.skops and meta.json)")
    meta = ModelMeta.model_validate_json((folder / "meta.json").read_text(encoding="utf-8"))
    return load_estimators((folder / "model.skops").read_bytes()), meta


def import_model_folders(conn: psycopg.Connection, root: Path, *, registered_by: str) -> list[ModelVersion]:
    """Register every model folder under `root` (<name>/<version>/) not registered yet, oldest first."""
    metas = []
    for meta_file in sorted(Path(root).glob("*/*/meta.json")):
        metas.append((ModelMeta.model_validate_json(meta_file.read_text(encoding="utf-8")), meta_file.parent))
    known = {(v.name, v.version) for v in list_versions(conn)}
    imported = []
    for meta, folder in sorted(metas, key=lambda t: (t[0].created_at, t[0].version)):
        if (meta.name, meta.version) in known:
            continue
        estimators, _ = read_model_folder(folder)
        imported.append(register_model(conn, estimators=estimators, meta=meta, registered_by=registered_by))
    return imported
