// The admin observability dashboard. Plain JavaScript, no build step: it fetches GET /api/dashboard
// with the admin bearer token and renders it. The token comes from the URL fragment
// (#token=…, never sent to the server) or the sign-in box, and lives in sessionStorage.
(function () {
  'use strict';
  var REFRESH_MS = 30000;
  var TOKEN_KEY = 'obs.dashboard.token';
  var AUTO_KEY = 'obs.dashboard.autoRefresh';
  var timer = null;
  var charts = {};

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'class') node.className = attrs[k];
      else if (k === 'text') node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function pct(x, digits) { return x === null || x === undefined ? '—' : (x * 100).toFixed(digits === undefined ? 3 : digits) + '%'; }
  function age(ms) {
    var s = Math.round(ms / 1000);
    if (s < 90) return s + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 172800) return (s / 3600).toFixed(1) + ' h';
    return (s / 86400).toFixed(1) + ' d';
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function takeToken() {
    var match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function showSignIn(message) {
    $('content').hidden = true;
    $('signin').hidden = false;
    $('signin-error').textContent = message || '';
  }

  function load() {
    var token = takeToken();
    if (!token) { showSignIn(''); return Promise.resolve(); }
    return fetch('/api/dashboard', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          sessionStorage.removeItem(TOKEN_KEY);
          showSignIn(response.status === 403 ? 'This account is not an admin.' : 'The token was not accepted.');
          return null;
        }
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (data) { if (data) render(data); })
      .catch(function (error) { $('updated').textContent = 'update failed: ' + error.message + ' (showing the last data)'; });
  }

  function render(d) {
    $('signin').hidden = true;
    $('content').hidden = false;
    $('updated').textContent = 'updated ' + new Date(d.generatedAt).toLocaleTimeString();
    document.body.setAttribute('data-generated-at', String(d.generatedAt));

    var banner = $('banner');
    banner.className = 'banner ' + d.banner.colour;
    $('banner-colour').textContent = d.banner.colour + (d.banner.colour === 'GREEN' ? ': all systems normal' : '');
    var reasons = $('banner-reasons'); clear(reasons);
    d.banner.reasons.forEach(function (r) { reasons.appendChild(el('li', { text: r })); });

    var links = $('links'); clear(links);
    d.links.forEach(function (l) { links.appendChild(el('a', { href: l.href, text: l.label })); });

    var modules = $('modules'); clear(modules);
    Object.keys(d.modules).forEach(function (id) {
      var m = d.modules[id];
      modules.appendChild(el('article', { class: 'card ' + m.readiness, 'data-module': id, 'data-readiness': m.readiness }, [
        el('h3', { text: m.feature }),
        el('div', { class: 'state', text: m.status }),
        el('div', { text: 'packs ' + m.packs.join(', ') + (m.lastMetricMs ? ' · last data ' + age(d.generatedAt - m.lastMetricMs) + ' ago' : '') }),
      ]));
    });

    var infra = $('infrastructure'); clear(infra);
    d.infrastructure.forEach(function (c) {
      infra.appendChild(el('article', { class: 'card ' + c.status, 'data-component': c.name }, [
        el('h3', { text: c.name }),
        el('div', { class: 'state', text: c.status + ' · ' + c.latencyMs + ' ms' }),
        el('div', { text: c.detail || '' }),
      ]));
    });
    infra.appendChild(pipelineCard(d.pipeline));

    var alerts = $('alerts'); clear(alerts);
    if (d.alerts.length === 0) alerts.appendChild(el('tr', {}, [el('td', { colspan: '6', class: 'empty', text: 'No active alerts.' })]));
    d.alerts.forEach(function (a) {
      alerts.appendChild(el('tr', { 'data-alert': a.ruleId }, [
        el('td', { class: 'sev ' + a.severity, text: a.severity }),
        el('td', { text: a.name + ' — ' + a.summary }),
        el('td', { text: a.module }),
        el('td', { text: a.state }),
        el('td', { text: age(a.ageMs) }),
        el('td', {}, [el('a', { href: '/' + a.runbook.replace(/^\//, ''), text: 'runbook' })]),
      ]));
    });

    var slos = $('slos'); clear(slos);
    d.slos.forEach(function (s) {
      var budget = s.budgetRemaining === null ? '—' : pct(s.budgetRemaining, 1) + (s.budgetMinutesRemaining !== null ? ' (' + s.budgetMinutesRemaining.toFixed(1) + ' of ' + s.budgetMinutesTotal.toFixed(1) + ' min)' : '');
      var burn = function (w) { var v = s.burnRates[w]; return v === null || v === undefined ? '—' : v.toFixed(1) + '×'; };
      slos.appendChild(el('tr', { 'data-slo': s.id }, [
        el('td', { text: s.name }), el('td', { text: pct(s.objective, 2) }), el('td', { text: s.status === 'no_data' ? 'no data' : pct(s.attainment) }),
        el('td', { text: budget }), el('td', { text: burn('1h') + ' / ' + burn('6h') }), el('td', { text: s.status }),
      ]));
    });

    drawBurnDown(d);
    drawLatency(d);

    var config = $('config'); clear(config);
    [['Provider', d.config.provider], ['Environment', d.config.environment], ['Warehouse', d.config.warehouse], ['Build version', d.config.version]]
      .forEach(function (kv) { config.appendChild(el('dt', { text: kv[0] })); config.appendChild(el('dd', { text: String(kv[1]) })); });
  }

  function count(n) { return Math.round(n).toLocaleString('en-US'); }
  function duration(ms) {
    if (ms === null || ms === undefined) return '—';
    return ms < 1000 ? Math.round(ms) + ' ms' : ms < 90000 ? (ms / 1000).toFixed(1) + ' s' : age(ms);
  }
  function joined(items, none) { return items.length === 0 ? none : items.join(' · '); }

  // The pipeline's own metrics over the last hour (dashboard/pipeline-card.ts). Red when a job
  // threw, yellow when notifications failed or wait for a retry, or ingest left messages for redelivery.
  function pipelineCard(p) {
    if (!p.hasData) {
      return el('article', { class: 'card pipeline no_data', 'data-component': 'pipeline', 'data-testid': 'pipeline-card' }, [
        el('h3', { text: 'Pipeline · last hour' }),
        el('p', { class: 'empty', text: 'no pipeline metrics yet' }),
      ]);
    }
    var failures = p.jobFailures.reduce(function (n, f) { return n + f.count; }, 0);
    var undelivered = p.deliveries.reduce(function (n, x) { return n + (x.outcome === 'delivered' ? 0 : x.count); }, 0);
    var warnings = [];
    if (undelivered > 0) warnings.push(count(undelivered) + ' sends not delivered');
    if (p.retryWaiting > 0) warnings.push(count(p.retryWaiting) + ' waiting for retry');
    if (p.ingest.retries > 0) warnings.push(count(p.ingest.retries) + ' messages left for redelivery');
    var status = failures > 0 ? 'error' : warnings.length > 0 ? 'degraded' : 'ok';
    var run = function (label, r) { return r ? label + ' ' + duration(r.lastDurationMs) : label + ' —'; };
    var facts = [
      ['messages', 'Messages ingested', count(p.ingest.messages)],
      ['stored', 'Events stored', count(p.ingest.stored)],
      ['duplicates', 'Duplicates', count(p.ingest.duplicates)],
      ['dead-letters', 'Dead letters', count(p.ingest.deadLetters) + (p.ingest.deadLetters > 0 ? ': ' + p.ingest.deadLettersByReason.map(function (x) { return x.reason + ' ' + count(x.count); }).join(' · ') : '')],
      ['lag-p95', 'Ingest lag p95', duration(p.ingest.lagP95Ms)],
      ['last-runs', 'Last runs', [run('rollup', p.jobs.rollup), run('SLO', p.jobs.slo), run('alerts', p.jobs.alerts)].join(' · ')],
      ['deliveries', 'Deliveries', joined(p.deliveries.map(function (x) { return x.channel + ' ' + x.outcome + ' ' + count(x.count); }), 'none')],
      ['retry-waiting', 'Retry waiting', p.retryWaiting === null ? '—' : count(p.retryWaiting)],
      ['job-failures', 'Job failures', joined(p.jobFailures.map(function (x) { return x.job + ' ' + count(x.count); }), 'none')],
    ];
    var list = el('dl', { class: 'facts' });
    facts.forEach(function (f) {
      list.appendChild(el('dt', { text: f[1] }));
      list.appendChild(el('dd', { 'data-field': f[0], text: f[2] }));
    });
    return el('article', { class: 'card pipeline ' + status, 'data-component': 'pipeline', 'data-testid': 'pipeline-card' }, [
      el('h3', { text: 'Pipeline · last hour' }),
      el('div', { class: 'state', text: failures > 0 ? count(failures) + ' job failure' + (failures === 1 ? '' : 's') : joined(warnings, 'ok') }),
      list,
    ]);
  }

  function chart(id, opts, data) {
    var target = $(id);
    var width = Math.max(320, target.clientWidth || 600);
    if (charts[id]) charts[id].destroy();
    clear(target);
    if (!window.uPlot) { target.textContent = 'chart library failed to load'; return; }
    opts.width = width; opts.height = 240;
    charts[id] = new window.uPlot(opts, data, target);
  }

  function drawBurnDown(d) {
    var times = {};
    d.slos.forEach(function (s) { s.burnDown.forEach(function (p) { times[Math.floor(p[0] / 3600000) * 3600] = true; }); });
    var xs = Object.keys(times).map(Number).sort(function (a, b) { return a - b; });
    if (xs.length === 0) { clear($('burndown-chart')); $('burndown-chart').appendChild(el('p', { class: 'empty', text: 'No SLO history yet.' })); return; }
    var index = {}; xs.forEach(function (x, i) { index[x] = i; });
    var colours = ['#0969da', '#8250df', '#bf3989', '#cf222e', '#bc4c00', '#1a7f37', '#6e7781'];
    var series = [{}]; var data = [xs];
    d.slos.forEach(function (s, i) {
      var ys = xs.map(function () { return null; });
      s.burnDown.forEach(function (p) { ys[index[Math.floor(p[0] / 3600000) * 3600]] = p[1] === null ? null : p[1] * 100; });
      series.push({ label: s.id, stroke: colours[i % colours.length], spanGaps: true });
      data.push(ys);
    });
    chart('burndown-chart', { series: series, axes: [{}, { label: 'budget left %' }] }, data);
  }

  function drawLatency(d) {
    $('latency-caption').textContent = 'p' + Math.round(d.latency.quantile * 100) + ' ' + d.latency.metric + ', last 24 hours (ms)';
    if (d.latency.points.length === 0) { clear($('latency-chart')); $('latency-chart').appendChild(el('p', { class: 'empty', text: 'No latency data in the last 24 hours.' })); return; }
    var xs = d.latency.points.map(function (p) { return p[0] / 1000; });
    var ys = d.latency.points.map(function (p) { return p[1]; });
    chart('latency-chart', { series: [{}, { label: 'p95 ms', stroke: '#0969da' }] }, [xs, ys]);
  }

  function schedule() {
    if (timer) { clearInterval(timer); timer = null; }
    if ($('auto-refresh').checked) timer = setInterval(load, REFRESH_MS);
  }

  $('auto-refresh').checked = localStorage.getItem(AUTO_KEY) !== 'off';
  $('auto-refresh').addEventListener('change', function () {
    localStorage.setItem(AUTO_KEY, $('auto-refresh').checked ? 'on' : 'off');
    schedule();
  });
  $('refresh').addEventListener('click', function () { load(); });
  $('signin-form').addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token-input').value.trim());
    $('token-input').value = '';
    load();
  });
  schedule();
  load();
})();
