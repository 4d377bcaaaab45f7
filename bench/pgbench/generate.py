#!/usr/bin/env python3
"""Writes the pgbench scripts in this directory from the SQL text of the statement files of
src/main/java/dev/pgcache/entry (*Statements.java: EntryStatements lists them), so the statements
pgbench measures are the ones the service sends, character for character.

  bench/pgbench/generate.py          rewrites get.sql, get-each-8.sql, upsert.sql, upsert-each-8.sql
  bench/pgbench/generate.py --check  exits 1 (and prints a diff) when a script differs from what it
                                     would write: the statements' SQL changed and nobody regenerated
                                     (bench/run.sh --smoke runs this, so CI catches it); it also
                                     checks that bench/sql/explain-purge.sql prepares PURGE_BATCH

How: the Java sources are read as text (nothing is compiled or run). Each constant named below is
rebuilt from its text blocks, string literals and the other constants it concatenates (in its own
file or, statically imported, in another statement file: a name is unique across them), as javac
would (incidental indentation stripped, \\s and line-continuation escapes applied); a %s is
filled with the fragment named here (as String.formatted does in the store's classes); then each JDBC `?`
(outside quotes) is replaced, left to right, by a pgbench expression. Nothing else is changed,
except that a literal holding ':' followed by a name is written E'..\\072..', since pgbench would
take :name for one of its variables. The scripts name tables without a schema, as the statements'
text does (the service writes its schema in front of them when it prepares them, SchemaQualified):
run them with PGOPTIONS='-c search_path=pgcache', as bench/bench.py does. Standard library only.
"""
import difflib
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# a value like the wrk scenarios' (bench/wrk/common.lua): about 700 bytes of block-like JSON
VALUE = ('{"number":"0x121eac0","hash":"0x' + "ab" * 32 + '","transactions":["0x' + "cd" * 32
         + '"],"pad":"' + "x" * 600 + '"}')
KEY = "'k' || :k"


def eight(f):
    return ", ".join(f(i) for i in range(8))


# keys of the 8-key scripts: k<b>, k<b + entries/8>, ... (distinct, so one statement never writes a key twice)
KEYS_8 = "ARRAY[" + eight(lambda i: f"'k' || CAST(:b + {i} * (:entries / 8) AS text)") + "]"

SCRIPTS = {
    "get.sql": {
        "statement": "GET",
        "header": ["The statement EntryStore.get sends (ReadStatements.GET), for a random live key."],
        "set": [r"\set k random(0, :entries - 1)"],
        "params": ["'bench'", KEY],
    },
    "get-each-8.sql": {
        "statement": "GET_EACH",
        "header": ["ReadStatements.GET_EACH, the statement ReadCoalescer sends when GETs queue, for 8 random live keys.",
                   "Reported in keys/s (transactions x 8): the database's limit for reads the way the service sends them under load."],
        "set": [rf"\set k{i} random(0, :entries - 1)" for i in range(8)],
        "params": ["ARRAY[" + eight(lambda i: "'bench'") + "]",
                   "ARRAY[" + eight(lambda i: f"'k' || CAST(:k{i} AS text)") + "]"],
    },
    "upsert.sql": {
        "statement": "UPSERT",
        "format": ["IF_NONE_MATCH_NONE", "COMMIT_DURABLY"],
        "header": ["The statement EntryStore.upsert sends without a precondition (WriteStatements.UPSERT with",
                   "IF_NONE_MATCH_NONE), for a random existing key, with a value like the wrk scenario's, in a",
                   "namespace with durability=strict: committed waiting for the flush (COMMIT_DURABLY)."],
        "set": [r"\set k random(0, :entries - 1)"],
        # prior (namespace, key); the row: namespace, key, value, ttl ms, stale ms, revision, size, tags
        "params": ["'bench'", KEY, "'bench'", KEY, f"'{VALUE}'", "3600000", "NULL", "NULL", "800", "'{}'"],
    },
    "upsert-relaxed.sql": {
        "statement": "UPSERT",
        "format": ["IF_NONE_MATCH_NONE", "COMMIT_NO_WAIT"],
        "header": ["upsert.sql for a namespace with durability=relaxed: the same write, committed without waiting",
                   "for its WAL flush (COMMIT_NO_WAIT)."],
        "set": [r"\set k random(0, :entries - 1)"],
        "params": ["'bench'", KEY, "'bench'", KEY, f"'{VALUE}'", "3600000", "NULL", "NULL", "800", "'{}'"],
    },
    "upsert-each-8.sql": {
        "statement": "BATCH_UPSERT",
        "format": ["COMMIT_DURABLY"],
        "header": ["WriteStatements.BATCH_UPSERT, the statement WriteCoalescer sends (through upsertEach) when PUTs queue, for 8",
                   "distinct random keys with a value like the wrk scenario's, without a revision or tags, in a strict namespace.",
                   "Reported in rows/s (transactions x 8): the database's limit for writes the way the service sends them under load."],
        "set": [r"\set b random(0, :entries / 8 - 1)"],
        # the input arrays: keys, values, ttl ms, stale ms, revisions, sizes, tags (JSON); then namespace twice
        "params": [KEYS_8, "ARRAY[" + eight(lambda i: f"'{VALUE}'") + "]",
                   "ARRAY[" + eight(lambda i: "3600000") + "]", "ARRAY[" + eight(lambda i: "NULL") + "]",
                   "ARRAY[" + eight(lambda i: "NULL") + "]", "ARRAY[" + eight(lambda i: "800") + "]",
                   "ARRAY[" + eight(lambda i: "'[]'") + "]", "'bench'", "'bench'"],
    },
}


