"""Flowcharts (流程图) drawn from the workflow definitions — no flowchart is drawn by hand.

``render_svg`` lays a ``Workflow`` out as a layered graph, top to bottom (Sugiyama style):

1. cycles (e.g. 听证 → 审查) are broken by reversing the back edges a depth-first walk from the
   initial state finds; states are layered by their longest path from the initial state;
2. every transition becomes a chain through the layers: its label is a box of its own in the row
   between two state rows, and a long edge passes through placeholder points, so labels and
   long edges take part in the layout instead of being drawn over it;
3. rows are ordered by barycentre sweeps plus adjacent swaps, keeping the order with the fewest
   crossings; x positions are the least-squares compromise between neighbours (isotonic
   regression keeps the order and spacing), so edges run as straight as the graph allows.

The output is a self-contained SVG (presentation attributes, no CSS or font links) and is
deterministic: the same definition and marks give the same bytes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal, NamedTuple
from xml.sax.saxutils import escape

from zhifa.cases.workflow import Transition, Workflow
from zhifa.org.models import Role

FONT_FAMILY = "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
STATE_FONT, STEP_FONT, NOTE_FONT = 14.0, 12.0, 11.0
LINE_HEIGHT = 1.35  # em
STATE_MAX_EM, LABEL_MAX_EM = 9.0, 9.5  # wrap width of state and step labels
MARGIN, RANK_GAP = 20.0, 16.0
CLOCK_VERBS = {"start": "起算", "pause": "中止", "resume": "恢复", "stop": "终止"}
ROLE_ORDER = [r.value for r in Role]

INK, MUTED, BLUE, RED, AMBER = "#1d2129", "#6b7280", "#1f4e8c", "#b3261e", "#b45309"
EDGE, EDGE_TAKEN = "#9aa5b5", "#4b5563"

Kind = Literal["state", "label", "dummy"]


class Line(NamedTuple):
    text: str
    size: float
    colour: str
    weight: str = "normal"
    clock: bool = False  # drawn after a small clock icon (no font is relied on for ⏱)

    @property
    def width(self) -> float:
        return text_width(self.text, self.size) + (1.3 * self.size if self.clock else 0.0)


# --- text -------------------------------------------------------------------------------------


def _char_em(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F", "A") or unicodedata.category(ch) == "So":
        return 1.0  # CJK characters, full-width punctuation and symbols such as ⏱
    if ch == " ":
        return 0.3
    return 0.64 if ch.isupper() or ch.isdigit() else 0.55


def text_width(text: str, size: float) -> float:
    return sum(_char_em(ch) for ch in text) * size


_TOKENS = re.compile(r"[A-Za-z0-9_.\-]+|\s+|.", re.S)
_NO_LINE_START = frozenset("）」』】〕》〉，。、；：？！…·)]},.;:!?")
_NO_LINE_END = frozenset("（「『【〔《〈([{")


def wrap(text: str, size: float, max_width: float) -> list[str]:
    """Balanced lines no wider than ``max_width`` where possible; ASCII words stay whole and
    closing punctuation never starts a line."""
    total = text_width(text, size)
    if total <= max_width:
        return [text]
    head, bracket, tail = text.partition("（")
    if bracket and head and max(text_width(head, size), text_width(bracket + tail, size)) <= 1.2 * max_width:
        return [head, bracket + tail]  # a parenthetical goes to its own line when it fits
    target = total / math.ceil(total / max_width) + 0.6 * size
    lines: list[str] = []
    current = ""
    for token in _TOKENS.findall(text):
        breakable = (
            current.strip()
            and token[0] not in _NO_LINE_START
            and current[-1] not in _NO_LINE_END
            and text_width(current + token, size) > target
        )
        if breakable:
            lines.append(current.strip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.strip())
    return lines


def wrap_items(items: list[str], sep: str, size: float, max_width: float) -> list[str]:
    """Greedy lines of whole items (role names, clock groups) joined by ``sep``."""
    lines: list[str] = []
    for item in items:
        if lines and text_width(lines[-1] + sep + item, size) <= max_width:
            lines[-1] += sep + item
        else:
            if lines:
                lines[-1] += sep.strip()  # an enumeration comma stays at the end of the line
            lines.append(item)
    return lines


def _attr(value: str) -> str:
    """Text for a double-quoted attribute."""
    return escape(value, {'"': "&quot;"})


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- the layered graph ------------------------------------------------------------------------


@dataclass
class _Vertex:
    kind: Kind
    rank: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    state: str = ""
    up: list[int] = field(default_factory=list)
    down: list[int] = field(default_factory=list)
    x: float = 0.0
    top: float = 0.0
    bottom: float = 0.0


@dataclass
class _Edge:
    transition: Transition
    source: str
    target: str
    chain: list[int]  # vertex ids from the upper state down to the lower one
    reversed: bool


def _back_edges(workflow: Workflow, succ: dict[str, list[str]]) -> set[tuple[str, str]]:
    visited: set[str] = set()
    on_path: set[str] = set()
    back: set[tuple[str, str]] = set()

    def walk(node: str) -> None:
        visited.add(node)
        on_path.add(node)
        for nxt in succ[node]:
            if nxt in on_path:
                back.add((node, nxt))
            elif nxt not in visited:
                walk(nxt)
        on_path.discard(node)

    walk(workflow.initial)
    for state in workflow.states:
        if state.code not in visited:
            walk(state.code)
    return back


def _layers(workflow: Workflow, edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from the sources over an acyclic edge list, in definition order."""
    order = [s.code for s in workflow.states]
    indegree = dict.fromkeys(order, 0)
    for _, v in edges:
        indegree[v] += 1
    layer = dict.fromkeys(order, 0)
    ready = [c for c in order if indegree[c] == 0]
    while ready:
        node = ready.pop(0)
        for u, v in edges:
            if u == node:
                layer[v] = max(layer[v], layer[u] + 1)
                indegree[v] -= 1
                if indegree[v] == 0:
                    ready.append(v)
    return layer


