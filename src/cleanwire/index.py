"""A persistent index of deduplicated documents in SQLite: what a run matches against, and adds to.

Per document the index holds its id, its story (the rowid of the story's canonical), the exact hash,
the compressed match key (fingerprints, lengths and verification all come from it), source, title,
url, date and when it was added; per fingerprint (31 bits of it) the documents that have it; and
every verified match between indexed documents. A run with `--index` or `--against` looks up
the batch's fingerprints and exact hashes, loads the indexed documents that share enough of them
together with the whole stories they belong to, and hands them to the match stage as documents that
are already clustered: their matches are the stored ones, only pairs with a batch document are
searched and verified. Only what the batch touches is read, so a run costs what its batch costs.

A writing run takes the index's write lock when it opens it (another waits up to `wait` seconds,
then fails with one line) and commits all it adds in one transaction at the end: a run killed at
any moment leaves the index as it was.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import numpy as np
import zstandard

from cleanwire.cluster import Cluster, linked_clusters
from cleanwire.config import Config
from cleanwire.errors import ConfigError
from cleanwire.fingerprint import match_key, signatures
from cleanwire.results import DedupeResult
from cleanwire.signatures import Signatures, SignatureStore
from cleanwire.spill import Spill
from cleanwire.verify import Match

FORMAT = "cleanwire-index"
VERSION = 2  # 2: match keys zstd-compressed with a dictionary kept in the index (1: zlib, no `dicts` table)
READS = (1, 2)  # versions this cleanwire opens; a writing run upgrades a version 1 index in place
DEFAULT_WAIT = 60.0  # seconds a writing run waits for another run's lock on the index
_KEY_MASK = np.uint64((1 << 31) - 1)  # a fingerprint's low 31 bits address its postings (4 bytes in SQLite)
_SQLITE_HEADER = b"SQLite format 3\x00"
_CACHE_KIB = 64 * 1024
# a document's row holds its compressed match key (1-2 KB for a news story): in 4 KB pages two or three fit and
# a quarter of each page is lost; in 16 KB pages about a twentieth
_PAGE_BYTES = 16384
_ZSTD_LEVEL = 12  # match keys: level 19 makes them 4% smaller and 4x slower to write
_DICT_BYTES = 64 * 1024  # the dictionary trained from an index's first batch (of at least _TRAIN_MIN documents)
_TRAIN_MIN = 200
_TRAIN_DOCS = 2000  # the keys it is trained on, taken evenly over the batch
_ZLIB_FIRST = 0x78  # the first byte of a zlib stream (version 1 keys); a zstd frame starts with 0x28

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    story INTEGER NOT NULL,
    exact INTEGER NOT NULL,
    added TEXT NOT NULL,
    source TEXT, title TEXT, url TEXT, date TEXT,
    key BLOB NOT NULL
);
CREATE INDEX docs_story ON docs(story);
CREATE INDEX docs_exact ON docs(exact);
CREATE TABLE postings(h INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (h, doc)) WITHOUT ROWID;
CREATE TABLE edges(a INTEGER NOT NULL, b INTEGER NOT NULL, relation TEXT NOT NULL, similarity REAL NOT NULL,
                   containment REAL NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX edges_b ON edges(b);
CREATE TABLE dicts(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""


class IndexFileError(ConfigError):
    """An index that cannot be used: missing, corrupt, foreign, of other settings, or locked too long."""


def index_settings(config: Config) -> dict[str, Any]:
    """The settings that shape what the index stores (fingerprints, verified matches, canonicals)."""
    d = config.dedup
    return {"shingle_chars": d.shingle_chars, "sample_mod": d.sample_mod, "max_hashes": d.max_hashes,
            "lead_chars": d.lead_chars, "short_words": d.short_words, "seed": d.seed, "min_block": d.min_block,
            "near_threshold": d.near_threshold, "excerpt_threshold": d.excerpt_threshold,
            "short_similarity": d.short_similarity, "keep": config.keep}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _signed(values: np.ndarray) -> list[int]:
    """uint64 values as SQLite's signed 64-bit integers."""
    out: list[int] = values.astype(np.uint64).view(np.int64).tolist()
    return out


