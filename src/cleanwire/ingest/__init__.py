"""Inputs -> Documents: files, folders and stdin holding text dumps, HTML pages or JSON lines, read robustly.

Every input comes out: as a Document, or as an error Document (text "", `error` one line naming the cause)
that the pipeline reports and counts. Nothing here raises for a bad input.

Rules (the README's "What happens when..." follows them):
- Arguments are expanded to files first; files are read in (id, path) order, so the output does not depend
  on the order the arguments were given. JSON lines keep their line order inside a file.
- Ids: a file inside a folder argument is named by its path relative to that folder ("/" separators); a
  file argument by the path as given; stdin by "stdin". A JSON lines record by its id field (non-string
  scalars converted to JSON text, e.g. 7 -> "7"), else "<file id>:<line number>".
- Duplicate ids: the later document (in that order) gets the first free id of "<id>#2", "<id>#3", ... and
  `metadata["renamed_from_id"]` holds the id it had, so every id in a run is unique and nothing is dropped.
- Hidden files and folders (dotfiles) inside folders are skipped. `glob` filters files found inside folders
  (matched against the file name, or the relative path when the pattern holds a "/"); file arguments are
  always read. Folders reached through symlinks are followed; a symlink back to one of its own parents is
  one error ("symlink loop"); a folder reached twice by other routes is read once.
- Two spellings of one path (`dir` and `dir/`, `a.txt` and `./a.txt`) are one input, under the first id.
- stdin and FIFO arguments (e.g. `<(zcat x.gz)`) are spooled to a temporary file on first read, so
  `documents()` can be called again (template learning, then cleaning); devices are refused. A copy that
  cannot be written ($TMPDIR full) raises `SpoolError`, an OSError: the run's output failure, not an input's.
- Decoding: UTF-8 (BOM or not), UTF-16/32 (BOM, or ASCII-heavy without one), mostly-UTF-8 with a few invalid
  bytes (replaced by U+FFFD), else the charset an HTML page declares, else charset-normalizer corrected
  towards cp1252 for Western text (cp1252, latin-1, cp1250, cp1251, Shift-JIS, GB18030, Big5, EUC-KR...).
  Images, archives, compressed data, executables (by signature), data that is more than a tenth control
  bytes, and text with no plausible encoding are "binary file (...)" errors; a few NUL bytes in a page
  are removed, not a reason to refuse it.
- Compressed files (gzip, zstd, bzip2, xz; told by their signature, whatever the name) are decompressed as they
  are read; what they hold is told by the name without the compression's extension, else sniffed. A large
  compressed JSON lines file is decompressed ahead of the workers into temporary pieces (`parts`), so --jobs
  still splits it. A truncated or corrupt archive is one error naming how far it got, after the records before.
- WARC and WET files (`.warc`, `.wet` inside any compression, or content starting `WARC/1.`) are read by `warc`
  (warcio, the `cleanwire[warc]` extra), one file by one worker: HTTP 200 HTML responses as HTML pages, WET
  conversion records as text; other responses are skipped and counted (`InputSet.skipped_records`).
- Size: text and HTML files above `max_bytes` are refused unread; JSON lines are streamed, and one line
  above `max_line_bytes` is refused (skipped without being held) while the file goes on.
- JSON lines in UTF-16/32, or a text file named `.jsonl` (no line among its first five starts like an
  object), are one error for the file, whatever its size.
- Empty or whitespace-only inputs (and JSON records with an empty text) are "empty input" errors: they
  carry no story, and counting them as errors makes a broken scrape visible in the exit code.

Stages, in data-flow order: `discover` (arguments -> sorted entries), `spool` (stdin and FIFOs copied once),
`parts` (entries -> parts for workers), `reader` (a part's files by format, via `sniff`, `decode` and `jsonl`),
`ids` (unique ids); `inputs.InputSet` wires them. `failures` and `text` hold what several stages share.
"""

from cleanwire.ingest.ids import RENAMED_FROM_KEY, UniqueIds
from cleanwire.ingest.inputs import InputSet
from cleanwire.ingest.parts import Part
from cleanwire.ingest.reader import read_part

__all__ = ["RENAMED_FROM_KEY", "InputSet", "Part", "UniqueIds", "read_part"]
