"""Title accuracy on a dev set's text dumps: the title cleaned from each dump against its HTML <title>.

    python -m cleanwire.bench.titles [DEV_DIR]

For every page of DEV_DIR/html, the reference is its <title> (entities decoded, normalised); the
candidate is the title clean_text_dump finds in DEV_DIR/dump_lines and DEV_DIR/dump_glued, with a
template model learnt over the folder (as a run does) and alone (no model). A title counts as right
when one normalised title contains the other, or their token overlap is at least 0.8; a page whose
title comes out null counts as "none" (never right). "same" is the share of pages whose title is the
same alone and in the run.
"""

from __future__ import annotations

import html as html_lib
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from cleanwire.clean import TemplateModel, clean_text_dump


def learnt_model(texts: Iterable[str]) -> TemplateModel:
    """A template model learnt over `texts`, as the pipeline's first pass learns one over a run."""
    model = TemplateModel()
    for text in texts:
        model.add(text)
    return model.freeze()

DEV_DIR = Path("/work/shared/dev/cleaning")
DUMPS = ("dump_lines", "dump_glued")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TOKEN = re.compile(r"\w+")
MIN_OVERLAP = 0.8


def html_title(page: str) -> str | None:
    """The page's <title>, entities decoded, as one line."""
    found = _TITLE.search(page)
    if found is None:
        return None
    title = " ".join(html_lib.unescape(found.group(1)).split())
    return title or None


def tokens(text: str) -> list[str]:
    """Lower-case word tokens."""
    return _TOKEN.findall(text.lower())


def title_matches(found: str | None, reference: str) -> bool:
    """One title contains the other (normalised), or their token overlap is at least MIN_OVERLAP."""
    if not found:
        return False
    a, b = " ".join(tokens(found)), " ".join(tokens(reference))
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    ta, tb = set(a.split()), set(b.split())
    return len(ta & tb) / min(len(ta), len(tb)) >= MIN_OVERLAP


def titles(pages: dict[str, str], learn: bool) -> dict[str, str | None]:
    """Each page's title as clean_text_dump finds it, with a model learnt over all the pages or alone."""
    model = learnt_model(pages.values()) if learn else None
    return {page_id: clean_text_dump(text, model).title for page_id, text in pages.items()}


def title_accuracy(dev_dir: Path = DEV_DIR) -> dict[str, dict[str, float]]:
    """Per dump folder: the share of right titles (in a run, alone), of null titles, of titles the same both ways."""
    references = {}
    for path in sorted((dev_dir / "html").iterdir()):
        title = html_title(path.read_text(encoding="utf-8", errors="replace"))
        if title:
            references[path.stem] = title
    out: dict[str, dict[str, float]] = {}
    for dump in DUMPS:
        folder = dev_dir / dump
        if not folder.is_dir():
            continue
        pages = {p.stem: p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.iterdir())}
        pages = {k: v for k, v in pages.items() if k in references}
        run, alone = titles(pages, learn=True), titles(pages, learn=False)
        n = len(pages) or 1
        out[dump] = {
            "pages": len(pages),
            "accuracy": sum(title_matches(run[k], references[k]) for k in pages) / n,
            "accuracy alone": sum(title_matches(alone[k], references[k]) for k in pages) / n,
            "none": sum(run[k] is None for k in pages) / n,
            "same alone and in a run": sum(run[k] == alone[k] for k in pages) / n,
        }
    return out


def main() -> None:
    """Print the figures per dump folder."""
    dev_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEV_DIR
    for dump, figures in title_accuracy(dev_dir).items():
        print(dump, "  ".join(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
