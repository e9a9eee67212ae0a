// semistream live view. Everything the services wrote (class names, image ids) is put on the page as text
// (textContent, setAttribute, URLSearchParams), never as HTML: a class named <script> stays a name.
'use strict';

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

function url(path, params) {
  return path + '?' + new URLSearchParams(params).toString();
}

function thumb(id, cls) {
  return el('img', { class: cls || 'small', alt: 'image ' + id, title: id, src: url('/api/thumbnail.png', { id }) });
}

function pct(x) {
  return (100 * x).toFixed(1) + ' %';
}

async function getJson(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}

// ---- Classes
let labellingOn = false;

async function nameCandidate(candidate, className, message) {
  message.className = 'message';
  message.textContent = 'sending…';
  try {
    const r = await fetch('/api/candidates/name', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Label-Token': $('token').value },
      body: JSON.stringify({ candidate, class: className, annotator: $('annotator').value }),
    });
    const body = await r.json();
    message.className = r.ok ? 'message ok' : 'message error';
    message.textContent = r.ok ? 'named: ' + body.class + ' (' + body.labelled.length + ' exemplars labelled)'
      : 'refused: ' + body.error;
  } catch (e) {
    message.className = 'message error';
    message.textContent = 'not sent: ' + e.message;
  }
}

function nameForm(c) {
  const input = el('input', { class: 'candidate-name', type: 'text', placeholder: 'name this class',
    maxlength: '200' });
  const message = el('div', { class: 'message' });
  const button = el('button', { class: 'send-name', type: 'button' }, 'Name');
  button.addEventListener('click', () => nameCandidate(c.className, input.value.trim(), message));
  return el('div', { class: 'name-form' }, input, button, message);
}

let classesBusy = false;
async function loadClasses() {
  // A person may be naming a candidate: only refresh the grid when nobody is typing in it.
  if (classesBusy || (document.activeElement && document.activeElement.closest('#class-grid'))) return;
  classesBusy = true;
  try {
    await renderClasses();
  } finally {
    classesBusy = false;
  }
}

async function renderClasses() {
  const classes = await getJson('/api/classes');
  const grid = $('class-grid');
  const named = new Map([...grid.querySelectorAll('.name-form .message.ok')]
    .map((m) => [m.closest('.class-card').dataset.class, m.textContent]));
  grid.replaceChildren(...classes.map((c) => el('div', { class: 'card class-card', 'data-class': c.className },
    el('img', { class: 'big prototype', alt: 'prototype of ' + c.className,
      src: url('/api/prototype.png', { class: c.className, v: c.version + '-' + c.modelVersion }) }),
    el('h3', { class: 'class-name' }, c.className),
    el('span', { class: 'badge ' + c.kind }, c.kind),
    el('div', { class: 'meta' },
      c.kind === 'zero-shot' ? 'no labels yet · spread ' + c.spread.toFixed(3)
        : c.kind === 'candidate' ? 'found in the anomalies, not named yet · ' + c.count + ' anomalies · spread '
          + c.spread.toFixed(3) + ' · name it, or label an exemplar'
        : c.labelledCount + ' labels · pseudo weight ' + c.pseudoWeight.toFixed(1) + ' · spread '
          + c.spread.toFixed(3) + ' · v' + c.version + ' · encoder v' + c.modelVersion),
    el('div', { class: 'exemplars' }, ...c.exemplars.map((id) => thumb(id))),
    c.kind === 'candidate' && labellingOn && !named.has(c.className) ? nameForm(c) : '',
    named.has(c.className) ? el('div', { class: 'message ok' }, named.get(c.className)) : '')));
}

// ---- Live stream
function streamTile(item) {
  const p = item.prediction;
  return el('li', { class: item.correction ? 'prediction correction' : 'prediction', 'data-id': item.imageId },
    thumb(item.imageId),
    el('div', { class: 'predicted-class' }, p.class),
    el('span', { class: 'badge ' + p.status }, p.status),
    el('div', {}, 'confidence ' + pct(p.confidence) + (item.correction ? ' · corrected' : '')),
    el('div', { class: 'id' }, item.imageId));
}

