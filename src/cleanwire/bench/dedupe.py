"""Duplicate detection on the dedup dev set: cleanwire against datasketch MinHashLSH, full set and batches."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from cleanwire.bench import load_scorer
from cleanwire.cluster import build_clusters
from cleanwire.config import DedupConfig
from cleanwire.fingerprint import signature
from cleanwire.match import find_matches
from cleanwire.verify import verify

WORD = re.compile(r"\w+")
Cleaner = Callable[[Sequence[str]], list[str]]


def stand_in_clean(texts: Sequence[str]) -> list[str]:
    """Keep lines with at least 10 word tokens (the trivial cleaner of the cleaning dev set)."""
    return ["\n".join(line for line in text.splitlines() if len(WORD.findall(line)) >= 10) for text in texts]


def make_cleaner(stand_in: bool = False) -> tuple[str, Cleaner]:
    """cleanwire's two-pass text-dump cleaner over the given texts, or the stand-in until it lands."""
    if stand_in:
        return "stand-in (lines >= 10 words)", stand_in_clean
    try:
        from cleanwire.clean import TemplateModel, clean_text_dump
    except ImportError:
        return "stand-in (lines >= 10 words)", stand_in_clean

    def clean(texts: Sequence[str]) -> list[str]:
        model = TemplateModel()
        for text in texts:
            model.add(text)
        model.freeze()
        return [clean_text_dump(text, model).body for text in texts]

    return "cleanwire.clean", clean


def cleanwire_clusters(texts: Sequence[str], cfg: DedupConfig,
                       work: list[tuple[int, int, int]] | None = None) -> list[int]:
    """Cluster label (canonical ordinal) of each text; `work` gets (documents, alignments, candidate pairs
    that are not exact copies: what aligning every pair would cost)."""
    signatures = [signature(t, cfg) for t in texts]
    aligned: list[int] = []
    pairs: list[int] = []

    def judged(done: int, total: int) -> None:
        if not pairs:  # the first call: the exact copies, matched without an alignment
            pairs.append(total - done)

    matches = find_matches(signatures, lambda ords: {i: texts[i] for i in ords}, cfg, on_verified=judged,
                           on_aligned=aligned.append)
    if work is not None:
        work.append((len(texts), sum(aligned), pairs[0] if pairs else 0))
    clusters = build_clusters(len(texts), matches, [s.length for s in signatures])
    label = list(range(len(texts)))
    for c in clusters:
        for ordinal in c.ordinals:
            label[ordinal] = c.canonical
    return label


def datasketch_clusters(texts: Sequence[str]) -> list[int]:
    """MinHashLSH (threshold 0.5, 128 permutations, word 5-grams), every candidate a duplicate, union-find."""
    from datasketch import MinHash, MinHashLSH

    from cleanwire.bench.baseline_datasketch import find  # the baseline's union-find: one copy of it

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    parent = list(range(len(texts)))
    for i, text in enumerate(texts):
        tokens = WORD.findall(text.lower())
        grams = [" ".join(tokens[k:k + 5]).encode() for k in range(max(1, len(tokens) - 4))]
        mh = MinHash(num_perm=128, seed=1)
        mh.update_batch(grams)
        for other in lsh.query(mh):
            a, b = find(parent, i), find(parent, other)
            if a != b:
                parent[max(a, b)] = min(a, b)
        lsh.insert(i, mh, check_duplication=False)
    return [find(parent, i) for i in range(len(texts))]


def run_methods(dev_dir: Path, cfg: DedupConfig, methods: dict[str, Callable[[Sequence[str]], list[int]]],
                clean: Cleaner, batches_only: bool = False) -> dict[str, Any]:
    """Scores and times of each method, full set and batches, on the same cleaned documents."""
    score = load_scorer(dev_dir, "dev_dedup_score")
    gold = {r["id"]: r for r in score.load_jsonl(dev_dir / "clusters.jsonl")}
    batches = score.load_jsonl(dev_dir / "batches.jsonl")
    ids = sorted(gold)
    raw = {i: (dev_dir / "docs" / f"{i}.txt").read_text(encoding="utf-8") for i in ids}
    started = time.perf_counter()
    full_clean = dict(zip(ids, clean([raw[i] for i in ids])))
    clean_seconds = time.perf_counter() - started
    batch_clean = {b["batch"]: clean([raw[i] for i in b["ids"]]) for b in batches}
    out: dict[str, Any] = {"clean_seconds": clean_seconds, "full_clean": full_clean, "raw": raw, "gold": gold,
                           "batch_clean": {b["batch"]: dict(zip(b["ids"], batch_clean[b["batch"]])) for b in batches}}
    for name, method in methods.items():
        res: dict[str, Any] = {}
        if not batches_only:
            started = time.perf_counter()
            labels = method([full_clean[i] for i in ids])
            res["seconds"] = time.perf_counter() - started
            rows = [{"id": i, "cluster": str(label)} for i, label in zip(ids, labels)]
            res["full"] = score.score_full(gold, rows, True, 1000)
        rows = []
        started = time.perf_counter()
        for b in batches:
            labels = method(batch_clean[b["batch"]])
            rows += [{"batch": b["batch"], "id": i, "cluster": str(label)} for i, label in zip(b["ids"], labels)]
        res["batch_seconds"] = time.perf_counter() - started
        res["batches"] = score.score_batches(gold, batches, rows, True, 1000)
        res["template_merges"] = template_merges(gold, batches, rows)
        out[name] = res
    return out


