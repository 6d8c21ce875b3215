const { PGlite } = require('@electric-sql/pglite');
(async () => {
  let t = Date.now();
  const a = await PGlite.create();
  console.log('mem create', Date.now() - t); t = Date.now();
  await a.exec('create table x(i int); insert into x select generate_series(1,100000)');
  console.log('ins', Date.now() - t); t = Date.now();
  const dump = await a.dumpDataDir('none');
  console.log('dump', Date.now() - t, dump.size); t = Date.now();
  const b = await PGlite.create({ loadDataDir: dump });
  console.log('load', Date.now() - t, (await b.query('select count(*) from x')).rows); t = Date.now();
  const c = await PGlite.create('/tmp/pgl-data');
  console.log('existing dir open', Date.now() - t);
})();
