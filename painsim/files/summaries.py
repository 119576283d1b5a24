"""The lines ``painsim run`` and ``painsim course`` print about a result (text only, no I/O).

Each function takes a result Dataset and returns the lines of its summary, so
that what is printed can be tested on a small Dataset without running anything.
"""
from __future__ import annotations

import json
import math

import numpy as np
import xarray as xr

from ..analysis import changed_connections, pn_site, sep_metrics
from ..cohort import format_estimate

__all__ = ["condition_rows", "conditioning_rows", "cohort_rows", "course_rows", "qst_rows", "tolerance_rows"]


def _pn_cell(ds: xr.Dataset, k: int) -> str:
    """The PN rate of condition ``k``, at the site :func:`painsim.analysis.pn_site` names (the one the
    conditions figure draws): the painful site's is the result's ``pn_rate``."""
    d = ds.isel(condition=k)
    site, name = pn_site(ds, k)
    if not name:
        return f"PN {float(d['pn_rate']):5.1f} Hz"
    rate = d["pn_rate"] if name.startswith("painful") else d["site_pn_rate"].isel(site=site)
    return f"PN {float(rate):5.1f} Hz ({name})"


def _label_width(labels, least: int) -> int:
    """The width of a label column: ``least``, or the longest label's, so the columns stay aligned."""
    return max([least] + [len(str(c)) for c in labels])


def _pain_sources(ds: xr.Dataset, k: int) -> str:
    """What the pain score of condition ``k`` is made of, for models with an S1 map: the spinal score,
    the map's term (``map_pain``, by ``readout.map_measure``) and its overactive area (central pain
    can come from the map alone, with silent PNs)."""
    if "map_overactive_area" not in ds or "spinal_pain" not in ds:
        return ""
    d = ds.isel(condition=k)
    area = float(d["map_overactive_area"]) * 1e6  # m^2 -> mm^2
    if not math.isfinite(area):  # a condition whose model has no S1 map (mixed experiments)
        return ""
    overactive = f"S1 overactive {area:5.1f} mm²"
    if "map_pain" in ds and math.isfinite(float(d["map_pain"])):  # the map term, whichever its measure
        return f"   from spinal {float(d['spinal_pain']):4.1f} + map {float(d['map_pain']):4.1f} ({overactive})"
    return f"   from spinal {float(d['spinal_pain']):4.1f} + {overactive}"


def _sep_cells(ds: xr.Dataset) -> list[str]:
    """Per condition, the evoked response of the dorsal column nuclei to a test electrode's pulses
    (:func:`painsim.analysis.sep_metrics`), for experiments with test electrodes and nuclei; else ""."""
    names = ds["spike_population"].attrs.get("flag_meanings", "").split() if "spike_population" in ds else []
    if "DCN" not in names:
        return [""] * ds.sizes.get("condition", 0)
    sep = sep_metrics(ds)["sep"].values   # nan where a condition has no test electrode
    return [f"   evoked DCN {v:.2f} /neuron/pulse" if np.isfinite(v) else "" for v in sep]


def condition_rows(ds: xr.Dataset) -> list[str]:
    """One line per condition: pain, gate index, the PN rate of the stimulated site, with a
    cortex the sources of the pain score, and with a test electrode's pulses the evoked response
    of the dorsal column nuclei (the SEP collision test).

    Parameters
    ----------
    ds : xarray.Dataset
        A conditions result over ``condition``: ``pain`` and ``pn_rate`` (Hz); ``gate_index``,
        ``unpleasantness``, ``site_pn_rate``, the S1 map's variables and the spikes of the
        dorsal column nuclei are used when present.

    Returns
    -------
    list of str
        One line per condition.
    """
    rows = []
    evoked = _sep_cells(ds)
    width = _label_width(ds.condition.values, 45)
    for k, c in enumerate(ds.condition.values):
        d = ds.isel(condition=k)
        where = " (painful site)" if ds.sizes.get("site", 1) > 1 else ""
        gate = f"   gate index{where} {float(d['gate_index']):.2f}" if "gate_index" in ds else ""
        has_unpl = "unpleasantness" in ds and math.isfinite(float(d["unpleasantness"]))
        unpl = f"   unpleasantness {float(d['unpleasantness']):4.1f} / 10" if has_unpl else ""
        rows.append(f"  {str(c):{width}s} pain {float(d['pain']):4.1f} / 10{gate}   {_pn_cell(ds, k)}"
                    f"{unpl}{_pain_sources(ds, k)}{evoked[k]}")
    return rows


