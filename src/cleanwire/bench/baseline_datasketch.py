"""The datasketch baseline: MinHash (128 permutations) over word 5-grams, MinHashLSH at 0.5, union-find.

Run as a child process by the scale benchmark, so its time and memory are measured on
their own: `python -m cleanwire.bench.baseline_datasketch CORPUS_DIR OUT.jsonl`.
It writes one `{"id", "cluster"}` line per document and a timing line on stderr.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
THRESHOLD = 0.5
SHINGLE_WORDS = 5
WORD = re.compile(r"\w+")
S = TypeVar("S")


def read_corpus(corpus_dir: Path) -> Iterator[tuple[str, str]]:
    """Yield (id, text) from the corpus shards in name order."""
    for shard in sorted(corpus_dir.glob("shard-*.jsonl")):
        with open(shard, encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                yield record["id"], record["text"]


def shingles(text: str) -> list[bytes]:
    """Word 5-grams of the lower-cased `\\w+` tokens (the whole text when shorter)."""
    tokens = WORD.findall(text.lower())
    if len(tokens) < SHINGLE_WORDS:
        return [" ".join(tokens).encode("utf-8")]
    return [" ".join(tokens[i:i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(tokens) - SHINGLE_WORDS + 1)]


def find(parent: list[int], x: int) -> int:
    """Union-find root with path halving."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def cluster(
    corpus_dir: Path,
    out_path: Path,
    sketch: Callable[[str], S],
    query: Callable[[S], Iterable[int]],
    insert: Callable[[int, S], None],
) -> int:
    """Stream the corpus through an LSH index; every candidate pair it returns joins two clusters.

    `sketch` turns a text into a signature, `query` gives the indexes of earlier documents that are
    candidates for it, `insert` adds it under its index. Writes `{"id", "cluster"}` lines.
    """
    ids: list[str] = []
    parent: list[int] = []
    for doc_id, text in read_corpus(corpus_dir):
        signature = sketch(text)
        index = len(ids)
        ids.append(doc_id)
        parent.append(index)
        for other in query(signature):
            a, b = find(parent, index), find(parent, other)
            if a != b:
                parent[max(a, b)] = min(a, b)
        insert(index, signature)
    with open(out_path, "w", encoding="utf-8") as out:
        for index, doc_id in enumerate(ids):
            out.write(json.dumps({"id": doc_id, "cluster": ids[find(parent, index)]}) + "\n")
    return len(ids)


def run(corpus_dir: Path, out_path: Path) -> int:
    """Cluster the corpus with datasketch's MinHash and MinHashLSH."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)

    def sketch(text: str) -> MinHash:
        minhash = MinHash(num_perm=NUM_PERM, seed=1)
        minhash.update_batch(shingles(text))
        return minhash

    def insert(index: int, minhash: MinHash) -> None:
        lsh.insert(index, minhash, check_duplication=False)

    return cluster(corpus_dir, out_path, sketch, lsh.query, insert)


def child_main(argv: list[str], module: str, run: Callable[[Path, Path], int]) -> int:
    """A baseline's child process: `python -m MODULE CORPUS_DIR OUT.jsonl`, its timing line on stderr."""
    if len(argv) != 2:
        print(f"usage: python -m {module} CORPUS_DIR OUT.jsonl", file=sys.stderr)
        return 2
    start = time.perf_counter()
    count = run(Path(argv[0]), Path(argv[1]))
    print(json.dumps({"docs": count, "seconds": round(time.perf_counter() - start, 3)}), file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    """Entry point for the child process."""
    return child_main(argv, "cleanwire.bench.baseline_datasketch", run)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