def statement_files():
    """The statement files, by the directory of EntryStatements.java (the one that lists them)."""
    found = sorted(glob.glob(os.path.join(ROOT, "src", "main", "java", "**", "EntryStatements.java"), recursive=True))
    if len(found) != 1:
        sys.exit(f"expected one EntryStatements.java under src/main/java, found {found}")
    return sorted(glob.glob(os.path.join(os.path.dirname(found[0]), "*Statements.java")))


def text_block(raw):
    """The value of a Java text block, given what lies between its opening and closing quotes."""
    assert raw.startswith("\n") or raw.startswith("\r\n"), "a text block starts with a line break"
    lines = raw.split("\n")[1:]
    # the closing delimiter's line counts for the indentation when only whitespace precedes it
    significant = [l for l in lines if l.strip()] + ([] if lines[-1].strip() else [lines[-1]])
    indent = min(len(l) - len(l.lstrip(" \t")) for l in significant) if significant else 0
    stripped = [l[indent:].rstrip(" \t") for l in lines]
    if not lines[-1].strip():
        stripped[-1] = ""  # the closing delimiter on its own line: the text ends with the last line break
    return unescape("\n".join(stripped))


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = s[i + 1]
        if nxt == "\n":  # line continuation (text blocks)
            i += 2
            continue
        out.append({"s": " ", "n": "\n", "t": "\t", '"': '"', "'": "'", "\\": "\\"}[nxt])
        i += 2
    return "".join(out)


def constants(sources):
    """Every `static final String NAME = ...;` of the sources (file name -> text), evaluated, and the file of each."""
    raw, owner = {}, {}
    for file_name, source in sources.items():
        raw_of_file = raw_constants(source)
        for name in raw_of_file:
            if name in owner:
                sys.exit(f"{name} is in {owner[name]} and {file_name}: a statement's name must be unique")
            owner[name] = file_name
        raw.update(raw_of_file)

    values = {}

    def value(name):
        if name not in values:
            values[name] = "".join(v if kind == "text" else value(v) for kind, v in raw[name])
        return values[name]

    return {name: value(name) for name in raw}, owner


