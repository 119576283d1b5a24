"""Ctrl-C interrupts a simulation; it never ends one early as if it had finished.

brian2 by default turns the first SIGINT during ``Network.run`` into a graceful stop: the run
returns normally with fewer steps simulated, so a cut-short window would be read and saved as a
whole one (a sweep point marked done, a result with too few spikes).  ``painsim.circuits`` switches
that off.  The script below starts a long simulation in a fresh interpreter, sends itself SIGINT
once brian2 reports the run under way, and says how the simulation ended.  Negative control: the
same script with brian2's default restored ends the run early without an exception, which is the
behaviour the switch prevents (so the test could fail).
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading, time
    handler_at_start = signal.getsignal(signal.SIGINT)
    blocked_at_start = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    # Ctrl-C as an interactive process has it: a process started by one that ignores or blocks
    # SIGINT (a test runner's worker may) inherits that, and nothing could interrupt it
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    import painsim as ps
    from painsim.circuits.codegen import import_brian2

    brian2 = import_brian2()
    if sys.argv[1] == "brian2-default":
        import painsim.circuits.codegen as codegen
        real = codegen.import_brian2
        def keep_default():  # brian2 as it comes: its handler and its graceful stop
            b = real()
            b.prefs["core.stop_on_keyboard_interrupt"] = True
            signal.signal(signal.SIGINT, b._int_handler)
            return b
        codegen.import_brian2 = keep_default
        import painsim.circuits.network as network
        network.import_brian2 = keep_default

    seen = []
    def interrupt_when_running():
        deadline = time.time() + 120
        while not brian2.Network._globally_running and time.time() < deadline:
            time.sleep(0.01)
        seen.append(brian2.Network._globally_running)
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_when_running, daemon=True).start()
    try:
        res = ps.simulate(ps.load_model("gate_control"), noxious=0.6, duration="60 s", seed=1)
    except KeyboardInterrupt:
        print("interrupted")
    else:  # with what the run saw, should it have been interrupted (a failure message)
        print("returned", float(res.pn_rate), "| run seen:", seen, "| SIGINT at start:", handler_at_start,
              "blocked" if blocked_at_start else "not blocked",
              "| env:", {k: v for k, v in os.environ.items() if k.startswith("PAINSIM")})
""")


def _run(tmp_path, mode: str) -> str:
    script = tmp_path / "interrupt.py"
    script.write_text(SCRIPT)
    # brian2's runtime loop on the numpy target, whatever engine or variant the calling process has set
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PAINSIM")},
           "PAINSIM_TARGET": "numpy", "PAINSIM_ENGINE": "runtime", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(script), mode], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=300)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-2000:]


def test_importing_brian2_keeps_the_sigint_handler_the_process_had():
    """A worker process ignores SIGINT (its parent stops it by pid); brian2's import replaces the
    handler with its own, which would call the ignored one as a function; painsim puts it back."""
    script = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
              "from painsim.circuits.codegen import import_brian2\nimport_brian2()\n"
              "print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)")
    out = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True", out.stderr[-2000:]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to oneself is POSIX")
def test_ctrl_c_interrupts_a_simulation_instead_of_ending_it_early(tmp_path):
    assert _run(tmp_path, "painsim") == "interrupted"
    # negative control: brian2's own default stops the 60-s run early and returns a result
    assert _run(tmp_path, "brian2-default").startswith("returned")
