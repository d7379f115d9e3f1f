"""Config discovery, resolution, validation errors, dotted patterns, and the docs table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tenantlint.config.load import ConfigError, find_config_file, load_config
from tenantlint.config.options import Config
from tenantlint.config.patterns import PatternError, PatternSet
from tenantlint.config.schema import KEYS, render_config_table

REPO = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder that is also the current directory."""
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    return project


# --- discovery ----------------------------------------------------------------------------------


def test_no_file_gives_defaults_rooted_at_cwd(tree: Path) -> None:
    cfg = load_config(start=tree)
    assert cfg == Config()
    assert cfg.source is None
    assert cfg.root == tree.resolve()


def test_nearest_file_upward_wins(tree: Path) -> None:
    write(tree / "tenantlint.toml", 'tenant_tables = ["outer"]\n')
    inner = write(tree / "pkg" / ".tenantlint.toml", 'tenant_tables = ["inner"]\n')
    deep = tree / "pkg" / "sub" / "deeper"
    deep.mkdir(parents=True)
    cfg = load_config(start=deep)
    assert cfg.tenant_tables == ("inner",)
    assert cfg.source == inner.resolve()
    assert cfg.root == inner.resolve().parent
    assert find_config_file(deep) == inner.resolve()


def test_start_defaults_to_cwd(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tree / "tenantlint.toml", 'tenant_tables = ["here"]\n')
    (tree / "a").mkdir()
    monkeypatch.chdir(tree / "a")
    assert load_config().tenant_tables == ("here",)


def test_file_order_within_one_folder(tree: Path) -> None:
    write(tree / "pyproject.toml", '[tool.tenantlint]\ntenant_tables = ["py"]\n')
    write(tree / ".tenantlint.toml", 'tenant_tables = ["dot"]\n')
    assert load_config(start=tree).tenant_tables == ("dot",)
    write(tree / "tenantlint.toml", 'tenant_tables = ["plain"]\n')
    assert load_config(start=tree).tenant_tables == ("plain",)


def test_pyproject_without_table_is_skipped(tree: Path) -> None:
    outer = write(tree / "pyproject.toml", '[tool.tenantlint]\ntenant_tables = ["outer"]\n')
    write(tree / "svc" / "pyproject.toml", '[project]\nname = "svc"\n[tool.ruff]\nfix = true\n')
    cfg = load_config(start=tree / "svc")
    assert cfg.source == outer.resolve()
    assert cfg.tenant_tables == ("outer",)
    assert cfg.root == tree.resolve()


def test_pyproject_keys_live_under_tool_tenantlint(tree: Path) -> None:
    write(tree / "pyproject.toml", 'tenant_tables = ["top"]\n[tool.tenantlint]\ndiscover = false\n')
    # Top-level keys of a pyproject are not ours; only the table counts.
    cfg = load_config(start=tree)
    assert cfg.discover is False
    assert cfg.tenant_tables == ()


def test_explicit_beats_discovery(tree: Path) -> None:
    write(tree / "tenantlint.toml", 'tenant_tables = ["discovered"]\n')
    explicit = write(tree / "conf" / "ci.toml", 'tenant_tables = ["explicit"]\n')
    cfg = load_config(start=tree, explicit=explicit)
    assert cfg.tenant_tables == ("explicit",)
    assert cfg.source == explicit.resolve()
    # docs/cli.md: a config given explicitly does not move the project root
    assert cfg.root == Path.cwd().resolve()


def test_root_is_given_root_else_discovered_folder(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tree / "proj" / "tenantlint.toml", 'tenant_tables = ["found"]\n')
    explicit = write(tree / "ci" / "ci.toml", 'tenant_tables = ["explicit"]\n')
    monkeypatch.chdir(tree)
    # --root: discovery starts there and the root is that folder
    cfg = load_config(root=tree / "proj")
    assert (cfg.tenant_tables, cfg.root) == (("found",), (tree / "proj").resolve())
    cfg = load_config(explicit=explicit, root=tree / "proj")
    assert (cfg.tenant_tables, cfg.root) == (("explicit",), (tree / "proj").resolve())
    assert load_config(start=tree / "proj").root == (tree / "proj").resolve()


def test_tool_table_in_a_standalone_file_is_explained(tree: Path) -> None:
    write(tree / "tenantlint.toml", '[tool.tenantlint]\ndiscover = false\n')
    with pytest.raises(ConfigError, match=r"\[tool.tenantlint\] is for pyproject.toml.*top level"):
        load_config(start=tree)


