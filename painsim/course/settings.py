"""A model's ``[course]`` section: the session engine's windows and the pain test of a course
(:mod:`painsim.course.session` runs the windows, :mod:`painsim.course.engine` the tests)."""
from __future__ import annotations

from dataclasses import dataclass

from ..checks import MAX_SIMULATED_DURATION, simulated_duration
from ..errors import ParameterError
from ..fibers.encoding import MAX_TEMPERATURE, SKIN_BASELINE, heat
from ..params import Model

__all__ = ["EngineSettings", "course_settings", "rated_test_window"]


@dataclass(frozen=True)
class EngineSettings:
    """A model's ``[course]`` section, in SI units (s; ``test_noxious`` in [0, 1];
    ``test_heat_celsius`` a contact temperature, or 0 for the intensity test).

    Parameters
    ----------
    window : float
        Length of a simulated window, in s.
    lead_in : float
        Time simulated before each window, in s.
    n_chunks : int
        Number of chunks a session is cut into.
    test_duration : float
        Simulated duration of the pain test, in s.
    test_noxious : float
        Noxious intensity of the pain test, in [0, 1].
    test_heat_celsius : float
        Contact temperature of the pain test in °C, or 0 (default) for the intensity test.
    """

    window: float
    lead_in: float
    n_chunks: int
    test_duration: float
    test_noxious: float
    test_heat_celsius: float = 0.0

    @property
    def test_stimulus(self):
        """The pain test's noxious stimulus: contact heat at ``test_heat_celsius``
        (:func:`painsim.fibers.heat`), or the intensity ``test_noxious`` when that is 0."""
        return heat(self.test_heat_celsius) if self.test_heat_celsius > 0 else self.test_noxious

    @property
    def test_label(self) -> str:
        """The pain test in words (written into course results)."""
        if self.test_heat_celsius > 0:
            return f"contact heat {self.test_heat_celsius:g} degC"
        return f"noxious intensity {self.test_noxious:g}"


def course_settings(model: Model) -> EngineSettings:
    """The checked ``[course]`` settings of ``model``.

    Parameters
    ----------
    model : Model
        A loaded model; its ``[course]`` section is read.

    Returns
    -------
    EngineSettings

    Raises
    ------
    painsim.errors.ParameterError
        A window or test duration <= 0 or over an hour (:data:`painsim.checks.MAX_SIMULATED_DURATION`;
        the window with ``lead_in``), a ``lead_in`` of an hour or more, a test duration not longer than ``readout.transient``
        (:func:`rated_test_window`), ``n_chunks`` < 1, ``test_noxious`` outside [0, 1],
        or ``test_heat_celsius`` neither 0 nor a temperature in [32, 60] °C.
    """
    c = model.section("course")
    for k in ("window", "test_duration"):  # each is simulated as one point (the sessions are replayed)
        simulated_duration(model.text(f"course.{k}"), f"course.{k}",
                           hint="a course simulates windows of its sessions and replays them")
    rated_test_window(model, c["test_duration"], "course.test_duration", model.text("course.test_duration"))
    if c["lead_in"] >= MAX_SIMULATED_DURATION:  # no window would fit after it
        raise ParameterError("course.lead_in", model.text("course.lead_in"),
                             f"a lead-in < {MAX_SIMULATED_DURATION:g} s (1 hour): each window is simulated after it")
    if c["window"] + c["lead_in"] > MAX_SIMULATED_DURATION:  # each window is simulated after its lead-in
        raise ParameterError("course.window", model.text("course.window"),
                             f"a window <= {MAX_SIMULATED_DURATION - c['lead_in']:g} s: with course.lead_in = "
                             f"{c['lead_in']:g} s before it, at most {MAX_SIMULATED_DURATION:g} s (1 hour) simulated")
    if int(c["n_chunks"]) < 1:
        raise ParameterError("course.n_chunks", c["n_chunks"], "a whole number >= 1")
    if not 0 <= c["test_noxious"] <= 1:
        raise ParameterError("course.test_noxious", c["test_noxious"], "an intensity in [0, 1]")
    celsius = c["test_heat_celsius"]
    if not (celsius == 0 or SKIN_BASELINE <= celsius <= MAX_TEMPERATURE):
        raise ParameterError("course.test_heat_celsius", celsius,
                             f"0 (the intensity test) or a temperature in [{SKIN_BASELINE:g}, {MAX_TEMPERATURE:g}] °C")
    return EngineSettings(c["window"], c["lead_in"], int(c["n_chunks"]), c["test_duration"], c["test_noxious"],
                          float(celsius))


def rated_test_window(model: Model, seconds: float, name: str, value) -> None:
    """Refuse a pain test window of ``seconds`` not longer than the model's ``readout.transient``.

    C fibres arrive late (up to the transient, the slowest C conduction time): the scores skip the
    first ``readout.transient`` of a run, and a run not longer than it is read whole, before the
    C-fibre spikes of the heat arrive, so every patient would rate the test 0
    (:func:`painsim.readouts.rates.window_start`).

    Parameters
    ----------
    model : Model
        The model (``readout.transient``).
    seconds : float
        The test window, in s.
    name : str
        The parameter, as the user wrote it (``course.test_duration``, ``experiment.test_duration``).
    value : object
        The value as given, named in the error.

    Raises
    ------
    painsim.errors.ParameterError
        ``seconds`` is not longer than ``readout.transient``.
    """
    transient = model.si("readout.transient")
    if not seconds > transient:
        raise ParameterError(name, value, f"a test window longer than readout.transient ({transient:g} s): C fibres "
                             "arrive late, and a window not longer than the transient is read before they do "
                             "(pain 0 for everyone)")
