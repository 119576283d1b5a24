"""brian2 circuits: the only package of painsim that creates brian2 objects.

Layers of the spinal and supraspinal pain pathway are registered in
:data:`LAYERS` (:mod:`painsim.circuits.layers`); a model's ``network.layers``
names a stack of them.  A point's circuit is drawn in numpy as a :class:`Plan`
(:mod:`painsim.circuits.plan`) and batches of plans run as one brian2 network
(:class:`BatchNetwork`, :mod:`painsim.circuits.network`; opt-in, compiled once
and rerun: :class:`StandaloneNetwork`, :mod:`painsim.circuits.standalone`).

Public names used by the layers above (simulation, course, sweep) are exported
here; import them from ``painsim.circuits``, not from its modules.
"""
from .codegen import ENGINES, codegen_target, engine_choice, import_brian2, use_private_cache
from .dorsal_horn import pn_drives, site_pn_rates
from .cortex import descending_opioid, descending_relay
from .elements import Connection, GroupDynamics, Layer, LayerResults
from .layers import LAYERS, STACKS, group_dynamics, neuron_variables, stack
from .network import BatchNetwork, PointInput, PointOutput, build_networks
from .plan import (Plan, Population, Projection, build_plan, neuron_groups, population_names, population_sizes,
                   projection_endpoints, shared_parameters, structure_key)
from .standalone import StandaloneNetwork, expected_runs
from .engine_settings import check_engine_settings

__all__ = ["BatchNetwork", "StandaloneNetwork", "ENGINES", "engine_choice", "Plan", "PointInput", "PointOutput", "Population", "Projection", "build_networks",
           "build_plan", "codegen_target", "neuron_variables", "population_sizes", "projection_endpoints",
           "structure_key", "population_names", "LAYERS", "STACKS", "stack", "Layer", "LayerResults",
           "GroupDynamics", "Connection", "group_dynamics", "neuron_groups", "shared_parameters",
           "import_brian2", "use_private_cache", "site_pn_rates", "pn_drives", "expected_runs",
           "descending_opioid", "descending_relay", "check_engine_settings"]