function addPredictions(items) {
  const list = $('stream-list');
  for (const item of items) list.prepend(streamTile(item));
  while (list.children.length > 48) list.lastElementChild.remove();
}

async function loadStream() {
  const items = await getJson('/api/stream');
  $('stream-list').replaceChildren(...items.map(streamTile));
}

// ---- Anomalies
async function loadAnomalies() {
  const items = await getJson('/api/anomalies');
  $('anomaly-grid').replaceChildren(...items.map((a) => el('div', { class: 'card anomaly', 'data-id': a.imageId },
    thumb(a.imageId, 'big'),
    el('img', { class: 'big reconstruction', alt: 'reconstruction of ' + a.imageId,
      src: url('/api/reconstruction.png', { id: a.imageId }) }),
    el('div', { class: 'meta' }, 'score ' + a.anomaly.score.toFixed(2) + ' (threshold '
      + a.anomaly.threshold.toFixed(2) + ') · nearest ' + (a.anomaly.nearestClass || '—')),
    el('div', { class: 'id' }, a.imageId))));
}

// ---- Label queue
async function sendLabel(imageId, className, message) {
  message.className = 'message';
  message.textContent = 'sending…';
  const token = $('token').value;
  sessionStorage.setItem('semistream.token', token);
  sessionStorage.setItem('semistream.annotator', $('annotator').value);
  try {
    const r = await fetch('/api/labels', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Label-Token': token },
      body: JSON.stringify({ imageId, class: className, annotator: $('annotator').value }),
    });
    const body = await r.json();
    if (r.ok) {
      message.className = 'message ok';
      message.textContent = 'sent: ' + body.label.class;
    } else {
      message.className = 'message error';
      message.textContent = 'refused: ' + body.error;
    }
  } catch (e) {
    message.className = 'message error';
    message.textContent = 'not sent: ' + e.message;
  }
}

function queueTile(item, classes, labelling) {
  const p = item.prediction;
  const r = item.request;
  const guess = p ? p.class : (r && r.predictedClass) || '';
  const li = el('li', { class: 'queue-item' + (r ? ' requested' : ''), 'data-id': item.imageId },
    thumb(item.imageId, 'big'),
    el('div', {}, 'guess: ', el('span', { class: 'guess' }, guess || '?'), ' ',
      p ? el('span', { class: 'badge ' + p.status }, p.status) : ''),
    r ? el('div', { class: 'request' }, el('span', { class: 'badge asked' }, 'asked: ' + r.reason), ' ',
      el('span', { class: 'detail' }, r.detail))
      : el('div', {}, 'margin ' + p.margin.toFixed(3)),
    el('div', { class: 'id' }, item.imageId));
  if (labelling) {
    const select = el('select', { class: 'class-choice' }, el('option', { value: '' }, '(type a new class)'),
      ...classes.map((c) => el('option', { value: c }, c)));
    select.value = guess;
    const input = el('input', { class: 'new-class', type: 'text', placeholder: 'or a new class', maxlength: '200' });
    const message = el('div', { class: 'message' });
    const button = el('button', { class: 'send-label', type: 'button' }, 'Label');
    button.addEventListener('click', () => sendLabel(item.imageId, input.value.trim() || select.value, message));
    li.append(select, input, button, message);
  }
  return li;
}

let queueBusy = false;
async function loadQueue() {
  // A person may be typing into the queue: only refresh it when nobody is.
  if (queueBusy || (document.activeElement && document.activeElement.closest('#queue-list'))) return;
  queueBusy = true;
  try {
    const q = await getJson('/api/queue');
    if (q.labelling !== labellingOn) {
      labellingOn = q.labelling;
      loadClasses();   // candidates get their naming form
    }
    $('labelling-off').hidden = q.labelling;
    $('token-form').hidden = !q.labelling;
    const sent = new Set([...document.querySelectorAll('#queue-list .message.ok')]
      .map((m) => m.closest('li').dataset.id));
    $('queue-list').replaceChildren(...q.items.filter((i) => !sent.has(i.imageId))
      .map((i) => queueTile(i, q.classes, q.labelling)));
  } finally {
    queueBusy = false;
  }
}

