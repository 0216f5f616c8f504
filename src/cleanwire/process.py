"""Process-level behaviour of a command: interrupts, broken pipes, errors as exit codes, the fast exit.

SIGTERM and SIGHUP become KeyboardInterrupt as SIGINT already is, so cleanup code runs; writes that must not
be cut in half hold the signals back for a moment; the reader of standard output going away ends the run
quietly; and the command's own process leaves without the interpreter's teardown once its outputs are written.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, NoReturn

import click

from cleanwire.errors import ConfigError, ExitCode, ResourceError

_INTERRUPTS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
# set in click's root context object by run_as_process: the command runs in its own process and may end it
_OWN_PROCESS = "hard_exit"
_STDOUT_CLOSED = "stdout_closed"  # also set there: the process started with file descriptor 1 closed


class _Deferral:
    """The main thread's blocks that hold interrupts back, and an interrupt that came during one."""

    depth = 0
    pending: int | None = None


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP until the block ends, so a write is never cut in half (POSIX main thread).

    The main thread blocks them, and the handler (install_signal_handlers) keeps one that another thread
    took (numpy's, the pool's: Python runs the handler in the main thread whichever thread took it) until
    the block ends.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)
    _Deferral.depth += 1
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
        _Deferral.depth -= 1
    if _Deferral.depth == 0 and _Deferral.pending is not None:
        signum, _Deferral.pending = _Deferral.pending, None
        raise KeyboardInterrupt(f"signal {signum}")


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    if _Deferral.depth:
        _Deferral.pending = signum
        return
    raise KeyboardInterrupt(f"signal {signum}")


