import { createHash } from 'node:crypto';
import { STATUS_LABEL } from './component-status';
import type { StatusComponent, StatusIncident, StatusMaintenance, StatusPageData, UptimeDay } from './summary';
import { OUTAGE_FACTOR, UPTIME_DAYS } from './uptime';
import { PAST_INCIDENT_DAYS } from './build-status';

/**
 * The status page as one self-contained HTML document: semantic landmarks (header, main, footer),
 * one h1 and a heading per section, status in words as well as colour, the uptime bars as an
 * image with a text alternative (each day also has a tooltip), no script at all (nothing is
 * needed to read it), inline CSS allowed by its hash in the Content-Security-Policy
 * ({@link STATUS_PAGE_CSP}). Colours meet WCAG AA (4.5:1 for text, 3:1 for the bars).
 * Under 600 px wide the bars show the last 30 days (as Statuspage does on phones).
 */

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
a{color:#0969da}
.wrap{max-width:860px;margin:0 auto;padding:0 16px}
header.masthead{background:#fff;border-bottom:1px solid #d0d7de}
header.masthead .wrap{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:8px;padding-top:16px;padding-bottom:16px}
h1{font-size:1.5rem;margin:0}
h2{font-size:1.2rem;margin:0 0 12px}
h3{font-size:1rem;margin:0}
main{padding:24px 0 8px}
section{margin-bottom:28px}
.overall{border-radius:6px;padding:16px 20px;color:#fff}
.overall h2{margin:0;font-size:1.3rem}
.overall p{margin:4px 0 0}
.indicator-none{background:#1a7f37}.indicator-minor{background:#9a6700}.indicator-major{background:#bc4c00}.indicator-critical{background:#cf222e}.indicator-maintenance{background:#0969da}
.notice{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px}
ul.components{list-style:none;margin:0;padding:0}
.component{padding:14px 16px;border-top:1px solid #d0d7de}
.component:first-child{border-top:0}
.component-head{display:flex;justify-content:space-between;align-items:baseline;gap:12px;flex-wrap:wrap}
.status{font-weight:600;font-size:.95rem}
.s-operational{color:#1a7f37}.s-degraded_performance{color:#9a6700}.s-partial_outage{color:#bc4c00}.s-major_outage{color:#cf222e}.s-under_maintenance{color:#0969da}
.note{color:#57606a;font-size:.875rem;margin:2px 0 0}
ol.bars{display:flex;gap:2px;list-style:none;margin:10px 0 4px;padding:0;height:34px}
ol.bars li{flex:1 1 0;min-width:2px;border-radius:2px}
.d-met{background:#1a7f37}.d-missed{background:#9a6700}.d-outage{background:#cf222e}.d-no_data{background:#8c959f}
.axis{display:flex;justify-content:space-between;color:#57606a;font-size:.8rem}
.axis .short{display:none}
.legend{color:#57606a;font-size:.875rem;margin:0 0 10px}
.legend span{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:baseline}
article{background:#fff;border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:12px 16px;margin-bottom:12px}
.impact-none{border-left-color:#57606a}.impact-minor{border-left-color:#9a6700}.impact-major{border-left-color:#bc4c00}.impact-critical{border-left-color:#cf222e}.impact-maintenance{border-left-color:#0969da}
.meta{color:#57606a;font-size:.875rem;margin:2px 0 8px}
ol.updates{list-style:none;margin:0;padding:0}
ol.updates li{padding:6px 0;border-top:1px solid #eaeef2}
ol.updates p{margin:0}
footer{color:#57606a;font-size:.875rem;padding:8px 0 32px}
@media (max-width:600px){
 body{font-size:15px}
 ol.bars li:nth-child(-n+${UPTIME_DAYS - 30}){display:none}
 .axis .long{display:none}.axis .short{display:inline}
 .overall{padding:12px 14px}
}
`;

/** The Content-Security-Policy the page is served with: nothing but its own inline style. */
export const STATUS_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** 2026-11-27 23:40 UTC: one form, whatever the reader's locale. */
function when(isoText: string): string {
  const ms = Date.parse(isoText);
  if (Number.isNaN(ms)) return escapeHtml(isoText);
  const t = new Date(ms).toISOString();
  return `<time datetime="${t}">${t.slice(0, 10)} ${t.slice(11, 16)} UTC</time>`;
}

/** Floored to 2 decimals: 99.996% shows as 99.99%, never rounded up to 100.00%. */
export function percent(ratio: number): string {
  // The epsilon keeps binary rounding (0.29 × 10,000 = 2899.9999…) from taking a hundredth off an exact value.
  return `${(Math.floor(ratio * 10_000 + 1e-7) / 100).toFixed(2)}%`;
}

const capitalised = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1).replace(/_/g, ' ') : s);
const IMPACT_LABEL = { none: 'None', minor: 'Minor', major: 'Major', critical: 'Critical', maintenance: 'Maintenance' } as const;
const DAY_STATE_TEXT: Record<UptimeDay['state'], string> = { met: 'objectives met', missed: 'an objective missed', outage: 'outage', no_data: 'no data' };

function bars(component: StatusComponent): string {
  const { uptime } = component;
  if (!uptime.measured) {
    return `<p class="note">No uptime objective is measured for this component; its status above is live.</p>`;
  }
  const days = uptime.days;
  const below = days.filter((d) => d.state === 'missed' || d.state === 'outage');
  const total = uptime.uptime === null ? 'no data' : `${percent(uptime.uptime)} uptime`;
  const label = `Uptime over the last ${days.length} days: ${total}. ${below.length === 0 ? 'No day below objective.' : `${below.length} ${below.length === 1 ? 'day' : 'days'} below objective: ${below.map((d) => `${d.date} (${d.uptime === null ? 'no data' : percent(d.uptime)})`).join(', ')}.`}`;
  const items = days.map((d) => `<li class="d-${d.state}" title="${d.date}: ${d.uptime === null ? 'no data' : `${percent(d.uptime)}, ${DAY_STATE_TEXT[d.state]}`}"></li>`).join('');
  return (
    `<ol class="bars" role="img" aria-label="${escapeHtml(label)}">${items}</ol>` +
    `<div class="axis" aria-hidden="true"><span><span class="long">${days.length} days ago</span><span class="short">30 days ago</span></span><span>${total}<span class="short"> (${days.length} days)</span></span><span>Today</span></div>`
  );
}

function component(c: StatusComponent): string {
  return (
    `<li class="component" id="component-${escapeHtml(c.id)}" data-status="${c.status}">` +
    `<div class="component-head"><h3>${escapeHtml(c.name)}</h3><span class="status s-${c.status}">${STATUS_LABEL[c.status]}</span></div>` +
    (c.description ? `<p class="note">${escapeHtml(c.description)}</p>` : '') +
    bars(c) +
    `</li>`
  );
}

function incident(i: StatusIncident): string {
  const affects = i.components.map((c) => escapeHtml(c.name)).join(', ');
  const updates = i.incident_updates.map((u) => `<li><p><strong>${escapeHtml(capitalised(u.status))}</strong> — ${escapeHtml(u.body)}</p><p class="meta">${when(u.display_at)}</p></li>`).join('');
  const resolved = i.resolved_at ? ` · Resolved ${when(i.resolved_at)}` : '';
  return (
    `<article class="incident impact-${i.impact}" id="incident-${escapeHtml(i.id)}" data-status="${escapeHtml(i.status)}">` +
    `<h3>${escapeHtml(i.name)}</h3>` +
    `<p class="meta"><strong>${escapeHtml(capitalised(i.status))}</strong> · Impact: ${IMPACT_LABEL[i.impact]}${affects ? ` · Affects ${affects}` : ''} · Started ${when(i.started_at)}${resolved}</p>` +
    (updates ? `<ol class="updates">${updates}</ol>` : '') +
    `</article>`
  );
}

function maintenance(m: StatusMaintenance): string {
  const affects = m.components.map((c) => escapeHtml(c.name)).join(', ');
  return (
    `<article class="maintenance impact-maintenance" id="maintenance-${escapeHtml(m.id)}" data-status="${m.status}">` +
    `<h3>${escapeHtml(m.name)}</h3>` +
    `<p class="meta"><strong>${m.status === 'in_progress' ? 'In progress' : 'Scheduled'}</strong>${affects ? ` · Affects ${affects}` : ''} · ${when(m.scheduled_for)} to ${when(m.scheduled_until)}</p>` +
    `</article>`
  );
}

const UNAVAILABLE_TEXT = { incidents: 'incident history', maintenance: 'scheduled maintenance', uptime: 'uptime history' } as const;

export function renderStatusHtml(data: StatusPageData): string {
  const { summary } = data;
  const indicatorClass = summary.status.indicator === 'none' && summary.status.description === 'Service Under Maintenance' ? 'maintenance' : summary.status.indicator;
  const parts: string[] = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(summary.page.name)} · ${escapeHtml(summary.status.description)}</title>`,
    `<link rel="alternate" type="application/json" href="/status.json"><style>${CSS}</style></head><body>`,
    `<header class="masthead"><div class="wrap"><h1>${escapeHtml(summary.page.name)}</h1><a href="/status.json">JSON</a></div></header>`,
    `<main class="wrap">`,
    `<section class="overall indicator-${indicatorClass}" aria-labelledby="overall" data-indicator="${summary.status.indicator}"><h2 id="overall">${escapeHtml(summary.status.description)}</h2><p>Updated ${when(summary.page.updated_at)}</p></section>`,
  ];
  if (data.unavailable.length > 0) {
    parts.push(`<p class="notice" role="status">Some information could not be loaded just now (${data.unavailable.map((u) => UNAVAILABLE_TEXT[u]).join(', ')}); the rest of the page is current.</p>`);
  }
  if (summary.incidents.length > 0) {
    parts.push(`<section aria-labelledby="active-incidents"><h2 id="active-incidents">Active incidents</h2>${summary.incidents.map(incident).join('')}</section>`);
  }
  if (summary.scheduled_maintenances.length > 0) {
    parts.push(`<section aria-labelledby="maintenances"><h2 id="maintenances">Scheduled maintenance</h2>${summary.scheduled_maintenances.map(maintenance).join('')}</section>`);
  }
  parts.push(
    `<section aria-labelledby="components"><h2 id="components">Components</h2>`,
    `<p class="legend">Each bar is one UTC day of the last ${UPTIME_DAYS}, measured by the component's service level objectives:` +
      `<span class="d-met" aria-hidden="true"></span>all met<span class="d-missed" aria-hidden="true"></span>one missed<span class="d-outage" aria-hidden="true"></span>outage<span class="d-no_data" aria-hidden="true"></span>no data</p>`,
    `<ul class="components card">${summary.components.map(component).join('')}</ul></section>`,
    `<section aria-labelledby="past-incidents"><h2 id="past-incidents">Past incidents</h2>`,
    data.resolvedIncidents.length > 0 ? data.resolvedIncidents.map(incident).join('') : `<p>No incidents in the last ${PAST_INCIDENT_DAYS} days.</p>`,
    `</section></main>`,
    `<footer class="wrap"><p>A component's status is live: it follows the alerts and error budgets of the component's service level objectives, and shows maintenance while a scheduled window is in progress. ` +
      `A day's uptime is the share of good requests of the component's worst objective that day; a day is an outage when more than ${OUTAGE_FACTOR}× the objective's allowance failed. ` +
      `Times are UTC. Machine-readable: <a href="/status.json">/status.json</a> (Statuspage summary format).</p></footer>`,
    `</body></html>`,
  );
  return parts.join('');
}