def _posting_keys(hashes: np.ndarray) -> np.ndarray:
    """The distinct posting keys of one document's fingerprints."""
    return np.unique(hashes & _KEY_MASK).astype(np.int64)


class KeyCodec:
    """Match keys in and out of the index: zstd frames, with the index's dictionary once it has one.

    Each frame names the dictionary it was made with (its id is the row in `dicts`; 0 for none), so keys
    written before the index had a dictionary stay readable, as do version 1's zlib keys.
    """

    def __init__(self, dicts: Iterable[tuple[int, bytes]]) -> None:
        self._dicts = {i: zstandard.ZstdCompressionDict(data) for i, data in dicts}
        self._decompressors = {i: zstandard.ZstdDecompressor(dict_data=d) for i, d in self._dicts.items()}
        self._decompressors[0] = zstandard.ZstdDecompressor()
        newest = max(self._dicts, default=0)
        self.dict_id = newest
        self._compressor = zstandard.ZstdCompressor(level=_ZSTD_LEVEL, dict_data=self._dicts.get(newest),
                                                    write_dict_id=True, write_content_size=True)

    @staticmethod
    def train(keys: Sequence[str], dict_id: int) -> bytes | None:
        """A dictionary (its bytes) trained on `keys`, or None when they are too few or too small for one."""
        samples: list[bytes | bytearray | memoryview] = [k.encode("utf-8", "surrogatepass") for k in keys if k]
        size = min(_DICT_BYTES, sum(map(len, samples)) // 10)
        if len(samples) < _TRAIN_MIN or size < 1024:
            return None
        try:  # fastcover with fixed parameters: a few seconds, deterministic
            trained = zstandard.train_dictionary(size, samples, k=200, d=8, steps=4, threads=1, dict_id=dict_id,
                                                 level=_ZSTD_LEVEL)
        except zstandard.ZstdError:
            return None
        data: bytes = trained.as_bytes()
        return data

    def compress(self, key: str) -> bytes:
        out: bytes = self._compressor.compress(key.encode("utf-8", "surrogatepass"))
        return out

    def decompress(self, blob: bytes) -> str:
        if blob[:1] == bytes([_ZLIB_FIRST]):
            return zlib.decompress(blob).decode("utf-8", "surrogatepass")
        dict_id = zstandard.get_frame_parameters(blob).dict_id
        decompressor = self._decompressors.get(dict_id)
        if decompressor is None:
            raise sqlite3.DatabaseError(f"a match key needs dictionary {dict_id}, which the index lacks")
        out: str = decompressor.decompress(blob).decode("utf-8", "surrogatepass")
        return out


@dataclass
class Loaded:
    """Indexed documents a batch touches, ready to join the match stage after the batch's own.

    `rowids`, `ids`, `keys`, `exact` and `signatures` are those of the documents loaded (in rowid
    order); `known` maps a batch ordinal to its rowid when the batch document is already in the index
    (same id, same text: a run again); `edges` are the stored matches among the loaded and known ones.
    """

    rowids: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    stories: list[int] = field(default_factory=list)
    signatures: Signatures = field(default_factory=Signatures.empty)
    known: dict[int, int] = field(default_factory=dict)
    renamed: dict[int, str] = field(default_factory=dict)  # batch ordinal -> a free id (its id was taken)
    edges: list[tuple[int, int, str, float, float]] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)  # this run's verified matches, in matcher numbers
    batch: int = 0  # documents of the batch (ordinals below this)
    signed: int = 0  # batch documents the matcher saw (its numbers below this)

    def __len__(self) -> int:
        return len(self.rowids)

    def spill_blob(self) -> tuple[bytes, list[int]]:
        """The loaded documents as spill lines (id and match key as text), for verification to read."""
        chunks, offsets, size = [], [], 0
        for doc_id, key in zip(self.ids, self.keys):
            line = (json.dumps({"id": doc_id, "text": key}, ensure_ascii=False)[:-1] + "\n").encode(
                "utf-8", "surrogatepass")
            offsets.append(size)
            chunks.append(line)
            size += len(line)
        return b"".join(chunks), offsets

    def rank(self, ordinal: int) -> int:
        """Where an ordinal of the run stands when ties are broken: indexed documents first (they came earlier)."""
        return ordinal + len(self) if ordinal < self.batch else ordinal - self.batch

    def ordinal(self, rank: int) -> int:
        """The run's ordinal of a rank (the inverse of `rank`)."""
        return rank - len(self) if rank >= len(self) else rank + self.batch

    def stored_matches(self, position_of: dict[int, int]) -> list[Match]:
        """The stored matches among loaded and known documents, in matcher numbers (`position_of`: batch
        ordinal -> matcher number; loaded document i is number `signed + i`)."""
        number = {rowid: self.signed + i for i, rowid in enumerate(self.rowids)}
        number.update({rowid: position_of[o] for o, rowid in self.known.items()})
        out = []
        for a, b, relation, similarity, containment in self.edges:
            if a in number and b in number:
                x, y = sorted((number[a], number[b]))
                out.append(Match(x, y, relation, similarity, containment))
        return out

    def back(self, clusters: list[Cluster]) -> list[Cluster]:
        """Clusters made over ranks, in the run's ordinals."""
        out = []
        for c in clusters:
            members = [Match(self.ordinal(m.a), self.ordinal(m.b), m.relation, m.similarity, m.containment)
                       for m in c.members]
            out.append(Cluster(self.ordinal(c.canonical), sorted(members, key=lambda m: m.b)))
        return out