def raw_constants(source):
    """Every `static final String NAME = ...;` of one source, as its parts: texts and the names it concatenates."""
    raw = {}
    for m in re.finditer(r"static final String (\w+)\s*=", source):
        i, parts = m.end(), []
        while True:
            while source[i] in " \t\r\n":
                i += 1
            if source.startswith('"""', i):
                end = source.index('"""', i + 3)
                while source[end - 1] == "\\":  # an escaped quote inside the block
                    end = source.index('"""', end + 1)
                parts.append(("text", text_block(source[i + 3:end])))
                i = end + 3
            elif source[i] == '"':
                j = i + 1
                while source[j] != '"':
                    j += 2 if source[j] == "\\" else 1
                parts.append(("text", unescape(source[i + 1:j])))
                i = j + 1
            else:
                name = re.match(r"\w+", source[i:]).group(0)
                parts.append(("name", name))
                i += len(name)
            while source[i] in " \t\r\n":
                i += 1
            if source[i] == ";":
                break
            assert source[i] == "+", f"{m.group(1)}: unexpected {source[i:i + 40]!r}"
            i += 1
        raw[m.group(1)] = parts
    return raw


def bind(sql, params):
    """Replaces each ? outside quotes by the next parameter; escapes ':' of literals for pgbench."""
    out, i, n = [], 0, 0
    while i < len(sql):
        c = sql[i]
        if c in "'\"":
            j = sql.index(c, i + 1)
            literal = sql[i:j + 1]
            if c == "'" and re.search(r":\w", literal):
                literal = "E'" + literal[1:-1].replace("\\", "\\\\").replace(":", "\\072") + "'"
            out.append(literal)
            i = j + 1
        elif c == "?":
            assert n < len(params), f"more than {len(params)} parameters"
            out.append(params[n])
            n += 1
            i += 1
        else:
            out.append(c)
            i += 1
    assert n == len(params), f"{n} parameters in the statement, {len(params)} given"
    return "".join(out)


def script(name, spec, sql_constants, owner):
    sql = sql_constants[spec["statement"]]
    if "format" in spec:
        fragments = [sql_constants[f] for f in spec["format"]]
        assert sql.count("%s") == len(fragments)
        for f in fragments:
            sql = sql.replace("%s", f, 1)
    statement = bind(sql, spec["params"]).rstrip() + ";"
    lines = [f"-- {h}" for h in spec["header"]]
    lines.append(f"-- Written by bench/pgbench/generate.py from {owner[spec['statement']]}: edit the generator, not this file.")
    lines += spec["set"]
    return "\n".join(lines) + "\n" + statement + "\n"


def normalized(sql):
    return " ".join(sql.split())


def check_explain_purge(sql_constants):
    """bench/sql/explain-purge.sql PREPAREs the purge batch by hand (psql, with $1): the same statement?"""
    path = os.path.join(ROOT, "bench", "sql", "explain-purge.sql")
    text = open(path).read()
    m = re.search(r"PREPARE purge_batch\(int\) AS\s+(.*?);", text, re.S)
    shipped = normalized(sql_constants["PURGE_BATCH"].replace("?", "$1"))
    if not m or normalized(m.group(1)) != shipped:
        print(f"{os.path.relpath(path, ROOT)}: the purge_batch it prepares is not MaintenanceStatements.PURGE_BATCH:\n  {shipped}")
        return False
    return True


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] not in ([], ["--check"]):
        sys.exit(__doc__)
    paths = statement_files()
    source_name = os.path.relpath(os.path.dirname(paths[0]), ROOT) + "/*Statements.java"
    sql_constants, owner = constants({os.path.basename(p): open(p).read() for p in paths})
    ok = True
    for name, spec in SCRIPTS.items():
        target = os.path.join(HERE, name)
        wanted = script(name, spec, sql_constants, owner)
        current = open(target).read() if os.path.exists(target) else ""
        if current == wanted:
            continue
        if check:
            ok = False
            print(f"bench/pgbench/{name} is not what {source_name} says; run bench/pgbench/generate.py")
            sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), wanted.splitlines(True),
                                                       f"bench/pgbench/{name}", "generated", n=1))
        else:
            with open(target, "w") as f:
                f.write(wanted)
            print(f"wrote bench/pgbench/{name}")
    ok = check_explain_purge(sql_constants) and ok
    if check:
        print("pgbench scripts match " + source_name if ok else "pgbench scripts drifted from " + source_name)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
