"""The pre-pass's reader of one file: what :mod:`tenantlint.scan` collects from its text.

CPython's ``ast`` gives models, class bases, scoped view mixins and serializers; libcst parses the
file only when it may hold an SQL string constant, an ``Annotated``/``Depends`` alias or a route
registered for another module. Imported by ``scan.py`` only when some file must be read, so a run
whose project index is entirely in the cache does not load libcst or sqlglot.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Container
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import libcst as cst

from tenantlint.analysis.frameworks.param_aliases import HINT as ALIAS_HINT
from tenantlint.analysis.frameworks.param_aliases import module_aliases
from tenantlint.analysis.frameworks.route_index import HINT as ROUTE_HINT
from tenantlint.analysis.frameworks.route_index import HINT_WORDS as ROUTE_WORDS
from tenantlint.analysis.frameworks.route_index import module_routes
from tenantlint.analysis.interp.class_bases import HINT as CLASS_HINT
from tenantlint.analysis.interp.class_bases import module_class_bases
from tenantlint.analysis.interp.class_models import module_class_models
from tenantlint.analysis.interp.member_types import module_member_types
from tenantlint.analysis.interp.method_refs import module_method_refs
from tenantlint.analysis.interp.trusted_context import in_system_path
from tenantlint.analysis.rawsql.constants import module_file_constants, module_name
from tenantlint.analysis.source import handoff as source_handoff
from tenantlint.analysis.source.nesting import nesting_headroom
from tenantlint.analysis.source.parse import (
    SourceError,
    checked_ast,
    collector_paused_after,
    decode,
    guarded_ast,
    parse,
)
from tenantlint.config.options import Config
from tenantlint.config.patterns import PatternSet
from tenantlint.crossfile import CrossFileFacts
from tenantlint.crossfn.records import BARE, CLASS_NAME, LOCAL_DEF, MODULE_VALUE, ON_OBJECT
from tenantlint.crossfn.shapes import (
    BARE_MARK,
    LOCAL_DEF_MARK,
    MARKS,
    NOT_PROJECT_MARK,
    ON_OBJECT_MARK,
    SHAPE,
    ast_shape,
)
from tenantlint.index.ast_util import CHILD_FIELDS, child_fields, children, shared_walks, walk
from tenantlint.index.caller_serializers import caller_serializers
from tenantlint.index.delegated_checks import delegated_candidates
from tenantlint.index.executors import executor_wrappers
from tenantlint.index.extract import extract_models, may_define_models
from tenantlint.index.forwarding import forwarding_decorators
from tenantlint.index.import_aliases import import_aliases, unalias
from tenantlint.index.injection import injecting_decorators
from tenantlint.index.keyword_lookups import keyword_lookups
from tenantlint.index.manager_methods import manager_methods, model_managers
from tenantlint.index.membership import CheckCandidate, check_candidates
from tenantlint.index.named_queues import HINT as QUEUE_HINT
from tenantlint.index.named_queues import named_queues
from tenantlint.index.readers import (
    body_context_keys,
    scoped_view_bases,
    serializer_inserts,
    serializer_models,
    viewset_actions,
)
from tenantlint.index.records import ModelInfo
from tenantlint.index.registry_decorators import registry_decorators
from tenantlint.index.schedules import HINT as SCHEDULE_HINT
from tenantlint.index.schedules import HINT_WORDS as SCHEDULE_WORDS
from tenantlint.index.schedules import module_schedules
from tenantlint.index.serializer_refs import serializer_refs
from tenantlint.index.string_names import (
    added_prefix,
    computed_getattr,
    computed_global,
    computed_methodcaller,
    count_literal,
    joined_prefix,
    settled,
)
from tenantlint.index.url_kwargs import view_url_kwargs
from tenantlint.index.view_properties import kwarg_properties
from tenantlint.safeio import read_regular
from tenantlint.scan import FileScan
from tenantlint.sqlcheck.keywords import CLAUSE_WORDS, SQL_VERBS

# A top-level function holding a nested one (a decorator and its wrapper), cheaply by text.
NESTED_DEF = re.compile(r"^[ \t]+(?:async[ \t]+)?def ", re.M)
TOP_DEF = re.compile(r"^(?:async[ \t]+)?def ", re.M)
SQL_HINT = re.compile(r"\b(?:" + "|".join(SQL_VERBS) + r")\b", re.IGNORECASE)


def _hinted(pattern: re.Pattern[str], words: tuple[str, ...], text: str) -> bool:
    """``pattern`` found in ``text``, which is not searched when it spells none of ``words`` (each
    match holds one): a search of a 2 MB text that finds nothing costs up to 0.1 s."""
    return any(word in text for word in words) and pattern.search(text) is not None


def _sql_hinted(text: str) -> bool:
    """``SQL_HINT`` found in ``text``; an ASCII text without a verb in any case is not searched
    (outside ASCII, case-insensitive matching knows more than ``str.lower``: ``ſelect``)."""
    if text.isascii():
        lowered = text.lower()
        if not any(verb in lowered for verb in SQL_VERBS):
            return False
    return SQL_HINT.search(text) is not None


# SQL verbs and clause words: a constant can only be SQL text (or misspelt SQL, TNT302) when some
# literal it is built from holds one; module constants are composed from this module's literals only.
SQL_WORD = re.compile(r"\b(?:" + "|".join((*SQL_VERBS, *CLAUSE_WORDS)) + r")\b", re.IGNORECASE)


def _has_sql_literal(node: ast.AST) -> bool:
    for n in walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and SQL_WORD.search(n.value):
            return True
    return False


def _string_assignment(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
        return _has_sql_literal(stmt.value)
    return False


# A WHERE fragment returned by a helper (``"flags & 1 = 0"``) need not hold a clause word.
FRAGMENT_HINT = re.compile(r"""return\s+f?[rR]?["'][^"'\n]*(?:[=<>]|\bis\s+(?:not\s+)?null\b|\blike\b)""",
                           re.IGNORECASE)
