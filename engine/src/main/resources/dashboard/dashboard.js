// The hl7lake dashboard: reads the query API (/api/*) with the signed-in user's bearer token; the API
// checks every request's role and audits every read of patient data. Everything the page shows is
// set as text (textContent), never as markup: message content cannot run or style anything here.
'use strict';

const TOKEN_KEY = 'hl7lake.token';
const DAYS = 7;
const HOURS = 24;
const state = { token: null, claims: null };

function $(id) {
  return document.getElementById(id);
}

function el(tag, text, attributes) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  Object.entries(attributes || {}).forEach(([name, value]) => node.setAttribute(name, value));
  return node;
}

function button(text, onClick, attributes) {
  const node = el('button', text, Object.assign({ type: 'button' }, attributes || {}));
  node.addEventListener('click', onClick);
  return node;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function status(text, kind) {
  const node = $('status');
  node.textContent = text || '';
  node.className = kind || '';
  node.hidden = !text;
}

// --- the token ---------------------------------------------------------------------------------

function claimsOf(token) {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new Error('a token has three parts separated by dots');
  }
  const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - base64.length % 4) % 4);
  const bytes = Uint8Array.from(atob(padded), c => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function roles() {
  const groups = state.claims && state.claims['cognito:groups'];
  return Array.isArray(groups) ? groups : [];
}

function signIn(token) {
  const claims = claimsOf(token);
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) {
    throw new Error('this token has expired');
  }
  state.token = token;
  state.claims = claims;
  sessionStorage.setItem(TOKEN_KEY, token);
  $('who-subject').textContent = claims['cognito:username'] || claims.username || claims.sub || '?';
  $('who-roles').textContent = roles().length ? roles().join(', ') : 'no role';
  show('sign-in', false);
  show('who', true);
  show('app', true);
  status('');
  if (!roles().includes('reader')) {
    status('This token has no reader role: the dashboard can show nothing.', 'problem');
    return;
  }
  refresh();
}

function signOut(why) {
  state.token = null;
  state.claims = null;
  sessionStorage.removeItem(TOKEN_KEY);
  // nothing read with the token stays on the page
  ['counts-hours', 'counts-days'].forEach(id => $(id).querySelectorAll('thead, tbody, tfoot')
    .forEach(part => part.replaceChildren()));
  ['errors', 'results'].forEach(id => $(id).querySelector('tbody').replaceChildren());
  $('detail-body').textContent = '';
  $('search-input').value = '';
  ['detail', 'results', 'results-empty', 'errors-empty', 'replay-result'].forEach(id => show(id, false));
  show('app', false);
  show('who', false);
  show('sign-in', true);
  $('token-input').value = '';
  status(why || '', why ? 'problem' : '');
}

// --- the API -----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, reason) {
    super(reason);
    this.status = status;
  }
}

// 429: the engine is busy taking in messages and the API yields to it (README "Query API"): a GET is
// asked again after Retry-After, twice at most, before the page says so
async function api(path, method) {
  let response;
  for (let attempt = 0; ; attempt++) {
    response = await fetch(path, {
      method: method || 'GET',
      headers: { Authorization: 'Bearer ' + state.token },
      cache: 'no-store'
    });
    if (response.status !== 429 || (method && method !== 'GET') || attempt >= 2) {
      break;
    }
    const seconds = Math.min(10, Math.max(1, parseInt(response.headers.get('Retry-After'), 10) || 1));
    await new Promise(resolve => setTimeout(resolve, seconds * 1000));
  }
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') && !path.includes('view=document') ? await response.json() : await response.text();
  if (response.status === 401) {
    signOut('The token was refused (expired or not valid): sign in again.');
    throw new ApiError(401, 'unauthorized');
  }
  if (!response.ok) {
    const reason = body && body.reason ? body.reason : 'HTTP ' + response.status;
    throw new ApiError(response.status, reason);
  }
  return body;
}

function failed(what) {
  return error => {
    if (error.status !== 401) {
      status(what + ': ' + error.message, 'problem');
    }
  };
}

function dayOf(date) {
  return date.toISOString().slice(0, 10);
}

// --- counts ------------------------------------------------------------------------------------

function doorsOf(days) {
  const doors = new Set();
  days.forEach(day => {
    Object.keys(day.doors).forEach(door => doors.add(door));
    (day.hours || []).forEach(hour => Object.keys(hour.doors).forEach(door => doors.add(door)));
  });
  return [...doors].sort();
}

function countHead(table, first, doors) {
  const head = table.querySelector('thead');
  head.replaceChildren();
  const top = el('tr');
  top.appendChild(el('th', first, { rowspan: '2' }));
  doors.forEach(door => top.appendChild(el('th', door, { colspan: '2' })));
  const sub = el('tr');
  doors.forEach(() => {
    sub.appendChild(el('th', 'accepted'));
    sub.appendChild(el('th', 'rejected'));
  });
  head.appendChild(top);
  head.appendChild(sub);
}