def conditioning_rows(ds: xr.Dataset) -> list[str]:
    """One line per conditioning protocol: pain and PN rate before -> after, efficacy changes.

    Parameters
    ----------
    ds : xarray.Dataset
        A conditioning summary over ``protocol``: ``pain_before``, ``pain_after``,
        ``pn_rate_before``, ``pn_rate_after`` (Hz) and a ``w_<conn>_change`` (a fraction,
        printed in %) per plastic connection.

    Returns
    -------
    list of str
        One line per protocol.
    """
    conns = changed_connections(ds)
    rows = []
    width = _label_width(ds.protocol.values, 20)
    for p in ds.protocol.values:
        d = ds.sel(protocol=p)
        w = "   ".join(f"w {c} {100 * float(d[f'w_{c}_change']):+5.0f} %" for c in conns)
        rows.append(f"  {str(p):{width}s} pain {float(d.pain_before):4.1f} -> {float(d.pain_after):4.1f} / 10   "
                    f"PN {float(d.pn_rate_before):5.1f} -> {float(d.pn_rate_after):5.1f} Hz   {w}")
    return rows


def cohort_rows(ds: xr.Dataset) -> list[str]:
    """The statistics of a cohort beside the published ones, then responder rates per group.

    Parameters
    ----------
    ds : xarray.Dataset
        A cohort result (:func:`painsim.cohort.run_cohort_file`): over ``statistic`` the
        simulated and published values with their 95 % intervals, over ``group`` and
        ``threshold`` the responder rates; the 2x2 tables from the ``odds_ratios`` attribute.

    Returns
    -------
    list of str
        A header, one line per statistic, then one per group with responders at 30 % relief.
    """
    rows = [f"  {'statistic':28s} {'simulated [95 % CI]':>26s}   {'published [95 % CI]':>24s}"]
    ors = json.loads(ds.attrs.get("odds_ratios", "{}"))
    for st in ds.statistic.values:
        d = ds.sel(statistic=st)
        pub = float(d.published)
        published = (format_estimate(pub, d.pub_ci_low, d.pub_ci_high) if math.isfinite(float(d.pub_ci_low))
                     else f"{pub:.2f}" if math.isfinite(pub) else "")
        cells = (ors.get(str(st)) or {}).get("table_2x2")
        groups = (f"   responders {cells[0]}/{cells[0] + cells[1]} vs {cells[2]}/{cells[2] + cells[3]}"
                  if cells else "")
        simulated = format_estimate(d.simulated, d.sim_ci_low, d.sim_ci_high)  # "not estimable": 0/inf, no CI
        rows.append(f"  {str(st):28s} {simulated:>26s}   {published:>24s}{groups}")
    for g in ds.group.values:
        r = ds.sel(group=g, threshold=0.3)
        if float(r.responder_n) > 0:
            rate = format_estimate(r.responder_rate, r.responder_ci_low, r.responder_ci_high, digits=1, scale=100)
            rows.append(f"  responders >= 30 % relief, {str(g):12s} {rate} %  (n = {int(r.responder_n)})")
    return rows


def course_rows(ds: xr.Dataset) -> list[str]:
    """One line per arm of a course: baseline pain and mean relief at each follow-up day.

    Parameters
    ----------
    ds : xarray.Dataset
        A course result, over ``arm`` or of one protocol, with or without ``patient``:
        ``baseline_pain``, ``relief`` (%) over ``day`` and the ``follow_up`` days;
        ``opioid_tolerance_session`` and ``session_pn_rate`` (Hz) when present.

    Returns
    -------
    list of str
        One line per arm, followed by its opioid tolerance line when the result has one.
    """
    arms = list(ds.arm.values) if "arm" in ds.dims else [ds.attrs.get("protocol", "course")]
    rows = []
    for a in arms:
        d = ds.sel(arm=a) if "arm" in ds.dims else ds
        base = float(d["baseline_pain"].mean())
        line = "  ".join(f"day {float(f):g}: {float(d['relief'].sel(day=f).mean()):5.1f} %"
                         for f in d.follow_up.values)
        if not np.isfinite(d["relief"].sel(day=d.follow_up.values)).any():   # relief is a share of the baseline
            line = "none to measure (no baseline pain)" if base == 0 else line
        rows.append(f"  {str(a):8s} baseline pain {base:4.1f} / 10   relief  {line}")
        if "opioid_tolerance_session" in d:
            T = d["opioid_tolerance_session"].mean("patient") if "patient" in d.dims else d["opioid_tolerance_session"]
            pn = d["session_pn_rate"].mean("patient") if "patient" in d.dims else d["session_pn_rate"]
            during = (f"PN during sessions {float(pn[0]):.1f} -> {float(pn[-1]):.1f} Hz" if np.isfinite(pn).all()
                      else "sessions not simulated (a sham, or no plastic synapse)")
            rows.append(f"  {'':8s} opioid tolerance T during sessions {float(T[0]):.2f} -> {float(T[-1]):.2f}   "
                        f"{during}")
    return rows