SQL_FRAGMENT = re.compile(r"[=<>]|\b(?:and|or|not|is|null|in|like|between)\b", re.IGNORECASE)


def _fragment_function(stmt: ast.stmt) -> bool:
    """A function (not a dunder) that returns a string built from a literal that looks like SQL."""
    if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) or stmt.name.startswith("__"):
        return False
    returns = [s for s in stmt.body if isinstance(s, ast.Return) and s.value is not None]
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and SQL_FRAGMENT.search(n.value)
               for r in returns for n in walk(r))


def may_define_constants(tree: ast.Module) -> bool:
    """False only when no module- or top-level-class-level assignment holds a string literal with
    an SQL word, and no function there returns SQL-like text (``module_file_constants`` would find
    no SQL text)."""
    for stmt in tree.body:
        if _string_assignment(stmt) or _fragment_function(stmt):
            return True
        if isinstance(stmt, ast.ClassDef) and any(_string_assignment(s) or _fragment_function(s)
                                                  for s in stmt.body):
            return True
    return False


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _top_class_members(tree: ast.Module, kind: tuple[type[ast.stmt], ...], name: str) -> bool:
    """A top-level class holds a ``kind`` statement called ``name`` directly in its body."""
    return any(isinstance(stmt, ast.ClassDef) and any(isinstance(item, kind) and
                                                      getattr(item, "name", None) == name
                                                      for item in stmt.body)
               for stmt in tree.body)


def scan_text(rel: str, text: str, config: Config) -> FileScan:
    """The pre-pass over one file's text; the file is parsed by libcst at most once, and only when
    CPython's (much cheaper) ``ast`` shows it can hold something the pre-pass collects."""
    if rel.endswith(".sql"):
        from tenantlint.index.ddl import extract_sql_file  # sqlglot: only for .sql files

        return FileScan(models=extract_sql_file(rel, text, config), defs=())
    limit = config.chunk_file_bytes
    if limit and len(text) > limit:  # as the analysis does: one chunk's trees alive at a time
        from tenantlint.analysis.source.chunks import chunks

        # a text that cannot be cut is one chunk, the whole text, as it is for the analysis
        return merge_scans([_scan_whole(rel, c.text, config, c.take_tree(), handoff=c.text is text)
                            for c in chunks(text, imports_only=True)])
    return _scan_whole(rel, text, config)


def _scan_whole(rel: str, text: str, config: Config, tree: ast.Module | None = None,
                handoff: bool = True) -> FileScan:
    """``tree``: CPython's tree of ``text`` when the chunker already built it; ``handoff``: the
    analysis reads the same text (not a pre-pass chunk's), so a large one's tree is kept for it."""
    with collector_paused_after(text) as pause:
        pause()  # while CPython builds the tree too (``engine._analyze_text``)
        try:
            # None: syntax error; SourceError: nested too deeply (TNT999)
            tree = guarded_ast(text) if tree is None else checked_ast(text, tree)
        except SourceError:
            return FileScan()
        with nesting_headroom(), shared_walks(tree) if tree is not None else nullcontext():
            if tree is not None and handoff:
                # a large text: the analysis reads this tree, not a new one; with the spans of calls
                # unless the text is above the chunk size (then a text no chunk could cut: one function)
                limit = config.chunk_file_bytes
                source_handoff.keep(text, tree, calls=not limit or len(text) <= limit)
            found = _scan_python(rel, text, config, tree)
        del tree  # freed while the collector is off (``engine._analyze_text``)
    return found


