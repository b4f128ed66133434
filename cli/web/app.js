// The live page of `flow run --ui`. It lays nothing out itself: the graph is
// the SVG Graphviz drew for `flow dot`, found group by group through each
// <title> (a node's name, or "from->to"), and recoloured from every snapshot
// the server pushes on /events (server-sent events, the --metrics-json shape).
// The first event is the run so far (`history`), so a page opened late, or
// after the run, charts it from its first snapshot. The charts are hand-drawn
// SVG polylines: one series per edge needs no library.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';

const view = { nodes: new Map(), edges: new Map(), charts: new Map(), previous: null, maxPoints: 1024 };

// The colour `flow dot --metrics` gives a fill of 0..1 (runtime/output/labels.cpp,
// heat_colour): green, to yellow at half, to red when full.
function heatColour(fraction) {
  const f = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
  const channel = (value) => Math.round(Math.min(Math.max(value, 0), 1) * 255).toString(16).padStart(2, '0');
  return `#${channel(Math.min(1, 2 * f))}${channel(Math.min(1, 2 * (1 - f)) * 0.8)}00`;
}

// Pale when idle, a mid blue (black text still readable) when every worker is busy.
function busyColour(share) {
  return `hsl(210, 75%, ${96 - 34 * Math.min(Math.max(share, 0), 1)}%)`;
}

// A whole number as fmt's `{:.0f}` writes it: halves go to the even neighbour.
function wholeText(value) {
  const rounded = Math.round(value);
  return String(rounded - value === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded);
}

function percent(fraction) {
  return `${wholeText(Math.max(0, fraction * 100))} %`;
}

function seconds(value) {
  return value < 10 ? `${value.toFixed(2)} s` : `${value.toFixed(1)} s`;
}

// A <title> child gives an SVG element its hover text; the group's own title
// stays the name the page finds it by.
function setTooltip(element, text) {
  let title = Array.from(element.children).find((child) => child.tagName === 'title');
  if (!title) {
    title = document.createElementNS(SVG, 'title');
    element.prepend(title);
  }
  title.textContent = text;
}

async function loadGraph() {
  const holder = document.getElementById('graph');
  const reply = await fetch('graph.svg');
  const text = await reply.text();
  if (!reply.ok) {
    holder.textContent = `no graph: ${text}`;
    return;
  }
  holder.innerHTML = text.slice(text.indexOf('<svg'));  // without the XML prolog and doctype
  for (const group of holder.querySelectorAll('g.node, g.edge')) {
    const title = group.querySelector(':scope > title');
    if (!title) continue;
    group.dataset.name = title.textContent;
    (group.classList.contains('node') ? view.nodes : view.edges).set(title.textContent, group);
  }
}

// Busy share since the previous snapshot, as --trace computes it; the run's
// average for the first one and for the final state (flow dot's busy_fraction).
function intervalBusy(node, run, final) {
  const whole = node.busy > 0 || node.workers <= 0 || run.elapsed_s <= 0
    ? node.busy : Math.min(1, node.busy_s / (node.workers * run.elapsed_s));
  const before = !final && view.previous && view.previous.nodes.find((other) => other.name === node.name);
  const interval = before ? run.elapsed_s - view.previous.elapsed_s : 0;
  if (!before || interval <= 0 || node.workers <= 0) return whole;
  return (node.busy_s - before.busy_s) / (node.workers * interval);
}

function paintNode(node, run, final) {
  const group = view.nodes.get(node.name);
  if (!group) return;
  const busy = intervalBusy(node, run, final);
  const shape = group.querySelector(':scope > polygon, :scope > path, :scope > ellipse');
  if (shape) {
    shape.style.fill = busyColour(busy);
    setTooltip(shape, `${node.name}: busy ${percent(busy)}, ${node.in} in / ${node.out} out`);
  }
  group.classList.toggle('bottleneck', node.name === run.bottleneck);
}

// The capacity a fill is measured against; an unbounded edge's is the default
// capacity of its consumer (include/flow/model.hpp), as flow dot's fill_ratio has it.
function capacityOf(edge, run) {
  if (edge.capacity !== null) return edge.capacity;
  const consumer = run.nodes.find((node) => node.name === edge.to);
  return Math.max(256, 2 * Math.max(1, consumer ? consumer.workers : 1));
}

function fillText(edge) {
  return `${edge.held}/${edge.capacity === null ? '∞' : edge.capacity}`;
}

// What the run did to an edge, as `flow dot --metrics` labels it
// (runtime/output/labels.cpp, edge_run_text): `peak 100/100, full 70 %, dropped 3800`;
// a dead-letter edge (drawn dashed by flow dot) first says what it carried.
function runText(edge, run) {
  let text = edge.capacity === null ? `peak ${edge.high_water}` : `peak ${edge.high_water}/${edge.capacity}`;
  if (edge.dead_letter) text = `${edge.out} carried, ${text}`;
  if (edge.full_s > 0 && run.elapsed_s > 0) text += `, full ${percent(edge.full_s / run.elapsed_s)}`;
  if (edge.dropped > 0) text += `, dropped ${edge.dropped}`;
  if (edge.expired > 0) text += `, expired ${edge.expired}`;
  if (edge.dead_lettered > 0) text += ` (${edge.dead_lettered} routed)`;
  return text;
}

