import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GET_METHODS, methodNotAllowed, type HttpRequest, type HttpResponse } from '../../http/http';

/** docs/ beside the sources (tsx, jest) or beside lib/ (the built CLI). */
function docsDir(): string | undefined {
  return [join(__dirname, '..', '..', 'docs'), join(__dirname, '..', '..', '..', 'docs')].find((d) => existsSync(join(d, 'OPERATIONS.md')));
}

/**
 * `GET /docs/<NAME>.md` on the local stack: the user docs as plain text, so the dashboard's and the
 * alerts' runbook links (`docs/OPERATIONS.md#runbook-…`) open locally. Only the files present in
 * docs/ at start-up are served, read once; nothing else on disk is reachable.
 */
export function createDocsRoute(): (request: HttpRequest) => HttpResponse | undefined {
  const dir = docsDir();
  const files = new Map<string, string>();
  if (dir) for (const name of readdirSync(dir)) if (/^[A-Z_]+\.md$/.test(name)) files.set(`/docs/${name}`, readFileSync(join(dir, name), 'utf8'));
  return (request): HttpResponse | undefined => {
    if (!request.path.startsWith('/docs/')) return undefined;
    const body = files.get(request.path);
    if (body !== undefined && request.method !== 'GET') return methodNotAllowed(GET_METHODS);
    if (body === undefined) return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `no such document; available: ${[...files.keys()].join(', ')}\n` };
    return { status: 200, headers: { 'content-type': 'text/markdown; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' }, body };
  };
}
