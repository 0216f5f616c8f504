"""The rensa baseline: Rust MinHash (128 slots) over word 5-grams, its LSH at threshold 0.5, union-find.

rensa (`pip install rensa`) is the fast MinHash library users reach for. Run as a child process by
the scale benchmark, like the datasketch baseline, on the same shingles and union-find:
`python -m cleanwire.bench.baseline_rensa CORPUS_DIR OUT.jsonl`. It writes one `{"id", "cluster"}` line
per document and a timing line on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cleanwire.bench.baseline_datasketch import NUM_PERM, SHINGLE_WORDS, THRESHOLD, WORD, child_main, cluster

# rensa's LSH needs a number of bands that divides the slots: 32 bands of 4 rows puts the steep part
# of the S-curve at about 0.42, the nearest to datasketch's 25 x 5 (0.52) for threshold 0.5
NUM_BANDS = 32


def shingles(text: str) -> list[str]:
    """Word 5-grams of the lower-cased `\\w+` tokens (the whole text when shorter), as datasketch's baseline."""
    tokens = WORD.findall(text.lower())
    if len(tokens) < SHINGLE_WORDS:
        return [" ".join(tokens)]
    return [" ".join(tokens[i:i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1)]


def run(corpus_dir: Path, out_path: Path) -> int:
    """Cluster the corpus with rensa's MinHash and LSH."""
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=NUM_BANDS)

    def sketch(text: str) -> RMinHash:
        minhash = RMinHash(num_perm=NUM_PERM, seed=1)
        minhash.update(shingles(text))
        return minhash

    return cluster(corpus_dir, out_path, sketch, lsh.query, lsh.insert)


def main(argv: list[str]) -> int:
    """Entry point for the child process."""
    try:
        import rensa  # noqa: F401
    except ImportError:
        print("error: rensa is not installed (pip install '.[bench]')", file=sys.stderr)
        return 2
    return child_main(argv, "cleanwire.bench.baseline_rensa", run)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