// Running: coloured by how full the edge is now, labelled held/capacity. The
// final state: as flow dot --metrics draws it, coloured by the fullest it got
// and labelled with its peak, time full and drops, since at the end every
// edge has drained and `0/100` in green would hide what happened.
function paintEdge(edge, run, final) {
  const group = view.edges.get(`${edge.from}->${edge.to}`);
  if (!group) return;
  const capacity = capacityOf(edge, run);
  const fill = capacity === 0 ? 0 : Math.min(1, (final ? edge.high_water : edge.held) / capacity);
  const colour = heatColour(fill);
  for (const shape of group.querySelectorAll(':scope > path, :scope > polygon')) {
    shape.style.stroke = colour;
    if (shape.tagName === 'polygon') shape.style.fill = colour;
  }
  group.querySelector(':scope > path')?.style.setProperty('stroke-width', `${(1 + 2 * fill).toFixed(1)}px`);
  // The label's first line is the capacity (flow dot): it becomes the state.
  const label = group.querySelector(':scope > text');
  if (label) {
    label.textContent = final ? runText(edge, run) : fillText(edge);
    label.style.fill = final ? colour : '';
  }
  const path = group.querySelector(':scope > path');
  if (path) {
    setTooltip(path, `${edge.from} -> ${edge.to}: ${final ? runText(edge, run) : fillText(edge)}, ` +
                     `dropped ${edge.dropped}, producers blocked ${seconds(edge.blocked_s)}`);
  }
}

function chartFor(key) {
  let chart = view.charts.get(key);
  if (chart) return chart;
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.edge = key;
  const caption = document.createElement('figcaption');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 320 90');
  figure.append(caption, svg);
  document.getElementById('charts').append(figure);
  chart = { figure, caption, svg, points: [], perPoint: 1, inLast: 0 };
  view.charts.set(key, chart);
  return chart;
}

