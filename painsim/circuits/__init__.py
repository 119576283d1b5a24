"""brian2 circuits: the only package of painsim that creates brian2 objects.

Public names used by the layers above (simulation, course, sweep) are exported
here; import them from ``painsim.circuits``, not from its modules.
"""
from .network import (BatchNetwork, Plan, PointInput, PointOutput, Population, Projection,  # noqa: F401
                      build_networks, build_plan, codegen_target, neuron_variables, population_sizes,
                      projection_endpoints, structure_key)
