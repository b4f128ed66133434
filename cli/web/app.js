// The live page of `flow run --ui`. It lays nothing out itself: the graph is
// the SVG Graphviz drew for `flow dot`, found group by group through each
// <title> (a node's name, or "from->to"), and recoloured from every snapshot
// the server pushes on /events (server-sent events, the --metrics-json shape).
// The chart is a hand-drawn SVG polyline: one series per edge needs no library.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const HISTORY = 1200;  // points kept per edge: two minutes at the default 100ms

const view = { nodes: new Map(), edges: new Map(), charts: new Map(), previous: null };

// Green at empty, yellow half full, red when full.
function fillColour(share) {
  const hue = 120 * (1 - Math.min(Math.max(share, 0), 1));
  return `hsl(${hue}, 75%, 40%)`;
}

// Pale when idle, a mid blue (black text still readable) when every worker is busy.
function busyColour(share) {
  return `hsl(210, 75%, ${96 - 34 * Math.min(Math.max(share, 0), 1)}%)`;
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
// average for the first one.
function intervalBusy(node, run) {
  const before = view.previous && view.previous.nodes.find((other) => other.name === node.name);
  const interval = before ? run.elapsed_s - view.previous.elapsed_s : 0;
  if (!before || interval <= 0 || node.workers <= 0) return node.busy;
  return (node.busy_s - before.busy_s) / (node.workers * interval);
}

function paintNode(node, run) {
  const group = view.nodes.get(node.name);
  if (!group) return;
  const busy = intervalBusy(node, run);
  const shape = group.querySelector(':scope > polygon, :scope > path, :scope > ellipse');
  if (shape) {
    shape.style.fill = busyColour(busy);
    setTooltip(shape, `${node.name}: busy ${Math.round(busy * 100)} %, in ${node.in}, out ${node.out}`);
  }
  group.classList.toggle('bottleneck', node.name === run.bottleneck);
}

function fillText(edge) {
  return `${edge.held}/${edge.capacity === null ? '∞' : edge.capacity}`;
}

function paintEdge(edge) {
  const group = view.edges.get(`${edge.from}->${edge.to}`);
  if (!group) return;
  const colour = fillColour(edge.capacity ? edge.held / edge.capacity : 0);
  for (const shape of group.querySelectorAll(':scope > path, :scope > polygon')) {
    shape.style.stroke = colour;
    if (shape.tagName === 'polygon') shape.style.fill = colour;
  }
  // The label's first line is the capacity (flow dot): it becomes held/capacity.
  const label = group.querySelector(':scope > text');
  if (label) label.textContent = fillText(edge);
  const path = group.querySelector(':scope > path');
  if (path) {
    setTooltip(path, `${edge.from} -> ${edge.to}: ${fillText(edge)}, ` +
                     `dropped ${edge.dropped}, producers blocked ${seconds(edge.blocked_s)}`);
  }
}

function chartFor(edge) {
  const key = `${edge.from}->${edge.to}`;
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
  chart = { caption, svg, points: [] };
  view.charts.set(key, chart);
  return chart;
}

function svgElement(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

// Held over time, 0 at the bottom and the capacity (or the most held, for an
// unbounded edge) at the top, the capacity dashed in red.
function drawChart(chart, capacity) {
  const [left, right, top, bottom] = [28, 316, 6, 76];
  const points = chart.points;
  const first = points[0].t;
  const span = Math.max(points[points.length - 1].t - first, 1e-9);
  const most = capacity || Math.max(1, ...points.map((point) => point.held));
  const x = (t) => left + ((t - first) / span) * (right - left);
  const y = (held) => bottom - (Math.min(held, most) / most) * (bottom - top);
  chart.svg.replaceChildren(
    svgElement('line', { class: 'limit', x1: left, x2: right, y1: y(most), y2: y(most) }),
    svgElement('polyline', { points: points.map((p) => `${x(p.t).toFixed(1)},${y(p.held).toFixed(1)}`).join(' ') }),
    svgElement('text', { x: 2, y: top + 8 }, String(most)),
    svgElement('text', { x: 2, y: bottom }, '0'),
    svgElement('text', { x: left, y: 88 }, seconds(first)),
    svgElement('text', { x: right, y: 88, 'text-anchor': 'end' }, seconds(first + span)));
}

function plotEdge(edge, run) {
  const chart = chartFor(edge);
  chart.points.push({ t: run.elapsed_s, held: edge.held });
  if (chart.points.length > HISTORY) chart.points.shift();
  chart.caption.textContent = `${edge.from} → ${edge.to}: ${fillText(edge)}, dropped ${edge.dropped}, ` +
                              `blocked ${seconds(edge.blocked_s)}`;
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
  for (const node of run.nodes) paintNode(node, run);
  for (const edge of run.edges) {
    paintEdge(edge);
    plotEdge(edge, run);
  }
  showSummary(run);
  showStatus(run, final);
  view.previous = run;
}

function listen() {
  const events = new EventSource('events');
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
