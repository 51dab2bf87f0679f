"""The one Jinja2 environment for authored text: sandboxed, autoescaped, no file access,
and bounded in time and size.

Jinja's sandbox stops attribute tricks but not a template that loops for hours, recurses
until Python gives up or builds a gigabyte string (`{{ 'x' * 10**9 }}`). Every render here
carries a budget (`RenderLimits`): the compiled code spends a step on each turn of a loop,
each call and each piece of output and checks the clock as it does; the output and every
string or list the template builds are counted against a size limit, and the operations
that multiply a size (`*`, `**`, `%`, `center`, `replace`, …) are checked before they
run. A template over budget fails with `RenderLimitExceeded`, a `TemplateError`, so every
caller reports it like any other template error: with the file (or clause) and the line.

The budget bounds what a template can do through Jinja; it is not a memory limit on the
process, which belongs to the operating system (see README, "Limits").
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sized
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, cast

from jinja2 import (
    BaseLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    nodes,
    pass_context,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateRuntimeError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.assembly.literal import markdown_literal
from app.errors import InvalidInput


@dataclass(frozen=True)
class RenderLimits:
    """What one render of one template may spend."""

    steps: int = 1_000_000
    """Loop turns, calls and output statements together."""
    output_chars: int = 10_000_000
    """Characters of output, and the length of any one string or list the template builds."""
    seconds: float = 5.0
    """Wall-clock time."""
    depth: int = 100
    """How deep macros (or recursive loops) may call themselves."""


class RenderLimitExceeded(SecurityError):
    """A template went over its budget; the message says which limit and how to change it."""


_limits = [RenderLimits()]


def configure(limits: RenderLimits) -> None:
    """Set the budget of every render from now on (called once, from the settings)."""
    _limits[0] = limits


def current_limits() -> RenderLimits:
    return _limits[0]


class _Budget:
    """What is left of one render's budget; created with the render's context."""

    __slots__ = ("deadline", "depth", "limits", "output", "steps")

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.steps = limits.steps
        self.output = limits.output_chars
        self.depth = 0
        self.deadline = time.monotonic() + limits.seconds

    def step(self, output: int = 0) -> None:
        self.steps -= 1
        self.output -= output
        if self.steps < 0:
            raise RenderLimitExceeded(
                f"the template was stopped after {self.limits.steps:,} steps (loop turns, "
                "calls and outputs); it loops too long (CONTRACTDESK_TEMPLATE_MAX_STEPS)"
            )
        if self.output < 0:
            raise _too_long("its output is", self.limits.output_chars)
        if time.monotonic() > self.deadline:
            raise RenderLimitExceeded(
                f"the template was stopped after {self.limits.seconds:g} seconds "
                "(CONTRACTDESK_TEMPLATE_MAX_SECONDS)"
            )


def _too_long(what: str, limit: int) -> RenderLimitExceeded:
    return RenderLimitExceeded(
        f"the template was stopped: {what} longer than {limit:,} characters "
        "(CONTRACTDESK_TEMPLATE_MAX_OUTPUT)"
    )


def _budget(context: Context) -> _Budget:
    return cast(_BudgetedContext, context).budget


class _BudgetedContext(Context):
    """A render's context, carrying the render's budget (a context is made per render)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = _Budget(current_limits())


_STEP = object()
"""Marks the statement the code generator puts at the top of every loop body."""


