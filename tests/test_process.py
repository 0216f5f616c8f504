"""Process-level behaviour: signals held back or turned into KeyboardInterrupt, errors as exit codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import SEEDS, run_cli, subprocess_env

from cleanwire import process
from cleanwire.errors import ConfigError, ExitCode
from cleanwire.process import guarded, install_signal_handlers, interrupts_deferred

needs_masks = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks here")


def _mask() -> set[int]:
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, set()))


@needs_masks
def test_interrupts_are_held_back_in_the_block_and_delivered_after_it() -> None:
    before = _mask()
    previous = signal.getsignal(signal.SIGTERM)
    finished: list[bool] = []
    install_signal_handlers()
    try:
        with pytest.raises(KeyboardInterrupt):
            with interrupts_deferred():
                assert {signal.SIGINT, signal.SIGTERM} <= _mask()
                # to this thread: a signal sent to the process may be taken by a thread of a native library
                # (OpenBLAS) that does not block it, and Python then runs the handler at once
                signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
                finished.append(True)  # the block runs to its end: the signal waits for it
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert finished == [True]
    assert _mask() == before


def _command(error: BaseException) -> click.Command:
    @click.command()
    @guarded
    def fail() -> None:
        raise error

    return fail


@pytest.mark.parametrize(("error", "code", "stderr"), [
    (ConfigError("--jobs must be at least 1, not 0"), ExitCode.USAGE, "Error: --jobs must be at least 1, not 0\n"),
    (KeyboardInterrupt(), ExitCode.INTERRUPTED, "cleanwire: interrupted\n"),
    (OSError(28, "No space left on device"), ExitCode.OUTPUT_FAILED,
     "error: cannot write standard output: No space left on device\n"),
    (OSError(28, "No space left on device", "out/x.txt"), ExitCode.OUTPUT_FAILED,
     "error: cannot write out/x.txt: No space left on device\n"),
    (RuntimeError("a bug"), ExitCode.INTERNAL_ERROR,
     "cleanwire: internal error: RuntimeError: a bug (a bug; set CLEANWIRE_DEBUG=1 for the traceback)\n"),
    (MemoryError(), ExitCode.OUT_OF_RESOURCES, "error: cannot go on: out of memory\n"),  # the machine's limit
])
def test_guarded_turns_errors_into_exit_codes(error: BaseException, code: ExitCode, stderr: str) -> None:
    result = CliRunner().invoke(_command(error), [])
    assert result.exit_code == code
    assert result.stderr.endswith(stderr)


def test_a_crash_is_one_line_and_its_traceback_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(_command(KeyError("x")), [])
    assert result.exit_code == ExitCode.INTERNAL_ERROR
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    monkeypatch.setenv("CLEANWIRE_DEBUG", "1")
    result = CliRunner().invoke(_command(KeyError("x")), [])
    assert result.exit_code == ExitCode.INTERNAL_ERROR
    assert "Traceback" in result.stderr and "KeyError" in result.stderr


@needs_masks
def test_a_command_run_in_process_leaves_the_signal_mask_as_it_was() -> None:
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    code, _, _ = run_cli("dedupe", str(SEEDS), "--format", "jsonl")
    assert code == ExitCode.SUCCESS
    # the command's own process blocks late signals at exit; a library caller's must not inherit that
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before


@needs_masks
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupt_taken_by_another_thread_still_waits_for_the_block(signum: int) -> None:
    # a signal sent to the process may be taken by any thread that does not block it (numpy's, the pool's);
    # Python then runs the handler in the main thread at once, whatever the main thread's mask says
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    other_ready, other_done = threading.Event(), threading.Event()
    other = threading.Thread(target=lambda: (other_ready.set(), other_done.wait(30)))
    finished: list[bool] = []
    install_signal_handlers()
    try:
        other.start()
        other_ready.wait(30)
        with pytest.raises(KeyboardInterrupt):
            with interrupts_deferred():
                # one signal: a second one could be taken after the first interrupt has been raised,
                # which is a second interrupt, outside this test's block
                signal.pthread_kill(other.ident or 0, signum)
                # until the handler has run (in this thread, between two bytecodes): however late the other
                # thread takes the signal on a busy machine, it is handled inside the block
                deadline = time.monotonic() + 30
                while process._Deferral.pending is None and time.monotonic() < deadline:
                    pass
                finished.append(True)
    finally:
        other_done.set()
        other.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert finished == [True]


@needs_masks
def test_sigterm_during_start_up_exits_130(tmp_path: Path) -> None:
    # the signal comes while the modules load (here: as numpy is imported), before any command runs
    (tmp_path / "sitecustomize.py").write_text(
        "import os, signal, sys\n"
        "class Hook:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'numpy':\n"
        "            sys.meta_path.remove(self)\n"
        "            os.kill(os.getpid(), signal.SIGTERM)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Hook())\n", encoding="utf-8")
    env = subprocess_env()
    env["PYTHONPATH"] = f"{tmp_path}{os.pathsep}{env['PYTHONPATH']}"
    done = subprocess.run([sys.executable, "-m", "cleanwire", "dedupe", str(SEEDS), "-q"], capture_output=True,
                          env=env, timeout=120)
    assert done.returncode == ExitCode.INTERRUPTED, done.stderr.decode(errors="replace")
    assert done.stdout == b""
    assert done.stderr == b"cleanwire: interrupted\n"