def test_explicit_pyproject_reads_its_table(tree: Path) -> None:
    py = write(tree / "x" / "pyproject.toml", '[tool.tenantlint]\nsql_dialect = "mysql"\n')
    assert load_config(explicit=py).sql_dialect == "mysql"
    bare = write(tree / "y" / "pyproject.toml", '[project]\nname = "y"\n')
    cfg = load_config(explicit=bare)
    assert cfg == Config()
    assert cfg.source == bare.resolve()


# --- resolution ---------------------------------------------------------------------------------


def test_schema_defaults_are_configs_defaults() -> None:
    fields = {f.name: f for f in dataclasses.fields(Config) if f.name not in ("source", "root")}
    assert [spec.name for spec in KEYS] == list(fields)
    for spec in KEYS:
        assert spec.default == fields[spec.name].default, spec.name


def test_list_keys_extend_defaults_dedup_in_order(tree: Path) -> None:
    write(
        tree / "tenantlint.toml",
        'tenant_columns = ["account_id", "org_id", "account_id"]\n'
        'trusted_sources = ["get_current_org()", "g.*"]\n'
        'exclude = ["legacy/**"]\n'
        'scoping_methods = ["for_org"]\n'
        'tenant_models = ["Organization", "Organization"]\n'
        'select = ["TNT1"]\n'
        'ignore = ["TNT105"]\n',
    )
    cfg = load_config(start=tree)
    assert cfg.tenant_columns == ("tenant_id", "org_id", "organization_id", "account_id")
    assert cfg.trusted_sources == (*Config().trusted_sources, "get_current_org()")
    assert cfg.exclude == (*Config().exclude, "legacy/**")
    assert cfg.scoping_methods == ("for_tenant", "for_org")
    assert cfg.tenant_models == ("Organization",)
    assert cfg.select == ("TNT1",)
    assert cfg.ignore == ("TNT105",)


def test_default_tenant_keys_include_camel_case() -> None:
    keys = Config().tenant_keys
    for key in ("tenant_id", "org_id", "organization_id", "tenantId", "orgId", "organizationId",
                "tenant", "org", "organization"):
        assert key in keys
    assert len(keys) == len(set(keys))


def test_tenant_keys_derived_from_final_tenant_columns(tree: Path) -> None:
    write(tree / "tenantlint.toml", 'tenant_columns = ["workspace_id"]\n')
    keys = load_config(start=tree).tenant_keys
    assert "workspace_id" in keys and "workspaceId" in keys
    assert keys[-3:] == ("tenant", "org", "organization")
    assert keys.index("orgId") < keys.index("workspaceId")


def test_given_tenant_keys_extend_the_derived_ones(tree: Path) -> None:
    text = 'tenant_columns = ["team_id"]\ntenant_keys = ["x-org", "orgId"]\n'
    write(tree / "tenantlint.toml", text)
    keys = load_config(start=tree).tenant_keys
    assert keys[-1] == "x-org"
    assert keys.count("orgId") == 1
    assert {"team_id", "teamId", "tenantId", "organization"} <= set(keys)


def test_scalars_replace_defaults(tree: Path) -> None:
    write(tree / "tenantlint.toml", 'discover = false\nsql_dialect = "sqlite"\n')
    cfg = load_config(start=tree)
    assert (cfg.discover, cfg.sql_dialect) == (False, "sqlite")


def test_overrides_replace_file_values(tree: Path) -> None:
    write(tree / "tenantlint.toml", 'select = ["TNT1"]\nignore = ["TNT105"]\n')
    cfg = load_config(start=tree, overrides={"select": ["TNT2", "TNT101"], "ignore": None})
    assert cfg.select == ("TNT2", "TNT101")
    assert cfg.ignore == ("TNT105",)