def qst_rows(ds: xr.Dataset) -> list[str]:
    """One line per model of a QST profile: ratings, thresholds and wind-up, then the DFNS z-scores
    (reference model ``ds.attrs["reference_model"]``) and the published prevalence of each sign.

    Parameters
    ----------
    ds : xarray.Dataset
        A QST profile (:func:`painsim.files.qst.run_qst`) over ``model``: ``nrs`` per test,
        ``heat_pain_threshold`` (°C), ``mechanical_pain_threshold`` (mN), ``windup_ratio``,
        ``zscore`` over ``measure`` and ``published_prevalence``.

    Returns
    -------
    list of str
        A header, one line per model, then the published prevalences (if any is finite).
    """
    rows = [f"  {'model':32s} {'rest':>5s} {'brush':>5s} {'pin':>5s} {'heat':>5s}   {'HPT °C':>6s} "
            f"{'MPT mN':>7s} {'WUR':>5s}   z: " + " ".join(f"{str(m)[:6]:>6s}" for m in ds.measure.values)]
    for m in ds.model.values:
        d = ds.sel(model=m)
        nrs = " ".join(f"{float(d['nrs'].sel(test=t)):5.1f}" for t in ("rest", "brush", "pinprick", "heat"))
        z = " ".join(f"{float(v):6.1f}" for v in d["zscore"].values)
        rows.append(f"  {str(m):32s} {nrs}   {float(d['heat_pain_threshold']):6.1f} "
                    f"{float(d['mechanical_pain_threshold']):7.0f} {float(d['windup_ratio']):5.2f}   z: {z}")
    pub = "  ".join(f"{str(k)} {100 * float(v):.0f} %" for k, v in
                    zip(ds.measure.values, ds["published_prevalence"].values) if math.isfinite(float(v)))
    if pub:
        rows.append(f"  published prevalence of each gain (Maier et al. 2010): {pub}")
    return rows


def tolerance_rows(ds: xr.Dataset) -> list[str]:
    """The lines ``painsim run`` prints: per test day, means over patients; the effect also as the
    ratio of the day's mean to the first test day's (the measure of ``tens_tolerance_day5``).

    Parameters
    ----------
    ds : xarray.Dataset
        A tolerance result (:func:`painsim.files.tolerance.run_tolerance`) over ``seed`` (the
        patients) and ``day``: ``effect`` and ``opioid_effect`` (Hz) and ``efficacy``.

    Returns
    -------
    list of str
        A header, then one line per test day.
    """
    n = ds.sizes["seed"]
    rows = [f"  {ds.attrs.get('protocol', '')}: {n} patient{'s' * (n != 1)}, acute PN reduction by the "
            f"stimulation at site {ds.attrs.get('test_site', '?')} ({ds.attrs.get('test_celsius', '?')} °C at the "
            "painful site); means over patients, the effect also over the first test day's mean"]
    first = float(ds["effect"].isel(day=0).mean("seed"))
    for d in ds.day.values:
        x = ds.sel(day=d).mean("seed")
        ratio = float(x["effect"]) / first if first > 0 else float("nan")
        rows.append(f"  day {float(d):5g}: efficacy {float(x['efficacy']):.2f}   effect {float(x['effect']):5.1f} Hz "
                    f"({ratio:.2f} of the first test day's)   opioid part {float(x['opioid_effect']):5.2f} Hz")
    return rows
