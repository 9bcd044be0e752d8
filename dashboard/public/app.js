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
      .then(function (data) { if (data) { render(data); loadAnomalies(); } })
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
    d.links.forEach(function (l) {
      var a = el('a', { href: l.href, text: l.label });
      // An admin API: fetched here with the token this page holds (a plain link would get a 401).
      if (l.auth === 'bearer') a.addEventListener('click', function (event) { event.preventDefault(); showJson(l.label, l.href); });
      links.appendChild(a);
    });

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
    if (d.cost) infra.appendChild(costCard(d.cost));

    var alerts = $('alerts'); clear(alerts);
    if (d.alerts.length === 0) alerts.appendChild(el('tr', {}, [el('td', { colspan: '7', class: 'empty', text: 'No active alerts.' })]));
    d.alerts.forEach(function (a) {
      alerts.appendChild(el('tr', { 'data-alert': a.ruleId }, [
        el('td', { class: 'sev ' + a.severity, text: a.severity }),
        el('td', { text: a.name + ' — ' + a.summary }),
        el('td', { text: a.module }),
        el('td', { text: a.state }),
        firedByCell(a.firedBy),
        el('td', { text: age(a.ageMs) }),
        el('td', {}, [el('a', { href: '/' + a.runbook.replace(/^\//, ''), text: 'runbook' })]),
      ]));
    });

    renderRecentAlerts(d);
    renderIncidents(d);

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
    [['Transport', d.config.transport], ['Provider (OBSERVABILITY_PROVIDER)', d.config.provider], ['Environment', d.config.environment], ['Warehouse', d.config.warehouse], ['Build version', d.config.version]]
      .forEach(function (kv) { config.appendChild(el('dt', { text: kv[0] })); config.appendChild(el('dd', { 'data-field': kv[0].split(' ')[0].toLowerCase(), text: String(kv[1]) })); });
  }

  // Which path fired an alert (issue #15): a tag reading streaming (as the events arrived) or
  // scheduled (the minute evaluation on the rollups); — when there is none (pending) or it is not
  // recorded. The word is the label; the column header says what it is.
  var FIRED_BY_TITLES = {
    streaming: 'Fired by the streaming path, as the events arrived at ingest',
    scheduled: 'Fired by the scheduled evaluation of the rollups (every minute)',
  };
  function firedByCell(path) {
    if (!Object.prototype.hasOwnProperty.call(FIRED_BY_TITLES, path)) return el('td', { 'data-field': 'fired-by', text: '—' });
    return el('td', { 'data-field': 'fired-by' }, [el('span', { class: 'tag ' + path, title: FIRED_BY_TITLES[path], text: path })]);
  }

  function clock(ms) { return ms === null ? 'before the last 24 h' : new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false }); }

  // Firing episodes of the last 24 hours (dashboard/recent-alerts.ts): a resolved P0 stays here.
  function renderRecentAlerts(d) {
    var body = $('recent-alerts'); clear(body);
    if (d.recentAlerts.length === 0) body.appendChild(el('tr', {}, [el('td', { colspan: '7', class: 'empty', text: 'No alerts fired in the last 24 hours.' })]));
    d.recentAlerts.forEach(function (a) {
      body.appendChild(el('tr', { class: a.state, 'data-recent-alert': a.ruleId, 'data-state': a.state }, [
        el('td', { class: 'sev ' + a.severity, text: a.severity }),
        el('td', { text: a.title + ' (' + a.module + ')' }),
        el('td', { text: clock(a.firedAtMs) }),
        firedByCell(a.firedBy),
        el('td', { class: 'state', text: a.resolvedAtMs === null ? 'still firing' : clock(a.resolvedAtMs) }),
        el('td', { 'data-field': 'duration', text: a.durationMs === null ? '—' : duration(a.durationMs) + (a.state === 'firing' ? ' so far' : '') }),
        el('td', { text: a.value === null ? '—' : a.valueText || String(Number(a.value.toFixed(3))) }),
      ]));
    });
  }

  // Incidents (dashboard/incidents-card.ts, issue #16): open ones first, each with its timeline.
  function renderIncidents(d) {
    var box = $('incidents'); clear(box);
    var card = d.incidents || { incidents: [] };
    if (card.error) box.appendChild(el('p', { class: 'error', 'data-field': 'error', text: card.error }));
    if (card.incidents.length === 0 && !card.error) box.appendChild(el('p', { class: 'empty', text: 'No incidents in the last 7 days.' }));
    card.incidents.forEach(function (i) {
      var when = 'opened ' + new Date(i.openedAtMs).toLocaleString() +
        (i.acknowledgedAtMs === null ? '' : ' · acknowledged by ' + i.acknowledgedBy + ' ' + age(i.acknowledgedAtMs - i.openedAtMs) + ' later') +
        (i.resolvedAtMs === null ? '' : ' · resolved after ' + duration(i.resolvedAtMs - i.openedAtMs));
      var steps = el('ol', { class: 'timeline' }, i.timeline.map(function (e) {
        return el('li', { 'data-type': e.type }, [el('time', { text: new Date(e.atMs).toLocaleTimeString([], { hour12: false }) }), document.createTextNode(' ' + e.text)]);
      }));
      var details = el('details', {}, [el('summary', { text: 'Timeline (' + i.timeline.length + ' steps, ' + i.alerts + ' alert' + (i.alerts === 1 ? '' : 's') + ')' }), steps]);
      if (i.status !== 'resolved') details.open = true;
      box.appendChild(el('article', { class: 'incident ' + i.status, 'data-incident': i.id, 'data-status': i.status }, [
        el('h3', {}, [document.createTextNode(i.title + ' '), el('span', { class: 'state', 'data-field': 'status', text: i.status })]),
        el('p', { class: 'hint', text: i.id + ' · ' + when }),
        details,
      ]));
    });
  }

  function showJson(label, href) {
    var token = sessionStorage.getItem(TOKEN_KEY);
    $('json-view').hidden = false;
    $('json-view-title').textContent = label;
    $('json-view-body').textContent = 'loading…';
    return fetch(href, { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' })
      .then(function (response) { return response.text().then(function (text) { return { status: response.status, text: text }; }); })
      .then(function (r) {
        var pretty = r.text;
        try { pretty = JSON.stringify(JSON.parse(r.text), null, 2); } catch { /* not JSON: shown as it came */ }
        $('json-view-body').textContent = (r.status === 200 ? '' : 'HTTP ' + r.status + '\n') + pretty;
      })
      .catch(function (error) { $('json-view-body').textContent = 'failed: ' + error.message; });
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
    var exportTrouble = (p.exports || []).filter(function (x) { return x.failures > 0 || x.deadLetters > 0 || x.lagMs > 300000; });
    if (exportTrouble.length > 0) warnings.push('export behind or failing: ' + exportTrouble.map(function (x) { return x.exporter; }).join(', '));
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
      ['exports', 'Exports', joined((p.exports || []).map(function (x) { return x.exporter + ' lag ' + duration(x.lagMs) + ', ' + count(x.minutes) + ' min' + (x.deadLetters > 0 ? ', ' + count(x.deadLetters) + ' dead-lettered' : '') + (x.failures > 0 ? ', ' + count(x.failures) + ' failed runs' : ''); }), 'none configured')],
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

  function dollars(x) { return x === null || x === undefined ? '—' : x === 0 ? '$0' : x < 0.01 ? '$' + x.toPrecision(2) : '$' + x.toFixed(2); }

  // What the month so far costs at list prices (dashboard/cost-card.ts, `obs cost`, docs/COST.md).
  function costCard(c) {
    var title = el('h3', { text: 'Cost · ' + c.month + ' so far' });
    if (c.error) {
      return el('article', { class: 'card cost degraded', 'data-component': 'cost', 'data-testid': 'cost-card' }, [title, el('div', { class: 'state', text: 'not computed' }), el('p', { 'data-field': 'error', text: c.error })]);
    }
    var path = function (w) { return w === 'storage' ? 'Storage Write API' : 'insertAll'; };
    var facts = [
      ['total', 'Total (list)', dollars(c.listUsd) + ' · ' + dollars(c.billedUsd) + ' after free tiers'],
      ['per-million', 'Per million calls (beyond the scan minimum)', c.listUsdPerMillionCalls === null ? '—' : dollars(c.listUsdPerMillionCalls)],
      ['components', 'Pub/Sub · ingest · storage · scans', [c.components.pubsub, c.components.ingest, c.components.storage, c.components.scans].map(dollars).join(' · ')],
      ['write-path', 'Write path', path(c.writeApi) + ' (' + path(c.alternative.writeApi) + ': ' + dollars(c.alternative.listUsd) + ')'],
      ['events', 'Events stored', count(c.events) + ' (' + count(c.calls) + ' calls)'],
      ['modules', 'Costliest modules', joined(c.topModules.map(function (m) { return m.module + ' ' + dollars(m.listUsd); }), 'none')],
    ];
    var list = el('dl', { class: 'facts' });
    facts.forEach(function (f) {
      list.appendChild(el('dt', { text: f[1] }));
      list.appendChild(el('dd', { 'data-field': f[0], text: f[2] }));
    });
    return el('article', { class: 'card cost ok', 'data-component': 'cost', 'data-testid': 'cost-card' }, [
      title,
      el('div', { class: 'state', text: dollars(c.listUsd) + ' at list prices (scans ' + (c.scansEstimated ? 'estimated' : 'as BigQuery billed them') + ')' }),
      list,
      el('p', { class: 'hint', text: 'computed ' + new Date(c.computedAtMs).toLocaleTimeString() + ', hourly · obs cost' }),
    ]);
  }

  function chart(target, key, opts, data) {
    // The figure's inner width: the empty plot div can measure narrower before the grid settles.
    var width = Math.max(320, target.clientWidth || 0, target.parentNode.clientWidth - 16);
    if (charts[key]) charts[key].destroy();
    clear(target);
    if (!window.uPlot) { target.textContent = 'chart library failed to load'; return; }
    opts.width = width; opts.height = opts.height || 240;
    charts[key] = new window.uPlot(opts, data, target);
  }

  // Alert periods to mark on an SLO's chart: firing episodes of the last 24 hours and the alerts
  // firing now, of the SLO's module (or a burn-rate rule of the SLO itself). Seconds, for uPlot.
  function incidentsFor(d, s) {
    var spans = [];
    d.recentAlerts.forEach(function (a) {
      if (a.module !== s.module && a.sloId !== s.id) return;
      spans.push({ from: (a.firedAtMs === null ? d.generatedAt - 86400000 : a.firedAtMs) / 1000, to: (a.resolvedAtMs === null ? d.generatedAt : a.resolvedAtMs) / 1000, alert: a });
    });
    d.alerts.forEach(function (a) {
      if (a.state !== 'firing' || a.module !== s.module) return;
      if (spans.some(function (x) { return x.alert.fingerprint === a.fingerprint && x.alert.state === 'firing'; })) return;
      spans.push({ from: a.sinceMs / 1000, to: d.generatedAt / 1000, alert: { severity: a.severity, title: a.name, state: 'firing', firedAtMs: a.sinceMs, durationMs: a.ageMs } });
    });
    // What fires now first, then the newest.
    return spans.sort(function (x, y) { return (x.alert.state === 'firing' ? 0 : 1) - (y.alert.state === 'firing' ? 0 : 1) || y.from - x.from; });
  }

  // A red band per alert period, at least 4 px wide so a ten-minute incident shows on a 30-day axis,
  // with its severity written at the top.
  function shadeIncidents(spans) {
    return function (u) {
      var ctx = u.ctx; var top = u.bbox.top; var height = u.bbox.height;
      ctx.save();
      spans.forEach(function (span) {
        var x0 = u.valToPos(span.from, 'x', true); var x1 = u.valToPos(span.to, 'x', true);
        var w = Math.max(4 * window.devicePixelRatio, x1 - x0);
        var left = Math.min(x0, u.bbox.left + u.bbox.width - w);
        ctx.fillStyle = span.alert.severity === 'P0' ? 'rgba(207,34,46,0.30)' : 'rgba(191,135,0,0.30)';
        ctx.fillRect(left, top, w, height);
        ctx.fillStyle = '#cf222e';
        ctx.font = 'bold ' + 11 * window.devicePixelRatio + 'px system-ui, sans-serif';
        ctx.textAlign = 'right';
        ctx.fillText(span.alert.severity, left - 2 * window.devicePixelRatio, top + 12 * window.devicePixelRatio);
      });
      ctx.restore();
    };
  }

  // One burn-down per SLO (small multiples): its own 0–100 % axis (lower when overspent), the latest
  // values written above it (no hover needed), and the incidents of its module marked on it.
  function drawBurnDown(d) {
    var container = $('burndown-chart');
    if (!d.slos.some(function (s) { return s.burnDown.length > 0; })) {
      Object.keys(charts).forEach(function (k) { if (k.indexOf('slo:') === 0) { charts[k].destroy(); delete charts[k]; } });
      clear(container); container.appendChild(el('p', { class: 'empty', text: 'No SLO history yet.' })); return;
    }
    if (container.querySelector('p.empty')) clear(container);
    d.slos.forEach(function (s) {
      var figure = container.querySelector('[data-slo-chart="' + s.id + '"]');
      if (!figure) {
        figure = el('figure', { 'data-slo-chart': s.id }, [el('figcaption', { text: s.name }), el('div', { class: 'legend' }), el('div', { class: 'plot' })]);
        container.appendChild(figure);
      }
      var spans = incidentsFor(d, s);
      var legend = figure.querySelector('.legend'); clear(legend);
      var last = s.budgetRemaining;
      var burn = function (w) { var v = s.burnRates[w]; return v === null || v === undefined ? '—' : v.toFixed(1) + '×'; };
      legend.appendChild(el('span', { class: 'value ' + s.status, 'data-field': 'budget', text: last === null ? 'no data' : pct(last, 1) + ' left' }));
      legend.appendChild(document.createTextNode(' · burn 1h ' + burn('1h') + ' · 6h ' + burn('6h') + ' · objective ' + pct(s.objective, 2)));
      spans.forEach(function (span) {
        var a = span.alert;
        legend.appendChild(el('div', { class: 'incident', 'data-field': 'incident', text: a.severity + ' ' + a.title + ': ' + (a.state === 'firing' ? 'firing for ' + duration(a.durationMs) : 'fired ' + clock(a.firedAtMs) + ', lasted ' + (a.durationMs === null ? '—' : duration(a.durationMs))) }));
      });
      var xs = s.burnDown.map(function (p) { return p[0] / 1000; });
      var ys = s.burnDown.map(function (p) { return p[1] === null ? null : p[1] * 100; });
      var low = ys.reduce(function (m, y) { return y === null ? m : Math.min(m, y); }, 0);
      chart(figure.querySelector('.plot'), 'slo:' + s.id, {
        height: 150,
        legend: { show: false },
        scales: { y: { range: [Math.floor(low / 10) * 10, 100] } },
        series: [{}, { label: 'budget left', stroke: s.status === 'exhausted' ? '#cf222e' : '#0969da', width: 2, fill: 'rgba(9,105,218,0.08)', spanGaps: true }],
        axes: [{}, { size: 50, values: function (u, vals) { return vals.map(function (v) { return v + '%'; }); } }],
        hooks: { draw: [shadeIncidents(spans)] },
      }, [xs, ys]);
    });
  }

  // The anomaly rules' bands (GET /api/anomaly): one chart per rule group, the minutes outside the
  // band marked in red, the latest value against its band written above it.
  function loadAnomalies() {
    var token = sessionStorage.getItem(TOKEN_KEY);
    return fetch('/api/anomaly', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' })
      .then(function (response) { if (!response.ok) throw new Error('HTTP ' + response.status); return response.json(); })
      .then(drawAnomalies)
      .catch(function (error) { var c = $('anomaly-charts'); clear(c); c.appendChild(el('p', { class: 'empty', text: 'anomaly bands failed to load: ' + error.message })); });
  }

  function fixed(v) { return v === null || v === undefined ? '—' : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1); }

  function drawAnomalies(body) {
    var container = $('anomaly-charts');
    Object.keys(charts).forEach(function (k) { if (k.indexOf('anomaly:') === 0) { charts[k].destroy(); delete charts[k]; } });
    clear(container);
    body.charts.forEach(function (c) {
      if (c.groups.length === 0) {
        container.appendChild(el('figure', { 'data-anomaly-chart': c.ruleId }, [el('figcaption', { text: c.name }), el('p', { class: 'empty', text: 'No data for ' + c.metric + ' yet.' })]));
        return;
      }
      c.groups.forEach(function (g, i) {
        var tags = Object.keys(g.tags).map(function (k) { return k + '=' + g.tags[k]; }).join(', ');
        var key = 'anomaly:' + c.ruleId + ':' + i;
        var figure = el('figure', { 'data-anomaly-chart': c.ruleId }, [el('figcaption', { text: c.name + (tags ? ' · ' + tags : '') }), el('div', { class: 'legend' }), el('div', { class: 'plot' })]);
        container.appendChild(figure);
        var last = g.points[g.points.length - 1];
        var legend = figure.querySelector('.legend');
        var outside = g.minutesOutside > 0;
        legend.appendChild(el('span', { class: 'value ' + (g.minutesOutside >= c.consecutiveMinutes ? 'exhausted' : outside ? 'warning' : 'ok'), 'data-field': 'latest', text: fixed(last[1]) + ' ' + c.value + '/min' }));
        legend.appendChild(el('span', { 'data-field': 'band', text: ' · usual ' + fixed(last[2]) + ', band ' + fixed(last[3]) + ' – ' + fixed(last[4]) + ' (' + (g.band || 'no band') + ', k=' + c.k + ')' }));
        legend.appendChild(el('span', { 'data-field': 'outside', text: outside ? ' · outside for ' + g.minutesOutside + ' min (fires at ' + c.consecutiveMinutes + ')' : ' · inside' }));
        var xs = g.points.map(function (p) { return p[0] / 1000; });
        var col = function (j) { return g.points.map(function (p) { return p[j]; }); };
        var out = g.points.map(function (p) { return p[1] !== null && p[3] !== null && (p[1] < p[3] || p[1] > p[4]) ? p[1] : null; });
        chart(figure.querySelector('.plot'), key, {
          height: 160,
          legend: { show: false },
          series: [{},
            { label: 'value', stroke: '#0969da', width: 2 },
            { label: 'baseline', stroke: '#57606a', width: 1, dash: [4, 4] },
            { label: 'lower', stroke: '#8c959f', width: 1 },
            { label: 'upper', stroke: '#8c959f', width: 1 },
            { label: 'outside', stroke: '#cf222e', width: 0, points: { show: true, size: 5, fill: '#cf222e' } }],
          bands: [{ series: [4, 3], fill: 'rgba(9,105,218,0.08)' }],
          axes: [{}, { size: 60 }],
        }, [xs, col(1), col(2), col(3), col(4), out]);
      });
    });
    if (body.charts.length === 0) container.appendChild(el('p', { class: 'empty', text: 'No anomaly rules.' }));
  }

  function drawLatency(d) {
    $('latency-caption').textContent = 'p' + Math.round(d.latency.quantile * 100) + ' ' + d.latency.metric + ', last 24 hours (ms)';
    var legend = $('latency-legend'); clear(legend);
    if (d.latency.points.length === 0) { clear($('latency-chart')); $('latency-chart').appendChild(el('p', { class: 'empty', text: 'No latency data in the last 24 hours.' })); return; }
    var xs = d.latency.points.map(function (p) { return p[0] / 1000; });
    var ys = d.latency.points.map(function (p) { return p[1]; });
    var latest = ys[ys.length - 1];
    var peak = ys.reduce(function (m, y) { return Math.max(m, y); }, 0);
    legend.appendChild(el('span', { class: 'value', 'data-field': 'latest', text: duration(latest) }));
    legend.appendChild(document.createTextNode(' latest · peak ' + duration(peak)));
    chart($('latency-chart'), 'latency', {
      legend: { show: false },
      scales: { y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } } },
      series: [{}, { label: 'p95 ms', stroke: '#0969da', width: 2 }],
      axes: [{}, { size: 60, values: function (u, vals) { return vals.map(function (v) { return v + ' ms'; }); } }],
    }, [xs, ys]);
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
  // A #token=… URL pasted into this already-open tab changes only the fragment: no page load, so
  // take the token and load from here.
  window.addEventListener('hashchange', function () { if (/(?:^|[#&])token=/.test(location.hash)) load(); });
  $('json-view-close').addEventListener('click', function () { $('json-view').hidden = true; });
  schedule();
  load();
})();
