"""Throughput and memory at scale: cleanwire against datasketch and rensa on the same generated corpora.

Each tool runs in its own child process (cleanwire through its CLI, datasketch and rensa through
`baseline_datasketch` and `baseline_rensa`); this process polls the child's process tree with psutil for the
peak resident memory (workers included) and times it. Outputs are scored pairwise against
the corpus's gold clusters, so speed is never bought by missing duplicates.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from cleanwire.bench.corpus import GENERATOR, KINDS, PROFILES, write_corpus

POLL_SECONDS = 0.05
SHARD_GLOB = "shard-*.jsonl"
BASELINES = {"datasketch": "cleanwire.bench.baseline_datasketch", "rensa": "cleanwire.bench.baseline_rensa"}
TOOLS = ("datasketch", "rensa", "dedupe-only", "clean+dedupe")


@dataclass
class Run:
    """One measured run of one tool on one corpus."""

    tool: str  # datasketch | rensa | dedupe-only | clean+dedupe
    corpus: str  # raw | clean
    docs: int
    jobs: int
    profile: str = "default"  # the corpus's make-corpus --profile
    engine: str = "local"  # cleanwire's --engine
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    docs_per_s: float = 0.0
    peak_rss_mb: float = 0.0
    exit_code: int = 0
    ratio: float | None = None  # throughput over datasketch's on the same corpus
    rensa_ratio: float | None = None  # throughput over rensa's on the same corpus
    rensa_cpu_ratio: float | None = None  # rensa's CPU seconds over this run's
    alignments: int | None = None  # cleanwire's candidate pairs aligned in verification (--stats)
    cpu_ratio: float | None = None  # datasketch's CPU seconds over this run's (robust to a busy machine)
    scores: dict[str, float] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)  # cleanwire's --stats seconds per stage
    error: str = ""


def tree_rss(process: object) -> int:
    """Resident bytes of a process and all its descendants (0 for those that vanished meanwhile)."""
    import psutil

    total = 0
    procs = [process]
    try:
        procs += process.children(recursive=True)  # type: ignore[attr-defined]
    except psutil.Error:
        pass
    for proc in procs:
        try:
            total += proc.memory_info().rss  # type: ignore[attr-defined]
        except psutil.Error:
            pass
    return total


def measure(argv: list[str], stdout_path: Path, stderr_path: Path) -> tuple[float, float, int, int]:
    """Run argv as a child; return (wall s, CPU s of the tree, peak tree RSS bytes, exit code).

    CPU seconds come from wait4 (the child and the workers it waited for), so a figure stays
    comparable when other work shares the machine; wall time does not.
    """
    import psutil

    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        proc = psutil.Process(child.pid)
        peak = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss(proc))
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    return seconds, usage.ru_utime + usage.ru_stime, peak, child.returncode


def read_gold(corpus: Path) -> dict[str, tuple[str, str]]:
    """id -> (story cluster, copy type) from gold.jsonl."""
    gold = {}
    with open(corpus / "gold.jsonl", encoding="utf-8") as lines:
        for line in lines:
            rec = json.loads(line)
            gold[rec["id"]] = (rec["cluster"], rec["type"])
    return gold


def read_predicted(path: Path) -> Iterator[tuple[str, str]]:
    """(id, cluster label) per output line: datasketch's `cluster`, cleanwire's `canonical_id` or own id."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            rec = json.loads(line)
            label = rec.get("cluster") or rec.get("canonical_id") or rec["id"]
            yield str(rec["id"]), str(label)
            for dup in rec.get("duplicates") or ():
                # a canonical record that lists its duplicates (when --all is not honoured)
                if isinstance(dup, dict) and "id" in dup:
                    yield str(dup["id"]), str(label)