def merge_scans(parts: list[FileScan]) -> FileScan:
    """One file's record from its chunks' records (in order; a later chunk wins on an equal key,
    as a later file does)."""
    counts: dict[str, int] = {}
    defs: set[str] | None = set()
    for part in parts:
        for name, n in part.names:
            counts[name] = counts.get(name, 0) + n
        defs = None if defs is None or part.defs is None else defs.union(part.defs)
    return FileScan(tuple(m for part in parts for m in part.models),
                    CrossFileFacts.merge(part.facts for part in parts), tuple(sorted(counts.items())),
                    None if defs is None else tuple(sorted(defs)))


def _scan_python(rel: str, text: str, config: Config, tree: ast.Module | None) -> FileScan:
    """One ``ast`` parse gives the models and class bases, and says which libcst readers must run."""
    want_aliases = ALIAS_HINT.search(text) is not None
    want_models = may_define_models(text)
    want_bases = "get_queryset" in text
    want_serializers = "Serializer" in text
    want_constants = _sql_hinted(text) or FRAGMENT_HINT.search(text) is not None
    want_routes = _hinted(ROUTE_HINT, ROUTE_WORDS, text)
    want_classes = CLASS_HINT.search(text) is not None
    found = FileScan()
    if tree is not None:  # else (syntax CPython rejects) only libcst's readers below may run
        class_bases = module_class_bases(rel, tree) if want_classes else {}
        view_bases: frozenset[str] = frozenset()
        if want_bases and _top_class_members(tree, _FUNCTIONS, "get_queryset"):
            view_bases = frozenset(scoped_view_bases(tree, config))
        serializers: dict[str, str] = {}
        creates: dict[str, str] = {}
        if want_serializers and _top_class_members(tree, (ast.ClassDef,), "Meta"):
            serializers = serializer_models(tree)
            if "def create" in text:
                creates = serializer_inserts(tree, serializers)
        want_constants = want_constants and may_define_constants(tree)
        models: tuple[ModelInfo, ...] = ()
        if want_models:
            try:
                models = extract_models(rel, tree, config, text)
            except RecursionError:
                models = ()
        class_models = module_class_models(rel, tree)
        counted = not in_system_path(rel, config)
        receivers: dict[str, int] | None = {} if counted else None
        outside: set[int] = set()  # the spellings on no class or instance of the project
        checks: tuple[CheckCandidate, ...] = ()
        if "user" in text and ("objects" in text or "query" in text or "select" in text):
            checks = check_candidates(rel, tree, PatternSet.compile(config.trusted_sources))
        scheduled: dict[str, str] = {}
        task_names: dict[str, str] = {}
        modname = module_name(rel)
        top_def = TOP_DEF.search(text) is not None
        wraps_defs = top_def and NESTED_DEF.search(text) is not None  # a decorator's nested wrapper
        spreads = "**" in text
        queries = "Manager" in text or "QuerySet" in text or "as_manager" in text
        if _hinted(SCHEDULE_HINT, SCHEDULE_WORDS, text):
            scheduled, task_names = module_schedules(rel, modname, tree)
        found = FileScan(models, CrossFileFacts(
            scoped_view_bases=view_bases, serializer_models=serializers, serializer_inserts=creates,
            class_bases=class_bases,
            body_context=body_context_keys(tree) if "context=" in text else {},
            caller_serializers=_caller_serializers(tree, config) if "Serializer" in text else {},
            class_attrs=class_models.attrs, class_slots=class_models.slots, class_calls=class_models.calls,
            method_refs=module_method_refs(tree, receivers, outside),
            check_candidates=checks,
            delegated_checks=delegated_candidates(rel, tree)
            if "has_permission" in text and "view.kwargs" in text else (),
            kwarg_properties=kwarg_properties(rel, tree) if "self.kwargs" in text else {},
            member_types=module_member_types(rel, tree),
            scheduled=scheduled, task_names=task_names,
            viewset_actions=viewset_actions(tree) if "as_view" in text or ".register(" in text else {},
            view_url_kwargs=view_url_kwargs(tree) if "as_view" in text or "include(" in text
            or ".register(" in text else {},
            injecting_decorators=_injecting(rel, tree, config) if wraps_defs else {},
            forwarding_decorators=forwarding_decorators(modname, tree) if wraps_defs else {},
            executor_wrappers=executor_wrappers(modname, tree) if spreads and top_def else frozenset(),
            keyword_lookups=keyword_lookups(modname, tree) if spreads else {},
            named_queues=named_queues(modname, tree) if QUEUE_HINT in text else {},
            manager_methods=manager_methods(tree) if queries else {},
            model_managers=model_managers(tree) if queries else {},
            registry_decorators=registry_decorators(modname, tree) if "return" in text else {},
        ), *_names(tree, counted=counted, serializers=want_serializers, package=_package(rel),
                   extra=receivers, outside=outside))
    if not (want_constants or want_aliases or want_routes):
        return found
    try:
        module = parse(text, accepted=tree is not None, tree=tree)  # guarded_ast ran in scan_text
    except SourceError:
        return found  # reported (TNT999) by the analysis when it is a target
    routes, frameworks, included = module_routes(rel, module) if want_routes else ({}, {}, {})
    return replace(found, facts=replace(
        found.facts,
        sql_constants=module_file_constants(rel, module) if want_constants else {},
        param_aliases=_aliases(rel, module) if want_aliases else {},
        routes=routes,
        route_frameworks=frameworks,
        router_dependencies=included,
    ))


