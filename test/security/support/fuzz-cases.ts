import { randomUUID } from 'crypto';

/** The part of an OpenAPI 3 document the generator reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface OpenApiOperation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  example?: unknown;
}

export interface FuzzContext {
  doc: OpenApiDocument;
  operatorKey: string;
  /** Tenant A, the owner of every id below. */
  tenantKey: string;
  /** Tenant B: must never reach A's ids. */
  otherTenantKey: string;
  /** The Authorization header İYS would send to the push receiver. */
  pushAuth: string;
  /** A real id of tenant A per path segment that precedes `{id}` ("lists", "campaigns" …). */
  ids: Record<string, string>;
  brandCode: string;
}

export interface FuzzCase {
  method: string;
  /** The OpenAPI route the case came from (or the extra route). */
  route: string;
  /** The request path with its query. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** What kind of damage the case carries (printed when it fails). */
  kind: string;
  /** '4xx': bad beyond doubt, must be refused. 'no5xx': may be accepted, must not break the server. */
  expect: '4xx' | 'no5xx';
}

/** A small seeded generator (mulberry32): the same seed gives the same cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Operation {
  method: string;
  route: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  /** The JSON body schema, resolved; undefined when the operation takes no JSON body. */
  body?: Schema;
  /** Whether the route also takes a non-JSON body (CSV): malformed JSON is then judged as content, not syntax. */
  acceptsOtherContent: boolean;
  auth: 'bearer' | 'operator' | 'basic' | 'none';
}

// Values that are no valid id, code, type or address of anything, as they appear in a URL (already encoded).
const PATH_GARBAGE = [
  'x',
  '-1',
  '0',
  '00000000-0000-0000-0000-00000000000g',
  '%00',
  '%27%20OR%201%3D1--',
  '..%2F..%2Fetc%2Fpasswd',
  '%0D%0AX-Injected%3A%201',
  '%F0%9F%98%80',
  '%C3%28',
  '%E2%80%8B',
  '1e309',
  'null',
  '%7B%7Bconstructor%7D%7D',
  'a'.repeat(3000),
];

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '[1,2',
  '{"a":1}}',
  "{'a':1}",
  'NaN',
  '{"a":undefined}',
  '{"a":1,}',
  '\u0000',
  '{"a":"\\x41"}',
  '{"a":01}',
  'tru',
  '{"a" 1}',
  '\ufeff{"a":}',
];

const EDGE_STRINGS = [
  '',
  ' ',
  'x\r\nBcc: victim@example.com',
  'Konu\r\n\r\n<html>injected',
  'nul\u0000byte',
  'lone\ud800surrogate',
  '\u202eevil.exe\u202c',
  '😀🇹🇷İıŞşĞğ',
  "' OR 1=1; DROP TABLE consents;--",
  '{{#each this}}{{/each}}{{> nope}}',
  '{{constructor.constructor "return process"}}',
  '<script>alert(1)</script>',
  '%s%n%x',
  'a'.repeat(20_000),
];

const EDGE_NUMBERS = [1e308, -1, 0, 1.5, 2 ** 53 + 1, -0];

const CURSOR_GARBAGE = [
  'garbage',
  '!!!',
  Buffer.from('{"id":"x"}').toString('base64url'),
  Buffer.from('[1,2,3]').toString('base64url'),
  'a'.repeat(3000),
  '%00',
  'bnVsbA',
];

function resolve(doc: OpenApiDocument, s: Schema | undefined, depth = 0): Schema | undefined {
  if (!s || depth > 8) return s;
  if (s.$ref) {
    const name = s.$ref.split('/').pop()!;
    return resolve(doc, doc.components?.schemas?.[name], depth + 1);
  }
  return s;
}

function operations(ctx: FuzzContext): Operation[] {
  const ops: Operation[] = [];
  for (const [route, byMethod] of Object.entries(ctx.doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      const content = op.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      const auth: Operation['auth'] =
        route === '/iys/push'
          ? 'basic'
          : !op.security
            ? 'none'
            : route.startsWith('/v1/service-providers')
              ? 'operator'
              : 'bearer';
      ops.push({
        method: method.toUpperCase(),
        route,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        query: (op.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: resolve(ctx.doc, p.schema) ?? {} })),
        body: resolve(ctx.doc, json),
        acceptsOtherContent: Object.keys(content).some((c) => c !== 'application/json'),
        auth,
      });
    }
  }
  return ops;
}