def pairs(sizes: Iterable[int]) -> int:
    """Number of unordered pairs inside groups of these sizes."""
    return sum(n * (n - 1) // 2 for n in sizes)


def score(gold: dict[str, tuple[str, str]], predicted: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Pairwise P/R/F1 (clusters as given), recall per copy type against the story's original, and lost ids."""
    pred: dict[str, str] = {}
    for doc_id, label in predicted:
        pred.setdefault(doc_id, label)
    lost = sum(1 for doc_id in gold if doc_id not in pred)
    label_of = {doc_id: pred.get(doc_id, "\0" + doc_id) for doc_id in gold}  # a lost id is its own singleton
    true_pos = pairs(Counter((label_of[d], g[0]) for d, g in gold.items()).values())
    pred_pairs = pairs(Counter(label_of.values()).values())
    gold_pairs = pairs(Counter(g[0] for g in gold.values()).values())
    precision = true_pos / pred_pairs if pred_pairs else 1.0
    recall = true_pos / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    original = {g[0]: d for d, g in gold.items() if g[1] == "original"}
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for doc_id, (cluster, kind) in gold.items():
        if kind != "original" and cluster in original:
            totals[kind] += 1
            hits[kind] += label_of[doc_id] == label_of[original[cluster]]
    out = {"P": precision, "R": recall, "F1": f1, "lost": float(lost)}
    for kind in KINDS[1:]:
        if totals[kind]:
            out[f"R_{kind}"] = hits[kind] / totals[kind]
    return out


def ensure_corpus(path: Path, docs: int, clean: bool, seed: int, shard_size: int, profile: str = "default") -> Path:
    """Generate the corpus at path unless a matching one is already there."""
    manifest = path / "manifest.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        if meta.get("docs") == docs and meta.get("clean") == clean and meta.get("seed") == seed \
                and meta.get("generator") == GENERATOR and meta.get("profile", "default") == profile:
            return path
    click.echo(f"generating {'clean' if clean else 'raw'} {profile} corpus of {docs:,} documents in {path}", err=True)
    write_corpus(path, docs, seed=seed, shard_size=shard_size, clean=clean, jobs=os.cpu_count() or 1,
                 profile=profile)
    return path


def corpus_path(corpus_dir: Path, profile: str, kind: str, docs: int) -> Path:
    """Where a generated corpus lives: raw-N, clean-N (default profile), wire-raw-N, wire-clean-N."""
    return corpus_dir / (f"{kind}-{docs}" if profile == "default" else f"{profile}-{kind}-{docs}")


def cleanwire_argv(corpus: Path, jobs: int, cleaning: bool, profile: Path | None = None,
                   engine: str = "local", stats: Path | None = None) -> list[str]:
    """The cleanwire CLI call the benchmark times."""
    head = [sys.executable]
    if profile is not None:
        head += ["-m", "cProfile", "-o", str(profile)]
    argv = head + ["-m", "cleanwire", "dedupe", str(corpus), "--glob", SHARD_GLOB, "--input-format", "jsonl",
                   "--format", "jsonl", "--all", "--quiet", "--jobs", str(jobs), "--engine", engine]
    if stats is not None:
        argv += ["--stats", str(stats)]  # cleanwire's own seconds per stage
    return argv if cleaning else argv + ["--no-clean"]


def run_tool(run: Run, corpus: Path, work: Path, gold: dict[str, tuple[str, str]]) -> Run:
    """Run one tool on one corpus, measure and score it."""
    name = (f"{run.tool}-{run.corpus}-{run.docs}-j{run.jobs}" + ("-ray" if run.engine == "ray" else "")
            + ("" if run.profile == "default" else f"-{run.profile}"))
    out, err = work / f"{name}.jsonl", work / f"{name}.stderr"
    if run.tool in BASELINES:
        argv = [sys.executable, "-m", BASELINES[run.tool], str(corpus), str(out)]
    else:
        argv = cleanwire_argv(corpus, run.jobs, cleaning=run.tool == "clean+dedupe", engine=run.engine,
                              stats=work / f"{name}.stats.json")
    click.echo(f"running {name}: {' '.join(argv[1:])}", err=True)
    run.seconds, run.cpu_seconds, peak, run.exit_code = measure(argv, out, err)
    run.peak_rss_mb = peak / 2**20
    run.docs_per_s = run.docs / run.seconds if run.seconds else 0.0
    if run.exit_code not in (0, 3):  # 3: duplicates found, only with --fail-on-duplicates
        tail = err.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        run.error = " | ".join(tail)[:300]
        return run
    run.scores = score(gold, read_predicted(out))
    stats = work / f"{name}.stats.json"
    if stats.exists():
        counted = json.loads(stats.read_text(encoding="utf-8"))
        run.stages = counted.get("seconds", {})
        run.alignments = counted.get("alignments")
    return run


def print_table(runs: list[Run]) -> None:
    """The results as a Markdown table on stdout."""
    kinds = [k for k in KINDS[1:]]
    head = ["docs", "profile", "corpus", "tool", "jobs", "wall s", "cpu s", "docs/s", "peak RSS MB", "x datasketch",
            "x ds cpu", "x rensa", "x rensa cpu", "align/doc", "P", "R", "F1"]
    head += [f"R {k}" for k in kinds]
    click.echo("| " + " | ".join(head) + " |")
    click.echo("|" + "---|" * len(head))
    for r in runs:
        tool = r.tool if r.engine == "local" else f"{r.tool} ({r.engine})"
        if r.error:
            cells = [f"{r.docs:,}", r.profile, r.corpus, tool, str(r.jobs), f"{r.seconds:.1f}", f"{r.cpu_seconds:.1f}",
                     "-", f"{r.peak_rss_mb:.0f}", "-", "-", "-", "-", "-", f"failed (exit {r.exit_code}): {r.error}"]
        else:
            cells = [f"{r.docs:,}", r.profile, r.corpus, tool, str(r.jobs), f"{r.seconds:.1f}", f"{r.cpu_seconds:.1f}",
                     f"{r.docs_per_s:,.0f}",
                     f"{r.peak_rss_mb:.0f}", f"{r.ratio:.1f}" if r.ratio is not None else "-",
                     f"{r.cpu_ratio:.1f}" if r.cpu_ratio is not None else "-",
                     f"{r.rensa_ratio:.2f}" if r.rensa_ratio is not None else "-",
                     f"{r.rensa_cpu_ratio:.2f}" if r.rensa_cpu_ratio is not None else "-",
                     f"{r.alignments / r.docs:.2f}" if r.alignments is not None and r.docs else "-"]
            cells += [f"{r.scores.get(k, 0):.3f}" for k in ("P", "R", "F1")]
            cells += [f"{r.scores[f'R_{k}']:.3f}" if f"R_{k}" in r.scores else "-" for k in kinds]
        click.echo("| " + " | ".join(cells) + " |")


FLOOR_DOCS = 100_000  # the size the issue sets its throughput floors at


# the floors, per corpus profile: (tool, corpus kind) -> (over datasketch, over rensa)
FLOORS: dict[str, dict[str, tuple[float | None, float | None]]] = {
    "default": {"clean+dedupe": (3.3, None), "dedupe-only": (11.9, None)},
    "wire": {"clean+dedupe": (4.0, 1.0), "dedupe-only": (None, 2.0)},
}
JOBS_SPEEDUP = 1.8  # --jobs 2 over --jobs 1
PEAK_RSS_MB_1M = 1536  # 1.5 GB at a million documents


def floors(runs: list[Run]) -> list[tuple[str, float, float, bool]]:
    """The issue's floors, checked on the runs there are: (what, measured, floor, met).

    The throughput floors are set for 100,000 documents and up; smaller runs are reported, not
    judged (a second of start-up is a tenth of a 10,000-document run).
    """
    checks = []
    by = {(r.profile, r.docs, r.tool, r.jobs): r for r in runs if not r.error and r.engine == "local"}
    for profile in sorted({r.profile for r in runs}):
        sizes = sorted({r.docs for r in runs if r.profile == profile})
        for n in sizes:
            if n < FLOOR_DOCS:
                continue
            for tool, (over_ds, over_rensa) in FLOORS.get(profile, {}).items():
                top = max((r for (p, d, t, _), r in by.items() if p == profile and d == n and t == tool),
                          key=lambda r: r.jobs, default=None)
                if top is None:
                    continue
                for floor, ratio, other in ((over_ds, top.ratio, "datasketch"), (over_rensa, top.rensa_ratio, "rensa")):
                    if floor is not None and ratio is not None:
                        checks.append((f"{profile} {n:,} {tool} --jobs {top.jobs} vs {other}", ratio, floor,
                                       ratio >= floor))
            for tool in ("clean+dedupe", "dedupe-only"):
                one, two = by.get((profile, n, tool, 1)), by.get((profile, n, tool, 2))
                if one and two:
                    speedup = two.docs_per_s / one.docs_per_s
                    checks.append((f"{profile} {n:,} {tool} --jobs 2 vs --jobs 1", speedup, JOBS_SPEEDUP,
                                   speedup >= JOBS_SPEEDUP))
            big = [r for r in runs if r.profile == profile and r.docs == n and r.tool not in BASELINES and not r.error]
            if n >= 1_000_000 and big:
                peak = max(r.peak_rss_mb for r in big)
                checks.append((f"{profile} {n:,} cleanwire peak RSS MB (< {PEAK_RSS_MB_1M})", peak,
                               float(PEAK_RSS_MB_1M), peak < PEAK_RSS_MB_1M))
        if len(sizes) > 1:
            for tool in ("clean+dedupe", "dedupe-only"):
                rates = [(n, max((r.docs_per_s for (p, d, t, _), r in by.items()
                                  if p == profile and d == n and t == tool), default=0.0)) for n in sizes]
                rates = [(n, rate) for n, rate in rates if rate]
                if len(rates) > 1:
                    kept = rates[-1][1] / rates[0][1]
                    checks.append((f"{profile} {tool} throughput at {rates[-1][0]:,} over {rates[0][0]:,} "
                                   "(near-linear)", kept, 0.7, kept >= 0.7))
    return checks


@click.command("scale")
@click.argument("corpus_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--docs", "sizes", multiple=True, type=click.IntRange(1),
              help="Corpus sizes; each gets raw-N/ and clean-N/ (wire-raw-N/, wire-clean-N/ for the wire "
                   "profile) under CORPUS_DIR (generated when missing). Without it, CORPUS_DIR is one corpus made "
                   "by make-corpus.")
@click.option("--corpus-profile", "profiles", default=",".join(PROFILES), show_default=True,
              help="make-corpus profiles to run with --docs, comma-separated.")
@click.option("--jobs", "jobs_list", default="1,2", show_default=True, help="cleanwire --jobs values, comma-separated.")
@click.option("--tools", default=",".join(TOOLS), show_default=True, help="Which rows to run, comma-separated.")
@click.option("--seed", type=int, default=1, show_default=True, help="Corpus seed.")
@click.option("--shard-size", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where outputs and stderr of each run go [default: CORPUS_DIR/runs].")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the runs as JSON.")
@click.option("--ray", "with_ray", is_flag=True,
              help="Also run each cleanwire row with --engine ray (a local Ray, --jobs at its largest).")
@click.option("--profile", is_flag=True,
              help="After the timed runs, profile cleanwire clean+dedupe --jobs 1 on the largest raw corpus "
                   "(the wire profile's when there is one; cProfile, top functions on stderr).")
def command(corpus_dir: Path, sizes: tuple[int, ...], profiles: str, jobs_list: str, tools: str, seed: int,
            shard_size: int, work_dir: Path | None, json_out: Path | None, with_ray: bool, profile: bool) -> None:
    """Throughput, peak memory, alignments and pairwise P/R of cleanwire against datasketch and rensa."""
    jobs_values = [int(j) for j in jobs_list.split(",") if j.strip()]
    wanted = [t.strip() for t in tools.split(",") if t.strip()]
    unknown = set(wanted) - set(TOOLS)
    if unknown:
        raise click.UsageError(f"unknown --tools: {', '.join(sorted(unknown))}")
    corpus_profiles = [p.strip() for p in profiles.split(",") if p.strip()]
    if set(corpus_profiles) - set(PROFILES):
        raise click.UsageError(f"unknown --corpus-profile: {profiles}")
    baselines = [t for t in wanted if t in BASELINES]
    corpora: list[tuple[int, str, str, Path]] = []  # (docs, profile, raw|clean, path)
    if sizes:
        for n in sizes:
            for name in corpus_profiles:
                # the baselines run on every corpus there is; a raw one is made when cleaning is measured
                if "clean+dedupe" in wanted or wanted == baselines:
                    corpora.append((n, name, "raw", ensure_corpus(corpus_path(corpus_dir, name, "raw", n), n, False,
                                                                  seed, shard_size, name)))
                if "dedupe-only" in wanted:
                    corpora.append((n, name, "clean", ensure_corpus(corpus_path(corpus_dir, name, "clean", n), n, True,
                                                                    seed, shard_size, name)))
    else:
        meta = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
        corpora.append((int(meta["docs"]), str(meta.get("profile", "default")), "clean" if meta["clean"] else "raw",
                        corpus_dir))
    work = work_dir or corpus_dir / "runs"
    work.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for n, name, kind, path in corpora:
        gold = read_gold(path)
        tool_rows = list(baselines)
        tool_rows += ["clean+dedupe"] if kind == "raw" and "clean+dedupe" in wanted else []
        tool_rows += ["dedupe-only"] if kind == "clean" and "dedupe-only" in wanted else []
        done: dict[str, Run] = {}
        for tool in tool_rows:
            variants = [(j, "local") for j in jobs_values]
            variants += [(max(jobs_values), "ray")] if with_ray else []
            for jobs, engine in [(1, "local")] if tool in BASELINES else variants:
                run = run_tool(Run(tool=tool, corpus=kind, docs=n, jobs=jobs, engine=engine, profile=name), path, work,
                               gold)
                if tool in BASELINES:
                    if not run.error:
                        done[tool] = run
                elif not run.error:
                    if "datasketch" in done:
                        run.ratio = run.docs_per_s / done["datasketch"].docs_per_s
                        if run.engine == "local" and run.cpu_seconds:  # Ray's workers are not our children
                            run.cpu_ratio = done["datasketch"].cpu_seconds / run.cpu_seconds
                    if "rensa" in done:
                        run.rensa_ratio = run.docs_per_s / done["rensa"].docs_per_s
                        if run.engine == "local" and run.cpu_seconds:
                            run.rensa_cpu_ratio = done["rensa"].cpu_seconds / run.cpu_seconds
                runs.append(run)
                click.echo(json.dumps(asdict(run)), err=True)
    print_table(runs)
    checks = floors(runs)
    if checks:
        click.echo("")
        click.echo("| floor | measured | needed | met |")
        click.echo("|---|---|---|---|")
        for what, measured, needed, met in checks:
            click.echo(f"| {what} | {measured:.2f} | {needed:g} | {'yes' if met else 'NO'} |")
    if json_out is not None:
        json_out.write_text(json.dumps([asdict(r) for r in runs], indent=1) + "\n", encoding="utf-8")
    if profile:
        raw = [c for c in corpora if c[2] == "raw"]
        if raw:
            n, name, _, path = max(raw, key=lambda c: (c[0], c[1] == "wire"))
            prof = work / f"profile-clean+dedupe-{name}-{n}.prof"
            measure(cleanwire_argv(path, 1, cleaning=True, profile=prof), work / "profile.jsonl",
                    work / "profile.stderr")
            import pstats

            stats = pstats.Stats(str(prof), stream=sys.stderr)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)


# ---------------------------------------------------------------- compressed inputs (issue 17)


def compressed_rows(corpus: Path, work: Path, jobs: int, repeats: int = 2) -> list[dict[str, object]]:
    """The same corpus read as JSON lines and as zstd-compressed JSON lines, run side by side.

    Each form is run `repeats` times, alternating, and the fastest run counts (the machine may be shared).
    The outputs must be the same records: `source` aside, which names the file read.
    """
    import zstandard

    packed = work / "zstd-corpus"
    packed.mkdir(parents=True, exist_ok=True)
    shards = sorted(corpus.glob(SHARD_GLOB))
    for shard in shards:
        target = packed / (shard.name + ".zst")
        if not target.exists():
            with open(shard, "rb") as src, open(target, "wb") as dst:
                zstandard.ZstdCompressor(level=3, write_checksum=True).copy_stream(src, dst)
    forms = {"jsonl": (corpus, SHARD_GLOB), "jsonl.zst": (packed, SHARD_GLOB + ".zst")}
    best: dict[str, float] = {}
    outputs: dict[str, Path] = {}
    for _ in range(repeats):
        for form, (path, glob) in forms.items():
            argv = cleanwire_argv(path, jobs, cleaning=True)
            argv[argv.index("--glob") + 1] = glob
            out, err = work / f"form-{form}-j{jobs}.jsonl", work / f"form-{form}-j{jobs}.stderr"
            click.echo(f"running {form}: {' '.join(argv[1:])}", err=True)
            seconds, _, _, code = measure(argv, out, err)
            if code != 0:
                raise click.ClickException(f"{form}: exit code {code}; see {err}")
            best[form] = min(best.get(form, seconds), seconds)
            outputs[form] = out
    same = _without_source(outputs["jsonl"]) == _without_source(outputs["jsonl.zst"])
    size = {form: sum(p.stat().st_size for p in path.glob(glob)) for form, (path, glob) in forms.items()}
    return [{"form": form, "bytes": size[form], "seconds": round(best[form], 2),
             "vs_jsonl": round(best[form] / best["jsonl"], 3), "same_output": same} for form in forms]


def _without_source(path: Path) -> list[dict[str, object]]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for record in records:
        record.pop("source", None)
    return records


@click.command("formats")
@click.argument("corpus_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--jobs", type=click.IntRange(1), default=1, show_default=True)
@click.option("--repeats", type=click.IntRange(1), default=2, show_default=True)
def formats_command(corpus_dir: Path, jobs: int, repeats: int) -> None:
    """Throughput of one corpus (made by make-corpus) read as JSON lines and as zstd-compressed JSON lines."""
    rows = compressed_rows(corpus_dir, corpus_dir / "runs", jobs, repeats)
    click.echo("| input form | bytes | seconds (best of runs) | time vs .jsonl | same records |")
    click.echo("|---|---|---|---|---|")
    for row in rows:
        click.echo(f"| {row['form']} | {row['bytes']:,} | {row['seconds']} | {row['vs_jsonl']} | "
                   f"{'yes' if row['same_output'] else 'NO'} |")