def _caller_serializers(tree: ast.Module, config: Config) -> dict[str, str]:
    return caller_serializers(tree, PatternSet.compile(config.trusted_sources))


def _injecting(rel: str, tree: ast.Module, config: Config) -> dict[str, str]:
    return injecting_decorators(module_name(rel), tree, PatternSet.compile(config.trusted_sources))


def _aliases(rel: str, module: cst.Module) -> dict[str, str]:
    mod = module_name(rel)
    return {f"{mod}.{k}" if mod else k: v for k, v in module_aliases(module).items()}


def _package(rel: str) -> str:
    """The package a relative import of the file at ``rel`` starts from (``from . import x``)."""
    module = module_name(rel)
    if rel.replace("\\", "/").endswith("/__init__.py") or rel == "__init__.py":
        return module
    return module.rpartition(".")[0]


def _names(tree: ast.Module, counted: bool, serializers: bool, package: str = "",
           extra: dict[str, int] | None = None, outside: Container[int] = frozenset()
           ) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]]:
    """The name counts (none when not ``counted``), with the references to serializer classes
    (``index/serializer_refs.py``) in a file that spells ``Serializer`` and ``extra`` (the method
    spellings per receiver: ``method_refs.ON_CLASS``; ``outside``: the attribute nodes counted on no
    project receiver there); and the names of the functions and classes ``tree`` defines."""
    defs: set[str] = set()
    counts = name_counts(tree, defs, package, outside)
    if not counted:
        return (), tuple(sorted(defs))
    refs = serializer_refs(tree) if serializers else {}
    if extra:
        refs = {**extra, **refs}
    return (tuple(sorted((dict(counts) | refs).items())) if refs else counts), tuple(sorted(defs))