def clock_note(transition: Transition) -> list[str]:
    """What the step does to the statutory clocks, grouped by action: ["T10、T8终止", "T12起算"]."""
    groups: dict[str, list[str]] = {}
    for rule in transition.clocks:
        codes = groups.setdefault(rule.action, [])
        if rule.code not in codes:
            codes.append(rule.code)
    return [f"{'、'.join(codes)}{CLOCK_VERBS[action]}" for action, codes in groups.items()]


def _label_lines(transition: Transition) -> list[Line]:
    limit = LABEL_MAX_EM * STEP_FONT
    lines = [Line(t, STEP_FONT, INK, "500") for t in wrap(transition.label, STEP_FONT, limit)]
    roles = [Role(r).label for r in sorted(transition.roles, key=ROLE_ORDER.index)]
    lines += [Line(t, NOTE_FONT, MUTED) for t in wrap_items(roles, "、", NOTE_FONT, limit)]
    notes = wrap_items(clock_note(transition), " ", NOTE_FONT, limit - 1.3 * NOTE_FONT)
    lines += [Line(t, NOTE_FONT, AMBER, clock=i == 0) for i, t in enumerate(notes)]
    return lines


def _box(lines: list[Line], pad_x: float, pad_y: float) -> tuple[float, float]:
    width = max(line.width for line in lines) + 2 * pad_x
    height = sum(line.size * LINE_HEIGHT for line in lines) + 2 * pad_y
    return width, height


