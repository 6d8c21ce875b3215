import { PGlite } from '@electric-sql/pglite';
import { scalarArrayLiteral, textArrayLiteral } from './sql';

describe('array literals sent as one parameter', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
  });
  afterAll(() => db.close());

  it('round-trips texts that need quoting, escaping, NULL and the empty string', async () => {
    const values = [
      'a@b.com',
      'with "quotes"',
      'back\\slash',
      'comma,brace{}',
      '',
      null,
      'NULL',
      ' spaced ',
      'çğış',
      'tab\tnew\nline',
    ];
    const { rows } = await db.query<{ v: (string | null)[] }>('SELECT $1::text[] AS v', [textArrayLiteral(values)]);
    expect(rows[0].v).toEqual(values);
  });

  it('round-trips numbers and booleans, and refuses a value PostgreSQL would misread', async () => {
    const { rows } = await db.query<{ i: number[]; f: number[]; b: boolean[] }>(
      'SELECT $1::int[] AS i, $2::float8[] AS f, $3::boolean[] AS b',
      [scalarArrayLiteral([1, -2, 30]), scalarArrayLiteral([1764300100000.5, 0]), scalarArrayLiteral([true, false])],
    );
    expect(rows[0]).toEqual({ i: [1, -2, 30], f: [1764300100000.5, 0], b: [true, false] });
    expect(() => scalarArrayLiteral([Number.NaN])).toThrow(RangeError);
    expect(textArrayLiteral([])).toBe('{}');
  });
});