def name_counts(tree: ast.Module, defs: set[str] | None = None, package: str | None = None,
                outside: Container[int] = frozenset()) -> tuple[tuple[str, int], ...]:
    """Lower-case identifiers read as names or attributes, with their counts. A name a function
    binds itself (a parameter, an assignment, a loop or ``with`` target: a local variable) is not a
    reference to anything outside it, within that function; a name bound at module or class level
    (``check = make_checker(...)``) is a definition of its own there, not a reference, where bound.
    ``defs``: filled with the name of every function (``def``, ``async def``) and class at any
    depth (what a call site's callee may name: ``crossfn/context.py`` reads constructions). A read
    of a name imported under another one (``from m import f as g``; ``g()``) is counted as a
    spelling of the imported name (``index/import_aliases.py``).
    A call of a name counted is counted under its shape too (``crossfn/shapes.py``), marked when
    the spelling is counted under ON_OBJECT, LOCAL_DEF, BARE, or, for the attribute nodes in
    ``outside``, under ``method_refs.NOT_PROJECT``. String literals that may name a function
    (``getattr(obj, "fix")``, ``"app.tasks.fix"``, ``f"handle_{kind}"``) are counted under
    ``records.STRING``/``records.PREFIX`` (``index/string_names.py``)."""
    counts: dict[str, int] = {}
    if defs is None:
        defs = set()
    # one scope at a time (no recursion on deep code), each read breadth-first with a queue that
    # grows while it is read, as ``index.ast_util.walk`` does: the nodes under ``roots`` whose
    # names ``local`` binds
    # ``nested``: the names the enclosing functions bind by a nested ``def``/``class`` of their own
    # ``modules``: the local names that may hold a module (``m = importlib.import_module(..)``, an
    # alias ``m = tasks``, a loop target): an attribute spelt on one may name a module-level function
    # ``owner``: the class whose method the scope is in ("" outside any), for ``getattr(self, name)``
    scopes: list[tuple[list[ast.AST], frozenset[str], frozenset[str], frozenset[str], str]] = [
        ([tree], frozenset(), frozenset(), frozenset(), "")]
    owner_of: dict[int, str] = {}  # a method's def -> the name of its class
    dynamic = False  # a ``getattr`` by a name that is no literal was counted (``index/string_names.py``)
    rooted: set[int] = set()  # the heads of attributes and the callees
    calls: dict[int, ast.Call] = {}  # callee -> its call, until the callee is read
    class_level: set[int] = set()  # the names read in a class body's own scope (``_class_level``)
    values: set[str] = set()  # names read as values (neither an attribute's head nor a callee)
    imports: list[ast.Import | ast.ImportFrom] = []
    aliased: dict[str, str] = {}  # names imported under another name -> the names they import
    alias_reads: dict[str, int] = {}  # the counted reads of those aliases (``index/import_aliases.py``)
    attribute_names: set[int] = set()  # literals that name a model's attribute (``MODEL_ATTRIBUTE_KEYWORDS``)
    held: dict[int, str] = {}  # a ``getattr`` call assigned to a name -> that name
    kept: list[tuple[ast.Call, str, str, frozenset[str], ast.AST]] = []  # such calls, their scopes
    fn_of: dict[int, ast.AST] = {}  # the body of a function read as a scope -> the function
    called_names: set[str] = set()  # the names called (``h(...)``)
    fields_of, node_class = CHILD_FIELDS, ast.AST
    while scopes:
        todo, local, nested, modules, owner = scopes.pop()
        push = todo.append
        scope_root = todo[0]
        for node in todo:  # each node is read when taken (breadth-first: a parent before its children)
            cls = node.__class__
            if node is not scope_root:
                if cls is ast.Name:
                    name = node.id  # type: ignore[attr-defined]
                    if (name not in local and (name[:1].islower() or name[:1] == "_")
                            and node.ctx.__class__ is ast.Load):  # type: ignore[attr-defined]
                        counts[name] = counts.get(name, 0) + 1
                        if name in nested:
                            local_name = name + LOCAL_DEF
                            counts[local_name] = counts.get(local_name, 0) + 1
                        mark: str | None = ""
                        if name in aliased:  # counted under the name it imports: no shape, no BARE
                            alias_reads[name] = alias_reads.get(name, 0) + 1
                            mark = None
                        elif name in nested:
                            mark = LOCAL_DEF_MARK
                        elif id(node) not in class_level:  # no method
                            bare = name + BARE
                            counts[bare] = counts.get(bare, 0) + 1
                            mark = BARE_MARK
                        if mark is not None and (call := calls.pop(id(node), None)) is not None:
                            shaped = f"{name}{SHAPE}{ast_shape(call)}{MARKS}{mark}"  # ``fix(...)``: its shape
                            counts[shaped] = counts.get(shaped, 0) + 1
                    elif name[:1].isupper() and name not in local:  # a class, maybe: any context
                        spelt = CLASS_NAME + name
                        counts[spelt] = counts.get(spelt, 0) + 1
                        if name in aliased:
                            alias_reads[name] = alias_reads.get(name, 0) + 1
                    if id(node) not in rooted:
                        values.add(name)
                elif cls is ast.Attribute:
                    rooted.add(id(node.value))  # type: ignore[attr-defined]
                    name = node.attr  # type: ignore[attr-defined]
                    # an attribute assigned or deleted (``self.start = 0``) names no function
                    if (name[:1].islower() or name[:1] == "_") and (
                            node.ctx.__class__ is ast.Load):  # type: ignore[attr-defined]
                        counts[name] = counts.get(name, 0) + 1
                        root = node.value  # type: ignore[attr-defined]
                        while root.__class__ is ast.Attribute:
                            root = root.value
                        on_obj = (root.__class__ is ast.Name and root.id in local
                                  and root.id not in modules) or (
                            root.__class__ is ast.Call and root.func.__class__ is ast.Name  # super().fix
                            and root.func.id == "super")
                        if on_obj:
                            on_object = name + ON_OBJECT
                            counts[on_object] = counts.get(on_object, 0) + 1
                        if (call := calls.pop(id(node), None)) is not None:  # ``x.fix(...)``: its shape
                            marks = (ON_OBJECT_MARK if on_obj else "") + (
                                NOT_PROJECT_MARK if id(node) in outside else "")
                            shaped = f"{name}{SHAPE}{ast_shape(call)}{MARKS}{marks}"
                            counts[shaped] = counts.get(shaped, 0) + 1
                    elif name[:1].isupper():
                        spelt = CLASS_NAME + name
                        counts[spelt] = counts.get(spelt, 0) + 1
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                    for default in [*node.args.defaults, *node.args.kw_defaults]:
                        if default is not None:
                            push(default)
                    if not isinstance(node, ast.Lambda):
                        todo.extend(node.decorator_list)
                        defs.add(node.name)
                    bound, module_vars = _scope_names(node)
                    body = node if isinstance(node, ast.Lambda) else ast.Module(
                        body=node.body, type_ignores=[])
                    fn_of[id(body)] = node
                    scopes.append(([body],
                                   local | bound, (nested - bound) | (
                                       frozenset() if isinstance(node, ast.Lambda) else _local_defs(node)),
                                   (modules - bound) | module_vars, owner_of.get(id(node), owner)))
                    continue
                elif cls is ast.ClassDef:
                    defs.add(node.name)  # type: ignore[attr-defined]
                    class_level.update(_class_level(node))  # type: ignore[arg-type]
                    for item in node.body:  # type: ignore[attr-defined]
                        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                            owner_of[id(item)] = node.name  # type: ignore[attr-defined]
                elif cls is ast.Constant:
                    if node.value.__class__ is str and id(node) not in attribute_names:  # type: ignore[attr-defined]
                        count_literal(node.value, counts)  # type: ignore[attr-defined]
                elif cls is ast.JoinedStr:
                    joined_prefix(node, counts)  # type: ignore[arg-type]
                elif cls is ast.Subscript and node.value.__class__ is ast.Call:  # type: ignore[attr-defined]
                    dynamic |= computed_global(node, counts)  # type: ignore[arg-type]
                elif cls is ast.BinOp:
                    added_prefix(node, counts)  # type: ignore[arg-type]
                elif cls is ast.Call:
                    func = node.func  # type: ignore[attr-defined]
                    rooted.add(id(func))
                    calls[id(func)] = node  # type: ignore[assignment]
                    if func.__class__ is ast.Name:
                        called_names.add(func.id)
                    callee = func.id if func.__class__ is ast.Name else (
                        func.attr if func.__class__ is ast.Attribute else "")
                    if callee == "getattr" and func.__class__ is ast.Name:  # ``getattr(svc, op)()``
                        scope = fn_of.get(id(scope_root), scope_root)
                        dynamic |= computed_getattr(node, owner, modules, counts,  # type: ignore[arg-type]
                                                    id(node) in calls, scope)
                        if id(node) in held:  # ``h = getattr(service, op)``: is ``h`` called?
                            kept.append((node, held[id(node)], owner, modules, scope))  # type: ignore[arg-type]
                    elif callee == "methodcaller":
                        dynamic |= computed_methodcaller(node, counts)  # type: ignore[arg-type]
                elif cls is ast.Assign:  # ``h = getattr(service, op)``, then ``h()``
                    value = node.value  # type: ignore[attr-defined]
                    targets = node.targets  # type: ignore[attr-defined]
                    if (value.__class__ is ast.Call and value.func.__class__ is ast.Name
                            and value.func.id == "getattr" and len(targets) == 1
                            and targets[0].__class__ is ast.Name and len(value.args) > 1
                            and value.args[1].__class__ is not ast.Constant):
                        held[id(value)] = targets[0].id
                elif cls is ast.keyword:
                    if node.arg in MODEL_ATTRIBUTE_KEYWORDS:  # type: ignore[attr-defined]
                        attribute_names.add(id(node.value))  # type: ignore[attr-defined]
                elif cls is ast.Import or cls is ast.ImportFrom:
                    imports.append(node)  # type: ignore[arg-type]
                    if cls is ast.ImportFrom:  # read before the names of the scope it is in
                        aliased.update(import_aliases(node))  # type: ignore[arg-type]
            for field in fields_of.get(cls) or child_fields(cls):  # ``children``, inlined
                value = getattr(node, field, None)
                if value.__class__ is list:
                    for item in value:
                        if isinstance(item, node_class):
                            push(item)
                elif isinstance(value, node_class):
                    push(value)
    for node, name, in_class, held_modules, scope in kept:  # ``h = getattr(..)``, ``h(...)``: called
        if name in called_names:
            dynamic |= computed_getattr(node, in_class, held_modules, counts, True, scope)
    for module_value in _module_values(imports, values, package):
        counts[MODULE_VALUE + module_value] = 1
    if alias_reads:
        unalias(counts, aliased, alias_reads, defs)
    if dynamic:
        settled(counts, imports)  # ``getattr(svc, op)`` of ``import app.services as svc``
    return tuple(sorted(counts.items()))