function countRow(label, byDoor, doors, attributes) {
  const row = el('tr', null, attributes);
  row.appendChild(el('th', label));
  doors.forEach(door => ['accepted', 'rejected'].forEach(outcome => {
    const count = (byDoor[door] || {})[outcome] || 0;
    row.appendChild(el('td', count, { 'data-door': door, 'data-outcome': outcome, class: count ? outcome : 'zero' }));
  }));
  return row;
}

function renderCounts(reply) {
  const days = reply.days;
  const doors = doorsOf(days);
  const byDay = $('counts-days');
  countHead(byDay, 'Day', doors);
  const body = byDay.querySelector('tbody');
  body.replaceChildren();
  const totals = {};
  days.forEach(day => {
    body.appendChild(countRow(day.day, day.doors, doors, { 'data-day': day.day }));
    Object.entries(day.doors).forEach(([door, outcomes]) => Object.entries(outcomes).forEach(([outcome, n]) => {
      totals[door] = totals[door] || {};
      totals[door][outcome] = (totals[door][outcome] || 0) + n;
    }));
  });
  const foot = byDay.querySelector('tfoot');
  foot.replaceChildren(countRow('All ' + DAYS + ' days', totals, doors, { id: 'counts-total' }));

  const perHour = {};
  days.forEach(day => (day.hours || []).forEach(hour => { perHour[hour.hour] = hour.doors; }));
  const now = new Date();
  now.setUTCMinutes(0, 0, 0);
  const hours = [];
  for (let i = HOURS - 1; i >= 0; i--) {
    hours.push(new Date(now.getTime() - i * 3600 * 1000).toISOString().slice(0, 13));
  }
  const byHour = $('counts-hours');
  const head = byHour.querySelector('thead');
  const labels = el('tr');
  labels.appendChild(el('th', 'Door'));
  labels.appendChild(el('th', 'Outcome'));
  hours.forEach(hour => labels.appendChild(el('th', hour.slice(11, 13), { 'data-hour': hour, title: hour + ':00 UTC' })));
  head.replaceChildren(labels);
  const rows = byHour.querySelector('tbody');
  rows.replaceChildren();
  doors.forEach(door => ['accepted', 'rejected'].forEach(outcome => {
    const row = el('tr', null, { 'data-door': door, 'data-outcome': outcome });
    row.appendChild(el('th', door));
    row.appendChild(el('th', outcome));
    hours.forEach(hour => {
      const count = ((perHour[hour] || {})[door] || {})[outcome] || 0;
      row.appendChild(el('td', count || '', { 'data-hour': hour, class: count ? outcome : 'zero' }));
    });
    rows.appendChild(row);
  }));
}

// --- rejections --------------------------------------------------------------------------------

function renderErrors(reply) {
  const body = $('errors').querySelector('tbody');
  body.replaceChildren();
  reply.items.forEach(item => {
    const row = el('tr', null, { 'data-error-id': item.error_id });
    row.appendChild(el('td', item.received_at));
    row.appendChild(el('td', item.door));
    row.appendChild(el('td', item.code));
    row.appendChild(el('td', item.location || ''));
    row.appendChild(el('td', item.reason || ''));
    row.appendChild(el('td', item.replayed_as ? 'yes' : ''));
    const open = el('td');
    open.appendChild(button('Open', () => openError(item.error_id), { class: 'open' }));
    row.appendChild(open);
    body.appendChild(row);
  });
  show('errors-empty', reply.items.length === 0);
}

function refresh() {
  const today = new Date();
  const first = dayOf(new Date(today.getTime() - (DAYS - 1) * 86400 * 1000));
  const last = dayOf(today);
  api('/api/counts?from=' + first + '&to=' + last + '&by=hour').then(renderCounts).catch(failed('Counts'));
  api('/api/errors?from=' + first + '&to=' + last + '&limit=20').then(renderErrors).catch(failed('Rejections'));
}

// --- search ------------------------------------------------------------------------------------

function renderResults(items) {
  const body = $('results').querySelector('tbody');
  body.replaceChildren();
  items.forEach(item => {
    const row = el('tr', null, { 'data-message-id': item.message_id });
    row.appendChild(el('td', item.received_at));
    row.appendChild(el('td', item.structure || ''));
    row.appendChild(el('td', item.door));
    row.appendChild(el('td', [item.sending_application, item.sending_facility].filter(Boolean).join('|')));
    row.appendChild(el('td', item.control_id || ''));
    row.appendChild(el('td', item.message_id));
    const open = el('td');
    open.appendChild(button('Open', () => openMessage(item.message_id), { class: 'open' }));
    row.appendChild(open);
    body.appendChild(row);
  });
  show('results', items.length > 0);
  show('results-empty', items.length === 0);
}

