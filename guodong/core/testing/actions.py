"""Every event action the code can record, read from its source (for the label test).

An action is "<model>.<verb>". It is found three ways:

* a string literal passed to `record_event` / `recording`, or any literal "<model_name>.<verb>"
  naming an installed model (actions chosen from a dict or an `if`, like "importjob.commit");
* an f-string whose verb is literal (f"{model_name}.reveal");
* an f-string whose verb is a parameter of the enclosing function (f"mission.{step}"): the
  literals passed for it at every call of that function, and its default.

A dynamic action none of these resolves is reported, so a new kind of call site cannot slip
past the test; `EXTRA_SOURCES` names where the verbs of the known ones come from.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps

RECORDERS = {"record_event", "recording"}
PACKAGE = Path(__file__).resolve().parents[2]


@dataclass
class Found:
    """Actions (prefix, verb) or bare verbs (any prefix), and what could not be resolved."""

    actions: set[tuple[str, str]] = field(default_factory=set)
    verbs: set[str] = field(default_factory=set)
    unresolved: list[str] = field(default_factory=list)


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or "testing" in path.parts:
            continue
        yield path, ast.parse(path.read_text(), str(path))


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _split(action: str) -> tuple[str, str] | None:
    prefix, dot, verb = action.partition(".")
    if dot and prefix.isidentifier() and verb.isidentifier() and not verb.startswith("_"):
        return prefix, verb
    return None


def _model_attrs() -> dict[str, set[str]]:
    """model_name → its fields and attributes ("division.name" is a path, not an action)."""
    attrs: dict[str, set[str]] = {}
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()} | set(dir(model))
        attrs[model._meta.model_name or ""] = names
    return attrs


def _parameter_literals(
    trees: list[tuple[Path, ast.Module]], function: str, param: str, index: int
) -> tuple[set[str], bool]:
    """The string literals passed for `param` (position `index`) at every call of `function`,
    and whether some call passes something else (a variable: unresolvable here)."""
    values: set[str] = set()
    other = False
    for _path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == function:
                args = [a for a in node.args if not isinstance(a, ast.Starred)]
                candidates = [args[index]] if index < len(args) else []
                candidates += [k.value for k in node.keywords if k.arg == param]
                for value in candidates:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        values.add(value.value)
                    else:
                        other = True
    return values, other


def _enclosing_functions(tree: ast.Module) -> dict[ast.AST, ast.FunctionDef]:
    owner: dict[ast.AST, ast.FunctionDef] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for child in ast.walk(node):
                owner.setdefault(child, node)
    # ast.walk is breadth-first: the outermost function claimed each node first; nested ones
    # must win, so walk again letting inner definitions overwrite.
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for child in ast.walk(node):
                if child is not node:
                    owner[child] = node
    return owner


def _parameter(function: ast.FunctionDef, name: str) -> tuple[int, str | None] | None:
    """The position of parameter `name` and its literal default, if it is one."""
    positional = function.args.posonlyargs + function.args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(function.args.defaults))
    defaults += function.args.defaults
    for i, arg in enumerate(positional):
        if arg.arg == name:
            default = defaults[i]
            literal = default.value if isinstance(default, ast.Constant) else None
            return i, literal if isinstance(literal, str) else None
    for arg, kw_default in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True):
        if arg.arg == name:
            literal = kw_default.value if isinstance(kw_default, ast.Constant) else None
            return 10**6, literal if isinstance(literal, str) else None
    return None


def recordable_actions(extra_sources: dict[str, set[str]] | None = None) -> Found:
    """Every action the code under guodong/ can record (see the module docstring).

    `extra_sources` maps "<path under guodong/>:<function>" to the verbs of a dynamic site the
    source alone cannot resolve (a demand transition's name comes from the URL)."""
    extra_sources = extra_sources or {}
    trees = list(_sources())
    attrs = _model_attrs()
    found = Found()
    for path, tree in trees:
        owner = _enclosing_functions(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                split = _split(node.value)
                if split and split[0] in attrs and split[1] not in attrs[split[0]]:
                    found.actions.add(split)
            if not (isinstance(node, ast.Call) and _name(node.func) in RECORDERS):
                continue
            if len(node.args) < 2:
                continue
            action = node.args[1]
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            if isinstance(action, ast.Constant) and isinstance(action.value, str):
                split = _split(action.value)
                if split:
                    found.actions.add(split)
                continue
            if not isinstance(action, ast.JoinedStr):
                continue  # a variable: its values are literals found above
            last = action.values[-1]
            if isinstance(last, ast.Constant) and isinstance(last.value, str):
                found.verbs.add(last.value.lstrip("."))
                continue
            function = owner.get(node)
            variable = last.value if isinstance(last, ast.FormattedValue) else None
            if function is None or not isinstance(variable, ast.Name):
                found.unresolved.append(where)
                continue
            key = f"{path.relative_to(PACKAGE).as_posix()}:{function.name}"
            if key in extra_sources:
                found.verbs |= extra_sources[key]
            param = _parameter(function, variable.id)
            if param is None:
                if key not in extra_sources:
                    found.unresolved.append(f"{where} ({key}: {variable.id})")
                continue
            index, default = param
            values, other = _parameter_literals(trees, function.name, variable.id, index)
            if default:
                values.add(default)
            if (other or not values) and key not in extra_sources:
                found.unresolved.append(f"{where} ({key}: {variable.id})")
            found.verbs |= values
    return found