class _Graph:
    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.vertices: list[_Vertex] = []
        self.state_vertex: dict[str, int] = {}
        self.edges: list[_Edge] = []
        self.loops: list[tuple[str, Transition]] = []
        self.width = self.height = 0.0
        pairs = [(s, t.target, t) for t in workflow.transitions for s in t.source]
        succ: dict[str, list[str]] = {s.code: [] for s in workflow.states}
        for s, target, _ in pairs:
            if s != target and target not in succ[s]:
                succ[s].append(target)
        back = _back_edges(workflow, succ)
        acyclic = [((t, s) if (s, t) in back else (s, t)) for s, t, _ in pairs if s != t]
        layer = _layers(workflow, acyclic)
        for state in workflow.states:
            lines = [
                Line(t, STATE_FONT, INK, "600")
                for t in wrap(state.label, STATE_FONT, STATE_MAX_EM * STATE_FONT)
            ]
            width, height = _box(lines, 14, 9)
            if state.terminal:
                width, height = width + 6, height + 6
            self.state_vertex[state.code] = self._add("state", 2 * layer[state.code], width, height, lines)
            self.vertices[-1].state = state.code
        for source, target, transition in pairs:
            if source == target:
                self.loops.append((source, transition))
                vertex = self.vertices[self.state_vertex[source]]
                vertex.width += 2 * (40 + _box(_label_lines(transition), 4, 3)[0])
                continue
            rev = (source, target) in back
            upper, lower = (target, source) if rev else (source, target)
            chain = [self.state_vertex[upper]]
            lines = _label_lines(transition)
            chain.append(self._add("label", 2 * layer[upper] + 1, *_box(lines, 6, 3), lines))
            for rank in range(2 * layer[upper] + 2, 2 * layer[lower]):
                chain.append(self._add("dummy", rank, 0.0, 0.0, []))
            chain.append(self.state_vertex[lower])
            for a, b in pairwise(chain):
                self.vertices[a].down.append(b)
                self.vertices[b].up.append(a)
            self.edges.append(_Edge(transition, source, target, chain, rev))
        self.ranks: list[list[int]] = [[] for _ in range(max(v.rank for v in self.vertices) + 1)]
        for vid, vertex in enumerate(self.vertices):
            self.ranks[vertex.rank].append(vid)

    def _add(self, kind: Kind, rank: int, width: float, height: float, lines: list[Line]) -> int:
        self.vertices.append(_Vertex(kind, rank, width, height, lines))
        return len(self.vertices) - 1

    # ordering: barycentre sweeps + adjacent swaps, best ordering kept

    def _positions(self) -> dict[int, int]:
        return {vid: i for rank in self.ranks for i, vid in enumerate(rank)}

    def crossings(self) -> int:
        pos, total = self._positions(), 0
        for rank in self.ranks[:-1]:
            segs = [(pos[a], pos[b]) for a in rank for b in self.vertices[a].down]
            total += sum(
                1 for i, s in enumerate(segs) for t in segs[i + 1 :] if (s[0] - t[0]) * (s[1] - t[1]) < 0
            )
        return total

    def _sort_rank(self, r: int, downward: bool) -> None:
        pos = self._positions()

        def key(item: tuple[int, int]) -> float:
            i, vid = item
            neighbours = self.vertices[vid].up if downward else self.vertices[vid].down
            return sum(pos[n] for n in neighbours) / len(neighbours) if neighbours else float(i)

        self.ranks[r] = [vid for _, vid in sorted(enumerate(self.ranks[r]), key=key)]

    def _pair_crossings(self, a: int, b: int, pos: dict[int, int]) -> int:
        va, vb = self.vertices[a], self.vertices[b]
        up = sum(1 for p in va.up for q in vb.up if pos[p] > pos[q])
        return up + sum(1 for p in va.down for q in vb.down if pos[p] > pos[q])

    def _transpose(self) -> None:
        improved = True
        while improved:
            improved = False
            for rank in self.ranks:
                for i in range(len(rank) - 1):
                    pos = self._positions()
                    a, b = rank[i], rank[i + 1]
                    if self._pair_crossings(b, a, pos) < self._pair_crossings(a, b, pos):
                        rank[i], rank[i + 1] = b, a
                        improved = True

    def order(self, sweeps: int = 16) -> None:
        best, best_count = [list(r) for r in self.ranks], self.crossings()
        for sweep in range(sweeps):
            down = sweep % 2 == 0
            for r in range(1, len(self.ranks)) if down else range(len(self.ranks) - 2, -1, -1):
                self._sort_rank(r, down)
            self._transpose()
            count = self.crossings()
            if count < best_count:
                best, best_count = [list(r) for r in self.ranks], count
        self.ranks = best

    # coordinates

    def _gap(self, a: int, b: int) -> float:
        kinds = {self.vertices[a].kind, self.vertices[b].kind}
        if kinds == {"dummy"}:
            return 12.0
        return 36.0 if kinds == {"state"} else 18.0

    def _place_rank(self, rank: list[int], desired: list[float]) -> None:
        """Least squares to ``desired`` keeping order and spacing: isotonic regression (PAVA)."""
        offsets = [0.0]
        for a, b in pairwise(rank):
            sep = (self.vertices[a].width + self.vertices[b].width) / 2 + self._gap(a, b)
            offsets.append(offsets[-1] + sep)
        weights = [2.0 if self.vertices[v].kind == "dummy" else 1.0 for v in rank]
        blocks: list[list[float]] = []  # [weighted sum, weight, count]
        for target, w, off in zip(desired, weights, offsets, strict=True):
            blocks.append([(target - off) * w, w, 1])
            while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
                last = blocks.pop()
                blocks[-1] = [blocks[-1][0] + last[0], blocks[-1][1] + last[1], blocks[-1][2] + last[2]]
        values = [b[0] / b[1] for b in blocks for _ in range(int(b[2]))]
        for vid, value, off in zip(rank, values, offsets, strict=True):
            self.vertices[vid].x = value + off

    def place(self, rounds: int = 12) -> None:
        for rank in self.ranks:
            x = 0.0
            for vid in rank:
                self.vertices[vid].x = x + self.vertices[vid].width / 2
                x += self.vertices[vid].width + 36
        for i in range(rounds * 3):
            mode = i % 3  # down, up, both
            ranks = self.ranks if mode != 1 else self.ranks[::-1]
            for rank in ranks:
                desired = []
                for vid in rank:
                    v = self.vertices[vid]
                    near = v.up if mode == 0 else v.down if mode == 1 else v.up + v.down
                    xs = [self.vertices[n].x for n in near]
                    desired.append(sum(xs) / len(xs) if xs else v.x)
                self._place_rank(rank, desired)
        left = min(v.x - v.width / 2 for v in self.vertices)
        for v in self.vertices:
            v.x += MARGIN - left
        y = MARGIN + (30.0 if self.vertices[self.state_vertex[self.workflow.initial]].rank == 0 else 0.0)
        for r, rank in enumerate(self.ranks):
            if r:  # wide fans get more height so their curves do not run flat
                spread = [
                    abs(self.vertices[a].x - self.vertices[b].x)
                    for a in self.ranks[r - 1]
                    for b in self.vertices[a].down
                ]
                y += min(max(RANK_GAP, 0.22 * max(spread, default=0.0)), 44.0)
            height = max([self.vertices[v].height for v in rank] + [34.0 if r % 2 == 0 else 6.0])
            for vid in rank:
                v = self.vertices[vid]
                if v.kind == "dummy":
                    v.top, v.bottom = y, y + height
                else:
                    v.top = y + (height - v.height) / 2
                    v.bottom = v.top + v.height
            y += height
        self.height = y
        self.width = max(v.x + v.width / 2 for v in self.vertices) + MARGIN

    def ports(self) -> dict[tuple[int, int], float]:
        """Where each segment leaves or enters a state: spread along its bottom or top side."""
        port: dict[tuple[int, int], float] = {}
        for sid in self.state_vertex.values():
            v = self.vertices[sid]
            for side, neighbours in (("down", v.down), ("up", v.up)):
                ordered = sorted(neighbours, key=lambda n: (self.vertices[n].x, n))
                step = min(16.0, (v.width - 24) / max(len(ordered) - 1, 1))
                for i, n in enumerate(ordered):
                    offset = (i - (len(ordered) - 1) / 2) * step
                    port[(sid, n) if side == "down" else (n, sid)] = v.x + offset
        return port


