"""Throughput of WARC input: the same HTML pages as a `.warc.gz` and as JSON lines with an `html` field.

    python -m cleanwire.bench warc corpus/ --docs 3000

Takes the first `--docs` page dumps of a corpus made by make-corpus, wraps each in a plain HTML page (a <title>,
one <p> per line), and writes them twice: as HTTP 200 responses in one `.warc.gz` (gzip per record, as Common
Crawl writes them) and as JSON lines whose records carry the same id, url and date. Both are cleaned and
deduplicated side by side (`--repeats` alternating runs, the fastest counts; wall and CPU seconds), and the
outputs must be the same records, `source` aside. Needs warcio (`pip install 'cleanwire[warc]'`).
"""

from __future__ import annotations

import html
import io
import json
import uuid
from pathlib import Path

import click

from cleanwire.bench.scale import SHARD_GLOB, cleanwire_argv, measure


def _pages(corpus: Path, docs: int) -> list[tuple[str, str]]:
    """(id, HTML page) of the first `docs` records of the corpus shards."""
    pages = []
    for shard in sorted(corpus.glob(SHARD_GLOB)):
        with open(shard, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                lines = [html.escape(x) for x in record["text"].splitlines() if x.strip()]
                page = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{lines[0] if lines else ''}"
                        "</title></head><body>" + "".join(f"<p>{x}</p>\n" for x in lines) + "</body></html>")
                pages.append((record["id"], page))
                if len(pages) == docs:
                    return pages
    return pages


def _write_forms(pages: list[tuple[str, str]], work: Path) -> tuple[Path, Path]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    warc_dir, jsonl_dir = work / "warc", work / "jsonl"
    warc_dir.mkdir(parents=True, exist_ok=True)
    jsonl_dir.mkdir(parents=True, exist_ok=True)
    date = "2026-01-01T00:00:00Z"
    with open(warc_dir / "pages.warc.gz", "wb") as wf, open(jsonl_dir / "pages.jsonl", "w", encoding="utf-8") as jf:
        writer = WARCWriter(wf, gzip=True)
        for n, (doc_id, page) in enumerate(pages):
            record_id = str(uuid.UUID(int=n + 1))
            url = f"https://news.example/{doc_id}"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(page.encode()), http_headers=http,
                                               warc_headers_dict={"WARC-Record-ID": f"<urn:uuid:{record_id}>",
                                                                  "WARC-Date": date})
            writer.write_record(record)
            jf.write(json.dumps({"id": record_id, "html": page, "url": url, "date": date}) + "\n")
    return warc_dir, jsonl_dir


def _records(path: Path) -> list[dict[str, object]]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for record in records:
        record.pop("source", None)
    return records


@click.command()
@click.argument("corpus_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--docs", type=click.IntRange(1), default=3000, show_default=True)
@click.option("--jobs", type=click.IntRange(1), default=1, show_default=True)
@click.option("--repeats", type=click.IntRange(1), default=2, show_default=True)
def command(corpus_dir: Path, docs: int, jobs: int, repeats: int) -> None:
    """The same HTML pages read as .warc.gz and as JSON lines, side by side."""
    work = corpus_dir / "runs" / f"warc-{docs}"
    pages = _pages(corpus_dir, docs)
    forms = dict(zip(("warc.gz", "jsonl (html field)"), _write_forms(pages, work), strict=True))
    globs = {"warc.gz": "*.warc.gz", "jsonl (html field)": "*.jsonl"}
    best: dict[str, tuple[float, float]] = {}
    outputs: dict[str, Path] = {}
    for _ in range(repeats):
        for form, folder in forms.items():
            argv = cleanwire_argv(folder, jobs, cleaning=True)
            argv[argv.index("--glob") + 1] = globs[form]
            at = argv.index("--input-format")
            del argv[at:at + 2]
            out, err = work / f"out-{form.split()[0]}.jsonl", work / f"out-{form.split()[0]}.stderr"
            click.echo(f"running {form}: {' '.join(argv[1:])}", err=True)
            seconds, cpu, _, code = measure(argv, out, err)
            if code != 0:
                raise click.ClickException(f"{form}: exit code {code}; see {err}")
            best[form] = min(best.get(form, (seconds, cpu)), (seconds, cpu))
            outputs[form] = out
    same = _records(outputs["warc.gz"]) == _records(outputs["jsonl (html field)"])
    base = best["jsonl (html field)"]
    click.echo(f"{len(pages)} pages, --jobs {jobs}, best of {repeats}")
    click.echo("| input form | bytes | wall s | CPU s | pages/s (wall) | wall vs jsonl | same records |")
    click.echo("|---|---|---|---|---|---|---|")
    for form, folder in forms.items():
        size = sum(p.stat().st_size for p in folder.glob(globs[form]))
        seconds, cpu = best[form]
        click.echo(f"| {form} | {size:,} | {seconds:.2f} | {cpu:.2f} | {len(pages) / seconds:.0f} | "
                   f"{seconds / base[0]:.3f} | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    command()