function svgElement(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

// The server's decimation (cli/live_history.hpp) on the page's own copy, so a
// page left open for hours holds as few points as the server: at most
// maxPoints a chart; when one more would come, neighbours merge in pairs (the
// first and last time, the least and most held) and a point covers twice the
// snapshots it did.
function halve(chart) {
  const merged = [];
  for (let i = 0; i + 1 < chart.points.length; i += 2) {
    const [a, b] = [chart.points[i], chart.points[i + 1]];
    merged.push({ t0: a.t0, t1: b.t1, low: Math.min(a.low, b.low), high: Math.max(a.high, b.high) });
  }
  if (chart.points.length % 2 === 1) merged.push(chart.points[chart.points.length - 1]);
  chart.points = merged;
  chart.perPoint *= 2;
}

function addSample(chart, t, held) {
  const last = chart.points[chart.points.length - 1];
  if (last && t <= last.t1) return;  // already in the history the page was sent
  if (!last || chart.inLast >= chart.perPoint) {
    chart.points.push({ t0: t, t1: t, low: held, high: held });
    chart.inLast = 1;
    if (chart.points.length > view.maxPoints) halve(chart);
    return;
  }
  Object.assign(last, { t1: t, low: Math.min(last.low, held), high: Math.max(last.high, held) });
  chart.inLast += 1;
}

// The run so far, from the server: it replaces what the page had.
function takeHistory(history) {
  view.maxPoints = history.max_points;
  for (const edge of history.edges) {
    const chart = chartFor(edge.name);
    chart.points = history.t0.map((t0, i) => ({ t0, t1: history.t1[i], low: edge.low[i], high: edge.high[i] }));
    chart.perPoint = history.samples_per_point;
    chart.inLast = history.last_point_samples;
  }
}

// Held over time, 0 at the bottom and the capacity (or the most held, for an
// unbounded edge) at the top, the capacity dashed in red. Each point is drawn
// where it was measured, from its first to its last snapshot: nothing before
// the first. Where points stand for several snapshots, a band spans the least
// to the most held and the line follows the most.
function drawChart(chart, capacity) {
  const [left, right, top, bottom] = [28, 316, 6, 76];
  const points = chart.points;
  const first = points[0].t0;
  const span = Math.max(points[points.length - 1].t1 - first, 1e-9);
  const most = capacity || Math.max(1, ...points.map((point) => point.high));
  const x = (t) => (left + ((t - first) / span) * (right - left)).toFixed(1);
  const y = (held) => (bottom - (Math.min(held, most) / most) * (bottom - top)).toFixed(1);
  const along = (value) => points.flatMap((p) => (p.t1 > p.t0 ? [p.t0, p.t1] : [p.t0]).map((t) => `${x(t)},${y(value(p))}`));
  const high = along((p) => p.high);
  const parts = [svgElement('line', { class: 'limit', x1: left, x2: right, y1: y(most), y2: y(most) })];
  if (points.some((p) => p.low !== p.high)) {
    parts.push(svgElement('polygon', { class: 'range', points: high.concat(along((p) => p.low).reverse()).join(' ') }));
  }
  parts.push(svgElement('polyline', { points: high.join(' ') }),
             svgElement('text', { x: 2, y: top + 8 }, String(most)),
             svgElement('text', { x: 2, y: bottom }, '0'),
             svgElement('text', { x: left, y: 88 }, seconds(first)),
             svgElement('text', { x: right, y: 88, 'text-anchor': 'end' }, seconds(first + span)));
  chart.svg.replaceChildren(...parts);
  Object.assign(chart.figure.dataset, {
    first: String(first), last: String(points[points.length - 1].t1),
    points: String(points.length), samplesPerPoint: String(chart.perPoint),
  });
}

function plotEdge(edge, run, final) {
  const chart = chartFor(`${edge.from}->${edge.to}`);
  addSample(chart, run.elapsed_s, edge.held);
  const state = final ? runText(edge, run) : `${fillText(edge)}, dropped ${edge.dropped}`;
  chart.caption.textContent = `${edge.from} → ${edge.to}: ${state}, blocked ${seconds(edge.blocked_s)}`;
  drawChart(chart, edge.capacity);
}

function showSummary(run) {
  const delivered = run.sinks.reduce((sum, sink) => sum + sink.delivered, 0);
  const produced = run.sources.reduce((sum, source) => sum + source.produced, 0);
  const expected = run.sources.every((source) => source.expected !== null)
    ? run.sources.reduce((sum, source) => sum + source.expected, 0) : null;
  const rows = [
    ['elapsed', seconds(run.elapsed_s)],
    ['produced', expected === null ? String(produced) : `${produced} of ${expected}`],
    ['delivered', String(delivered)],
    ['messages/s', run.messages_per_s.toFixed(1)],
    ['latency p50', seconds(run.latency_p50_s)],
    ['latency p99', seconds(run.latency_p99_s)],
    ['peak messages', String(run.peak_messages)],
  ];
  const summary = document.getElementById('summary');
  summary.replaceChildren(...rows.flatMap(([name, value]) => [
    Object.assign(document.createElement('dt'), { textContent: name }),
    Object.assign(document.createElement('dd'), { textContent: value }),
  ]));
  document.getElementById('bottleneck').textContent =
    run.bottleneck ? `${run.bottleneck}: ${run.bottleneck_reason || ''}` : 'none named yet';
}

// What sources fed from outside count of their own (listen's answers by
// status, a follower's rotations): nodes[].counts, one list per node; the
// section stays hidden while no node counts anything.
function showCounts(run) {
  const counted = run.nodes.filter((node) => node.counts && Object.keys(node.counts).length > 0);
  const section = document.getElementById('counts');
  section.hidden = counted.length === 0;
  section.replaceChildren(...counted.flatMap((node) => {
    const list = document.createElement('dl');
    list.dataset.node = node.name;
    list.replaceChildren(...Object.entries(node.counts).flatMap(([name, count]) => [
      Object.assign(document.createElement('dt'), { textContent: name }),
      Object.assign(document.createElement('dd'), { textContent: String(count) }),
    ]));
    return [Object.assign(document.createElement('h3'), { textContent: node.name }), list];
  }));
}

function showStatus(run, final) {
  const status = document.getElementById('status');
  let text = final ? `finished: ${run.status}` : 'running';
  if (final && run.error) text += ` (${run.error})`;
  if (final && run.signal) text += ` (${run.signal})`;
  status.textContent = text;
  status.className = `status ${final ? run.status : 'running'}`;
  document.getElementById('pipeline').textContent = `flow run: ${run.pipeline}`;
  document.title = `${run.pipeline}: ${text}`;
}

function show(run, final) {
  for (const node of run.nodes) paintNode(node, run, final);
  for (const edge of run.edges) {
    paintEdge(edge, run, final);
    plotEdge(edge, run, final);
  }
  showSummary(run);
  showCounts(run);
  showStatus(run, final);
  view.previous = run;
}

function listen() {
  const events = new EventSource('events');
  events.addEventListener('history', (event) => takeHistory(JSON.parse(event.data)));
  events.addEventListener('snapshot', (event) => show(JSON.parse(event.data), false));
  events.addEventListener('final', (event) => {
    show(JSON.parse(event.data), true);
    events.close();  // the run is over: nothing more will come
  });
  events.addEventListener('error', () => {
    if (events.readyState === EventSource.CLOSED) return;
    const status = document.getElementById('status');
    status.textContent = 'connection lost: retrying';
    status.className = 'status lost';
  });
}

loadGraph().catch((error) => {
  document.getElementById('graph').textContent = `no graph: ${error}`;
}).finally(listen);
