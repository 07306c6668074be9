"""Discovery of hosted modules, run inside the gateway's embedded CPython.

`discover(paths)` imports every module named by the gateway's `--modules`
option and describes its public services in the form of Graft's interface
model. A module publishes what its `__all__` names (re-exported names
included), or else the public names it defines; a package is one module, its
`__init__`, not one per submodule. Annotations resolve as a type checker
resolves them (names imported under `if TYPE_CHECKING:` too; see
`types.py`, loaded before this file as `_graft_types`). The services are
described in `services.py` (`_graft_services`). `discover` also hands back
the callables and the named types, so the Rust host can invoke methods and
rebuild dataclasses and enum members without looking anything up again.

The JSON shapes here must match the serde shapes in
`crates/graft-model/src/interface.rs`.
"""

import importlib
import logging
import os
import sys
import traceback

from _graft_services import Model
from _graft_types import DiscoveryError  # noqa: F401 - the host looks it up here (start.rs)


class ImportFailure(Exception):
    """A hosted module could not be imported: carries the file and the error."""

    def __init__(self, file, error):
        super().__init__(file, error)
        self.file = file
        self.error = error


def discover(paths):
    """Imports the modules at `paths`; returns (interface JSON text, callables, types)."""
    modules = []
    for path in paths:
        modules.extend(_load(os.path.abspath(path)))
    model = Model([module.__name__ for module, _ in modules])
    for module, _ in modules:
        model.find_object_classes(module)
    for module, file in modules:
        model.add_module(module, file)
    interface = {
        "project": _project(paths),
        "services": model.services,
        "types": list(model.types.type_defs.values()),
    }
    import json

    return json.dumps(interface), model.callables, model.types.classes


# ---------------------------------------------------------------- loading


def _load(path):
    """Imports what one `--modules` entry names: a .py file, a package or a folder
    (its modules and packages). A package is its `__init__`: what it publishes."""
    if os.path.isfile(path):
        folder, name = os.path.split(path)
        return [_import(os.path.splitext(name)[0], folder, path)]
    if os.path.isfile(os.path.join(path, "__init__.py")):
        parent, name = os.path.split(path.rstrip(os.sep))
        return [_import(name, parent, os.path.join(path, "__init__.py"))]
    found = []
    for entry in sorted(os.listdir(path)):
        full = os.path.join(path, entry)
        if entry.startswith((".", "_")):
            continue
        if entry.endswith(".py") and os.path.isfile(full):
            found.append(_import(entry[:-3], path, full))
        elif os.path.isfile(os.path.join(full, "__init__.py")):
            found.append(_import(entry, path, os.path.join(full, "__init__.py")))
    return found


def _import(name, folder, file):
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        return importlib.import_module(name), file
    except BaseException as exc:  # noqa: BLE001 - any failure stops start-up with its cause
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        raise ImportFailure(file, detail.rstrip()) from None


def _project(paths):
    """The name and version in the nearest pyproject.toml at or above the first module."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        return None
    folder = os.path.abspath(paths[0]) if paths else os.getcwd()
    if os.path.isfile(folder):
        folder = os.path.dirname(folder)
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            with open(candidate, "rb") as f:
                project = tomllib.load(f).get("project", {})
            if "name" in project:
                return {"name": str(project["name"]), "version": str(project.get("version", "0.1.0"))}
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# ---------------------------------------------------------------- set-up


def prepare(argv0):
    """Readies the interpreter before any hosted module is imported.

    `PYTHONPATH` is honoured by CPython itself; an active virtualenv
    (`VIRTUAL_ENV`) is not, when the interpreter is embedded, so its
    site-packages go to the front of `sys.path` here. Graft's own log records
    go to stderr; the hosted modules' logging is left for them to set up.
    """
    sys.argv = [argv0]
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        import site

        version = "python%d.%d" % sys.version_info[:2]
        packages = os.path.join(venv, "lib", version, "site-packages")
        if os.path.isdir(packages) and packages not in sys.path:
            before = list(sys.path)
            site.addsitedir(packages)
            added = [p for p in sys.path if p not in before]
            sys.path[:] = added + before
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    graft_log = logging.getLogger("graft")
    graft_log.addHandler(handler)
    graft_log.setLevel(logging.INFO)
    graft_log.propagate = False
