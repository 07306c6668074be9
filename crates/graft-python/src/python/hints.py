"""Annotations resolved as a type checker resolves them, for discovery
(`types.py`): an object's own annotations unevaluated, evaluated in a
namespace that also holds what its module imports or defines under
`if TYPE_CHECKING:`, and an annotation as a person would write it.

Loaded by the gateway as the module `_graft_hints`, before `types.py`.
"""

import __future__
import ast
import inspect
import logging
import tokenize
import typing

log = logging.getLogger("graft.discover")


def raw_annotations(obj):
    """An object's own annotations, unevaluated (strings stay strings)."""
    try:
        import annotationlib  # Python 3.14+: annotations are evaluated lazily
    except ImportError:
        own = obj.__dict__.get("__annotations__") if inspect.isclass(obj) else getattr(obj, "__annotations__", None)
        return dict(own or {})
    return dict(annotationlib.get_annotations(obj, format=annotationlib.Format.FORWARDREF))


def evaluate(annotations, globalns, localns):
    """`typing.get_type_hints` of these annotations (a class holds them: ClassVar is allowed)."""
    holder = type("_Annotations", (), {"__annotations__": annotations})
    return typing.get_type_hints(holder, globalns=globalns, localns=localns)


def checking_namespace(module):
    """A module's globals with what it imports or defines under `if TYPE_CHECKING:`
    (a block Python skips and a type checker reads), run here in a copy."""
    namespace = dict(vars(module))
    namespace["__annotations__"] = dict(namespace.get("__annotations__") or {})
    file = getattr(module, "__file__", None) or ""
    flags = __future__.annotations.compiler_flag
    for statement in checking_statements(file):
        code = compile(ast.Module(body=[statement], type_ignores=[]), file, "exec", flags=flags, dont_inherit=True)
        try:
            exec(code, namespace)
        except Exception as exc:  # noqa: BLE001 - the names it defines stay unresolved, and say so when used
            log.warning("%s, line %d (under TYPE_CHECKING) fails here: %s", file, statement.lineno, exc)
    return namespace


def checking_statements(file):
    """The statements of a module's top-level `if TYPE_CHECKING:` blocks
    (`typing.TYPE_CHECKING`, or a `TYPE_CHECKING = False` of its own)."""
    if not file.endswith(".py"):
        return []
    try:
        with tokenize.open(file) as f:
            tree = ast.parse(f.read(), file)
    except (OSError, SyntaxError, ValueError):
        return []
    found = []
    for node in tree.body:
        test = node.test if isinstance(node, ast.If) else None
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            found.extend(node.body)
    return found


def hint_text(hint):
    """An annotation as a person would write it: `module.Class`, else its repr."""
    if inspect.isclass(hint):
        return hint.__qualname__ if hint.__module__ == "builtins" else "%s.%s" % (hint.__module__, hint.__qualname__)
    return repr(hint).replace("typing.", "")
