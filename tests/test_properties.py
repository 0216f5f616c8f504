"""Property tests: clean and dedupe never crash and never lose an input, whatever the text."""

from __future__ import annotations

import json

from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanwire.config import Config
from cleanwire.document import Document
from cleanwire.emit import cluster_records
from cleanwire.engines.local import LocalEngine
from cleanwire.pipeline import Counters, clean_stream, dedupe

LINE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
PAGE = st.lists(LINE, max_size=30).map("\n".join)
HTML_FRAGMENT = st.lists(
    st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<a href='x'>", "</a>", "<script>", "<!--", "-->",
                     "<table><tr><td>", "&amp;", "&#0;", "<h1>", "</h1>", "<br>", "<![CDATA[", "<"])
    | LINE,
    max_size=40,
).map("".join)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run_dedupe(docs: list[Document]) -> tuple[set[str], set[str], set[str]]:
    errors: list[Document] = []
    result = dedupe(lambda: iter(docs), Config(), LocalEngine(1), Counters(), errors.append)
    try:
        emitted, absorbed = set(), set()
        for record in cluster_records(result):
            emitted.add(record["id"])
            absorbed.update(d["id"] for d in record["duplicates"])
    finally:
        result.close()
    return emitted, absorbed, {doc.id for doc in errors}


@SETTINGS
@given(st.lists(PAGE, min_size=1, max_size=8))
def test_dedupe_accounts_for_every_text_page(pages: list[str]) -> None:
    docs = [Document(id=f"d{i}", text=page, source=f"d{i}") for i, page in enumerate(pages)]
    emitted, absorbed, errors = run_dedupe(docs)
    assert emitted | absorbed | errors == {d.id for d in docs}
    assert not (emitted & absorbed)


@SETTINGS
@given(st.lists(st.tuples(PAGE, st.booleans()), min_size=1, max_size=6))
def test_dedupe_accounts_for_copies_and_html(pages: list[tuple[str, bool]]) -> None:
    docs = []
    for i, (page, twice) in enumerate(pages):
        docs.append(Document(id=f"p{i}", text=page))
        if twice:  # an exact copy must be emitted or absorbed, never lost
            docs.append(Document(id=f"p{i}-copy", text=page))
    emitted, absorbed, errors = run_dedupe(docs)
    assert emitted | absorbed | errors == {d.id for d in docs}


@SETTINGS
@given(st.lists(HTML_FRAGMENT, min_size=1, max_size=4))
def test_clean_never_loses_html(fragments: list[str]) -> None:
    docs = [Document(id=f"h{i}", text=html, kind="html") for i, html in enumerate(fragments)]
    out = list(clean_stream(lambda: iter(docs), Config(), LocalEngine(1), Counters()))
    assert [d.id for d in out] == [d.id for d in docs]
    assert all(isinstance(d.text, str) for d in out)


@SETTINGS
@given(st.lists(st.one_of(
    st.builds(lambda t, i: json.dumps({"id": i, "text": t}), PAGE, st.text(max_size=8)),
    st.builds(lambda t: json.dumps({"html": t}), HTML_FRAGMENT),
    st.builds(lambda v: json.dumps({"text": v}), st.integers() | st.none() | st.lists(st.integers())),
    LINE.filter(lambda s: "\n" not in s and "\r" not in s),
), min_size=1, max_size=8))
def test_cli_dedupe_jsonl_accounts_for_every_line(lines: list[str]) -> None:
    payload = "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines) + "\n"
    code, stdout, stderr = run_cli("dedupe", "-", "--input-format", "jsonl", "--all", "--format", "jsonl", "--quiet",
                                   stdin=payload)
    assert code in (0, 1), stderr
    out = [json.loads(line) for line in stdout.splitlines()]
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    non_blank = [line for line in payload.split("\n") if line.encode().strip()]  # blank as JSON lines reads it
    if not any(line.encode().strip().startswith(b"{") for line in non_blank[:5]):
        # all blank ("empty input"), or no JSON object among the first lines: the input is one error
        assert (len(out), len(errors)) == (0, 1), stderr
    else:
        assert len(out) + len(errors) == len(non_blank)
    assert len({r["id"] for r in out}) == len(out)
