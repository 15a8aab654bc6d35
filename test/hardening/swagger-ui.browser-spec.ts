import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { Role } from '../../src/common/auth/roles';
import { freePort } from '../../src/database/embedded-postgres';
import { createBeneficiary, letters } from '../factories/case-file';
import { createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { startTestApp } from '../setup/app';

/** Debian's chromium (`.ci/run` installs it with apt-get when missing). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = join(__dirname, '..', '..');
/** The built server, as deployed: its OpenAPI document has what the Swagger CLI plugin adds (`npm test` builds first). */
const BUILT_SERVER = join(ROOT, 'dist', 'src', 'main.js');
const ARTIFACTS = join(ROOT, 'reports', 'artifacts');
const SCREENSHOT = join(ARTIFACTS, 'swagger-ui.png');

/**
 * Swagger UI at /docs of the built server on a real port, in a real browser, as
 * an agency developer would use it: log in through the login operation,
 * authorise with the access token, list beneficiaries. The browser's requests
 * all go through the UI (fixtures are made beforehand through an in-process app
 * on the same database). A missing chromium fails the test (it is not skipped).
 */
describe('Swagger UI in a real browser', () => {
  jest.setTimeout(120_000);

  let app: NestFastifyApplication;
  let server: ChildProcess | undefined;
  let serverOutput = '';
  let baseUrl: string;
  let admin: StaffAccount;
  let lastName: string;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    expect(existsSync(BUILT_SERVER)).toBe(true);
    app = await startTestApp();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [BUILT_SERVER], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DB_MIGRATE_ON_START: 'false', JOBS_ENABLED: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    await waitUntilLive(baseUrl, () => serverOutput);
    admin = await createStaff(app, Role.Admin);
    lastName = `Swaggerui ${letters(8)}`;
    await createBeneficiary(app, admin, await createTestCommune(app), { lastName });
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000, undefined, { ref: false })]);
    }
    await app?.close();
  });

  it('logs in, authorises and lists beneficiaries from /docs', async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${baseUrl}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();
    expect(await page.locator('.swagger-ui .info .title').innerText()).toContain('Parcours API');

    // 1. Login, through the operation's form.
    const login = await openOperation(page, 'auth', 'login');
    await login.locator('textarea.body-param__text').fill(JSON.stringify({ email: admin.email, password: admin.password }));
    const loginResponse = await execute(login);
    expect(loginResponse.status).toBe('200');
    const accessToken = (JSON.parse(loginResponse.body) as { accessToken: string }).accessToken;
    expect(accessToken.split('.')).toHaveLength(3);

    // 2. Authorize dialog, bearer scheme.
    await page.locator('.swagger-ui .scheme-container button.authorize').click();
    const dialog = page.locator('.swagger-ui .dialog-ux .modal-ux');
    await dialog.waitFor();
    await dialog.locator('input[type="text"]').first().fill(accessToken);
    await dialog.locator('button.modal-btn.auth.authorize').click();
    await dialog.locator('button.modal-btn.auth:not(.authorize)').first().waitFor(); // "Logout": authorised
    await dialog.locator('button.btn-done').click();
    await dialog.waitFor({ state: 'detached' });

    // 3. List beneficiaries, filtered on the name made above.
    const list = await openOperation(page, 'beneficiaries', 'listBeneficiaries');
    await list.locator('tr[data-param-name="q"] input').fill(lastName);
    const listResponse = await execute(list);
    expect(listResponse.status).toBe('200');
    const body = JSON.parse(listResponse.body) as { data: { lastName: string }[]; page: unknown };
    expect(body.data.length).toBeGreaterThanOrEqual(1);
    expect(body.data[0].lastName).toBe(lastName);
    // The request the UI sent carried the token (the curl shown by Swagger UI).
    expect(await list.locator('.curl-command').innerText()).toContain(`Bearer ${accessToken}`);

    await list.scrollIntoViewIfNeeded();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});

/** Polls /health/live of the child server until it answers (or it dies, or 30 s pass). */
async function waitUntilLive(baseUrl: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await answers(`${baseUrl}/health/live`)) return;
    await sleep(200);
  }
  throw new Error(`the built server did not start:\n${output()}`);
}

/** One GET without keep-alive (no socket left open for Jest to wait on): whether it is a 200. */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}

/** Expands an operation and switches it to "Try it out" (when not already). */
async function openOperation(page: Page, tag: string, operationId: string): Promise<Locator> {
  const operation = page.locator(`#operations-${tag.replace(/\s/g, '_')}-${operationId}`);
  await operation.locator('.opblock-summary').first().click();
  await operation.locator('.opblock-body').waitFor();
  const tryItOut = operation.locator('button.try-out__btn');
  if ((await tryItOut.count()) > 0 && (await tryItOut.innerText()).trim() === 'Try it out') await tryItOut.click();
  await operation.locator('button.execute').waitFor();
  return operation;
}

/** Clicks Execute; the status and body of the live response Swagger UI shows. */
async function execute(operation: Locator): Promise<{ status: string; body: string }> {
  await operation.locator('button.execute').click();
  const live = operation.locator('.live-responses-table .response');
  await live.first().waitFor({ timeout: 30_000 });
  const status = (await live.first().locator('.response-col_status').innerText()).trim();
  const body = await live.first().locator('.response-col_description .microlight, .response-col_description pre').first().innerText();
  return { status, body };
}