function search(event) {
  event.preventDefault();
  const kind = $('search-kind').value;
  const text = $('search-input').value.trim();
  status('');
  if (!text) {
    return;
  }
  if (kind === 'message') {
    openMessage(text);
  } else if (kind === 'error') {
    openError(text);
  } else if (kind === 'identifier') {
    api('/api/messages?identifier=' + encodeURIComponent(text)).then(reply => renderResults(reply.items))
      .catch(failed('Search'));
  } else {
    const cut = text.lastIndexOf('|');
    const sender = cut < 0 ? '' : text.slice(0, cut);
    if (sender.split('|').length !== 2) {
      status('Search: a control id is given as sending application|sending facility|control id', 'problem');
      return;
    }
    api('/api/messages?sender=' + encodeURIComponent(sender) + '&control_id=' + encodeURIComponent(text.slice(cut + 1)))
      .then(reply => renderResults(reply.items)).catch(failed('Search'));
  }
}

// --- a message or an error ---------------------------------------------------------------------

function detail(kind, id, title, views) {
  const section = $('detail');
  section.setAttribute('data-kind', kind);
  section.setAttribute('data-id', id);
  $('detail-title').textContent = title;
  ['record', 'document', 'raw'].forEach(view => {
    $('view-' + view).hidden = !views.includes(view);
    $('view-' + view).classList.remove('selected');
  });
  $('detail-body').textContent = '';
  $('detail-body').removeAttribute('data-view');
  show('replay-result', false);
  show('detail', true);
}

function showView(view, text) {
  ['record', 'document', 'raw'].forEach(v => $('view-' + v).classList.toggle('selected', v === view));
  const body = $('detail-body');
  body.textContent = text;
  body.setAttribute('data-view', view);
  $('detail').scrollIntoView({ block: 'start' });
}

function asText(view, body) {
  if (view === 'raw') {
    return body.replace(/\r\n?/g, '\n'); // segments end in CR: one per line
  }
  if (view === 'document') {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch (e) {
      return body;
    }
  }
  return JSON.stringify(body, null, 2);
}

function openMessage(id) {
  status('');
  detail('message', id, 'Message ' + id, ['record', 'document', 'raw']);
  $('replay-button').hidden = true;
  const load = view => api('/api/messages/' + encodeURIComponent(id) + (view === 'record' ? '' : '?view=' + view))
    .then(body => showView(view, asText(view, body))).catch(failed('Message'));
  $('view-record').onclick = () => load('record');
  $('view-document').onclick = () => load('document');
  $('view-raw').onclick = () => load('raw');
  load('record');
}

function openError(id) {
  status('');
  detail('error', id, 'Rejected message ' + id, ['record', 'raw']);
  const load = view => api('/api/errors/' + encodeURIComponent(id) + (view === 'record' ? '' : '?view=' + view))
    .then(body => showView(view, asText(view, body))).catch(failed('Error'));
  $('view-record').onclick = () => load('record');
  $('view-raw').onclick = () => load('raw');
  const replay = $('replay-button');
  replay.hidden = !roles().includes('operator');
  replay.onclick = () => replayError(id);
  load('record');
}

function replayError(id) {
  const replay = $('replay-button');
  replay.disabled = true;
  api('/api/errors/' + encodeURIComponent(id) + '/replay', 'POST').then(result => {
    const node = $('replay-result');
    node.replaceChildren();
    node.setAttribute('data-outcome', result.outcome);
    node.setAttribute('data-message-id', result.message_id);
    node.appendChild(document.createTextNode((result.replayed_before ? 'Replayed before: ' : 'Replayed: ')
      + result.outcome + ' as ' + (result.outcome === 'accepted' ? 'message ' : 'error ') + result.message_id + ' '));
    node.appendChild(result.outcome === 'accepted'
      ? button('Open the message', () => openMessage(result.message_id), { id: 'replay-open' })
      : button('Open the new error', () => openError(result.message_id), { id: 'replay-open' }));
    node.hidden = false;
    refresh();
  }).catch(failed('Replay')).finally(() => { replay.disabled = false; });
}

// --- start -------------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in-form').addEventListener('submit', event => {
    event.preventDefault();
    try {
      signIn($('token-input').value.trim());
    } catch (e) {
      status('Sign in: ' + e.message, 'problem');
    }
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('refresh').addEventListener('click', refresh);
  $('search-form').addEventListener('submit', search);
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) {
    try {
      signIn(kept);
      return;
    } catch (e) {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  }
  signOut();
});
