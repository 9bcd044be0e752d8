import { checkUrlLength, declaredLength, headFrom, json, MAX_BODY_BYTES, MAX_URL_BYTES, readBody, requestFrom, trimTrailingSlashes, type HttpRequest } from '../../../http/http';

/** A string that counts how often its characters are looked at: the trim's work, measured in steps rather than time. */
class CountingString extends String {
  reads = 0;
  override charCodeAt(index: number): number {
    this.reads++;
    return super.charCodeAt(index);
  }
}

describe('trimming trailing slashes (issue 17, item 3: the regex it replaces was quadratic)', () => {
  const cases: Array<[string, string, string]> = [
    ['a path without a trailing slash stays as it is', '/admin/observability', '/admin/observability'],
    ['one trailing slash goes', '/admin/observability/', '/admin/observability'],
    ['a run of trailing slashes goes', '/admin/observability///', '/admin/observability'],
    ['slashes inside the path stay', '/x//y', '/x//y'],
    ['the root stays the root', '/', '/'],
    ['only slashes become the root', '////', '/'],
    ['an empty path becomes the root', '', '/'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(trimTrailingSlashes(input)).toBe(expected);
  });

  it('looks at each character at most once: 100,000 trailing slashes take at most 100,001 reads, 400,000 at most 400,001', () => {
    for (const n of [100_000, 400_000]) {
      const path = new CountingString(`/x${'/'.repeat(n)}`);
      expect(trimTrailingSlashes(path as unknown as string)).toBe('/x');
      expect(path.reads).toBeLessThanOrEqual(n + 1);
    }
  });

  it('stops at the first character that is not a slash: the attack path /x + 16,300 slashes + a is read once', () => {
    const path = new CountingString(`/x${'/'.repeat(16_300)}a`);
    expect(trimTrailingSlashes(path as unknown as string)).toBe(`/x${'/'.repeat(16_300)}a`);
    expect(path.reads).toBe(1);
  });
});

describe('the request-target limit', () => {
  it(`accepts a target of exactly ${MAX_URL_BYTES} bytes and refuses one byte more with 414 naming the limit`, () => {
    expect(checkUrlLength(`/${'a'.repeat(MAX_URL_BYTES - 1)}`)).toBeUndefined();
    const refused = checkUrlLength(`/${'a'.repeat(MAX_URL_BYTES)}`);
    expect(refused?.status).toBe(414);
    expect(JSON.parse(refused!.body)).toEqual({ error: `request path too long: the limit is ${MAX_URL_BYTES} bytes`, limitBytes: MAX_URL_BYTES });
  });

  it('counts bytes, not characters: 700 three-byte characters are over the limit', () => {
    expect(checkUrlLength(`/${'€'.repeat(700)}`)?.status).toBe(414);
  });

  it('refuses a 1 MB slash path', () => {
    expect(checkUrlLength(`/x${'/'.repeat(1 << 20)}a`)?.status).toBe(414);
  });
});

describe('reading a body within its limit', () => {
  const post = (headers: Record<string, string>, extra: Partial<HttpRequest> = {}): HttpRequest => ({ ...requestFrom('/api/cli', headers, 'POST'), ...extra });

  it('refuses a declared Content-Length over the limit with 413 without reading the body', async () => {
    const reader = jest.fn();
    const result = await readBody(post({ 'content-length': String(MAX_BODY_BYTES + 1) }, { readBody: reader }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.response.status).toBe(413);
    expect(!result.ok && JSON.parse(result.response.body).error).toBe(`request body too large: the limit is ${MAX_BODY_BYTES} bytes`);
    expect(reader).not.toHaveBeenCalled();
  });

  it('hands the limit to the adapter\'s reader when no length is declared (chunked bodies)', async () => {
    const reader = jest.fn().mockResolvedValue({ ok: true, text: '{}' });
    await expect(readBody(post({ 'transfer-encoding': 'chunked' }, { readBody: reader }))).resolves.toEqual({ ok: true, text: '{}' });
    expect(reader).toHaveBeenCalledWith(MAX_BODY_BYTES);
  });

  it('checks a body the adapter already holds against the same limit', async () => {
    expect((await readBody(post({}, { body: 'x'.repeat(MAX_BODY_BYTES) }))).ok).toBe(true);
    expect((await readBody(post({}, { body: 'x'.repeat(MAX_BODY_BYTES + 1) }))).ok).toBe(false);
  });

  it.each([['12', 12], ['0', 0], ['', undefined], ['-1', undefined], ['1e9', undefined], [' 5', undefined], ['9'.repeat(40), undefined]])(
    'reads Content-Length %j as %p',
    (value, expected) => {
      expect(declaredLength({ headers: { 'content-length': value } })).toBe(expected);
    },
  );
});

describe('HEAD from GET', () => {
  it('keeps the status and headers, adds the GET body\'s byte length and drops the body', () => {
    const get = json(200, { status: 'ok', note: 'é' }, { 'x-extra': '1' });
    const head = headFrom(get);
    expect(head).toEqual({ status: 200, headers: { ...get.headers, 'content-length': String(Buffer.byteLength(get.body)) }, body: '' });
    expect(get.headers['content-length']).toBeUndefined();
  });
});
