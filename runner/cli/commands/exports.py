"""--export-environment and --export-globals: the run's final variables, for the next run.

Values are written as they are (secrets included: the next run needs them) in the format
the run read, native or Postman; they are never printed. Secret names are marked as such
(native `secrets`, Postman `type: secret`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from runner.model import Collection, Environment
from runner.postman.fields import key_of
from runner.secrets import is_sensitive_name
from runner.values import JSON
from runner.version import __version__


def environment_values(final: dict[str, dict[str, JSON]]) -> dict[str, JSON]:
    """Returns what --export-environment writes: the environment as scripts left it, with
    the values captured in the last iteration (captures and the token step's variables)."""
    return {**final.get("environment", {}), **final.get("runtime", {})}


def write_variables(
    path: Path,
    values: dict[str, JSON],
    *,
    scope: str,
    name: str,
    postman: bool,
    secret_names: frozenset[str],
    disabled: tuple[Mapping[str, JSON], ...] = (),
) -> None:
    """Writes `values` as a native environment file or a Postman environment/globals file.

    A Postman file also gets back the `disabled` entries the run read, as they came (Newman
    keeps them too), but for a name the run left a value of: that value is what counts now.
    """
    secrets = sorted(n for n in values if n in secret_names or is_sensitive_name(n))
    document: dict[str, JSON]
    if postman:
        entries: list[JSON] = [
            {
                "key": key,
                "value": value,
                "type": "secret" if key in secrets else "default",
                "enabled": True,
            }
            for key, value in values.items()
        ]
        entries += [dict(e) for e in disabled if key_of(dict(e)) not in values]
        document = {
            "name": name,
            "values": entries,
            "_postman_variable_scope": scope,
            "_postman_exported_using": f"runner/{__version__}",
        }
    else:
        document = {"name": name, "variables": values, "secrets": secrets}
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temp.replace(path)


def export(
    final: dict[str, dict[str, JSON]],
    collection: Collection,
    environment: Environment | None,
    globals_env: Environment | None,
    environment_path: str | None,
    globals_path: str | None,
) -> list[str]:
    """Writes the files asked for; returns one line per file written (for stderr)."""
    postman = collection.dialect == "postman"
    written: list[str] = []
    if environment_path:
        write_variables(
            Path(environment_path),
            environment_values(final),
            scope="environment",
            name=environment.name if environment else collection.name,
            postman=postman,
            secret_names=environment.secrets if environment else frozenset(),
            disabled=environment.disabled if environment else (),
        )
        written.append(f"environment written to {environment_path}")
    if globals_path:
        write_variables(
            Path(globals_path),
            dict(final.get("globals", {})),
            scope="globals",
            name=globals_env.name if globals_env else "globals",
            postman=postman,
            secret_names=globals_env.secrets if globals_env else frozenset(),
            disabled=globals_env.disabled if globals_env else (),
        )
        written.append(f"globals written to {globals_path}")
    return written