def test_bad_override_is_an_error(tree: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(start=tree, overrides={"select": ["E501"]})
    assert info.value.key == "select"
    assert "'E501'" in str(info.value)


def test_fingerprint_follows_values(tree: Path) -> None:
    write(tree / "tenantlint.toml", 'tenant_tables = ["a"]\n')
    assert load_config(start=tree).fingerprint() != Config().fingerprint()


# --- errors -------------------------------------------------------------------------------------


def error_for(tree: Path, text: str, name: str = "tenantlint.toml") -> ConfigError:
    path = write(tree / name, text)
    with pytest.raises(ConfigError) as info:
        load_config(start=tree)
    err = info.value
    assert err.path.resolve() == path.resolve()
    message = str(err)
    assert "\n" not in message
    assert message.startswith(f"{name}: ")  # relative to the current directory
    return err


def test_unknown_key_with_hint(tree: Path) -> None:
    err = error_for(tree, 'tenant_colums = ["org_id"]\n')
    assert err.key == "tenant_colums"
    assert str(err) == (
        "tenantlint.toml: key 'tenant_colums': unknown key (did you mean 'tenant_columns'?)"
    )


def test_tenant_parents_entries_are_checked(tree: Path) -> None:
    err = error_for(tree, 'tenant_parents = ["Document"]\n')
    assert err.key == "tenant_parents"
    assert str(err) == (
        "tenantlint.toml: key 'tenant_parents': 'Document' is not 'Model.field' or "
        "'Model.column -> Parent' (e.g. 'Widget.dashboard', 'Document.kb_id -> Knowledgebase')"
    )
    err = error_for(tree, 'tenant_parents = ["Document.kb_id ->"]\n')
    assert "'Document.kb_id ->' is not" in str(err)
    write(tree / "tenantlint.toml",
          'tenant_parents = ["Widget.dashboard", "Document.kb_id -> Knowledgebase"]\n')
    config = load_config(start=tree)
    assert config.tenant_parents == ("Widget.dashboard", "Document.kb_id -> Knowledgebase")


def test_unknown_key_without_close_match_has_no_hint(tree: Path) -> None:
    err = error_for(tree, "frobnicate = 1\n")
    assert str(err) == "tenantlint.toml: key 'frobnicate': unknown key"


def test_unknown_key_in_pyproject_names_the_table(tree: Path) -> None:
    err = error_for(tree, "[tool.tenantlint]\ndiscovr = true\n", name="pyproject.toml")
    assert err.key == "discovr"
    assert str(err) == (
        "pyproject.toml: key 'tool.tenantlint.discovr': unknown key (did you mean 'discover'?)"
    )


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('discover = "yes"\n', "discover", "expected a boolean (true or false), got a string"),
        ('tenant_columns = "org_id"\n', "tenant_columns", 'got a string; write ["org_id"]'),
        ("tenant_tables = 3\n", "tenant_tables", "expected a list of str, got an integer (3)"),
        ('global_tables = ["a", 5]\n', "global_tables", "got an integer (5) at index 1"),
        ('exclude = [["x"]]\n', "exclude", "expected a list of globs, got an array at index 0"),
        ('tenant_models = [""]\n', "tenant_models", "empty string"),
        ("sql_dialect = 5\n", "sql_dialect", "expected a string naming a SQL dialect"),
        ('sql_dialect = "postgress"\n', "sql_dialect",
         "unknown SQL dialect 'postgress' (did you mean 'postgres'?)"),
        ('sql_dialect = "cobol"\n', "sql_dialect", "sqlglot knows: "),
        ('select = ["E501"]\n', "select", "'E501' is not a rule code or prefix"),
        ('ignore = ["tnt101"]\n', "ignore", "'tnt101' is not a rule code or prefix"),
        ('select = ["TNT1011"]\n', "select", "is not a rule code or prefix"),
        ('select = ["TNT4"]\n', "select", "'TNT4' matches no rule"),
        ('ignore = ["TNT110"]\n', "ignore", "'TNT110' matches no rule (did you mean"),
        ('trusted_sources = ["request.*.id"]\n', "trusted_sources", "invalid pattern"),
        ('untrusted_sources = ["*"]\n', "untrusted_sources", "invalid pattern '*'"),
    ],
)
def test_wrong_types_and_values(tree: Path, text: str, key: str, expected: str) -> None:
    err = error_for(tree, text)
    assert err.key == key
    assert str(err).startswith(f"tenantlint.toml: key {key!r}: ")
    assert expected in err.problem
    assert expected in str(err)


def test_invalid_toml_names_the_line(tree: Path) -> None:
    err = error_for(tree, 'discover = true\nselect = ["TNT1"\nignore = []\n')
    assert err.key is None
    assert err.line == 3
    assert str(err).startswith("tenantlint.toml: invalid TOML at line 3, column")


def test_invalid_toml_at_end_of_file(tree: Path) -> None:
    err = error_for(tree, 'discover = true\nselect = ["TNT1"')
    assert err.line == 2
    assert "invalid TOML at line 2" in str(err)


def test_invalid_toml_in_pyproject_during_search(tree: Path) -> None:
    err = error_for(tree, "[tool.tenantlint\n", name="pyproject.toml")
    assert err.line == 1


def test_tool_tenantlint_not_a_table(tree: Path) -> None:
    err = error_for(tree, '[tool]\ntenantlint = "yes"\n', name="pyproject.toml")
    assert "'tool.tenantlint' must be a table" in str(err)


