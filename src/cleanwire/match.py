"""The match stage: candidate pairs, verified in batches (by group of connected documents), as sorted matches."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from cleanwire.candidates import PairCodes, SharedFingerprints, TaskMap, candidate_codes
from cleanwire.cluster import component_roots
from cleanwire.config import DedupConfig
from cleanwire.digest import separate_digests
from cleanwire.signatures import Signature, signature_columns
from cleanwire.verify import Match, verify_batch


def find_matches(
    signatures: Sequence[Signature],
    load_texts: Callable[[Sequence[int]], Mapping[int, str] | Any],
    cfg: DedupConfig,
    map_batches: TaskMap | None = None,
    on_found: Callable[[list[Match]], None] | None = None,
    shared: SharedFingerprints | None = None,
    on_verified: Callable[[int, int], None] | None = None,
    known_from: int | None = None,
) -> list[Match]:
    """Verified matches among all documents, sorted by (a, b).

    Candidate pairs are verified in batches of `cfg.batch_pairs`; `load_texts` gives the texts of
    one batch at a time, so only those are held (or an object whose `load()` gives them, read
    where the batch is verified). `map_batches(fn, batches, cfg)` (an engine's
    ordered map, e.g. over a process pool) runs the verification; by default it runs here.
    `on_found` is given the matches of each batch as soon as they are verified. With `shared`
    fingerprint files, the candidate search runs on `map_batches` too. `on_verified(done, total)` is told
    how many candidate pairs were just judged, of all of them: the exact ones at once, then each batch.
    Documents numbered `known_from` and up were matched among themselves before (an index's): their
    pairs are neither searched nor verified again.
    """
    codes = candidate_codes(signatures, cfg, map_batches, shared)
    if known_from is not None:  # a < b: both are known when a is
        codes = codes[PairCodes.firsts(codes) < np.uint64(known_from)]
    a, b = PairCodes.unpack(codes)
    words, exact, _ = signature_columns(signatures)
    same = exact[a] == exact[b]
    matches = [Match(i, j, "exact", 1.0, 1.0) for i, j in zip(a[same].tolist(), b[same].tolist())]  # no text needed

    def batches() -> Iterator[tuple[list[tuple[int, int]], Mapping[int, str]]]:
        # pairs of one group of connected candidates go into one batch where they fit, so a
        # text is loaded and tokenised about once rather than once per pair
        for start in range(0, len(pending), cfg.batch_pairs):
            batch = pending[start:start + cfg.batch_pairs]
            yield batch, load_texts(sorted({i for pair in batch for i in pair}))

    pending = _by_component(a[~same], b[~same])

    if on_found is not None:
        on_found(matches)
    if on_verified is not None:
        on_verified(len(matches), len(a))
    run = map_batches or (lambda fn, items, state: (fn(item, state) for item in items))
    for number, found in enumerate(run(verify_batch, batches(), cfg)):
        matches.extend(found)
        if on_found is not None:
            on_found(found)  # while the workers verify the next batches
        if on_verified is not None:  # the batches come back in order: this one's size is known
            on_verified(min(cfg.batch_pairs, len(pending) - number * cfg.batch_pairs), len(a))
    # a page holding several stories (a digest, a live blog) is no version of any: its matches to them do not cluster
    matches = separate_digests(matches, words, load_texts, cfg)
    order = np.lexsort((np.fromiter((m.b for m in matches), dtype=np.int64, count=len(matches)),
                        np.fromiter((m.a for m in matches), dtype=np.int64, count=len(matches))))
    return [matches[i] for i in order.tolist()]


def _by_component(a: np.ndarray, b: np.ndarray) -> list[tuple[int, int]]:
    """The pairs (a[i], b[i]) ordered by connected component (its smallest document), then by (a, b)."""
    if not len(a):
        return []
    nodes, ends = np.unique(np.concatenate([a, b]), return_inverse=True)
    root = nodes[component_roots(ends[:len(a)], ends[len(a):], len(nodes))[ends[:len(a)]]]
    order = np.lexsort((b, a, root))
    return list(zip(a[order].tolist(), b[order].tolist()))
