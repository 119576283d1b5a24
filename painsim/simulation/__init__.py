"""``simulate``: stimulus protocols through the model, as labelled Datasets.

* :mod:`painsim.simulation.inputs`: :class:`Request` and the network input of a point;
* :mod:`painsim.simulation.runner`: :class:`PointsRunner`, the one runner below
  :func:`simulate` and :func:`simulate_batch` (and the course engine);
* :mod:`painsim.simulation.results`: the labelled Dataset of a point.
"""
from .inputs import Request, amplitude_refusal, body_site, device_refusal, point_input
from .results import dataset, pn_drives, site_pn_rates
from .runner import PointsRunner, simulate, simulate_batch

__all__ = ["simulate", "simulate_batch", "Request", "body_site", "PointsRunner", "site_pn_rates", "point_input", "device_refusal", "amplitude_refusal", "dataset",
           "pn_drives"]