def _class_level(node: ast.ClassDef) -> set[int]:
    """The ``Name`` nodes read in the own scope of class ``node``: its body, but the bodies of its
    functions and lambdas (their decorators, defaults and annotations are read there) and the
    bodies of nested classes (their decorators and bases are)."""
    out: set[int] = set()
    todo: list[ast.AST] = list(node.body)
    while todo:
        item = todo.pop()
        if isinstance(item, ast.Name):
            out.add(id(item))
        elif isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = item.args
            todo.extend(d for d in (*args.defaults, *args.kw_defaults) if d is not None)
            if not isinstance(item, ast.Lambda):
                todo.extend(item.decorator_list)
                todo.extend(a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs,
                                                   args.vararg, args.kwarg)
                            if a is not None and a.annotation is not None)
                if item.returns is not None:
                    todo.append(item.returns)
        elif isinstance(item, ast.ClassDef):
            todo.extend((*item.decorator_list, *item.bases, *(k.value for k in item.keywords)))
        else:
            todo.extend(children(item))
    return out


def _module_values(imports: list[ast.Import | ast.ImportFrom], values: set[str], package: str | None
                   ) -> set[str]:
    """The dotted names of the modules (or lower-case names, which may be modules) ``imports`` bind
    to a name used as a value somewhere (passed, stored, returned: read neither as the head of an
    attribute nor as a callee); ``package``: the one relative imports start from (``*``, any
    module, when it is not known)."""
    out: set[str] = set()
    for node in imports:
        for alias in node.names:
            if isinstance(node, ast.Import):
                bound = alias.asname or alias.name.split(".", 1)[0]
                full = alias.name if alias.asname else bound
            else:
                bound = alias.asname or alias.name
                if not alias.name[:1].islower() or bound not in values:
                    continue  # a class or a constant: no module
                base = node.module or ""
                if node.level:
                    parts = package.split(".") if package else []
                    if package is None or node.level - 1 > len(parts):
                        out.add("*")
                        continue
                    parts = parts[:len(parts) - (node.level - 1)]
                    base = ".".join([*parts, *([base] if base else [])])
                full = f"{base}.{alias.name}" if base else alias.name
            if bound in values:
                out.add(full)
    return out


