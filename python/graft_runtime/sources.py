"""Where a graft's configuration comes from, and which source wins.

Highest first (see docs/CONFIG.md):

1. `GRAFT_CONFIG_<NAME>`: the graft's own environment variable, NAME being
   the distribution name upper-cased with `-` and `.` as `_`
   (`GRAFT_CONFIG_GRAFT_PYPI_ENERGYPRICECALCULATOR`);
2. `GRAFT_CONFIG`: the global environment variable;
3. the file named by `GRAFT_CONFIG_FILE_<NAME>`;
4. the file named by `GRAFT_CONFIG_FILE`;
5. code: `GraftConfig.set_config(text)`;
6. the package default (baked in when the graft was built; none by default);
7. in-process calls.

`GRAFT_TOKEN` (the gateway's token when the configuration has no `token=`)
is read here too: once per resolution, not on every call.

A source applies when it holds a line for this graft (its `name`, or no
`name`); a source whose lines all name other grafts is passed over. An
empty variable counts as unset. A variable naming a file that cannot be
read, or any malformed text, is an error, never a reason to move on.

Files hold the text form, or JSON: an object of keys (`{"host": ...}`), a
list of such objects, or an object mapping graft names to such objects.
"""

import json
import os
from typing import Any, Callable, Dict, List, Mapping, Optional

from .config import KEYS, TOKEN_ENV, GraftConfigError, Settings, normalize_name, parse, parse_line, select, settings_from

ENV = "GRAFT_CONFIG"
ENV_FILE = "GRAFT_CONFIG_FILE"


def env_suffix(graft: str) -> str:
    """`graft-pypi-x` -> `GRAFT_PYPI_X`, for the per-graft variable names."""
    return normalize_name(graft).upper().replace("-", "_")


def resolve(
    graft: str,
    code: Optional[str] = None,
    default: Optional[str] = None,
    environ: Optional[Mapping[str, str]] = None,
) -> Settings:
    """The configuration that applies to `graft`, by the precedence above."""
    env = os.environ if environ is None else environ
    own = env_suffix(graft)
    sources: List[Callable[[], Optional[Settings]]] = [
        lambda: _from_env(env, "%s_%s" % (ENV, own), graft, own=True),
        lambda: _from_env(env, ENV, graft, own=False),
        lambda: _from_file_env(env, "%s_%s" % (ENV_FILE, own), graft, own=True),
        lambda: _from_file_env(env, ENV_FILE, graft, own=False),
        lambda: _from_text(code, "GraftConfig.set_config", graft, own=False),
        lambda: _from_text(default, "the package default", graft, own=False),
    ]
    for source in sources:
        found = source()
        if found is not None:
            found.token = found.token or env.get(TOKEN_ENV) or None  # read once, with the rest
            return found
    return Settings(name=graft)


def _from_env(env: Mapping[str, str], var: str, graft: str, own: bool) -> Optional[Settings]:
    return _from_text(env.get(var), "environment variable %s" % var, graft, own)


def _from_text(text: Optional[str], where: str, graft: str, own: bool) -> Optional[Settings]:
    if text is None or not text.strip():
        return None
    return _pick(parse(text, where), graft, where, own)


def _from_file_env(env: Mapping[str, str], var: str, graft: str, own: bool) -> Optional[Settings]:
    path = env.get(var, "").strip()
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise GraftConfigError("%s=%r: cannot read the configuration file: %s" % (var, path, e.strerror or e)) from None
    where = "file %s" % path
    if text.lstrip().startswith(("{", "[")):
        return _pick(_from_json(text, where), graft, where, own)
    return _pick(parse(text, where), graft, where, own)


def _pick(configs: List[Settings], graft: str, where: str, own: bool) -> Optional[Settings]:
    if own:
        for config in configs:
            if config.name is not None and normalize_name(config.name) != normalize_name(graft):
                raise GraftConfigError(
                    "%s: invalid name=%r: this source configures %s only" % (config.source, config.name, graft)
                )
    return select(configs, graft)


def _from_json(text: str, where: str) -> List[Settings]:
    try:
        data: Any = json.loads(text)
    except ValueError as e:
        raise GraftConfigError("%s: not valid JSON: %s" % (where, e)) from None
    if isinstance(data, dict) and data and not any(str(k).lower() in KEYS for k in data):
        data = [dict(_object(v, "%s[%r]" % (where, k)), name=k) for k, v in data.items()]
    items = data if isinstance(data, list) else [data]
    found = []
    for i, item in enumerate(items):
        here = "%s[%d]" % (where, i) if isinstance(data, list) else where
        pairs = {str(k).lower(): _scalar(v, str(k), here) for k, v in _object(item, here).items()}
        line = ";".join("%s=%s" % (k, v) for k, v in pairs.items() if ";" not in v)
        bad = [k for k, v in pairs.items() if ";" in v]
        if bad:
            raise GraftConfigError("%s: invalid %s=%r: a value cannot hold ';'" % (here, bad[0], pairs[bad[0]]))
        found.append(settings_from(parse_line(line, here), here))
    return found


def _object(value: Any, where: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise GraftConfigError("%s: expected an object of configuration keys, found %s" % (where, json.dumps(value)))
    return value


def _scalar(value: Any, key: str, where: str) -> str:
    """A JSON value as connection-string text; `modules` may also be a list of paths."""
    if key.lower() == "modules" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise GraftConfigError("%s: invalid %s=%s: expected a string or a number" % (where, key, json.dumps(value)))
    return str(value)