def template_merges(gold: dict[str, Any], batches: list[dict[str, Any]], rows: list[dict[str, Any]]) -> int:
    """Batches in which a copy shares a cluster with the page whose template it wears."""
    label = {(r["batch"], r["id"]): r["cluster"] for r in rows}
    bad = 0
    for b in batches:
        for i in b["ids"]:
            donor = gold[i]["template_from"]
            if donor in b["ids"] and label[(b["batch"], i)] == label[(b["batch"], donor)]:
                bad += 1
                break
    return bad


def _grams(text: str) -> set[tuple[str, ...]]:
    """Word 4-grams of a text (lower-cased \\w+ tokens)."""
    words = WORD.findall(text.lower())
    return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}


def body_quality(doc_id: str, body: str, out: dict[str, Any], dev_dir: Path) -> dict[str, Any] | None:
    """How well a clean body holds its story: share of it in the story's labelled body (precision)
    and share of that body, as far as the page has it, that it kept (recall); None without a truth."""
    gold = out["gold"]
    page = next((r["page"] for r in gold.values() if r["cluster"] == gold[doc_id]["cluster"] and r["page"]), None)
    truth_path = dev_dir.parent / "cleaning" / "truth" / f"{page}.txt"
    if page is None or not truth_path.exists():
        return None
    truth, kept, present = _grams(truth_path.read_text(encoding="utf-8")), _grams(body), _grams(out["raw"][doc_id])
    on_page = truth & present
    return {"words": len(WORD.findall(body)), "precision": round(len(kept & truth) / max(1, len(kept)), 2),
            "recall": round(len(kept & on_page) / max(1, len(on_page)), 2)}


def explain_errors(out: dict[str, Any], cfg: DedupConfig, dev_dir: Path) -> Iterator[dict[str, Any]]:
    """cleanwire's missed and wrong pairs with their scores and the quality of both clean bodies."""
    for mode in ("full", "batches"):
        res = out["cleanwire"][mode]
        for key in ("false_negatives", "false_positives"):
            for pair in res.get(key, []):
                texts = out["full_clean"] if mode == "full" else out["batch_clean"][pair["batch"]]
                relation, similarity, containment = verify(texts[pair["a"]], texts[pair["b"]], cfg)
                quality = {side: body_quality(pair[side], texts[pair[side]], out, dev_dir) for side in ("a", "b")}
                off = [q for q in quality.values() if q and (q["precision"] < 0.7 or q["recall"] < 0.8)]
                yield {"mode": mode, "error": key[:-1], **pair, "relation": relation,
                       "similarity": round(similarity, 3), "containment": round(containment, 3),
                       "a_body": quality["a"], "b_body": quality["b"], "body_off": bool(off)}


def _recall(res: dict[str, Any], kind: str) -> str:
    entry = res["recall_by_type"].get(kind)
    return f"{entry['recall']:.3f}" if entry else "-"