_STORES = (ast.Store, ast.Del)
# Keywords whose string names an attribute a model gets, never a function: Django's reverse accessor
# ``related_name="project_%(class)s"`` is a name template, not the start of a function's name.
MODEL_ATTRIBUTE_KEYWORDS = frozenset({"related_name", "related_query_name"})
# a ``nonlocal`` name is a variable of an enclosing function (it must be, or Python refuses the
# code): local to the scope being read whichever function of it declares it, so only ``global``
# takes a name out of the locals (``nonlocal chat_model`` in a nested function leaves the
# enclosing function's parameter ``chat_model`` an object, ``chat_model.run()`` a spelling on it)
_DECLARES = (ast.Global,)
_ASSIGNS = (ast.Assign, ast.AnnAssign, ast.NamedExpr)
_LOOPS = (ast.For, ast.AsyncFor, ast.comprehension)
_BINDERS = frozenset({*_DECLARES, *_ASSIGNS, *_LOOPS, ast.withitem})  # all but names


def _imports(value: ast.expr) -> bool:
    """``value`` is a call of something whose name says it imports (``importlib.import_module(..)``,
    ``__import__(..)``, ``loader.import_plugin(..)``): its result may be a module."""
    if value.__class__ is not ast.Call:
        return False
    callee = value.func  # type: ignore[attr-defined]
    while isinstance(callee, ast.Attribute | ast.Call):
        if isinstance(callee, ast.Attribute) and "import" in callee.attr.lower():
            return True
        callee = callee.value if isinstance(callee, ast.Attribute) else callee.func
    return isinstance(callee, ast.Name) and "import" in callee.id.lower()


