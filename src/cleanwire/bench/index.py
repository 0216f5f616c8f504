"""The persistent index at scale: bytes per document on disk, one batch's time against a small and a large index.

`build` makes an index with cleanwire itself (`dedupe INPUTS --index FILE --no-clean`); `grow` makes a
larger one from it in SQL: COPIES-1 copies of every row under new ids, rowids and stories, with posting
keys xor'ed by a mask per copy and exact hashes shifted, so the copies have the sizes of real documents
but never match anything (a batch finds only the original documents, whatever the index's size). Each
copy goes in as its own transaction, its postings in key order, as a run of cleanwire adds them.
`batch` runs one batch (`dedupe BATCH --against FILE`) against each index, round after round, side by
side, and checks that the outputs are the same; `sizes` prints the bytes per document of each table.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import click

from cleanwire.bench.scale import measure

_MASK = 0x2545F491  # xor'ed, times the copy's number, into posting keys (31 bits)


def table_bytes(path: Path) -> dict[str, int]:
    """Bytes on disk per table, its indexes counted with it (SQLite's dbstat), and the whole file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
        out: dict[str, int] = {}
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            out[table] = out.get(table, 0) + size
        (docs,) = conn.execute("SELECT count(*) FROM docs").fetchone()
        (keys,) = conn.execute("SELECT sum(length(key)) FROM docs").fetchone()
    finally:
        conn.close()
    out["(file)"] = path.stat().st_size
    out["(documents)"] = docs
    out["(match keys' bytes)"] = keys or 0
    return out


def print_sizes(paths: list[Path]) -> None:
    sizes = {p: table_bytes(p) for p in paths}
    names = sorted({t for s in sizes.values() for t in s if not t.startswith("(")})
    click.echo("| per document (bytes) | " + " | ".join(f"{s['(documents)']:,} docs" for s in sizes.values()) + " |")
    click.echo("|---" * (len(paths) + 1) + "|")
    for label, key in [("file", "(file)"), *((f"table {n}", n) for n in names),
                       ("of which compressed match keys", "(match keys' bytes)")]:
        cells = [f"{s.get(key, 0) / s['(documents)']:.0f}" for s in sizes.values()]
        click.echo(f"| {label} | " + " | ".join(cells) + " |")


def grow(source: Path, target: Path, copies: int) -> None:
    """A copy of `source` with COPIES-1 more copies of its documents (see the module's docstring)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("ATTACH ? AS src", (f"file:{source}?mode=ro",))
    (top,) = conn.execute("SELECT max(n) FROM src.docs").fetchone()
    for k in range(1, copies):
        off, mask = k * top, (_MASK * k) & 0x7FFFFFFF
        conn.execute("BEGIN")
        conn.execute("INSERT INTO docs SELECT n + ?1, 'c' || ?2 || '-' || id, story + ?1, "
                     "CASE WHEN exact < 9223372036854775807 - ?2 THEN exact + ?2 ELSE exact - ?2 END, "
                     "added, source, title, url, date, key FROM src.docs ORDER BY n", (off, k))
        conn.execute("INSERT INTO edges SELECT a + ?1, b + ?1, relation, similarity, containment FROM src.edges",
                     (off,))
        conn.execute("INSERT INTO postings SELECT (h | ?1) - (h & ?1), doc + ?2 FROM src.postings ORDER BY 1, 2",
                     (mask, off))
        conn.execute("COMMIT")
        click.echo(f"grow: copy {k} of {copies - 1} in", err=True)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def convert(source: Path, target: Path) -> None:
    """A version 1 index (zlib keys) as the current version: a dictionary trained on 2,000 keys taken evenly over
    the file, every key compressed with it, the file vacuumed. (A new index trains on its first batch's keys.)"""
    from cleanwire.index import _TRAIN_DOCS, KeyCodec, _index_file_upgrade

    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    _index_file_upgrade(conn)
    old = KeyCodec([])
    (count,) = conn.execute("SELECT count(*) FROM docs").fetchone()
    step = max(1, count // _TRAIN_DOCS)  # keys from all over the index, as it may hold several languages
    sample = [old.decompress(k) for (k,) in conn.execute("SELECT key FROM docs WHERE n % ? = 0 ORDER BY n LIMIT ?",
                                                           (step, _TRAIN_DOCS))]
    data = KeyCodec.train(sample, 1)
    if data is not None:
        conn.execute("INSERT INTO dicts (id, data) VALUES (1, ?)", (data,))
    new = KeyCodec(conn.execute("SELECT id, data FROM dicts").fetchall())
    rows = conn.execute("SELECT n, key FROM docs ORDER BY n").fetchall()
    conn.executemany("UPDATE docs SET key = ? WHERE n = ?", ((new.compress(old.decompress(k)), n) for n, k in rows))
    del rows
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    conn.close()


def cleanwire_argv(*args: str | Path | int) -> list[str]:
    return [sys.executable, "-m", "cleanwire", *map(str, args)]


@click.group("index")
def command() -> None:
    """The persistent index at scale: size per document, and one batch's time against indexes of two sizes."""


@command.command("build")
@click.argument("index_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--jobs", type=click.IntRange(1), default=2, show_default=True)
def build_command(index_file: Path, inputs: tuple[Path, ...], jobs: int) -> None:
    """Make INDEX_FILE with cleanwire from INPUTS (clean texts), and print its size per document."""
    work = index_file.parent
    seconds, cpu, rss, code = measure(cleanwire_argv("dedupe", *inputs, "--no-clean", "--jobs", jobs, "-q",
                                                     "--index", index_file, "--stats", work / "build.stats.json"),
                                      work / "build.out.jsonl", work / "build.err")
    click.echo(f"build: {seconds:.0f} s wall, {cpu:.0f} s CPU, peak RSS {rss / 2**20:.0f} MB, exit {code}")
    print_sizes([index_file])


@command.command("grow")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--copies", type=click.IntRange(2), default=10, show_default=True,
              help="The target holds this many times the source's documents.")
def grow_command(source: Path, target: Path, copies: int) -> None:
    """Make TARGET from SOURCE with COPIES times its documents (see `python -m cleanwire.bench index --help`)."""
    grow(source, target, copies)
    print_sizes([source, target])


@command.command("convert")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def convert_command(source: Path, target: Path) -> None:
    """Make TARGET, in the current format, from SOURCE, an index of format version 1."""
    convert(source, target)
    print_sizes([source, target])


@command.command("sizes")
@click.argument("index_files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sizes_command(index_files: tuple[Path, ...]) -> None:
    """Bytes per document of each table of the INDEX_FILES, side by side."""
    print_sizes(list(index_files))


@command.command("batch")
@click.argument("batch", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("index_files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rounds", type=click.IntRange(1), default=2, show_default=True)
@click.option("--jobs", type=click.IntRange(1), default=2, show_default=True)
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), required=True)
def batch_command(batch: Path, index_files: tuple[Path, ...], rounds: int, jobs: int, work_dir: Path) -> None:
    """Dedupe BATCH (clean texts) against each of the INDEX_FILES (read only), ROUNDS times side by side."""
    work_dir.mkdir(parents=True, exist_ok=True)
    click.echo("| round | index | documents | wall s | index look-up s | loaded | peak RSS MB (all processes) | exit |")
    click.echo("|---|---|---|---|---|---|---|---|")
    outputs = []
    for r in range(1, rounds + 1):
        for i, path in enumerate(index_files):
            stem = work_dir / f"r{r}-{i}"
            stats = Path(f"{stem}.stats.json")
            seconds, _, rss, code = measure(cleanwire_argv("dedupe", batch, "--no-clean", "--jobs", jobs, "-q",
                                                           "--against", path, "--stats", stats),
                                            Path(f"{stem}.out.jsonl"), Path(f"{stem}.err"))
            figures = json.loads(stats.read_text()) if stats.exists() else {}
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                (docs,) = conn.execute("SELECT count(*) FROM docs").fetchone()
            click.echo(f"| {r} | {path.name} | {docs:,} | {seconds:.1f} | "
                       f"{figures.get('seconds', {}).get('index', float('nan')):.1f} | "
                       f"{figures.get('index', {}).get('loaded', '?')} | {rss / 2**20:.0f} | {code} |")
            outputs.append(Path(f"{stem}.out.jsonl").read_bytes())
    click.echo("outputs: " + ("all the same" if len(set(outputs)) == 1 else "DIFFER"))