@click.command()
@click.argument("dev_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--errors", is_flag=True, help="List cleanwire's missed and wrong pairs.")
@click.option("--no-baseline", is_flag=True, help="Skip datasketch.")
@click.option("--stand-in", is_flag=True, help="Clean with 'keep lines >= 10 words' instead of cleanwire.clean.")
@click.option("--busy-from", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The cleaning dev set the busy-page set is built from [default: the one DEV_DIR was made from, "
                   "../cleaning for dedup, ../cleaning2 for dedup2]; 'none' skips it.")
def command(dev_dir: Path, errors: bool, no_baseline: bool, stand_in: bool, busy_from: Path | None) -> None:
    """Duplicate detection on the dedup dev set, against datasketch MinHashLSH."""
    cfg = DedupConfig()
    cleaner_name, clean = make_cleaner(stand_in)
    work: list[tuple[int, int, int]] = []  # per cleanwire call: documents, alignments, candidate pairs
    methods: dict[str, Callable[[Sequence[str]], list[int]]] = {
        "cleanwire": lambda texts: cleanwire_clusters(texts, cfg, work)}
    if not no_baseline:
        methods["datasketch"] = datasketch_clusters
    out = run_methods(dev_dir, cfg, methods, clean)
    kinds = ["excerpt", "wrapped", "glued", "edited", "reordered", "copy-copy", "natural"]
    click.echo(f"cleaner: {cleaner_name} ({out['clean_seconds']:.1f} s); same clean texts for every method")
    click.echo("full set      | P     | R     | F1    | " + " | ".join(f"{k[:9]:9s}" for k in kinds)
               + " | FP cause                    | dedupe s")
    for name in methods:
        r = out[name]["full"]
        causes = ", ".join(f"{k} {v}" for k, v in sorted(r["fp_by_cause"].items()))
        click.echo(f"{name:13s} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
                   + " | ".join(f"{_recall(r, k):9s}" for k in kinds) + f" | {causes:27s} | {out[name]['seconds']:.2f}")
    click.echo("batches       | P     | R     | F1    | exact | excerpt | template merges | FP by role | dedupe s")
    for name in methods:
        r = out[name]["batches"]
        roles = ", ".join(f"{k} {v}" for k, v in sorted(r["fp_by_role"].items()))
        click.echo(f"{name:13s} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
                   f"{r['batches_exact']:.3f} | {_recall(r, 'excerpt'):7s} | {out[name]['template_merges']:15d} | "
                   f"{roles} | {out[name]['batch_seconds']:.2f}")
    if work:
        (docs, aligned, pairs), rest = work[0], work[1:]
        click.echo(f"cleanwire alignments: full set {aligned:,} for {docs:,} documents ({aligned / docs:.2f} per "
                   f"document; every candidate pair: {pairs:,}, {pairs / docs:.2f} per document); batches "
                   f"{sum(w[1] for w in rest) / max(1, sum(w[0] for w in rest)):.2f} per document")
    busy_dir = busy_from or dev_dir.parent / ("cleaning" + dev_dir.name.removeprefix("dedup"))
    if str(busy_dir) != "none" and (busy_dir / "pages.tsv").exists():
        _busy_table(busy_dir, methods, clean, errors)
    _echo_event_set(dev_dir, methods)
    if errors:
        listed = list(explain_errors(out, cfg, dev_dir))
        for row in listed:
            click.echo(json.dumps(row))
        off = sum(row["body_off"] for row in listed)
        click.echo(f"{len(listed)} errors; in {off} of them a clean body misses most of its story or holds mostly "
                   "other text (precision < 0.7 or recall < 0.8 against the labelled body)")


def _busy_table(busy_dir: Path, methods: dict[str, Callable[[Sequence[str]], list[int]]], clean: Cleaner,
                errors: bool) -> None:
    """The busy-page set (copies inside host pages with comments, forums, teasers), built from `busy_dir`."""
    from cleanwire.bench.busy import COPY_TYPES, run_busy

    busy, results = run_busy(busy_dir, methods, clean)
    kinds = [*COPY_TYPES, "copy-copy"]
    copies = Counter(g["type"] for g in busy.gold.values())
    click.echo(f"busy pages    ({len(busy.ids)} docs built from {busy_dir.name}: "
               + ", ".join(f"{copies[k]} {k}" for k in (*COPY_TYPES, "original", "host")) + ")")
    click.echo("busy set      | P     | R     | F1    | " + " | ".join(f"{k:9s}" for k in kinds) + " | FP cause")
    for name, r in results.items():
        causes = ", ".join(f"{k} {v}" for k, v in sorted(r["fp_by_cause"].items()))
        click.echo(f"{name:13s} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
                   + " | ".join(f"{_recall(r, k):9s}" for k in kinds) + f" | {causes}")
    if errors:
        gold = busy.gold
        for key in ("missed", "false"):
            for a, b in results["cleanwire"][key]:
                click.echo(json.dumps({"set": "busy", "error": key, "a": a, "b": b,
                                       "types": [gold[a]["type"], gold[b]["type"]],
                                       "pages": [gold[a]["page"], gold[b]["page"]],
                                       "hosts": [gold[a]["host"], gold[b]["host"]]}))
def _echo_event_set(dev_dir: Path, methods: dict[str, Callable[[Sequence[str]], list[int]]]) -> None:
    """The table of the event set (quotes, digests, updates, teasers) built from the pages behind `dev_dir`."""
    from cleanwire.bench.event import EVENT_KINDS, has_event_pages, run_event_set

    if not has_event_pages(dev_dir):
        click.echo(f"event set    | not built: no labelled bodies beside {dev_dir}")
        return
    event = run_event_set(dev_dir, methods)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(event["kinds"].items()))
    click.echo(f"event set ({event['documents']} documents: {kinds}; clean bodies, built from the dev pages)")
    click.echo("event set     | P     | R     | F1    | " + " | ".join(f"{k[:12]:12s}" for k in EVENT_KINDS)
               + " | false pairs")
    for name in methods:
        r = event[name]
        f1 = 2 * r["precision"] * r["recall"] / max(1e-9, r["precision"] + r["recall"])
        wrong = ", ".join(f"{k} {v}" for k, v in r["false_pairs"].items())
        click.echo(f"{name:13s} | {r['precision']:.3f} | {r['recall']:.3f} | {f1:.3f} | "
                   + " | ".join(f"{r['recall_by_kind'].get(k, float('nan')):<12.3f}" for k in EVENT_KINDS)
                   + f" | {wrong}")