def _scope_names(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                 ) -> tuple[frozenset[str], frozenset[str]]:
    """What ``fn`` binds, from one walk of it (CPython's node classes are exact: compared by
    identity, not ``isinstance``).

    First, the names ``fn`` binds locally: its parameters and the names it stores (not ``global``
    ones), nested functions included (a superset that only drops references). A ``nonlocal`` name,
    here or in a nested function, is a variable of an enclosing function: local to the scope read.

    Second, the names ``fn`` binds that may hold a module: assigned a name or an attribute chain (an
    alias, ``m = tasks``), a call of something whose name says it imports
    (``importlib.import_module(..)``, ``__import__(..)``), an item of ``sys.modules``; the
    targets of loops and comprehensions, whatever they iterate; and the target of a ``with`` whose
    context is such an importing call (``with LLMBundle(...) as llm`` holds what ``__enter__``
    returns, a call's result, as ``llm = LLMBundle(...)`` does: no module). A chain (or an item of
    one) on a local name that holds no module (``runner = self.query_runner``) holds none either:
    its functions are spelt on an object, as ``self.query_runner.run()`` is; nor does a plain alias
    of such a name (``current = obj``, ``obj`` a parameter: ``getattr(current, part)`` walks an
    object's attributes, as ``getattr(obj, part)`` does)."""
    args = fn.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    declared: set[str] = set()
    out: set[str] = set()
    name_class, stores, declares = ast.Name, _STORES, _DECLARES
    assigns, loops, withitem, binders = _ASSIGNS, _LOOPS, ast.withitem, _BINDERS
    aliases: list[tuple[str, list[ast.expr]]] = []  # (the head of a chain, the targets it is assigned)
    for node in walk(fn):
        cls = node.__class__
        if cls is name_class:
            if node.ctx.__class__ in stores:  # type: ignore[attr-defined]
                names.add(node.id)  # type: ignore[attr-defined]
            continue
        if cls not in binders:
            continue
        if cls in declares:
            declared.update(node.names)  # type: ignore[attr-defined]
            continue
        targets: list[ast.expr] = []
        if cls in assigns:
            value = node.value  # type: ignore[attr-defined]
            if value is None:
                continue
            if value.__class__ is ast.Call:
                imports = _imports(value)
            else:
                imports = isinstance(value, ast.Name | ast.Attribute | ast.Subscript | ast.IfExp | ast.BoolOp)
            if imports:
                targets = list(node.targets) if cls is ast.Assign else [node.target]  # type: ignore[attr-defined]
                if value.__class__ is ast.Name:  # ``self.user = user`` rebinds no name: a module
                    # so given to an attribute or an item is one read as a value (``MODULE_VALUE``),
                    # which keeps its functions' spellings on objects counted
                    targets = [t for t in targets if t.__class__ not in (ast.Attribute, ast.Subscript)]
                    if all(t.__class__ is ast.Name for t in targets):
                        # ``current = obj``: an alias holds what the name does, a module only when
                        # that name is no local of ``fn`` (an import) or a local that may hold one
                        # itself; an unpacking (``order_by, order = order_by``) is read as any
                        # assignment of a name is
                        aliases.append((value.id, targets))  # type: ignore[attr-defined]
                        continue
                if (root := _chain_root(value)) is not None:
                    # ``runner = self.query_runner``: an alias of a chain on a local holds what the
                    # chain does, and ``self.query_runner.run()`` is a spelling on an object unless
                    # the chain's head may hold a module (settled once the walk is over)
                    aliases.append((root, targets))
                    continue
        elif cls in loops:
            targets = [node.target]  # type: ignore[attr-defined]
        elif cls is withitem and node.optional_vars is not None:  # type: ignore[attr-defined]
            # ``with LLMBundle(...) as llm``: what ``__enter__`` returns, a call's result, holds a
            # module only as ``llm = f(...)`` does (a call whose name says it imports)
            if _imports(node.context_expr):  # type: ignore[attr-defined]
                targets = [node.optional_vars]  # type: ignore[attr-defined]
        for target in targets:
            out.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    local = names - declared
    grew = True
    while grew:  # an alias of a chain on a name that may hold a module may hold one too
        grew = False
        for root, targets in aliases:
            if root not in local or root in out:
                found = {n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)}
                if not found <= out:
                    out |= found
                    grew = True
    return frozenset(local), frozenset(out)


def _chain_root(value: ast.expr) -> str | None:
    """``x`` for an attribute chain or item of one on a name (``x.a.b``, ``x.a[0]``); else None."""
    if value.__class__ is not ast.Attribute and value.__class__ is not ast.Subscript:
        return None
    while isinstance(value, ast.Attribute | ast.Subscript):
        value = value.value
    return value.id if isinstance(value, ast.Name) else None


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _local_defs(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The names ``fn`` binds by a nested ``def`` or ``class`` of its own scope (not inside a deeper
    function or class): within ``fn`` such a name is that local function (``get_timing("..",
    fix)`` passes the nested ``fix``), never a module-level function of the same name."""
    out: set[str] = set()
    stack: list[ast.AST] = list(fn.body)
    named, lambda_, inner = _NAMED_SCOPES, ast.Lambda, _INNER
    while stack:
        node = stack.pop()
        cls = node.__class__  # CPython's node classes are exact: no ``isinstance`` per node
        if cls in named:
            out.add(node.name)  # type: ignore[attr-defined]
        elif cls is not lambda_ and isinstance(node, inner):
            stack.extend(children(node))  # ``ast.iter_child_nodes`` but for contexts: a set, any order
    return out


_NAMED_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
_INNER = (ast.stmt, ast.excepthandler, ast.match_case)


def scan_file(rel: str, path: Path, config: Config) -> FileScan:
    try:
        text = decode(read_regular(path, config.max_file_bytes))
    except (OSError, SourceError):
        return FileScan()
    return scan_text(rel, text, config)


_CONFIG: list[Config] = []  # the worker process's config (set once by the pool initializer)


def init_worker(config: Config) -> None:
    _CONFIG[:] = [config]


def scan_item(item: tuple[str, str]) -> FileScan:
    return scan_file(item[0], Path(item[1]), _CONFIG[0])


