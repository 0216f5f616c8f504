"""Option defaults from a TOML file: --config FILE, else ./cleanwire.toml, else pyproject.toml [tool.cleanwire].

A file sets the default of any command-line option, so a CI job can check its settings in instead of a long
command line; flags given on the command line still win. Keys are the options' long names without the dashes
(`near-threshold`, or `near_threshold`). Top-level keys serve every command that has the option; a table named
after a command (`[dedupe]`, `[clean]`, `[explain]`) serves that command only and wins over the top level:

    jobs = 2
    text-field = "body"

    [dedupe]
    keep = "longest"
    all = true

A key that no command has, or a value the option refuses, is an error naming the file: a typo must not be
ignored silently by a batch job.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROJECT_FILE = "cleanwire.toml"
PYPROJECT = "pyproject.toml"
_FILE_OPTIONS = ("config_file", "no_config")  # the options that choose the file are not set by it


class ConfigFileError(click.UsageError):
    """A config file that cannot be read or says something no option accepts."""


@dataclass(frozen=True)
class Setting:
    """One option's value for one command, and where it came from."""

    value: Any
    source: str  # "default", or the file and table that set it, e.g. "cleanwire.toml [dedupe]"


@dataclass(frozen=True)
class ConfigFile:
    """The settings one file holds: top-level keys and one table per command."""

    label: str  # the file as messages name it; pyproject.toml adds " [tool.cleanwire]"
    top: dict[str, Any]
    commands: dict[str, dict[str, Any]]


def discover(directory: Path | None = None) -> Path | None:
    """The config file of the working directory: cleanwire.toml, else a pyproject.toml with [tool.cleanwire]."""
    directory = directory or Path()  # relative: messages name ./cleanwire.toml as the user knows it
    own = directory / PROJECT_FILE
    if own.is_file():
        return own
    pyproject = directory / PYPROJECT
    if pyproject.is_file() and "cleanwire" in _read_toml(pyproject).get("tool", {}):
        return pyproject
    return None


def load(path: Path, command_names: set[str]) -> ConfigFile:
    """Read `path` (a cleanwire TOML file or a pyproject.toml) into top-level keys and per-command tables."""
    data = _read_toml(path)
    label = str(path)
    if path.name == PYPROJECT:
        data = data.get("tool", {}).get("cleanwire", {})
        label += " [tool.cleanwire]"
        if not isinstance(data, dict):
            raise ConfigFileError(f"{label}: must be a table of settings")
    top: dict[str, Any] = {}
    commands: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if key in command_names and isinstance(value, dict):
            commands[key] = {_key(k): v for k, v in value.items()}
        elif isinstance(value, dict):
            raise ConfigFileError(f"{label}: [{key}] is not a command; tables may be "
                                  f"{', '.join(f'[{name}]' for name in sorted(command_names))}")
        else:
            top[_key(key)] = value
    return ConfigFile(label, top, commands)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read config file: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"{path}: not a valid TOML file: {exc}") from exc


def _key(key: str) -> str:
    """A file's key as an option's long name: near_threshold and near-threshold alike."""
    return key.replace("_", "-")


def settable(command: click.Command) -> dict[str, click.Option]:
    """The options of `command` a file may set, by long name without the dashes."""
    found: dict[str, click.Option] = {}
    for param in command.params:
        if not isinstance(param, click.Option) or param.name in _FILE_OPTIONS or param.hidden:
            continue
        if param.is_eager and not param.expose_value:  # --help, --version
            continue
        long = [opt for opt in param.opts if opt.startswith("--")]
        if long:
            found[long[0][2:]] = param
    return found


def check_keys(file: ConfigFile, commands: dict[str, click.Command]) -> None:
    """Refuse keys that no command has (top level) or that the table's command does not have."""
    known = {name for command in commands.values() for name in settable(command)}
    for key in file.top:
        if key not in known:
            raise ConfigFileError(f"{file.label}: unknown setting {key!r} (the options' long names are the keys)")
    for name, table in file.commands.items():
        options = settable(commands[name])
        for key in table:
            if key not in options:
                raise ConfigFileError(f"{file.label}: [{name}] has no setting {key!r}")


def settings(command: click.Command, ctx: click.Context, file: ConfigFile | None) -> dict[str, Setting]:
    """Every settable option of `command` with its value and where it came from (flags not counted)."""
    name = command.name or ""
    result: dict[str, Setting] = {}
    for key, param in settable(command).items():
        value, source = _default(param, ctx), "default"
        if file is not None and key in file.top:
            value, source = file.top[key], file.label
        if file is not None and key in file.commands.get(name, {}):
            value, source = file.commands[name][key], f"{file.label} [{name}]"
        if source != "default":
            value = _convert(param, value, ctx, source, key)
        result[key] = Setting(value, source)
    return result


def _default(param: click.Option, ctx: click.Context) -> Any:
    """The option's built-in default (None when it has none), not one a file set."""
    saved, ctx.default_map = ctx.default_map, None
    try:
        value = param.get_default(ctx, call=True)
    finally:
        ctx.default_map = saved
    if value is None or type(value).__name__ == "Sentinel":  # click 8.2+ marks "no default" with a sentinel
        return None
    return list(value) if param.multiple and isinstance(value, (list, tuple)) else value


def _convert(param: click.Option, value: Any, ctx: click.Context, source: str, key: str) -> Any:
    """The file's value as the option would take it from the command line, or an error naming the file."""
    if param.multiple and not isinstance(value, list):
        value = [value]
    if param.is_flag and not isinstance(value, bool):
        raise ConfigFileError(f"{source}: {key} must be true or false, not {value!r}")
    if isinstance(value, (dict, list)) and not param.multiple:
        raise ConfigFileError(f"{source}: {key} must be a single value, not {value!r}")
    try:
        return param.type_cast_value(ctx, value)
    except click.BadParameter as exc:
        raise ConfigFileError(f"{source}: {key}: {exc.message}") from exc


def file_defaults(command: click.Command, ctx: click.Context, file: ConfigFile) -> dict[str, Any]:
    """The default_map for `command`: option names (as click calls them) to the file's values."""
    return {
        settable(command)[key].name or key: setting.value
        for key, setting in settings(command, ctx, file).items()
        if setting.source != "default"
    }


def render(command_settings: dict[str, dict[str, Setting]]) -> str:
    """The merged settings as TOML, each line commented with where its value came from."""
    lines: list[str] = []
    for name, table in command_settings.items():
        left = {key: _assignment(key, s.value) if s.value is not None else f"# {key} is not set"
                for key, s in table.items()}
        width = max(map(len, left.values()), default=0)
        lines.append(f"[{name}]")
        lines.extend(f"{left[key]:<{width}}  # {setting.source}" for key, setting in table.items())
        lines.append("")
    return "\n".join(lines)


def _assignment(key: str, value: Any) -> str:
    return f"{key} = {_toml_value(value)}"


def _toml_value(value: Any) -> str:
    """A value in TOML syntax (strings JSON-quoted, which TOML basic strings accept)."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)