# --- drawing ----------------------------------------------------------------------------------


def _clock_icon(x: float, cy: float, size: float, colour: str) -> str:
    """A small stopwatch drawn as shapes, centred at (x, cy)."""
    r = size * 0.42
    return (
        f'<g class="zf-clock" fill="none" stroke="{colour}" stroke-width="1.1" stroke-linecap="round">'
        f'<circle cx="{_num(x)}" cy="{_num(cy + 0.6)}" r="{_num(r)}"/>'
        f'<path d="M{_num(x)},{_num(cy + 0.6)} L{_num(x)},{_num(cy + 0.6 - r * 0.65)} '
        f"M{_num(x)},{_num(cy + 0.6)} L{_num(x + r * 0.5)},{_num(cy + 0.6)} "
        f'M{_num(x - 1.5)},{_num(cy - r - 0.6)} L{_num(x + 1.5)},{_num(cy - r - 0.6)}"/></g>'
    )


def _text_block(lines: list[Line], cx: float, top: float) -> list[str]:
    out, y = [], top
    for line in lines:
        line_height = line.size * LINE_HEIGHT
        centre, x = y + line_height / 2, cx
        if line.clock:
            icon_x = cx - line.width / 2 + 0.45 * line.size
            out.append(_clock_icon(icon_x, centre, line.size, line.colour))
            x = cx + 0.65 * line.size
        out.append(
            f'<text x="{_num(x)}" y="{_num(centre)}" font-size="{_num(line.size)}" '
            f'font-weight="{line.weight}" fill="{line.colour}" text-anchor="middle" '
            f'dominant-baseline="central">{escape(line.text)}</text>'
        )
        y += line_height
    return out