class Index:
    """One open index: read by a run (`load`), written at its end (`commit`), or managed (`stats`, `remove`)."""

    def __init__(self, path: str, conn: sqlite3.Connection, readonly: bool, option: str) -> None:
        self.path = path
        self.readonly = readonly
        self.option = option
        self._conn = conn
        self._run: tuple[Loaded, list[int], SignatureStore] | None = None  # what `load` saw, for `commit`
        self._codec: KeyCodec | None = None
        self.upgraded = False  # a version 1 index this (writing) run upgrades to the current version
        self._json: bool | None = None  # whether SQLite has json_each (3.38+ always; earlier as built)

    def files(self) -> list[str]:
        """The index's file and SQLite's files beside it: never inputs of a run."""
        return [self.path, self.path + "-wal", self.path + "-shm", self.path + "-journal"]

    # --- opening -------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str, config: Config | None = None, *, readonly: bool = False, wait: float = DEFAULT_WAIT,
             option: str = "--index", create: bool = True) -> Index:
        """Open (or create, when writing) the index at `path`, checked to be one made with `config`'s settings.

        A writing run holds the write lock from here to `commit` or `close`.
        """
        name = f"{option} {path}"
        exists = os.path.exists(path) and os.path.getsize(path) > 0
        if not exists and (readonly or not create):
            raise IndexFileError(f"{name}: no such index")
        if exists:
            _check_header(path, name)
        try:
            if readonly:
                conn = sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True,
                                       isolation_level=None, timeout=wait)
            else:
                conn = sqlite3.connect(path, isolation_level=None, timeout=wait)
        except sqlite3.Error as exc:
            raise IndexFileError(f"{name}: cannot open: {exc}") from exc
        index = cls(path, conn, readonly, option)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            if not exists:
                index._create(config)
            else:
                if not readonly:
                    conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")  # a fixed page cache: memory does not follow the index
            conn.execute("PRAGMA temp_store = MEMORY")  # the batch's lookup tables
            index._begin(wait)
            index._check(config)
        except sqlite3.DatabaseError as exc:  # a damaged file: SQLite finds out as it reads
            conn.close()
            raise index._error(exc) from exc
        except BaseException:
            conn.close()
            raise
        return index

    def _begin(self, wait: float) -> None:
        try:
            self._conn.execute("BEGIN" if self.readonly else "BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise IndexFileError(f"{self.option} {self.path}: in use by another run (waited {wait:g} s); "
                                     f"run again when it is done") from exc
            raise

    def _error(self, exc: Exception) -> IndexFileError:
        return IndexFileError(f"{self.option} {self.path}: not a usable cleanwire index ({exc})")

    def _create(self, config: Config | None) -> None:
        if config is None:
            raise IndexFileError(f"{self.option} {self.path}: no such index")
        conn = self._conn
        try:
            conn.execute(f"PRAGMA page_size = {_PAGE_BYTES}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            now = _now()
            conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("format", FORMAT), ("version", str(VERSION)), ("created", now), ("updated", now),
                ("settings", json.dumps(index_settings(config), sort_keys=True))])
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK")
            if "already exists" in str(exc):  # another run created it just now: use theirs
                return
            raise self._error(exc) from exc

    def meta(self) -> dict[str, str]:
        """The index's own facts: format, version, created, updated, settings (JSON)."""
        try:
            if not self._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone():
                return {}
            return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _check(self, config: Config | None) -> None:
        meta = self.meta()
        if meta.get("format") != FORMAT:
            raise IndexFileError(f"{self.option} {self.path}: not a cleanwire index (an SQLite database of "
                                 f"something else)")
        version = meta.get("version")
        if version not in {str(v) for v in READS}:
            raise IndexFileError(f"{self.option} {self.path}: index format version {version}, this cleanwire reads "
                                 f"versions {', '.join(map(str, READS))}; use the cleanwire that made it")
        if version != str(VERSION) and not self.readonly:
            _index_file_upgrade(self._conn)
            self.upgraded = True
        if config is None:
            return
        stored = json.loads(meta["settings"])
        wanted = index_settings(config)
        differ = [f"{k} {stored.get(k)!r} in the index, {wanted[k]!r} now" for k in sorted(wanted)
                  if stored.get(k) != wanted[k]]
        if differ:
            raise IndexFileError(f"{self.option} {self.path}: made with other settings ({'; '.join(differ)}); "
                                 f"run with the index's settings or use another index")

    def codec(self) -> KeyCodec:
        """The match keys' codec, with the index's dictionaries."""
        if self._codec is None:
            has = self._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dicts'").fetchone()
            self._codec = KeyCodec(self._conn.execute("SELECT id, data FROM dicts").fetchall() if has else [])
        return self._codec

    # --- a run ---------------------------------------------------------------------------------------------
    def load(self, ids: Sequence[str], signed: Sequence[int], store: SignatureStore, config: Config) -> Loaded:
        """The indexed documents the batch touches (see the module's docstring), and the batch's known ones.

        `ids` are the batch's unique ids by ordinal, `signed` the ordinals the matcher sees (in its
        order), `store` their signatures.
        """
        try:
            loaded = self._load(ids, signed, store, config)
            self._run = (loaded, list(signed), store)
            return loaded
        except (sqlite3.DatabaseError, zstandard.ZstdError, zlib.error) as exc:
            raise self._error(exc) from exc

    def _temp(self, name: str, column: str, values: Iterable[Any]) -> None:
        conn = self._conn
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name}({column} PRIMARY KEY)")
        conn.execute(f"DELETE FROM {name}")
        conn.executemany(f"INSERT OR IGNORE INTO {name} VALUES (?)", ((v,) for v in values))

    def _seek_from(self, name: str, values: Iterable[int]) -> tuple[str, tuple[Any, ...]]:
        """A table of distinct integers in ascending order (neighbouring seeks share pages) for a query to seek
        from, and its parameters: one JSON array read by json_each (no row-by-row inserts), or a temp table."""
        ordered = sorted(set(values))
        if self._json is None:
            self._json = _has_json_each(self._conn)
        if self._json:
            return "(SELECT value AS v FROM json_each(?))", (json.dumps(ordered),)
        self._temp(name, "v INTEGER", ordered)
        return name, ()

    def _load(self, ids: Sequence[str], signed: Sequence[int], store: SignatureStore, config: Config) -> Loaded:
        conn = self._conn
        loaded = Loaded(batch=len(ids), signed=len(signed))
        if conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None:
            return loaded  # a new index: nothing to look up
        exact = store.column("exact")
        exact_of = {o: int(e) for o, e in zip(signed, _signed(exact))}
        # batch documents already in the index: the same (a run again) or another under a taken id
        self._temp("q_ids", "id TEXT", (ids[o] for o in signed))
        taken = dict(conn.execute("SELECT d.id, d.n FROM q_ids q CROSS JOIN docs d ON d.id = q.id").fetchall())
        if taken:
            stored_exact = dict(conn.execute(
                "SELECT d.n, d.exact FROM q_ids q CROSS JOIN docs d ON d.id = q.id").fetchall())
            batch_ids = set(ids)
            for o in signed:
                rowid = taken.get(ids[o])
                if rowid is None:
                    continue
                if stored_exact[rowid] == exact_of[o]:
                    loaded.known[o] = rowid
                else:
                    loaded.renamed[o] = self._free_id(ids[o], batch_ids)
                    batch_ids.add(loaded.renamed[o])
        # candidates: indexed documents sharing min_shared posting keys with one batch document
        hashes, sizes = _store_hashes(store)
        owner = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        keys = (hashes & _KEY_MASK).astype(np.int64)
        pairs = np.unique((keys << 32) | owner)  # one per (key, batch document)
        keys, owner = pairs >> 32, pairs & 0xFFFFFFFF
        table, args = self._seek_from("l_h", np.unique(keys).tolist())
        rows = conn.execute(
            f"SELECT p.h, p.doc FROM {table} q CROSS JOIN postings p ON p.h = q.v AND p.doc >= coalesce("
            f"(SELECT doc FROM postings p2 WHERE p2.h = q.v ORDER BY doc DESC LIMIT 1 OFFSET ?), 0)",
            (*args, max(1, config.dedup.max_doc_freq) - 1)).fetchall()
        candidates: set[int] = set()
        if rows:
            found = np.array(rows, dtype=np.int64)
            lo = np.searchsorted(keys, found[:, 0], side="left")
            hi = np.searchsorted(keys, found[:, 0], side="right")
            count = hi - lo
            docs = np.repeat(found[:, 1], count)
            at = np.repeat(lo - np.concatenate(([0], np.cumsum(count)[:-1])), count) + np.arange(int(count.sum()))
            codes, hits = np.unique((owner[at] << 32) | docs, return_counts=True)
            candidates = set((codes[hits >= config.dedup.min_shared] & 0xFFFFFFFF).tolist())
        table, args = self._seek_from("l_e", exact_of.values())
        candidates.update(n for (n,) in conn.execute(
            f"SELECT min(d.n) FROM {table} q CROSS JOIN docs d ON d.exact = q.v GROUP BY q.v", args).fetchall())
        candidates.difference_update(loaded.known.values())
        # whole stories: of the candidates and of the known batch documents
        table, args = self._seek_from("l_n", [*candidates, *loaded.known.values()])
        stories = [s for (s,) in conn.execute(
            f"SELECT DISTINCT d.story FROM {table} q CROSS JOIN docs d ON d.n = q.v", args)]
        table, args = self._seek_from("l_s", stories)
        known = set(loaded.known.values())
        codec = self.codec()
        members, stored_exact_of_loaded = [], []
        for n, doc_id, story, stored, key in conn.execute(
                f"SELECT d.n, d.id, d.story, d.exact, d.key FROM {table} q CROSS JOIN docs d ON d.story = q.v "
                f"ORDER BY d.n", args):
            members.append(n)
            if n in known:
                continue
            loaded.rowids.append(n)
            loaded.ids.append(doc_id)
            loaded.stories.append(story)
            loaded.keys.append(codec.decompress(key))
            stored_exact_of_loaded.append(stored)
        table, args = self._seek_from("l_m", members)
        loaded.edges = [(a, b, r, sim, cont) for a, b, r, sim, cont in conn.execute(
            f"SELECT e.a, e.b, e.relation, e.similarity, e.containment FROM {table} q CROSS JOIN edges e ON e.a = q.v",
            args)]
        if loaded.keys:
            sigs = signatures(loaded.keys, config.dedup)
            sigs.exact = np.array(stored_exact_of_loaded, dtype=np.int64).view(np.uint64)
            loaded.signatures = sigs
        return loaded

    def _free_id(self, doc_id: str, batch_ids: set[str]) -> str:
        """The first "<id>#N" taken neither in the index nor in the batch."""
        n = 2
        while True:
            candidate = f"{doc_id}#{n}"
            if candidate not in batch_ids and not self._conn.execute(
                    "SELECT 1 FROM docs WHERE id = ?", (candidate,)).fetchone():
                return candidate
            n += 1

    def commit(self, result: DedupeResult) -> dict[str, int]:
        """Add the batch of the run `load` was given to the index and update the stories it joined, in the
        one transaction the run holds; commit it. Returns what changed."""
        if self.readonly or self._run is None:
            raise RuntimeError("commit needs a writable index that a run loaded from")
        loaded, signed, store = self._run
        try:
            self._train(result.spill, [o for o in signed if o not in loaded.known])
            changes = self._add(result.ids, signed, store, iter(result.spill), result.clusters, loaded)
            if any(changes.values()):
                self._conn.execute("UPDATE meta SET value = ? WHERE key = 'updated'", (_now(),))
            self._conn.execute("COMMIT")
            return changes
        except (sqlite3.DatabaseError, zstandard.ZstdError, zlib.error) as exc:
            raise self._error(exc) from exc

    def _add(self, ids: Sequence[str], signed: Sequence[int], store: SignatureStore, records: Iterable[Any],
             clusters: Sequence[Cluster], loaded: Loaded) -> dict[str, int]:
        conn = self._conn
        position = {o: p for p, o in enumerate(signed)}
        exact = _signed(store.column("exact"))
        (top,) = conn.execute("SELECT coalesce(max(n), 0) FROM docs").fetchone()
        rowid_of: dict[int, int] = dict(loaded.known)
        rowid_of.update({loaded.batch + i: n for i, n in enumerate(loaded.rowids)})
        added = _now()
        new: list[int] = []  # ordinals of the batch documents new to the index, by rowid

        codec = self.codec()

        def new_docs() -> Iterator[tuple[Any, ...]]:
            nonlocal top
            for ordinal, record in enumerate(records):
                if ordinal not in position or ordinal in loaded.known:
                    continue  # empty bodies are never matched, so never indexed; known ones are there
                fields = record.fields()
                top += 1
                rowid_of[ordinal] = top
                new.append(ordinal)
                yield (top, ids[ordinal], top, exact[position[ordinal]], added, fields.get("source"),
                       fields.get("title"), fields.get("url"), fields.get("date"),
                       codec.compress(match_key(fields.get("text") or "")))

        conn.executemany("INSERT INTO docs (n, id, story, exact, added, source, title, url, date, key) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new_docs())
        # postings in key order: the b-tree is filled page after page, not split at random
        if new:
            keys = [_posting_keys(store[position[o]].hashes) for o in new]
            docs = np.repeat(np.array([rowid_of[o] for o in new], dtype=np.int64), [len(k) for k in keys])
            flat = np.concatenate(keys)
            del keys
            order = np.lexsort((docs, flat))
            flat, docs = flat[order], docs[order]
            del order
            conn.executemany("INSERT OR IGNORE INTO postings VALUES (?, ?)", _rows(flat, docs))
        # stories: every cluster with a batch document; the others are as stored
        story_changes = 0
        for cluster in clusters:
            ordinals = cluster.ordinals
            if min(ordinals) >= loaded.batch:
                continue
            canonical = rowid_of[cluster.canonical]
            for o in ordinals:
                story_changes += conn.execute("UPDATE docs SET story = ? WHERE n = ? AND story != ?",
                                              (canonical, rowid_of[o], canonical)).rowcount
        edges = []
        ordinal_of = [*signed, *range(loaded.batch, loaded.batch + len(loaded))]
        for m in loaded.matches:
            a, b = ordinal_of[m.a], ordinal_of[m.b]
            if a >= loaded.batch and b >= loaded.batch:
                continue
            x, y = sorted((rowid_of[a], rowid_of[b]))
            edges.append((x, y, m.relation, m.similarity, m.containment))
        before = conn.total_changes
        conn.executemany("INSERT OR IGNORE INTO edges VALUES (?, ?, ?, ?, ?)", edges)
        return {"added": len(new), "stories_changed": story_changes, "matches_added": conn.total_changes - before}

    def _train(self, spill: Spill, new: Sequence[int]) -> None:
        """When the index has no dictionary yet and the batch's `new` documents are enough, train one on up to
        _TRAIN_DOCS of their keys taken evenly over the batch (a few megabytes), for the codec to use."""
        if self.codec().dict_id or len(new) < _TRAIN_MIN:
            return
        picked = list(new[::max(1, len(new) // _TRAIN_DOCS)][:_TRAIN_DOCS])
        texts = spill.texts(picked)
        data = KeyCodec.train([match_key(texts[o]) for o in picked], 1)
        if data is not None:
            self._conn.execute("INSERT INTO dicts (id, data) VALUES (1, ?)", (data,))
            self._codec = None

    # --- managing ------------------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Documents, stories, size on disk, format version, created/updated and the settings."""
        try:
            meta = self.meta()
            (documents,) = self._conn.execute("SELECT count(*) FROM docs").fetchone()
            (stories,) = self._conn.execute("SELECT count(*) FROM docs WHERE story = n").fetchone()
            (matches,) = self._conn.execute("SELECT count(*) FROM edges").fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from exc
        size = sum(os.path.getsize(p) for p in (self.path, self.path + "-wal") if os.path.exists(p))
        return {"path": self.path, "documents": documents, "stories": stories, "matches": matches,
                "bytes": size, "bytes_per_document": round(size / documents) if documents else None,
                "version": int(meta.get("version", "0")), "created": meta.get("created"),
                "updated": meta.get("updated"),
                "settings": json.loads(meta.get("settings", "{}"))}

    def remove(self, config: Config, before: str | None = None, doc_ids: Sequence[str] = ()) -> dict[str, int]:
        """Forget the documents added before `before` (an ISO date) or with one of `doc_ids`; commit.

        A story that loses its canonical gets a new one among what is left (by the index's --keep);
        one whose remaining documents no longer match one another is split.
        """
        try:
            return self._remove(config, before, doc_ids)
        except (sqlite3.DatabaseError, zstandard.ZstdError, zlib.error) as exc:
            raise self._error(exc) from exc

    def _remove(self, config: Config, before: str | None, doc_ids: Sequence[str]) -> dict[str, int]:
        conn = self._conn
        gone: set[int] = set()
        if before is not None:
            gone.update(n for (n,) in conn.execute("SELECT n FROM docs WHERE added < ?", (before,)))
        for doc_id in doc_ids:
            gone.update(n for (n,) in conn.execute("SELECT n FROM docs WHERE id = ?", (doc_id,)))
        if not gone:
            conn.execute("COMMIT")
            return {"removed": 0, "stories_changed": 0}
        self._temp("q_n", "n INTEGER", gone)
        stories = [s for (s,) in conn.execute("SELECT DISTINCT d.story FROM q_n q CROSS JOIN docs d ON d.n = q.n")]
        for n, key in conn.execute("SELECT d.n, d.key FROM q_n q CROSS JOIN docs d ON d.n = q.n").fetchall():
            hashes = signatures([self.codec().decompress(key)], config.dedup).hashes
            conn.executemany("DELETE FROM postings WHERE h = ? AND doc = ?",
                             ((h, n) for h in _posting_keys(hashes).tolist()))
            conn.execute("DELETE FROM edges WHERE a = ? OR b = ?", (n, n))
        conn.execute("DELETE FROM docs WHERE n IN (SELECT n FROM q_n)")
        changed = 0
        for story in stories:  # re-cluster what is left of each story touched
            rows = conn.execute("SELECT n, key FROM docs WHERE story = ? ORDER BY n", (story,)).fetchall()
            if not rows:
                continue
            rowids = [n for n, _ in rows]
            number = {n: i for i, n in enumerate(rowids)}
            lengths = signatures([self.codec().decompress(k) for _, k in rows], config.dedup).lengths.tolist()
            self._temp("q_m", "n INTEGER", rowids)
            matches = [Match(number[a], number[b], r, s, c) for a, b, r, s, c in conn.execute(
                "SELECT e.a, e.b, e.relation, e.similarity, e.containment FROM q_m q CROSS JOIN edges e ON e.a = q.n")]
            story_of = list(range(len(rowids)))
            for cluster in linked_clusters(matches, lengths, config.keep):
                for i in cluster.ordinals:
                    story_of[i] = cluster.canonical
            for i, n in enumerate(rowids):
                changed += conn.execute("UPDATE docs SET story = ? WHERE n = ? AND story != ?",
                                        (rowids[story_of[i]], n, rowids[story_of[i]])).rowcount
        conn.execute("UPDATE meta SET value = ? WHERE key = 'updated'", (_now(),))
        conn.execute("COMMIT")
        return {"removed": len(gone), "stories_changed": changed}

    def close(self) -> None:
        """Give the index back: what was not committed is rolled back."""
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        self._conn.close()


def _rows(*columns: np.ndarray, step: int = 1 << 16) -> Iterator[tuple[Any, ...]]:
    """Rows of parallel arrays as Python tuples, a chunk at a time (no list of them all)."""
    for lo in range(0, len(columns[0]), step):
        yield from zip(*(c[lo:lo + step].tolist() for c in columns))


def _store_hashes(store: SignatureStore) -> tuple[np.ndarray, np.ndarray]:
    """Every fingerprint of a store, document after document, and how many each document has."""
    if not store.fingerprints:  # a store without them would look like a batch that shares nothing
        raise LookupError("the batch's fingerprints are not in this process: an index needs them")
    sizes = store.column("size")
    if not len(sizes) or not int(sizes.sum()):
        return np.empty(0, dtype=np.uint64), sizes
    return np.concatenate([store[i].hashes for i in range(len(store))]), sizes


def _has_json_each(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT value FROM json_each('[1]')").fetchall()
        return True
    except sqlite3.OperationalError:
        return False


def _index_file_upgrade(conn: sqlite3.Connection) -> None:
    """Version 1 -> 2, in the transaction `conn` holds: a table for dictionaries; the zlib keys stay (readable)."""
    conn.execute(_SCHEMA[_SCHEMA.index("CREATE TABLE dicts"):].rstrip().rstrip(";"))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'version'", (str(VERSION),))


def _check_header(path: str, name: str) -> None:
    """A file that is not an SQLite database is named in one line, before SQLite says something vaguer."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise IndexFileError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    if head != _SQLITE_HEADER:
        raise IndexFileError(f"{name}: not a cleanwire index (not an SQLite database)")

