"""Plotly figures as plain dicts, the JSON `plotly.js` draws, without Plotly's graph objects.

Plotly's graph objects validate every property on each assignment and serialise the default
template again for every figure; a report page draws about ten figures, and built that way they
cost the page more than reading the report itself (bench/pages). The dicts built here are the ones
Plotly's own encoder gives back: tests/reports/test_charts.py reads each chart through
`plotly.graph_objects.Figure` and checks nothing changes.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import plotly.graph_objects as go

# Keyword arguments spelled the Plotly way, `marker_color="#b42318"`, nest under these parents.
NESTED = ("marker", "line")


@cache
def default_template() -> dict[str, Any]:
    """Plotly's default template, as every figure's JSON carries it; read once per process."""
    return json.loads(go.Figure().to_json())["layout"]["template"]


def _nested(props: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in props.items():
        parent, _, child = key.partition("_")
        if child and parent in NESTED:
            out.setdefault(parent, {})[child] = value
        else:
            out[key] = value
    return out


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    """Update `into` the way `Figure.update_layout` does: nested dicts merge, other values replace."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def trace(kind: str, **props: Any) -> dict[str, Any]:
    """One trace: `trace("heatmap", x=…, z=…)`."""
    return json.loads(json.dumps({"type": kind, **_nested(props)}))  # plain JSON types, as Plotly gives


class Figure:
    """The few calls of `plotly.graph_objects.Figure` the report's charts use, on plain dicts."""

    def __init__(self, *traces: dict[str, Any]) -> None:
        self.data: list[dict[str, Any]] = list(traces)
        self.layout: dict[str, Any] = {}

    def add_bar(self, **props: Any) -> None:
        self.data.append(trace("bar", **props))

    def add_scatter(self, **props: Any) -> None:
        self.data.append(trace("scatter", **props))

    def update_layout(self, layout: dict[str, Any] | None = None, **props: Any) -> None:
        _merge(self.layout, json.loads(json.dumps({**(layout or {}), **props})))

    def plain(self) -> dict[str, Any]:
        """The figure's JSON as a dict; the template is shared by every figure (read it, never change it)."""
        return {"data": self.data, "layout": {**self.layout, "template": default_template()}}