def _path(points: list[tuple[float, float]]) -> str:
    parts = [f"M{_num(points[0][0])},{_num(points[0][1])}"]
    for (x0, y0), (x1, y1) in pairwise(points):
        if abs(x0 - x1) < 0.5 or abs(y0 - y1) < 0.5:
            parts.append(f"L{_num(x1)},{_num(y1)}")
        else:
            ym = (y0 + y1) / 2
            parts.append(f"C{_num(x0)},{_num(ym)} {_num(x1)},{_num(ym)} {_num(x1)},{_num(y1)}")
    return " ".join(parts)


def render_svg(
    workflow: Workflow,
    *,
    current: str | None = None,
    done: set[str] | None = None,
    taken: set[tuple[str, str]] | None = None,
) -> str:
    """The workflow as an SVG flowchart. ``current`` is highlighted (red border), ``done`` states
    (visited) are muted, ``taken`` (source, target) steps are drawn darker."""
    done, taken = done or set(), taken or set()
    graph = _Graph(workflow)
    graph.order()
    graph.place()
    vs = graph.vertices
    uid = re.sub(r"[^A-Za-z0-9]+", "-", workflow.key)
    legend_y = graph.height + 14
    returns = any(e.reversed for e in graph.edges)
    legend, legend_width, legend_height = _legend(legend_y, uid, max(graph.width, 380.0), returns)
    width = max(graph.width, legend_width)
    for v in vs:  # a chart narrower than its key is centred above it
        v.x += (width - graph.width) / 2
    port = graph.ports()
    height = legend_y + legend_height + MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="zf-flowchart" width="{_num(width)}" '
        f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
        f'aria-label="{_attr(workflow.label)}流程图" font-family="{_attr(FONT_FAMILY)}" '
        f'data-workflow="{_attr(workflow.key)}">',
        f"<title>{escape(workflow.label)}流程图</title>",
        "<defs>",
    ]
    for name, colour in (("", EDGE), ("-taken", EDGE_TAKEN)):
        out.append(
            f'<marker id="zf-arrow-{uid}{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
            f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<rect x="0" y="0" width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>')
    first = vs[graph.state_vertex[workflow.initial]]
    if first.rank == 0:
        out.append(f'<circle cx="{_num(first.x)}" cy="{_num(first.top - 24)}" r="6" fill="{INK}"/>')
        out.append(
            f'<path d="M{_num(first.x)},{_num(first.top - 18)} L{_num(first.x)},{_num(first.top)}" '
            f'stroke="{EDGE}" stroke-width="1.4" fill="none" marker-end="url(#zf-arrow-{uid})"/>'
        )
    for edge in graph.edges:
        chain = edge.chain
        points = [(port[(chain[0], chain[1])], vs[chain[0]].bottom)]
        for vid in chain[1:-1]:
            points += [(vs[vid].x, vs[vid].top), (vs[vid].x, vs[vid].bottom)]
        points.append((port[(chain[-2], chain[-1])], vs[chain[-1]].top))
        if edge.reversed:
            points.reverse()
        is_taken = (edge.source, edge.target) in taken
        colour, suffix = (EDGE_TAKEN, "-taken") if is_taken else (EDGE, "")
        classes = "zf-edge" + (" zf-taken" if is_taken else "") + (" zf-return" if edge.reversed else "")
        dash = ' stroke-dasharray="5 3"' if edge.reversed else ""  # a step back up the process
        out.append(
            f'<path class="{classes}" data-transition="{_attr(edge.transition.code)}" d="{_path(points)}" '
            f'stroke="{colour}" stroke-width="{"2" if is_taken else "1.4"}"{dash} fill="none" '
            f'marker-end="url(#zf-arrow-{uid}{suffix})"/>'
        )
    for edge in graph.edges:
        label = vs[edge.chain[1]]
        out.append(f'<g class="zf-step" data-transition="{_attr(edge.transition.code)}">')
        out.append(
            f'<rect x="{_num(label.x - label.width / 2)}" y="{_num(label.top)}" width="{_num(label.width)}" '
            f'height="{_num(label.height)}" rx="3" fill="#ffffff" fill-opacity="0.94"/>'
        )
        out += _text_block(label.lines, label.x, label.top + 3)
        out.append("</g>")
    for state in workflow.states:
        out += _draw_state(graph, state.code, state.label, state.terminal, current, done, uid)
    out += legend
    out.append("</svg>")
    return "\n".join(out)


def _draw_state(
    graph: _Graph, code: str, label: str, terminal: bool, current: str | None, done: set[str], uid: str
) -> list[str]:
    v = graph.vertices[graph.state_vertex[code]]
    loops = [t for s, t in graph.loops if s == code]
    box_w = v.width - sum(2 * (40 + _box(_label_lines(t), 4, 3)[0]) for t in loops)
    if code == current:
        classes, fill, stroke, ink, width, note = (
            "zf-state zf-current",
            "#fdecea",
            RED,
            "#8c1d17",
            2.5,
            "（当前环节）",
        )
    elif code in done:
        classes, fill, stroke, ink, width, note = (
            "zf-state zf-done",
            "#eef1f5",
            "#9aa5b5",
            "#4b5563",
            1.2,
            "（已经过）",
        )
    else:
        classes, fill, stroke, ink, width, note = "zf-state", "#ffffff", BLUE, INK, 1.5, ""
    extra = ' aria-current="step"' if code == current else ""
    left, top = v.x - box_w / 2, v.top
    out = [
        f'<g class="{classes}{" zf-terminal" if terminal else ""}" data-state="{_attr(code)}"{extra}>',
        f"<title>{escape(label + note)}</title>",
        f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(box_w)}" height="{_num(v.height)}" rx="8" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{_num(width)}"/>',
    ]
    if terminal:
        out.append(
            f'<rect x="{_num(left + 3.5)}" y="{_num(top + 3.5)}" width="{_num(box_w - 7)}" '
            f'height="{_num(v.height - 7)}" rx="5" fill="none" stroke="{stroke}" stroke-width="1.2"/>'
        )
    lines = [line._replace(colour=ink) for line in v.lines]
    pad = (v.height - sum(line.size * LINE_HEIGHT for line in lines)) / 2
    out += _text_block(lines, v.x, top + pad)
    right = left + box_w
    for i, transition in enumerate(loops):
        y0, y1 = top + 6 + i * 4, top + v.height - 6 - i * 4
        out.append(
            f'<path class="zf-edge" data-transition="{_attr(transition.code)}" d="M{_num(right)},{_num(y0)} '
            f'C{_num(right + 36)},{_num(y0)} {_num(right + 36)},{_num(y1)} {_num(right)},{_num(y1)}" '
            f'stroke="{EDGE}" stroke-width="1.4" fill="none" marker-end="url(#zf-arrow-{uid})"/>'
        )
        lines = _label_lines(transition)
        lw, lh = _box(lines, 4, 3)
        out.append(f'<g class="zf-step" data-transition="{_attr(transition.code)}">')
        out += _text_block(lines, right + 40 + lw / 2, v.top + (v.height - lh) / 2 + 3)
        out.append("</g>")
    out.append("</g>")
    return out