/** A plausible valid value for a schema: the base every mutation damages in one place only. */
function sample(ctx: FuzzContext, schema: Schema | undefined, name = '', depth = 0): unknown {
  const s = resolve(ctx.doc, schema);
  if (!s || depth > 5) return 'x';
  if (s.enum?.length) return s.enum[0];
  if (s.oneOf?.length) return sample(ctx, s.oneOf[0], name, depth + 1);
  if (s.allOf?.length) return sample(ctx, s.allOf[0], name, depth + 1);
  if (s.type === 'object' || s.properties) {
    if (!s.properties) return {};
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.properties)) out[k] = sample(ctx, v, k, depth + 1);
    return out;
  }
  if (s.type === 'array') return [sample(ctx, s.items, name, depth + 1)];
  if (s.type === 'number' || s.type === 'integer') return typeof s.example === 'number' ? s.example : (s.minimum ?? 1);
  if (s.type === 'boolean') return true;
  if (/listId/.test(name)) return ctx.ids.lists;
  if (/templateId/.test(name)) return ctx.ids.templates;
  if (s.format === 'uuid') return randomUUID();
  if (/e?mail|recipient|^to$/i.test(name)) return 'fuzz@example.com';
  if (/brandCode/.test(name)) return ctx.brandCode;
  if (typeof s.example === 'string') return s.example;
  return 'fuzz';
}

/** Damage that makes a property's value unacceptable beyond doubt, or undefined when none is certain. */
function certainlyWrong(ctx: FuzzContext, schema: Schema | undefined, rnd: () => number): unknown {
  const s = resolve(ctx.doc, schema);
  if (!s || s.nullable) return undefined;
  if (s.enum?.length) return `NOT_${Math.floor(rnd() * 1e6)}`;
  if (s.type === 'number' || s.type === 'integer') return 'abc';
  if (s.type === 'boolean') return 'maybe';
  if (s.type === 'array') return { not: 'an array' };
  if (s.type === 'object' || s.properties) return 'not an object';
  if (s.format === 'uuid') return 'not-a-uuid';
  return undefined;
}