def install_signal_handlers() -> None:
    """Turn SIGINT, SIGTERM (and SIGHUP) into KeyboardInterrupt, held back inside interrupts_deferred, so
    cleanup code runs and no write is cut in half."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _raise_interrupt)


def _exit_at_start(signum: int, frame: FrameType | None) -> None:
    """An interrupt before the command runs: nothing is written yet, so leave at once, as the command would."""
    os.write(2, b"cleanwire: interrupted\n")
    os._exit(ExitCode.INTERRUPTED)


def start_process() -> None:
    """The first thing the process does, before the modules that start threads (numpy's) are imported:
    an interrupt now exits 130 as one during the command does, and is blocked in every thread started from
    here until run_as_process (every thread inherits the mask), so the kernel gives it to the main thread."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _exit_at_start)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)


def _open_interrupts() -> None:
    """Let the main thread take interrupts again (those that came while blocked are delivered now)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _INTERRUPTS)


def main() -> None:
    """Entry point of the console script and `python -m cleanwire`: the process is set up first, then the
    command line (and numpy with its threads) is loaded and run."""
    start_process()
    from cleanwire.cli import cli

    run_as_process(cli, prog_name="cleanwire")


def _in_own_process() -> bool:
    """Whether the running click command was started by run_as_process (not by a library caller or a test)."""
    context = click.get_current_context(silent=True)
    return context is not None and bool((context.find_root().obj or {}).get(_OWN_PROCESS))


def _block_late_interrupts() -> None:
    """Block SIGINT/SIGTERM/SIGHUP for good: the run is over and its outputs are complete."""
    if hasattr(signal, "pthread_sigmask") and _in_own_process():
        # a signal from now on (a process-group SIGTERM that came a moment late) must not turn the exit
        # into a death by signal while the interpreter shuts down, after its handlers are gone. Only in the
        # command's own process: a blocked mask would pass on to whatever a library caller starts next.
        signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)


def _exit_interrupted() -> NoReturn:
    """Say so on stderr and exit with code 130."""
    click.echo("cleanwire: interrupted", err=True)
    if _in_own_process():
        # outputs are closed by now; a worker killed mid-message can leave the pool's manager
        # thread waiting forever, and the interpreter's exit would wait for that thread
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ExitCode.INTERRUPTED)
    sys.exit(ExitCode.INTERRUPTED)


def _exit_broken_pipe() -> NoReturn:
    """The reader went away (`| head`): stop quietly, as a Unix tool killed by SIGPIPE does."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(ExitCode.BROKEN_PIPE)


STDOUT = "standard output"
DEBUG_VARIABLE = "CLEANWIRE_DEBUG"  # set (to anything but "" or "0") for a crash's traceback


@contextlib.contextmanager
def writing_to(target: str) -> Iterator[None]:
    """Name `target` in an OSError of the block that names no file (a write to a file already open)."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None and not isinstance(exc, BrokenPipeError):
            exc.filename = target
        raise


def _output_failed(exc: OSError) -> NoReturn:
    """One line naming what could not be written and why; exit code 4."""
    reason = exc.strerror or str(exc)
    click.echo(f"error: cannot write {exc.filename or STDOUT}: {reason}", err=True)
    sys.exit(ExitCode.OUTPUT_FAILED)


def _crashed(exc: BaseException) -> NoReturn:
    """A bug: one line, the traceback only when asked for, and an exit code of its own (70, EX_SOFTWARE)."""
    if os.environ.get(DEBUG_VARIABLE, "") not in ("", "0"):
        traceback.print_exception(exc)
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    click.echo(f"cleanwire: internal error: {reason} (a bug; set {DEBUG_VARIABLE}=1 for the traceback)",
               err=True)
    sys.exit(ExitCode.INTERNAL_ERROR)


def _run_then_flush(fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """Run `fn`, then flush standard output: data still buffered must reach it, or fail here, inside the guard."""
    try:
        result = fn(*args, **kwargs)
    except SystemExit:
        if sys.stdout is not None:
            sys.stdout.flush()
        raise
    if sys.stdout is not None:
        sys.stdout.flush()
    return result


THREAD_START_FAILED = "can't start new thread"  # CPython's RuntimeError when pthread_create fails


def is_thread_start_failure(exc: BaseException) -> bool:
    """Whether `exc` is a thread that could not be started (out of memory, or of threads)."""
    return isinstance(exc, RuntimeError) and THREAD_START_FAILED in str(exc)


def is_library_load_failure(exc: BaseException) -> bool:
    """Whether `exc` is a compiled module the loader could not map into memory (a tight `ulimit -v`)."""
    return isinstance(exc, ImportError) and any(cause in str(exc) for cause in _LOAD_FAILURES)


_LOAD_FAILURES = ("failed to map segment", "Cannot allocate memory")  # what the dynamic loader says


def _out_of_resources(exc: BaseException) -> NoReturn:
    """Memory or threads ran out outside one document: one line and exit code 71 (EX_OSERR), never a hang."""
    if isinstance(exc, ResourceError):
        reason = str(exc)
    elif isinstance(exc, MemoryError):
        reason = f"out of memory ({exc})" if str(exc) else "out of memory"
    elif isinstance(exc, ImportError):
        reason = f"out of memory (cannot load {exc.name or 'a compiled module'})"
    else:
        reason = "cannot start a thread (out of memory or of threads)"
    click.echo(f"error: cannot go on: {reason}", err=True)
    sys.exit(ExitCode.OUT_OF_RESOURCES)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command with library errors as usage errors, interrupts as exit code 130, a reader gone as 141,
    an output that cannot be written as 4 and anything unexpected (a bug) as 70."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        install_signal_handlers()
        try:
            return _run_then_flush(fn, args, kwargs)
        except SystemExit:
            _block_late_interrupts()
            raise
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            _exit_interrupted()
        except BrokenPipeError:
            _exit_broken_pipe()
        except OSError as exc:  # the output could not be written: disk full, read-only, a file in the way
            _output_failed(exc)
        except (MemoryError, ResourceError) as exc:  # the machine's limits, not an input's fault nor a bug
            _out_of_resources(exc)
        except RuntimeError as exc:
            if is_thread_start_failure(exc):
                _out_of_resources(exc)
            _crashed(exc)
        except ImportError as exc:
            if is_library_load_failure(exc):
                _out_of_resources(exc)
            _crashed(exc)
        except Exception as exc:  # noqa: BLE001 - a bug: said in one line, not as exit 1 ("some inputs failed")
            _crashed(exc)

    return wrapper


def _stdout_was_closed() -> bool:
    """Whether the process started with file descriptor 1 closed (`>&-`); if so, put the null device there.

    Else the next file opened (an output folder's temporary file, a spill) would take descriptor 1, and
    anything written to standard output would land in it.
    """
    try:
        os.fstat(1)
    except OSError:
        pass
    else:
        return False
    null = os.open(os.devnull, os.O_WRONLY)
    if null != 1:
        os.dup2(null, 1)
        os.close(null)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - the process's stdout
    return True


def stdout_closed() -> bool:
    """Whether the running command's process started with standard output closed (see run_as_process)."""
    context = click.get_current_context(silent=True)
    return context is not None and bool((context.find_root().obj or {}).get(_STDOUT_CLOSED))


def check_stdout(output_dir: str | None) -> None:
    """A closed standard output is an output failure (exit 4), before any input is read; with `output_dir`,
    the folder is written and stderr says standard output is closed."""
    if not stdout_closed():
        return
    if output_dir is None:
        click.echo(f"error: cannot write {STDOUT}: it is closed", err=True)
        sys.exit(ExitCode.OUTPUT_FAILED)
    click.echo(f"cleanwire: {STDOUT} is closed: only {output_dir} is written", err=True)


def run_as_process(command: click.Command, prog_name: str) -> None:
    """Run a click command as the whole process, then leave at once with its exit code."""
    closed = _stdout_was_closed()
    _open_interrupts()
    try:
        command(prog_name=prog_name, obj={_OWN_PROCESS: True, _STDOUT_CLOSED: closed})
    except MemoryError:  # outside the command's guard: click itself, parsing the arguments
        print("error: cannot go on: out of memory", file=sys.stderr)
        _exit_now(ExitCode.OUT_OF_RESOURCES)
    except SystemExit as done:
        # the command is over: its outputs are written and closed, its workers and temporary files
        # gone. Leave without the interpreter's teardown, which would free a heap of fingerprints and
        # ids object by object for nothing (0.2 s per 100k documents). Not under a profiler or a
        # tracer (cProfile, coverage): they write their results at exit
        if sys.getprofile() is not None or sys.gettrace() is not None:
            raise
        _exit_now(done.code)


def _exit_now(code: str | int | None) -> NoReturn:
    """End the process with `code` as sys.exit would, flushing what is left but skipping the teardown."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, a stream closed: nothing to keep
            pass
    os._exit(code or 0)
