"""Checks of model parameters that are each in range but impossible together (relations).

:func:`_check_relations` runs on a model's checked leaves after every load and every
:meth:`painsim.params.Model.with_params`, after each value passed its own checks
(:mod:`painsim.params.model`): it names a key of the impossible pair, its value and the other's.
Relations computed by a layer above (the pain maps' anchor rates, computed by
:mod:`painsim.readouts` with the readout's own functions) are registered here by that layer
(:func:`register_relation_check`), as the word choices are (:func:`painsim.params.register_choices`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Mapping

from ..errors import ParameterError

if TYPE_CHECKING:  # the leaves' class; model.py imports this module
    from .model import Leaf


#: The checks registered by the layers above (:func:`register_relation_check`), run in order.
_LAYER_CHECKS: list[Callable] = []


def register_relation_check(check: Callable) -> None:
    """Run ``check`` on every model after the checks of this module (every load and every
    :meth:`painsim.params.Model.with_params`).

    Used by the layers above that own the formula a relation needs: :mod:`painsim.readouts`
    registers the check of the pain maps' anchor rates (computed by its own functions, which this
    layer may not import).

    Parameters
    ----------
    check : callable
        Called with a read-only view of the model's leaves that answers ``path in view``,
        ``view.si(path)`` and ``view.text(path)`` (a missing path raises KeyError); raises a
        :class:`painsim.errors.ParameterError` naming the key refused.  Registering the same
        callable again does nothing.

    Raises
    ------
    painsim.errors.ParameterError
        ``check`` is not callable.
    """
    if not callable(check):
        raise ParameterError("check", check, "a callable taking the model's leaves")
    if check not in _LAYER_CHECKS:
        _LAYER_CHECKS.append(check)


class _LeafView:
    """The leaves read by path like a :class:`painsim.params.Model` (``in``, ``si``, ``text``), for the
    registered checks (a Model cannot be built here: building one runs these checks)."""

    def __init__(self, leaves: Mapping[str, Leaf]):
        self._leaves = leaves

    def __contains__(self, path: str) -> bool:
        return path in self._leaves

    def si(self, path: str):
        return self._leaves[path].si

    def text(self, path: str):
        return self._leaves[path].text


def _check_relations(leaves: Mapping[str, Leaf]) -> None:
    """Refuse parameters that are each in range but impossible together: a fibre class's
    ``velocity_min`` above its ``velocity_max``, a plastic connection's ``w_min`` above its
    ``w_max``, a ganglion (``afferents.drg_distance``) not nearer the cord than the receptive field
    (``afferents.conduction_distance``), and the potentials of :func:`_check_neuron_relations` and
    :func:`_check_readout_relations`, then the checks registered by the layers above
    (:func:`register_relation_check`: the pain maps' anchor rates).

    Parameters
    ----------
    leaves : mapping of str to Leaf
        A model's checked leaves (keys absent from it are not compared).

    Raises
    ------
    painsim.errors.ParameterError
        Naming the key, its value and the allowed range.
    """
    both = "to move the whole range, set both in one with_params call"
    for path, leaf in leaves.items():
        if path.startswith("afferents.") and path.endswith(".velocity_min"):
            top = leaves.get(path[:-len("min")] + "max")
            if top is not None and leaf.si > top.si:
                raise ParameterError(path, leaf.text, f"a velocity <= {path[:-len('min')]}max ({top.text})", hint=both)
        if path.startswith("plasticity.") and path.endswith(".w_min"):
            top = leaves.get(path[:-len("min")] + "max")
            if top is not None and leaf.si > top.si:
                raise ParameterError(path, leaf.text, f"an efficacy floor <= {path[:-len('min')]}max ({top.text})",
                                     hint=both)
    _check_neuron_relations(leaves)
    _check_readout_relations(leaves)
    cd, dd = leaves.get("afferents.conduction_distance"), leaves.get("afferents.drg_distance")
    if cd is not None and dd is not None and not dd.si < cd.si:
        raise ParameterError("afferents.drg_distance", dd.text,
                             f"a distance > 0 m and < afferents.conduction_distance ({cd.text}): the ganglion "
                             "lies between the receptive field and the cord (painsim.fibers.tjunction)")
    view = _LeafView(leaves)
    for check in _LAYER_CHECKS:
        check(view)


def _check_neuron_relations(leaves: Mapping[str, Leaf]) -> None:
    """The dorsal-horn and the supraspinal (cortex) neurons reset below their threshold, and their
    threshold lies below the excitatory reversal potential: a threshold at ``e_excitatory`` divided by
    zero in every run (painsim.circuits.khz_field's rheobase), one above it can never be reached by
    excitation, and a neuron reset at or above its threshold fires again as soon as its refractory
    period ends.  A dorsal-horn neuron resting at or above its threshold fires without input, allowed,
    but not with the kHz field (``dorsal_horn.field.coupling`` > 0), whose coupling needs a rheobase."""
    for layer in ("dorsal_horn", "cortex"):
        reset, threshold = leaves.get(f"{layer}.neuron.reset"), leaves.get(f"{layer}.neuron.threshold")
        e_exc = leaves.get(f"{layer}.synapse.e_excitatory")
        if reset is not None and threshold is not None and not reset.si < threshold.si:
            raise ParameterError(f"{layer}.neuron.reset", reset.text, f"a reset potential below {layer}.neuron."
                                 f"threshold ({threshold.text})", hint="to change both, set them in one with_params call")
        if threshold is not None and e_exc is not None and not threshold.si < e_exc.si:
            raise ParameterError(f"{layer}.neuron.threshold", threshold.text, f"a threshold below {layer}.synapse."
                                 f"e_excitatory ({e_exc.text}), the potential excitation drives towards",
                                 hint="to change both, set them in one with_params call")
    # the kHz field's coupling is scaled to the dorsal-horn rheobase, g_leak (threshold - rest) /
    # (e_exc - threshold) (painsim.circuits.khz_field): at a rest >= threshold it is <= 0 and the field
    # term vanished without a word (its gains are kept only where > 0)
    rest, threshold = leaves.get("dorsal_horn.neuron.rest"), leaves.get("dorsal_horn.neuron.threshold")
    coupling = leaves.get("dorsal_horn.field.coupling")
    if rest is not None and threshold is not None and coupling is not None and coupling.si > 0 \
            and not rest.si < threshold.si:
        raise ParameterError("dorsal_horn.neuron.rest", rest.text, f"a resting potential below dorsal_horn.neuron."
                             f"threshold ({threshold.text}) while the kHz field acts: its coupling is scaled to the "
                             "rheobase, which a neuron resting at threshold lacks (painsim.circuits.khz_field)",
                             hint="for neurons firing without input, set dorsal_horn.field.coupling = 0 as well")


def _check_readout_relations(leaves: Mapping[str, Leaf]) -> None:
    """The painful site lies in the body, and the pain map's rated temperatures rise with their
    ratings (painsim.readouts.psychophysics_points): refused here, naming the key, instead of after a
    simulation under the readout's internal names."""
    site, n = leaves.get("body.painful_site"), leaves.get("body.n_sites")
    if site is not None and n is not None and not site.si < n.si:
        raise ParameterError("body.painful_site", site.text, f"a site index in 0..{n.si - 1} (body.n_sites = {n.text})",
                             hint="to change both, set them in one with_params call")
    k, previous = 1, None
    while f"readout.heat_rating_{k}" in leaves and f"readout.heat_rating_{k}_celsius" in leaves:
        t, r = leaves[f"readout.heat_rating_{k}_celsius"].si, leaves[f"readout.heat_rating_{k}"].si
        if previous is not None and not t > previous[0]:
            raise ParameterError(f"readout.heat_rating_{k}_celsius", t, f"a temperature above "
                                 f"readout.heat_rating_{k - 1}_celsius ({previous[0]:g}): the map's points rise")
        if previous is not None and r < previous[1]:
            raise ParameterError(f"readout.heat_rating_{k}", r, f"a rating >= readout.heat_rating_{k - 1} "
                                 f"({previous[1]:g}): pain does not fall as the heat rises")
        k, previous = k + 1, (t, r)
