import type { ChannelId } from '../../shared/channels';
import { FAILING_CHANNEL_LABEL, type Labels } from '../model/labels';
import { matchesAll, type Matcher } from '../model/matchers';

/**
 * A routing tree node, as in Alertmanager's `route` (dispatch/route.go). An alert enters at the
 * root; at each node the children are tried in order and the alert descends into the first child
 * whose matchers all match — and, when that child has `continue: true`, into later matching
 * siblings too. A node where no child matched is where the alert lands. `receivers` and
 * `repeatIntervalSeconds` are inherited from the parent when a node leaves them out.
 */
export interface RouteNode {
  readonly name: string;
  readonly matchers?: readonly Matcher[];
  readonly receivers?: readonly ChannelId[];
  /** How often a still-firing alert is notified again on this route's channels. */
  readonly repeatIntervalSeconds?: number;
  readonly continue?: boolean;
  readonly routes?: readonly RouteNode[];
}

/** Where an alert landed: the route's name, its receivers and repeat interval (inherited values resolved). */
export interface RouteMatch {
  readonly route: string;
  readonly receivers: readonly ChannelId[];
  readonly repeatIntervalSeconds: number;
}

/** One channel an alert is delivered to, with the shortest repeat interval of the routes that chose it. */
export interface ChannelRoute {
  readonly channel: ChannelId;
  readonly repeatIntervalSeconds: number;
  readonly routes: readonly string[];
}

interface Inherited {
  readonly receivers: readonly ChannelId[];
  readonly repeatIntervalSeconds: number;
}

function walk(node: RouteNode, labels: Labels, inherited: Inherited, path: string): RouteMatch[] {
  const here: Inherited = {
    receivers: node.receivers ?? inherited.receivers,
    repeatIntervalSeconds: node.repeatIntervalSeconds ?? inherited.repeatIntervalSeconds,
  };
  const name = path === '' ? node.name : `${path}/${node.name}`;
  const matches: RouteMatch[] = [];
  for (const child of node.routes ?? []) {
    if (!matchesAll(child.matchers ?? [], labels)) continue;
    matches.push(...walk(child, labels, here, name));
    if (!child.continue) break;
  }
  if (matches.length === 0) matches.push({ route: name, receivers: here.receivers, repeatIntervalSeconds: here.repeatIntervalSeconds });
  return matches;
}

/** Every route an alert with `labels` lands on. Pure. The root matches every alert. */
export function matchRoutes(root: RouteNode, labels: Labels): RouteMatch[] {
  return walk(root, labels, { receivers: root.receivers ?? [], repeatIntervalSeconds: root.repeatIntervalSeconds ?? 4 * 3_600 }, '');
}

/**
 * The channels an alert is delivered to: the union of its routes' receivers. Pure. An alert
 * about a failing channel (label `failing_channel`) is never delivered to that channel, whatever
 * the routes say: it would fail there, and its failures would feed the alert they are about.
 */
export function routeAlert(root: RouteNode, labels: Labels): ChannelRoute[] {
  const byChannel = new Map<ChannelId, { repeatIntervalSeconds: number; routes: string[] }>();
  const failing = labels[FAILING_CHANNEL_LABEL];
  for (const match of matchRoutes(root, labels)) {
    for (const channel of match.receivers) {
      if (channel === failing) continue;
      const entry = byChannel.get(channel);
      if (!entry) byChannel.set(channel, { repeatIntervalSeconds: match.repeatIntervalSeconds, routes: [match.route] });
      else {
        entry.repeatIntervalSeconds = Math.min(entry.repeatIntervalSeconds, match.repeatIntervalSeconds);
        entry.routes.push(match.route);
      }
    }
  }
  return [...byChannel].map(([channel, e]) => ({ channel, repeatIntervalSeconds: e.repeatIntervalSeconds, routes: e.routes }));
}