class _BudgetedCodeGenerator(CodeGenerator):
    """Jinja's code generator with budget checks compiled in: a step per loop turn and
    per output statement (counting its literal text), a size check on `~`."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        step = nodes.ExprStmt(nodes.Const(_STEP), lineno=node.lineno)
        node.body = [step, *node.body]
        super().visit_For(node, frame)

    def visit_ExprStmt(self, node: nodes.ExprStmt, frame: Frame) -> None:
        if isinstance(node.node, nodes.Const) and node.node.value is _STEP:
            self.writeline("context.budget.step()", node)
        else:
            super().visit_ExprStmt(node, frame)

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        super().visit_Output(node, frame)
        literal = sum(
            len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData)
        )
        self.writeline(f"context.budget.step({literal})")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.sized(context, ")
        super().visit_Concat(node, frame)
        self.write(")")


# `%` conversions and `{…:spec}` fields: the widths and precisions they ask for.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\d*)(?:\.(\d*))?")
_FORMAT_SPEC = re.compile(r"\{[^{}]*?:[^{}\d]*(\d*)(?:\.(\d*))?[^{}]*\}")
_NESTED_FIELD = re.compile(r"\{[^{}]*:[^{}]*\{")


def _format_width(spec: str) -> int:
    """The largest width or precision a format string asks for."""
    numbers = [
        int(number)
        for pattern in (_PERCENT_SPEC, _FORMAT_SPEC)
        for match in pattern.finditer(spec)
        for number in match.groups()
        if number
    ]
    return max(numbers, default=0)


def _format_length(spec: str, args: Iterable[Any]) -> int:
    """At most how long formatting makes a string beyond its arguments: its own text and
    the widest field, which may be taken from the arguments (`%*d`, `{:{}}`)."""
    width = _format_width(spec)
    if "*" in spec or _NESTED_FIELD.search(spec):
        width = max([width, *(arg for arg in args if isinstance(arg, int))])
    return len(spec) + width


def _replaced_length(value: str, old: str, new: str, count: int = -1) -> int:
    found = len(value) + 1 if old == "" else value.count(old)
    if count >= 0:
        found = min(found, count)
    return len(value) + found * (len(new) - len(old))


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with a budget per render (see the module's docstring)."""

    code_generator_class = _BudgetedCodeGenerator
    context_class = _BudgetedContext
    intercepted_binops = frozenset({"*", "**", "%", "+", "-", "/", "//"})

    def __init__(self, *, markdown: bool = False, **options: Any) -> None:
        super().__init__(finalize=_count_markdown_output if markdown else _count_output, **options)
        self.globals.pop("lipsum", None)  # lipsum(n=10**9) is a loop the budget cannot see
        sizes: dict[str, Callable[..., int]] = {
            "center": _centered_length,
            "indent": _indented_length,
            "wordwrap": _wrapped_length,
            "format": lambda value, *args, **kwargs: _format_length(str(value), args),
            "replace": _filtered_replace_length,
        }
        for name, size in sizes.items():
            self.filters[name] = self._sized_filter(self.filters[name], size)

    def _sized_filter(self, apply: Callable[..., Any], size: Callable[..., int]) -> Any:
        """A filter that refuses, before it runs, to make a string longer than the limit."""

        @wraps(apply)
        def checked(*args: Any, **kwargs: Any) -> Any:
            # the filters wrapped take the eval context first when they take one
            value_args = args[1:] if hasattr(apply, "jinja_pass_arg") else args
            self._check_size(size(*value_args, **kwargs))
            return apply(*args, **kwargs)

        return checked

    def _check_size(self, length: int) -> None:
        limit = current_limits().output_chars
        if length > limit:
            raise _too_long("it would make a string", limit)

    def sized(self, context: Context, value: Any) -> Any:
        """A value the template built, refused when it is longer than the output limit."""
        if isinstance(value, Sized) and not isinstance(value, dict):
            self._check_size(len(value))
        return value

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                    self._check_size(len(sequence) * times)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            # Python prints at most 4,300 digits of an int; a bigger power is refused
            # before it takes its time to compute
            if right * max(left.bit_length(), 1) > 4300 * 4:
                raise RenderLimitExceeded(f"the template was stopped: {left} ** {right} is too big")
        elif operator == "%" and isinstance(left, str):
            arguments = right if isinstance(right, tuple) else (right,)
            self._check_size(_format_length(left, arguments))
        try:
            return self.sized(context, super().call_binop(context, operator, left, right))
        except ArithmeticError as exc:
            raise TemplateRuntimeError(f"{left!r} {operator} {right!r}: {exc}") from None

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget(__context)
        budget.step()
        if budget.depth >= budget.limits.depth:
            raise RenderLimitExceeded(
                f"the template was stopped: macros call each other more than "
                f"{budget.limits.depth} deep"
            )
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            __self._check_size(_method_length(owner, __obj.__name__, args))
        budget.depth += 1
        try:
            return __self.sized(__context, super().call(__context, __obj, *args, **kwargs))
        finally:
            budget.depth -= 1

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`str.format` and `format_map`, refusing a field wider than the output limit."""
        format_ = super().wrap_str_format(value)
        if format_ is None:
            return None
        spec = str(value.__self__)

        @wraps(format_)
        def checked(*args: Any, **kwargs: Any) -> str:
            mapping = args[0] if args and isinstance(args[0], Mapping) else {}
            self._check_size(_format_length(spec, [*args, *kwargs.values(), *mapping.values()]))
            return format_(*args, **kwargs)

        return checked


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _centered_length(value: Any, width: Any = 80) -> int:
    return max(len(str(value)), _int(width))


def _indented_length(value: Any, width: Any = 4, first: bool = False, blank: bool = False) -> int:
    text = str(value)
    per_line = len(width) if isinstance(width, str) else _int(width)
    return len(text) + (text.count("\n") + 1) * per_line


def _wrapped_length(value: Any, width: Any = 79, *args: Any, **kwargs: Any) -> int:
    """At most one break per character, each as long as the `wrapstring` given."""
    wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None)
    return len(str(value)) * (1 + len(str(wrapstring or "\n")))


def _filtered_replace_length(value: Any, old: Any, new: Any, count: Any = None) -> int:
    return _replaced_length(str(value), str(old), str(new), -1 if count is None else _int(count))


def _method_length(value: str, method: str, args: tuple[Any, ...]) -> int:
    """How long a string method's answer would be, for the methods that can grow a string
    far beyond their arguments; 0 for the others."""
    if method in {"center", "ljust", "rjust", "zfill"} and args:
        return _int(args[0])
    if method == "expandtabs":
        return len(value) + value.count("\t") * _int(args[0] if args else 8)
    if method == "replace" and len(args) >= 2:
        count = _int(args[2]) if len(args) > 2 else -1
        return _replaced_length(value, str(args[0]), str(args[1]), count)
    return 0


@pass_context
def _count_output(context: Context, value: Any) -> Any:
    """Every `{{ … }}` is counted against the output limit as it is printed."""
    _budget(context).step(len(value) if isinstance(value, str) else len(str(value)))
    return value


@pass_context
def _count_markdown_output(context: Context, value: Any) -> str:
    """Counted, and escaped as Markdown: what a clause prints is data, shown literally."""
    return markdown_literal(str(_count_output(context, value)))


@lru_cache(maxsize=4)
def sandbox(*, autoescape: bool = True, markdown: bool = False) -> BudgetedSandbox:
    """Templates and clause text are written by people and treated as untrusted.

    The immutable sandbox refuses attribute tricks (`__class__`, `__globals__`) and
    mutation of the data it is given; a loader that knows no files means `{% include %}`
    cannot read the disk; undefined names fail loudly instead of printing nothing.
    With `markdown`, for clause text: whatever a `{{ … }}` prints is escaped as Markdown,
    so only the clause's own reviewed text is formatted.
    """
    return BudgetedSandbox(
        markdown=markdown,
        loader=BaseLoader(),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=512)
def compile_template(source: str, *, autoescape: bool = True, markdown: bool = False) -> Template:
    """Compiled once per distinct text: a template or clause version never changes, so the
    text itself is the cache key."""
    return sandbox(autoescape=autoescape, markdown=markdown).from_string(source)


def template_line(exc: TemplateError) -> int | None:
    """The template line an error happened on: syntax errors carry it; for errors while
    rendering, Jinja maps the traceback's frames back to template lines."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.lineno
    line = None
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def template_problem(exc: TemplateError, name: str) -> InvalidInput:
    """A template failure as an error that names the file and, where known, the line."""
    line = template_line(exc)
    where = f"{name}, line {line}" if line else name
    message = exc.message if isinstance(exc, TemplateSyntaxError) else str(exc)
    return InvalidInput(f"template {where}: {message}")