def test_not_utf8(tree: Path) -> None:
    (tree / "tenantlint.toml").write_bytes(b'tenant_tables = ["\xff"]\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(start=tree)


def test_missing_explicit_file(tree: Path) -> None:
    write(tree / "tenantlint.toml", "")
    with pytest.raises(ConfigError) as info:
        load_config(start=tree, explicit=tree / "missing.toml")
    assert info.value.key is None
    assert str(info.value) == "missing.toml: config file not found"


def test_explicit_directory(tree: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(explicit=tree)


# --- patterns -----------------------------------------------------------------------------------

DEFAULTS = PatternSet.compile(Config().trusted_sources)


@pytest.mark.parametrize(
    ("dotted", "expected"),
    [
        ("request.user.org", "request.user.*"),
        ("request.user.org.id", "request.user.*"),
        ("request.user.get_org()", "request.user.*"),
        ("request.user", "request.user.*"),
        ("request.username", None),
        ("request.user_id", None),
        ("self.request.user.org_id", "self.request.user.*"),
        ("self.request.user", "self.request.user.*"),
        ("request.tenant", "request.tenant"),
        ("request.tenant.id", "request.tenant"),
        ("request.tenant_id", "request.tenant_id"),
        ("request.tenants", None),
        ("request.organization.pk", "request.organization"),
        ("request.state.org_id", "request.state.*"),
        ("request.state", "request.state.*"),
        ("g.org_id", "g.*"),
        ("g", "g.*"),
        ("flask.g.tenant", "flask.g.*"),
        ("current_user.org.id", "current_user.*"),
        ("current_user", "current_user.*"),
        ("request.json", None),
        ("request.POST.org_id", None),
        ("user.org", None),
        ("", None),
    ],
)
def test_default_trusted_sources(dotted: str, expected: str | None) -> None:
    assert DEFAULTS.match(dotted) == expected


@pytest.mark.parametrize(
    ("dotted", "expected"),
    [
        ("g.tenant_id", "g.tenant_id"),
        ("g.tenant_id.hex", "g.tenant_id"),
        ("g.tenant_idx", None),
        ("g.tenant_id()", None),
        ("g", None),
        ("get_current_org()", "get_current_org()"),
        ("get_current_org().id", "get_current_org()"),
        ("get_current_org", None),
        ("get_current_org_id()", None),
        ("ctx.get_tenant().id", "ctx.get_tenant().*"),
        ("ctx.get_tenant()", "ctx.get_tenant().*"),
        ("ctx.get_tenant", None),
    ],
)
def test_exact_and_call_patterns(dotted: str, expected: str | None) -> None:
    ps = PatternSet.compile(["g.tenant_id", "get_current_org()", "ctx.get_tenant().*"])
    assert ps.match(dotted) == expected


def test_pattern_set_is_frozen_and_deduplicated() -> None:
    ps = PatternSet.compile(["a.b", "a.*", "a.b"])
    assert ps.patterns == ("a.b", "a.*")
    assert len(ps) == 2 and bool(ps)
    assert "a.b.c" in ps and "a" in ps and "b" not in ps  # ``*``: zero or more
    # The shorter prefix decides: "a.*" covers a.b.c before "a.b" is reached.
    assert ps.match("a.b.c") == "a.*"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ps.patterns = ()  # type: ignore[misc]
    empty = PatternSet.compile([])
    assert not empty and empty.match("request.user.id") is None


@pytest.mark.parametrize(
    "bad", ["", "*", "*.id", "request.*.id", "request.user.", ".user", "a..b", "a b", "f(x)",
            "request.user*", " g.x", "1abc", "a.**"],
)
def test_invalid_patterns(bad: str) -> None:
    with pytest.raises(PatternError):
        PatternSet.compile(["g.*", bad])


# --- docs ---------------------------------------------------------------------------------------


def test_docs_hold_the_generated_table() -> None:
    docs = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    table = render_config_table()
    assert table in docs
    # ... and no other, stale, key table.
    assert docs.count("| key | type | default |") == 1
    for spec in KEYS:
        assert f"| `{spec.name}` |" in table


def test_docs_examples_load_and_agree(tree: Path) -> None:
    docs = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    blocks = [part.split("```", 1)[0] for part in docs.split("```toml\n")[1:]]
    assert len(blocks) == 2
    standalone = load_config(explicit=write(tree / "tenantlint.toml", blocks[0]))
    pyproject = load_config(explicit=write(tree / "pyproject.toml", blocks[1]))
    assert standalone == pyproject
    assert standalone != Config()
    given = {key for line in blocks[0].splitlines() if "=" in line for key in [line.split()[0]]}
    assert given == {spec.name for spec in KEYS}  # the example shows every key


def test_a_configs_patterns_are_compiled_once() -> None:
    # The pre-pass asks for the trusted-source patterns once per file: a tuple is compiled once.
    first = PatternSet.compile(("request.user.*", "g.org_id"))
    assert PatternSet.compile(("request.user.*", "g.org_id")) is first
    assert first.match("request.user.org.id") == "request.user.*"
    assert PatternSet.compile(["request.user.*", "g.org_id"]) == first  # a list: compiled anew, same set
