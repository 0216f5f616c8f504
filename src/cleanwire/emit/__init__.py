"""Records out: JSON lines (fast path), JSON, plain text, a terminal view, an output folder; the summary on stderr."""

from cleanwire.emit.jsonl import write_jsonl
from cleanwire.emit.output import default_format, open_output_dir, write_dedupe_output, write_stories
from cleanwire.emit.records import cluster_records, document_record, error_line, error_record, write_records
from cleanwire.emit.terminal import progress_bars, render_clusters, summary_text, text_block

__all__ = [
    "cluster_records",
    "default_format",
    "document_record",
    "error_line",
    "error_record",
    "open_output_dir",
    "progress_bars",
    "render_clusters",
    "summary_text",
    "text_block",
    "write_dedupe_output",
    "write_jsonl",
    "write_records",
    "write_stories",
]