def _legend(y: float, uid: str, max_width: float, returns: bool) -> tuple[list[str], float, float]:
    """The key under the chart, flowing onto more rows when the chart is narrow; its width and
    height."""
    cy, widest = y + 11, 0.0
    out, x = [f'<g class="zf-legend" font-size="{_num(NOTE_FONT)}" fill="{MUTED}">'], MARGIN
    for mark, text in (
        (f'fill="#fdecea" stroke="{RED}" stroke-width="2.5"', "当前环节"),
        ('fill="#eef1f5" stroke="#9aa5b5" stroke-width="1.2"', "已经过"),
        (f'fill="#ffffff" stroke="{BLUE}" stroke-width="1.5"', "未到达"),
        ("terminal", "终结状态"),
        ("return", "返回上一环节"),
        ("clock", "法定期限起算、中止、恢复、终止"),
    ):
        if mark == "return" and not returns:
            continue
        colour = AMBER if mark == "clock" else MUTED
        item_width = 28 + text_width(text, NOTE_FONT)
        if x > MARGIN and x + item_width > max_width - MARGIN:
            x, cy = MARGIN, cy + 22
        widest = max(widest, x + item_width + MARGIN)
        if mark == "clock":
            out.append(_clock_icon(x + 11, cy, NOTE_FONT, AMBER))
        elif mark == "return":
            out.append(
                f'<path d="M{_num(x)},{_num(cy)} L{_num(x + 22)},{_num(cy)}" stroke="{EDGE}" '
                f'stroke-width="1.4" stroke-dasharray="5 3" marker-end="url(#zf-arrow-{uid})"/>'
            )
        else:
            double = mark == "terminal"
            attrs = f'fill="#ffffff" stroke="{BLUE}"' if double else mark
            out.append(f'<rect x="{_num(x)}" y="{_num(cy - 7)}" width="22" height="14" rx="4" {attrs}/>')
            if double:
                out.append(
                    f'<rect x="{_num(x + 2.5)}" y="{_num(cy - 4.5)}" width="17" height="9" rx="2" '
                    f'fill="none" stroke="{BLUE}"/>'
                )
        out.append(
            f'<text x="{_num(x + 28)}" y="{_num(cy)}" fill="{colour}" '
            f'dominant-baseline="central">{text}</text>'
        )
        x += item_width + 18
    out.append("</g>")
    return out, widest, cy + 11 - y


def flowchart_for_case(case: Any) -> str:
    """The case's workflow with its current state marked and the states it passed through muted
    (from its ``transition`` record events, plus the initial state)."""
    from zhifa.cases.definitions import workflow_for
    from zhifa.records.models import EventType, RecordEvent

    workflow = workflow_for(case.act_type, case.procedure)
    visited, taken = {workflow.initial}, set()
    events = RecordEvent.objects.filter(case=case, event_type=EventType.TRANSITION).order_by("id")
    for before, after in events.values_list("before", "after"):
        target = (after or {}).get("state")
        if target:
            visited.add(target)
            source = (before or {}).get("state")
            if source:
                taken.add((source, target))
    return render_svg(workflow, current=case.state, done=visited - {case.state}, taken=taken)
