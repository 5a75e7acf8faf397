#!/usr/bin/env python3
"""Regenerates the name lists of Arr's editor grammars from the compiler's own tables.

The compiler prints its names (keywords, builtins with `module.member` entries, prelude
functions, constants, dtypes, modules, array attributes) with `arr --dump-syntax`. This script
reads that JSON and rewrites the generated parts of:

  editors/vscode/syntaxes/arr.tmLanguage.json   the repository entries named in GENERATED_TM
                                                 (the rest of the grammar is written by hand)
  editors/vim/syntax/arr.vim                     between the BEGIN/END GENERATED markers
  editors/emacs/arr-mode.el                      between the BEGIN/END GENERATED markers
  editors/vscode/tests/generated_names.arr       wholly: a grammar test of every name

Usage:
  python3 editors/generate.py                     # runs target/release/arr (or $ARR, or `arr`)
  python3 editors/generate.py --arr PATH          # runs PATH --dump-syntax
  python3 editors/generate.py --json FILE         # reads the JSON from FILE (`-`: stdin)
  python3 editors/generate.py --check [...]       # changes nothing; exits 1 on drift

Python standard library only.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

EDITORS = Path(__file__).resolve().parent
REPO = EDITORS.parent

TM_GRAMMAR = EDITORS / "vscode" / "syntaxes" / "arr.tmLanguage.json"
TM_NAMES_TEST = EDITORS / "vscode" / "tests" / "generated_names.arr"
VIM_SYNTAX = EDITORS / "vim" / "syntax" / "arr.vim"
EMACS_MODE = EDITORS / "emacs" / "arr-mode.el"

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
REQUIRED_KEYS = ("keywords", "builtins", "prelude", "constants", "dtypes", "modules", "attributes")

# How each keyword is shown. A keyword the compiler adds later that is not named here is shown
# as a plain control keyword, so the grammars never silently miss one.
KEYWORD_CLASS = {
    "if": "conditional",
    "else": "conditional",
    "for": "repeat",
    "in": "repeat",
    "return": "statement",
    "import": "import",
    "fn": "define",
    "true": "boolean",
    "false": "boolean",
    "and": "logical",
    "or": "logical",
    "not": "logical",
}
CLASS_ORDER = ("conditional", "repeat", "statement", "other", "import", "define", "boolean", "logical")

TM_KEYWORD_SCOPE = {
    "conditional": "keyword.control.conditional.arr",
    "repeat": "keyword.control.repeat.arr",
    "statement": "keyword.control.flow.arr",
    "other": "keyword.control.arr",
    "import": "keyword.control.import.arr",
    "define": "storage.type.function.arr",
    "boolean": "constant.language.boolean.arr",
    "logical": "keyword.operator.logical.arr",
}
VIM_KEYWORD_GROUP = {
    "conditional": "arrConditional",
    "repeat": "arrRepeat",
    "statement": "arrStatement",
    "other": "arrKeyword",
    "import": "arrInclude",
    "define": "arrDefine",
    "boolean": "arrBoolean",
    "logical": "arrOperatorWord",
}


class SyntaxError_(Exception):
    """The JSON from the compiler is not what this script understands."""


# ---------------------------------------------------------------------------------------------
# Reading and checking the compiler's tables


def default_arr() -> str:
    if os.environ.get("ARR"):
        return os.environ["ARR"]
    built = REPO / "target" / "release" / "arr"
    if built.exists():
        return str(built)
    on_path = shutil.which("arr")
    if on_path:
        return on_path
    raise SystemExit(
        "generate.py: no arr binary found: build it (cargo build --release), "
        "or pass --arr PATH or --json FILE"
    )


def read_tables(args: argparse.Namespace) -> dict:
    if args.json is not None:
        text = sys.stdin.read() if args.json == "-" else Path(args.json).read_text(encoding="utf-8")
        origin = "stdin" if args.json == "-" else args.json
    else:
        arr = args.arr or default_arr()
        try:
            proc = subprocess.run(
                [arr, "--dump-syntax"], capture_output=True, text=True, check=False, timeout=60
            )
        except OSError as e:
            raise SystemExit(f"generate.py: cannot run {arr}: {e}")
        if proc.returncode != 0:
            raise SystemExit(
                f"generate.py: `{arr} --dump-syntax` exited {proc.returncode}:\n{proc.stderr}"
            )
        text, origin = proc.stdout, f"{arr} --dump-syntax"
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise SystemExit(f"generate.py: {origin} is not JSON: {e}")
    try:
        return normalise(raw)
    except SyntaxError_ as e:
        raise SystemExit(f"generate.py: {origin}: {e}")


def normalise(raw: dict) -> dict:
    """Checks the tables and sorts them into what the grammars need."""
    if not isinstance(raw, dict):
        raise SyntaxError_("expected a JSON object")
    for key in REQUIRED_KEYS:
        value = raw.get(key)
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise SyntaxError_(f"`{key}` must be a list of strings")

    def idents(key: str) -> list[str]:
        bad = [s for s in raw[key] if not IDENT.match(s)]
        if bad:
            raise SyntaxError_(f"`{key}` holds names that are not identifiers: {bad}")
        return sorted(set(raw[key]))

    keywords = idents("keywords")
    modules = idents("modules")
    members: dict[str, list[str]] = {m: [] for m in modules}
    builtins = []
    for name in raw["builtins"]:
        parts = name.split(".")
        if len(parts) == 1 and IDENT.match(name):
            builtins.append(name)
        elif len(parts) == 2 and all(IDENT.match(p) for p in parts):
            members.setdefault(parts[0], []).append(parts[1])
        else:
            raise SyntaxError_(f"`builtins` holds a name that is neither f nor module.f: {name!r}")
    classes: dict[str, list[str]] = {}
    for k in keywords:
        classes.setdefault(KEYWORD_CLASS.get(k, "other"), []).append(k)
    return {
        "keywords": keywords,
        "keyword_classes": classes,
        "builtins": sorted(set(builtins)),
        "prelude": idents("prelude"),
        "constants": idents("constants"),
        "dtypes": idents("dtypes"),
        "modules": sorted(members),
        "members": {m: sorted(set(v)) for m, v in sorted(members.items())},
        "attributes": idents("attributes"),
    }


def alternation(names: list[str], sep: str = "|") -> str:
    """Longest first, so that no alternative is cut short by a prefix of itself."""
    return sep.join(sorted(names, key=lambda s: (-len(s), s)))


# ---------------------------------------------------------------------------------------------
# VS Code: TextMate grammar (JSON). The generator owns whole repository entries.


def tm_words(names: list[str]) -> str:
    return r"\b(?:" + alternation(names) + r")\b"


def tm_generated(t: dict) -> dict:
    entries: dict[str, dict] = {}
    entries["keywords"] = {
        "patterns": [
            {"match": tm_words(t["keyword_classes"][c]), "name": TM_KEYWORD_SCOPE[c]}
            for c in CLASS_ORDER
            if t["keyword_classes"].get(c)
        ]
    }
    entries["builtin-names"] = {"match": tm_words(t["builtins"]), "name": "support.function.builtin.arr"}
    entries["prelude-names"] = {"match": tm_words(t["prelude"]), "name": "support.function.prelude.arr"}
    entries["constants"] = {"match": tm_words(t["constants"]), "name": "constant.language.arr"}
    entries["dtypes"] = {"match": tm_words(t["dtypes"]), "name": "support.type.dtype.arr"}
    entries["type"] = {
        "comment": "An array type: a dtype followed by its dimensions, f64[n, 3], f32[?], i64[...]",
        "name": "meta.type.arr",
        "begin": r"\b(" + alternation(t["dtypes"]) + r")\s*(\[)",
        "beginCaptures": {
            "1": {"name": "support.type.dtype.arr"},
            "2": {"name": "punctuation.definition.type.begin.arr"},
        },
        "end": r"\]",
        "endCaptures": {"0": {"name": "punctuation.definition.type.end.arr"}},
        "patterns": [{"include": "#type-dimensions"}],
    }
    module_patterns: list[dict] = []
    for module in t["modules"]:
        names = t["members"][module]
        if not names:
            continue
        member = r"\b(" + re.escape(module) + r")\s*(\.)\s*(" + alternation(names) + r")\b"
        module_patterns.append(
            {
                "name": "meta.function-call.arr",
                "begin": member + r"\s*(\()",
                "beginCaptures": {
                    "1": {"name": "entity.name.namespace.arr"},
                    "2": {"name": "punctuation.accessor.arr"},
                    "3": {"name": "support.function.builtin.arr"},
                    "4": {"name": "punctuation.definition.arguments.begin.arr"},
                },
                "end": r"\)",
                "endCaptures": {"0": {"name": "punctuation.definition.arguments.end.arr"}},
                "patterns": [{"include": "#call-arguments"}],
            }
        )
        module_patterns.append(
            {
                "match": member,
                "captures": {
                    "1": {"name": "entity.name.namespace.arr"},
                    "2": {"name": "punctuation.accessor.arr"},
                    "3": {"name": "support.function.builtin.arr"},
                },
            }
        )
    if t["modules"]:
        module_patterns.append({"match": tm_words(t["modules"]), "name": "entity.name.namespace.arr"})
    entries["modules"] = {"patterns": module_patterns}
    entries["attributes"] = {
        "match": r"(\.)\s*\b(" + alternation(t["attributes"]) + r")\b(?!\s*\()",
        "captures": {
            "1": {"name": "punctuation.accessor.arr"},
            "2": {"name": "support.variable.property.arr"},
        },
    }
    return entries


def render_tm(current: str, t: dict) -> str:
    grammar = json.loads(current)
    repo = grammar.setdefault("repository", {})
    generated = tm_generated(t)
    for key, value in generated.items():
        repo[key] = value
    grammar["information_for_contributors"] = [
        "Repository entries "
        + ", ".join(generated)
        + " are generated by editors/generate.py from `arr --dump-syntax`; "
        "edit the rest by hand, then run the script (it also formats this file)."
    ]
    return json.dumps(grammar, indent=2, ensure_ascii=False) + "\n"


def render_tm_names_test(current: str, t: dict) -> str:
    """A vscode-tmgrammar-test file asserting the scope of every name in the tables."""
    out = [
        '# SYNTAX TEST "source.arr" "every name of arr --dump-syntax"',
        "# Generated by editors/generate.py from `arr --dump-syntax`; do not edit by hand.",
    ]

    def case(prefix: str, name: str, suffix: str, scope: str) -> None:
        out.append(prefix + name + suffix)
        out.append("#" + " " * (len(prefix) - 1) + "^" * len(name) + " " + scope)

    for c in CLASS_ORDER:
        for k in t["keyword_classes"].get(c, []):
            case("x = ", k, "", TM_KEYWORD_SCOPE[c])
    for b in t["builtins"]:
        case("x = ", b, "(y)", "meta.function-call.arr support.function.builtin.arr")
        case("x = y.", b, "(z)", "meta.method-call.arr support.function.builtin.arr")
    for b in t["prelude"]:
        case("x = ", b, "(y)", "meta.function-call.arr support.function.prelude.arr")
    for m in t["modules"]:
        case("x = ", m, "", "entity.name.namespace.arr")
        for member in t["members"][m]:
            case(f"x = {m}.", member, "(y)", "meta.function-call.arr support.function.builtin.arr")
            case(f"x = {m}.", member, "", "support.function.builtin.arr")
    for c in t["constants"]:
        case("x = ", c, "", "constant.language.arr")
    for d in t["dtypes"]:
        case("x = ", d, "", "support.type.dtype.arr")
        case("fn f(a: ", d, "[n]) { a }", "meta.function.arr meta.type.arr support.type.dtype.arr")
    for a in t["attributes"]:
        case("x = y.", a, "", "support.variable.property.arr")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Marker regions (vim, emacs)


def replace_region(current: str, begin: str, end: str, body: str, path: Path) -> str:
    lines = current.splitlines(keepends=True)
    starts = [i for i, l in enumerate(lines) if l.lstrip().startswith(begin)]
    ends = [i for i, l in enumerate(lines) if l.lstrip().startswith(end)]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise SystemExit(f"generate.py: {path} needs exactly one `{begin}` line, then one `{end}` line")
    s, e = starts[0], ends[0]
    return "".join(lines[: s + 1]) + body + "".join(lines[e:])


def wrap(items: list[str], first: str, cont: str, width: int = 95) -> list[str]:
    """Fills items, one space apart, into lines: the first starts with `first`, the rest `cont`."""
    lines: list[str] = []
    prefix, chunk = first, []
    for item in items:
        if chunk and len(prefix + " ".join(chunk + [item])) > width:
            lines.append(prefix + " ".join(chunk))
            prefix, chunk = cont, []
        chunk.append(item)
    lines.append(prefix + " ".join(chunk))
    return lines


VIM_BEGIN = '" BEGIN GENERATED'
VIM_END = '" END GENERATED'


def vim_words(names: list[str]) -> str:
    return r"\%(" + alternation(names, r"\|") + r"\)"


def render_vim(current: str, t: dict) -> str:
    out: list[str] = []

    def keywords(group: str, names: list[str]) -> None:
        if names:
            out.extend(wrap(names, f"syn keyword {group} ", "      \\ "))

    for c in CLASS_ORDER:
        names = t["keyword_classes"].get(c, [])
        if c == "define":
            if names:
                out.extend(wrap(names, "syn keyword arrDefine ", "      \\ "))
                out[-1] += " nextgroup=arrFunctionName skipwhite"
            continue
        keywords(VIM_KEYWORD_GROUP[c], names)
    keywords("arrBuiltin", t["builtins"])
    keywords("arrPrelude", t["prelude"])
    keywords("arrConstant", t["constants"])
    keywords("arrType", t["dtypes"])
    if t["modules"]:
        out.append(f'syn match arrModule "\\<{vim_words(t["modules"])}\\>\\ze\\s*\\."')
    for module in t["modules"]:
        names = t["members"][module]
        if names:
            out.append(
                f'syn match arrModuleMember "\\%(\\<{module}\\s*\\.\\s*\\)\\@<=\\<{vim_words(names)}\\>"'
            )
    if t["attributes"]:
        out.append(
            f'syn match arrAttribute "\\%(\\.\\s*\\)\\@<=\\<{vim_words(t["attributes"])}\\>\\%(\\s*(\\)\\@!"'
        )
    body = "\n".join(out) + "\n"
    return replace_region(current, VIM_BEGIN, VIM_END, body, VIM_SYNTAX)


EMACS_BEGIN = ";; BEGIN GENERATED"
EMACS_END = ";; END GENERATED"


def elisp_list(name: str, items: list[str], doc: str) -> list[str]:
    quoted = [json.dumps(s) for s in items]  # identifiers: JSON and Lisp quoting agree
    lines = wrap(quoted, f"(defconst {name} '(", "  ", width=79)
    lines[-1] += ")"
    lines.append(f"  {json.dumps(doc)})")
    return lines


def render_emacs(current: str, t: dict) -> str:
    classes = t["keyword_classes"]
    keywords = sorted(k for c, ks in classes.items() if c != "boolean" for k in ks)
    out: list[str] = []
    out += elisp_list("arr-keywords", keywords, "Arr keywords (but `true' and `false').")
    out += elisp_list("arr-boolean-constants", classes.get("boolean", []), "Arr boolean literals.")
    out += elisp_list("arr-builtins", t["builtins"], "Arr builtin functions (without module members).")
    out += elisp_list("arr-prelude-functions", t["prelude"], "Functions of Arr's prelude.")
    out += elisp_list("arr-constants", t["constants"], "Arr prelude constants.")
    out += elisp_list("arr-dtypes", t["dtypes"], "Arr element types (dtypes).")
    out += elisp_list("arr-modules", t["modules"], "Arr builtin modules.")
    member_lines = ["(defconst arr-module-members"]
    pairs = [[m] + t["members"][m] for m in t["modules"]]
    for i, pair in enumerate(pairs):
        opener = "  '(" if i == 0 else "    "
        member_lines.extend(wrap([json.dumps(s) for s in pair], opener + "(", "      ", width=79))
        member_lines[-1] += ")"
    if pairs:
        member_lines[-1] += ")"
    else:
        member_lines.append("  '()")
    member_lines.append('  "Each Arr module with the names of its members.")')
    out += member_lines
    out += elisp_list("arr-attributes", t["attributes"], "Arr array attributes (`x.shape').")
    body = "\n".join(out) + "\n"
    return replace_region(current, EMACS_BEGIN, EMACS_END, body, EMACS_MODE)


# ---------------------------------------------------------------------------------------------

TARGETS = (
    (TM_GRAMMAR, render_tm),
    (TM_NAMES_TEST, render_tm_names_test),
    (VIM_SYNTAX, render_vim),
    (EMACS_MODE, render_emacs),
)
CREATED = (TM_NAMES_TEST,)  # wholly generated: made if missing


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group()
    src.add_argument("--arr", metavar="PATH", help="the arr binary to run with --dump-syntax")
    src.add_argument("--json", metavar="FILE", help="read the tables from FILE (`-`: stdin)")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    args = p.parse_args(argv)
    tables = read_tables(args)
    rendered = []
    for path, render in TARGETS:
        try:
            current = "" if path in CREATED and not path.exists() else path.read_text(encoding="utf-8")
        except OSError as e:
            raise SystemExit(f"generate.py: cannot read {path}: {e}")
        rendered.append((path, current, render(current, tables)))
    drift = []
    for path, current, new in rendered:
        if new == current:
            continue
        rel = path.relative_to(REPO)
        if args.check:
            drift.append(rel)
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"a/{rel}",
                f"b/{rel}",
                n=1,
            )
            sys.stdout.writelines(list(diff)[:80])
        else:
            path.write_text(new, encoding="utf-8")
            print(f"generate.py: rewrote {rel}")
    if drift:
        print(
            "\ngenerate.py --check: out of date with the compiler's tables: "
            + ", ".join(map(str, drift))
            + "\nrun: python3 editors/generate.py --arr target/release/arr",
            file=sys.stderr,
        )
        return 1
    if args.check:
        print("generate.py --check: editor grammars match the compiler's tables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
