import { findBodyShapeProblem, MAX_BODY_DEPTH } from './body-shape';

describe('findBodyShapeProblem', () => {
  it('accepts ordinary bodies, Turkish letters and emoji (surrogate pairs) included', () => {
    expect(
      findBodyShapeProblem({
        name: 'Şükrü Öztürk 😀',
        list: [{ email: 'a@b.co', data: { n: 1, ok: true, none: null } }],
      }),
    ).toBeNull();
    expect(findBodyShapeProblem(undefined)).toBeNull();
    expect(findBodyShapeProblem('text')).toBeNull();
  });

  it('finds a NUL character or a lone surrogate in values and in keys, and names where', () => {
    expect(findBodyShapeProblem({ a: { b: ['ok', 'x\u0000y'] } })).toEqual({ code: 'INVALID_TEXT', path: 'a.b[1]' });
    expect(findBodyShapeProblem({ subject: 'lone\ud800' })).toEqual({ code: 'INVALID_TEXT', path: 'subject' });
    expect(findBodyShapeProblem({ subject: '\udc00 low first' })).toEqual({ code: 'INVALID_TEXT', path: 'subject' });
    expect(findBodyShapeProblem({ ['k\u0000']: 1 })).toEqual({ code: 'INVALID_TEXT', path: 'k\u0000' });
  });

  it('refuses the keys that reach a prototype, wherever they are', () => {
    expect(findBodyShapeProblem(JSON.parse('{"a":[{"__proto__":{"x":1}}]}'))).toEqual({
      code: 'FORBIDDEN_KEY',
      path: 'a[0].__proto__',
    });
    expect(findBodyShapeProblem({ data: { constructor: { prototype: 1 } } })).toEqual({
      code: 'FORBIDDEN_KEY',
      path: 'data.constructor',
    });
    expect(findBodyShapeProblem({ data: { constructorName: 'x', proto: 1 } })).toBeNull();
  });

  it('refuses nesting deeper than the limit without recursing (no stack overflow at 100,000 levels)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findBodyShapeProblem({ a: deep })?.code).toBe('BODY_TOO_DEEP');
    let ok: unknown = 1;
    for (let i = 0; i < MAX_BODY_DEPTH; i++) ok = { x: ok };
    expect(findBodyShapeProblem(ok)).toBeNull();
    expect(findBodyShapeProblem({ y: ok })?.code).toBe('BODY_TOO_DEEP');
  });
});
