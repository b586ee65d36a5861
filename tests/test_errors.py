"""Every exception and warning class lives in redroute._errors and is exported."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import redroute
from redroute import _errors

PACKAGE = Path(redroute.__file__).resolve().parent


def test_every_error_is_exported_from_the_package() -> None:
    classes = {name for name, obj in vars(_errors).items()
               if inspect.isclass(obj) and issubclass(obj, Exception)
               and obj.__module__ == _errors.__name__}
    assert {"PlanError", "RouteError", "ItineraryError", "MapError", "LeafletError",
            "EmbedError", "GpxError", "PublishError", "OutputError"} <= classes
    for name in classes:
        assert name in redroute.__all__, name
        assert getattr(redroute, name) is getattr(_errors, name)


def test_errors_subclass_the_right_builtin() -> None:
    for name in redroute.__all__:
        obj = getattr(redroute, name)
        if inspect.isclass(obj) and issubclass(obj, Exception) and name.endswith("Error"):
            assert issubclass(obj, redroute.RedrouteError), name
            assert obj.__mro__[2] is not object or obj is redroute.RedrouteError, name


def test_no_exception_class_is_defined_elsewhere() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path.name == "_errors.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                assert not any(b.endswith(("Error", "Exception", "Warning")) for b in bases), (
                    f"{path.relative_to(PACKAGE)}: class {node.name} belongs in _errors.py")


def test_a_library_user_can_catch_plan_errors() -> None:
    with pytest.raises(redroute.PlanError, match="no candidate stops"):
        redroute.PlanRequest(hours=5)