export function buildFuzzCases(ctx: FuzzContext, seed: number, minBad: number): FuzzCase[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const ops = operations(ctx).filter((o) => !o.route.startsWith('/docs'));
  const cases: FuzzCase[] = [];

  const pathOf = (op: Operation, override: Record<string, string> = {}, query = ''): string => {
    let p = op.route;
    for (const name of op.pathParams) {
      let value = override[name];
      if (value === undefined) {
        if (name === 'brandCode') value = ctx.brandCode;
        else if (name === 'type') value = 'EPOSTA';
        else if (name === 'recipient') value = encodeURIComponent('fuzz@example.com');
        else if (name === 'id') value = ctx.ids[p.split('/{id}')[0].split('/').pop()!] ?? randomUUID();
        else value = 'x';
      }
      p = p.replace(`{${name}}`, value);
    }
    return p + (query ? `?${query}` : '');
  };
  const authFor = (op: Operation): Record<string, string> => {
    switch (op.auth) {
      case 'operator':
        return { authorization: `Bearer ${ctx.operatorKey}` };
      case 'basic':
        return { authorization: ctx.pushAuth };
      case 'bearer':
        return { authorization: `Bearer ${ctx.tenantKey}` };
      case 'none':
        return {};
    }
  };
  const jsonHeaders = (op: Operation) => ({ ...authFor(op), 'content-type': 'application/json' });
  const baseBody = (op: Operation): string | undefined => (op.body ? JSON.stringify(sample(ctx, op.body)) : undefined);
  const push = (op: Operation, c: Omit<FuzzCase, 'method' | 'route'> & { method?: string }) =>
    cases.push({ method: op.method, route: op.route, ...c });
  const isObjectBody = (op: Operation) => {
    const s = op.body;
    return !!s && (s.type === 'object' || !!s.properties) && !op.acceptsOtherContent;
  };

  // Mutations, each a function of one operation that pushes zero or more cases.
  const mutations: ((op: Operation) => void)[] = [
    // Keys: none, forged, of the wrong kind.
    (op) => {
      if (op.auth === 'none') return;
      const forged: Record<string, string>[] = [
        {},
        { authorization: `Bearer izk_sp_${randomUUID().replace(/-/g, '')}` },
        { authorization: 'Bearer ' },
        { authorization: `Basic ${Buffer.from('iys-push:wrong').toString('base64')}` },
        { authorization: `Bearer ${ctx.tenantKey}x` },
        { authorization: `Bearer ${ctx.tenantKey} trailing` },
        { authorization: 'Digest username="x"' },
      ];
      if (op.auth === 'operator') forged.push({ authorization: `Bearer ${ctx.tenantKey}` });
      if (op.auth === 'basic')
        forged.push(
          { authorization: `Bearer ${ctx.tenantKey}` },
          { authorization: `Basic ${Buffer.from('iys-push').toString('base64')}` },
        );
      for (const h of forged)
        push(op, {
          path: pathOf(op),
          headers: { ...h, 'content-type': 'application/json' },
          body: baseBody(op),
          kind: 'auth',
          expect: '4xx',
        });
    },
    // Another tenant's key on this tenant's ids.
    (op) => {
      if (op.auth !== 'bearer' || !(op.pathParams.includes('id') || op.pathParams.includes('brandCode'))) return;
      push(op, {
        path: pathOf(op),
        headers: { authorization: `Bearer ${ctx.otherTenantKey}`, 'content-type': 'application/json' },
        body: baseBody(op),
        kind: 'cross-tenant',
        expect: '4xx',
      });
    },
    // Junk in each path parameter.
    (op) => {
      for (const name of op.pathParams) {
        for (const junk of PATH_GARBAGE)
          push(op, {
            path: pathOf(op, { [name]: junk }),
            headers: jsonHeaders(op),
            body: baseBody(op),
            kind: `path ${name}`,
            expect: '4xx',
          });
        push(op, {
          path: pathOf(op, {
            [name]: name === 'id' ? randomUUID() : name === 'brandCode' ? '999999' : pick(PATH_GARBAGE),
          }),
          headers: jsonHeaders(op),
          body: baseBody(op),
          kind: `path ${name} unknown`,
          expect: '4xx',
        });
      }
    },
    // Junk in each query parameter.
    (op) => {
      for (const q of op.query) {
        const s = q.schema;
        const values: [string, FuzzCase['expect']][] =
          q.name === 'after'
            ? CURSOR_GARBAGE.map((v) => [v, '4xx'])
            : s.type === 'number' || s.type === 'integer'
              ? [
                  ['abc', '4xx'],
                  ['-1', '4xx'],
                  ['1e400', '4xx'],
                  ['1.5', '4xx'],
                  [String((s.maximum ?? 1e6) + 1), '4xx'],
                  ['', 'no5xx'],
                  ['%00', '4xx'],
                ]
              : s.enum
                ? [
                    ['NOT_A_VALUE', '4xx'],
                    ['%00', '4xx'],
                    ['', 'no5xx'],
                  ]
                : s.type === 'boolean'
                  ? [
                      ['maybe', '4xx'],
                      ['2', '4xx'],
                    ]
                  : [
                      ['%00', 'no5xx'],
                      ['a'.repeat(3000), 'no5xx'],
                      ['%27--', 'no5xx'],
                      ['%C3%28', 'no5xx'],
                    ];
        for (const [v, expect] of values)
          push(op, {
            path: pathOf(op, {}, `${q.name}=${v.startsWith('%') ? v : encodeURIComponent(v)}`),
            headers: jsonHeaders(op),
            kind: `query ${q.name}`,
            expect,
          });
        push(op, {
          path: pathOf(op, {}, `${q.name}=1&${q.name}=2`),
          headers: jsonHeaders(op),
          kind: `query ${q.name} twice`,
          expect: 'no5xx',
        });
      }
      push(op, {
        path: pathOf(op, {}, 'zz=%00&__proto__[x]=1&a[b][c]=d'),
        headers: jsonHeaders(op),
        body: baseBody(op),
        kind: 'query unknown',
        expect: 'no5xx',
      });
    },
    // Bodies: malformed, of the wrong shape, with unknown or missing fields, values of the wrong kind, edge values.
    (op) => {
      if (op.method === 'GET') return;
      const h = jsonHeaders(op);
      if (op.body) {
        for (const raw of MALFORMED_JSON)
          push(op, { path: pathOf(op), headers: h, body: raw, kind: 'malformed json', expect: '4xx' });
      } else {
        for (const raw of MALFORMED_JSON.slice(0, 4))
          push(op, {
            path: pathOf(op),
            headers: h,
            body: raw,
            kind: 'malformed json, no body expected',
            expect: 'no5xx',
          });
      }
      if (!op.body) return;
      for (const raw of ['null', '1', '"s"', 'true', '[]', '[{}]', '{}']) {
        push(op, {
          path: pathOf(op),
          headers: h,
          body: raw,
          kind: 'wrong shape',
          expect: isObjectBody(op) && (raw !== '{}' || !!op.body.required?.length) ? '4xx' : 'no5xx',
        });
      }
      // 1.1 MB: over the JSON limit.
      push(op, {
        path: pathOf(op),
        headers: h,
        body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
        kind: 'oversized',
        expect: '4xx',
      });
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      push(op, {
        path: pathOf(op),
        headers: h,
        body: `{"a":${deep}}`,
        kind: 'deep nesting',
        expect: isObjectBody(op) ? '4xx' : 'no5xx',
      });
      const base = sample(ctx, op.body);
      if (!isObjectBody(op) || typeof base !== 'object' || base === null || Array.isArray(base)) {
        for (const ct of ['text/plain', 'application/xml', 'application/json; charset=utf-16'])
          push(op, {
            path: pathOf(op),
            headers: { ...authFor(op), 'content-type': ct },
            body: '<a>1</a>',
            kind: `content-type ${ct}`,
            expect: 'no5xx',
          });
        return;
      }
      const obj = base as Record<string, unknown>;
      // İYS's push payload is read leniently on purpose (İYS may add fields); everything else refuses unknown fields.
      push(op, {
        path: pathOf(op),
        headers: h,
        body: JSON.stringify({ ...obj, zzUnknownField: 1 }),
        kind: 'unknown field',
        expect: op.auth === 'basic' ? 'no5xx' : '4xx',
      });
      push(op, {
        path: pathOf(op),
        headers: h,
        body: `{"__proto__":{"isAdmin":true},${JSON.stringify(obj).slice(1)}`,
        kind: '__proto__',
        expect: '4xx',
      });
      push(op, {
        path: pathOf(op),
        headers: h,
        body: JSON.stringify({ ...obj, constructor: { prototype: { x: 1 } } }),
        kind: 'constructor',
        expect: '4xx',
      });
      for (const ct of [
        'text/plain',
        'application/xml',
        'application/json; charset=utf-16',
        'application/x-www-form-urlencoded',
      ]) {
        push(op, {
          path: pathOf(op),
          headers: { ...authFor(op), 'content-type': ct },
          body: JSON.stringify(obj),
          kind: `content-type ${ct}`,
          expect: op.body.required?.length ? '4xx' : 'no5xx',
        });
      }
      for (const req of op.body.required ?? []) {
        const copy = { ...obj };
        delete copy[req];
        push(op, { path: pathOf(op), headers: h, body: JSON.stringify(copy), kind: `missing ${req}`, expect: '4xx' });
        push(op, {
          path: pathOf(op),
          headers: h,
          body: JSON.stringify({ ...obj, [req]: null }),
          kind: `null ${req}`,
          expect: '4xx',
        });
      }
      for (const [name, prop] of Object.entries(op.body.properties ?? {})) {
        const wrong = certainlyWrong(ctx, prop, rnd);
        if (wrong !== undefined)
          push(op, {
            path: pathOf(op),
            headers: h,
            body: JSON.stringify({ ...obj, [name]: wrong }),
            kind: `wrong ${name}`,
            expect: '4xx',
          });
        for (const odd of [{}, [], 12345, true, [[[['x']]]]])
          push(op, {
            path: pathOf(op),
            headers: h,
            body: JSON.stringify({ ...obj, [name]: odd }),
            kind: `odd ${name}`,
            expect: 'no5xx',
          });
        const s = resolve(ctx.doc, prop);
        if (s?.type === 'string' && !s.enum)
          for (const e of EDGE_STRINGS)
            push(op, {
              path: pathOf(op),
              headers: h,
              body: JSON.stringify({ ...obj, [name]: e }),
              kind: `edge string ${name}`,
              expect: 'no5xx',
            });
        if (s?.type === 'number' || s?.type === 'integer')
          for (const n of EDGE_NUMBERS)
            push(op, {
              path: pathOf(op),
              headers: h,
              body: JSON.stringify({ ...obj, [name]: n }),
              kind: `edge number ${name}`,
              expect: 'no5xx',
            });
      }
    },
  ];

  for (const op of ops) for (const m of mutations) m(op);

  // Routes the document leaves out: unknown paths and methods, and the public pages.
  const extra = (
    method: string,
    path: string,
    expect: FuzzCase['expect'],
    body?: string,
    headers: Record<string, string> = {},
  ) => cases.push({ method, route: `${method} ${path}`, path, headers, body, kind: 'extra route', expect });
  extra('GET', '/v1/nope', '4xx');
  extra('DELETE', '/v1/brands', '4xx', undefined, { authorization: `Bearer ${ctx.tenantKey}` });
  extra('PUT', `/v1/campaigns/${ctx.ids.campaigns}`, '4xx', '{}', {
    authorization: `Bearer ${ctx.tenantKey}`,
    'content-type': 'application/json',
  });
  extra('GET', '/metrics?x=%00', 'no5xx');
  extra('GET', '/admin/queues', '4xx', undefined, { authorization: `Bearer ${ctx.tenantKey}` });
  for (const junk of PATH_GARBAGE) {
    extra('GET', `/u/${junk}`, '4xx');
    extra('POST', `/u/${junk}`, '4xx', 'List-Unsubscribe=One-Click', {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }
  extra('POST', '/u/abc.def', '4xx', 'x'.repeat(20_000), { 'content-type': 'application/x-www-form-urlencoded' });

  // Then random combinations until there are enough cases that are bad beyond doubt: a random operation, a random
  // junk value in a random place.
  const mutable = ops.filter((o) => o.pathParams.length || o.body || o.query.length || o.auth !== 'none');
  let bad = cases.filter((c) => c.expect === '4xx').length;
  while (bad < minBad * 1.05) {
    const op = pick(mutable);
    const r = rnd();
    if (r < 0.3 && op.pathParams.length) {
      const junk = randomJunkSegment(rnd);
      push(op, {
        path: pathOf(op, { [pick(op.pathParams)]: junk }),
        headers: jsonHeaders(op),
        body: baseBody(op),
        kind: 'random path',
        expect: '4xx',
      });
    } else if (r < 0.55 && op.body && op.method !== 'GET') {
      push(op, {
        path: pathOf(op),
        headers: jsonHeaders(op),
        body: randomBrokenJson(rnd, baseBody(op) ?? '{}'),
        kind: 'random broken json',
        expect: '4xx',
      });
    } else if (r < 0.75 && op.body && isObjectBody(op) && op.method !== 'GET') {
      const obj = sample(ctx, op.body) as Record<string, unknown>;
      const props = Object.keys(op.body.properties ?? {});
      const name = pick(props);
      const wrong = certainlyWrong(ctx, op.body.properties?.[name], rnd);
      if (wrong !== undefined)
        push(op, {
          path: pathOf(op),
          headers: jsonHeaders(op),
          body: JSON.stringify({ ...obj, [name]: wrong, [randomKey(rnd)]: randomString(rnd, 20) }),
          kind: `random wrong ${name}`,
          expect: '4xx',
        });
      else
        push(op, {
          path: pathOf(op),
          headers: jsonHeaders(op),
          body: JSON.stringify({ ...obj, [name]: randomString(rnd, 1 + Math.floor(rnd() * 200)) }),
          kind: `random string ${name}`,
          expect: 'no5xx',
        });
    } else if (op.auth !== 'none') {
      push(op, {
        path: pathOf(op),
        headers: {
          authorization: `Bearer ${randomString(rnd, 1 + Math.floor(rnd() * 80)).replace(/[^\x21-\x7e]/g, 'x')}`,
          'content-type': 'application/json',
        },
        body: baseBody(op),
        kind: 'random key',
        expect: '4xx',
      });
    } else {
      continue;
    }
    bad = cases.filter((c) => c.expect === '4xx').length;
  }
  return cases;
}

function randomString(rnd: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const r = rnd();
    // Mostly printable ASCII, some Turkish letters, control characters and astral code points.
    if (r < 0.7) s += String.fromCharCode(0x20 + Math.floor(rnd() * 95));
    else if (r < 0.85) s += 'çğıöşüÇĞİÖŞÜ'[Math.floor(rnd() * 12)];
    else if (r < 0.95) s += String.fromCharCode(Math.floor(rnd() * 32));
    else s += String.fromCodePoint(0x1f300 + Math.floor(rnd() * 200));
  }
  return s;
}

function randomKey(rnd: () => number): string {
  return `zz${Math.floor(rnd() * 1e9).toString(36)}`;
}

function randomJunkSegment(rnd: () => number): string {
  const bytes = Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256));
  // Percent-encode every byte, valid UTF-8 or not: the server must cope with both.
  return bytes
    .map((b) =>
      b >= 0x30 && b <= 0x39 && rnd() < 0.5
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');
}

function randomBrokenJson(rnd: () => number, valid: string): string {
  // Cut the valid body short (a proper prefix of a JSON object never parses), or put a stray token right after its
  // opening brace, where no token but a key or the closing brace may stand.
  if (rnd() < 0.5) return valid.slice(0, Math.max(1, Math.floor(rnd() * (valid.length - 1))));
  return valid[0] + pick1(rnd, ['{', ',,', '}}', ':', '\\', '1', 'x']) + valid.slice(1);
}

function pick1<T>(rnd: () => number, xs: T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}
