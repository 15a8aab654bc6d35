import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestApp } from '../setup/app';
import { listRouteAccess } from './route-access';

/**
 * The access table of the whole API. Any change of who may call what shows
 * here, in review: update the snapshot on purpose (`npx jest test/access -u`).
 */
describe('declared access of every route', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('declares access on every route', () => {
    const undeclared = listRouteAccess(app).filter((r) => r.access === 'UNDECLARED');
    expect(undeclared).toEqual([]);
  });

  it('matches the reviewed access table', () => {
    const table = listRouteAccess(app).map((r) => `${r.route.padEnd(60)} ${r.access}`);
    expect(table.length).toBeGreaterThan(20);
    expect(table).toMatchSnapshot();
  });
});