// ---- Model
const SVG = 'http://www.w3.org/2000/svg';
function plot(buckets) {
  const svg = $('prequential');
  svg.replaceChildren();
  const w = 600;
  const h = 160;
  for (const y of [0, 0.5, 1]) {
    const line = document.createElementNS(SVG, 'line');
    line.setAttribute('x1', 30); line.setAttribute('x2', w); line.setAttribute('y1', 10 + (1 - y) * (h - 20));
    line.setAttribute('y2', 10 + (1 - y) * (h - 20)); line.setAttribute('stroke', '#ddd');
    svg.append(line);
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', 0); label.setAttribute('y', 14 + (1 - y) * (h - 20)); label.setAttribute('font-size', 10);
    label.textContent = (100 * y) + '%';
    svg.append(label);
  }
  if (buckets.length === 0) return;
  const t0 = buckets[0].start;
  const span = Math.max(1, buckets[buckets.length - 1].start - t0);
  const points = buckets.map((b) => [30 + (w - 40) * (b.start - t0) / span, 10 + (1 - b.hits / b.trials) * (h - 20)]);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' '));
  line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#1565c0'); line.setAttribute('stroke-width', 2);
  line.setAttribute('class', 'prequential-line');
  svg.append(line);
  for (const [x, y] of points) {
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', x.toFixed(1)); dot.setAttribute('cy', y.toFixed(1)); dot.setAttribute('r', 3);
    dot.setAttribute('fill', '#1565c0');
    svg.append(dot);
  }
}

async function loadModel() {
  const m = await getJson('/api/model');
  $('serving').textContent = 'v' + m.serving;
  $('seen').textContent = m.predictionsSeen.toLocaleString();
  $('versions').tBodies[0].replaceChildren(...m.versions.map((v) => el('tr', {},
    el('td', {}, 'v' + v.version), el('td', {}, 'v' + v.parent), el('td', {}, v.status),
    el('td', {}, pct(v.candidateAccuracy)), el('td', {}, pct(v.servingAccuracy)), el('td', {}, String(v.heldOut)),
    el('td', {}, String(v.labelsSeen)))));
  plot(m.prequential);
  const hits = m.prequential.reduce((s, b) => s + b.hits, 0);
  const trials = m.prequential.reduce((s, b) => s + b.trials, 0);
  $('prequential-summary').textContent = trials === 0 ? 'no true label has arrived for a predicted image yet'
    : 'overall ' + pct(hits / trials) + ' of ' + trials + ' labels';
}

// ---- Live updates: one server-sent event stream; each event says what changed.
function connect() {
  const events = new EventSource('/api/events');
  events.addEventListener('hello', () => { $('connection').textContent = 'live'; });
  events.addEventListener('predictions', (e) => { addPredictions(JSON.parse(e.data)); loadQueue(); });
  events.addEventListener('seen', (e) => { $('seen').textContent = JSON.parse(e.data).predictionsSeen.toLocaleString(); });
  events.addEventListener('classes', () => loadClasses());
  events.addEventListener('anomalies', () => loadAnomalies());
  events.addEventListener('model', () => loadModel());
  events.onerror = () => { $('connection').textContent = 'reconnecting…'; };
}

document.addEventListener('DOMContentLoaded', () => {
  $('token').value = sessionStorage.getItem('semistream.token') || '';
  $('annotator').value = sessionStorage.getItem('semistream.annotator') || '';
  Promise.all([loadClasses(), loadStream(), loadAnomalies(), loadQueue(), loadModel()])
    .catch((e) => { $('connection').textContent = 'error: ' + e.message; });
  connect();
});
