import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { Sql } from '../../src/database/sql';
import { InboxStatus } from '../../src/modules/webhooks-inbound/entities/webhook-inbox-entry.entity';
import { FranceTravailProcessor } from '../../src/modules/webhooks-inbound/france-travail.processor';
import { InboxWriter } from '../../src/modules/webhooks-inbound/inbox-writer';
import { createBeneficiary, isoDay, machineClientToken, plusDays, randomCafNumber, randomNir } from '../factories/case-file';
import { bearer, createAgency, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { newSecret, sendSigned, waitFor } from './webhook-helpers';

const SECRET_OLD = newSecret();
const SECRET_NEW = newSecret();

describe('webhooks in: France Travail events', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let advisor: StaffAccount;
  let commune: string;

  beforeAll(async () => {
    // Two secrets, as during a rotation; comma and space both separate them.
    process.env.FRANCE_TRAVAIL_WEBHOOK_SECRET = `${SECRET_OLD}, ${SECRET_NEW}`;
    app = await startTestApp();
    db = app.get(DataSource);
    commune = await createTestCommune(app);
    const agency = await createAgency(app, [commune]);
    admin = await createStaff(app, Role.Admin);
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
  });
  afterAll(async () => {
    await app.close();
    delete process.env.FRANCE_TRAVAIL_WEBHOOK_SECRET;
  });

  const event = (type: string, data: Record<string, unknown>) => ({ type, timestamp: new Date().toISOString(), data });
  const entry = async (id: string) => (await http(app).get(`/api/v1/webhooks/inbox/${id}`).set(bearer(admin))).body;
  const settled = (id: string) =>
    waitFor(async () => {
      const e = await entry(id);
      return e.status === 'received' ? undefined : e;
    }, 15_000, `inbox entry ${id}`);
  const timeline = async (beneficiaryId: string) =>
    (await http(app).get(`/api/v1/beneficiaries/${beneficiaryId}/timeline?limit=100`).set(bearer(admin))).body.data as { type: string; data: Record<string, unknown> }[];
  const person = (overrides: Record<string, unknown> = {}) => createBeneficiary(app, admin, commune, overrides);

  it('refuses missing headers, a wrong signature and a timestamp outside ±5 minutes with 401, storing nothing', async () => {
    const body = event('jobseeker.deregistered', { franceTravailId: 'FT0000001', deregisteredOn: isoDay() });
    for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const res = await sendSigned(app, body, { secret: SECRET_NEW, id: `msg_missing_${header}`, omit: [header] });
      expectProblem(res, 401, 'WEBHOOK_SIGNATURE_MISSING');
    }
    expectProblem(await sendSigned(app, body, { secret: newSecret(), id: 'msg_wrong_secret' }), 401, 'WEBHOOK_SIGNATURE_INVALID');
    expectProblem(await sendSigned(app, body, { secret: SECRET_NEW, id: 'msg_bad_sig', signature: 'v1,AAAA' }), 401, 'WEBHOOK_SIGNATURE_INVALID');
    const old = new Date(Date.now() - 6 * 60_000);
    expectProblem(await sendSigned(app, body, { secret: SECRET_NEW, id: 'msg_old', timestamp: old }), 401, 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE');
    const future = new Date(Date.now() + 6 * 60_000);
    expectProblem(await sendSigned(app, body, { secret: SECRET_NEW, id: 'msg_future', timestamp: future }), 401, 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE');
    // A body changed after signing.
    const signedFor = JSON.stringify(body);
    const { Webhook } = await import('standardwebhooks');
    const at = new Date();
    const tampered = await http(app)
      .post('/api/v1/webhooks/france-travail')
      .set({
        'content-type': 'application/json',
        'webhook-id': 'msg_tampered',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRET_NEW).sign('msg_tampered', at, signedFor),
      })
      .send(signedFor.replace('FT0000001', 'FT0000002'));
    expectProblem(tampered, 401, 'WEBHOOK_SIGNATURE_INVALID');
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM webhook_inbox WHERE webhook_id LIKE 'msg_missing%' OR webhook_id IN ('msg_wrong_secret', 'msg_bad_sig', 'msg_old', 'msg_future', 'msg_tampered')`);
    expect(count).toBe(0);
  });

  it('jobseeker.registered: matched by NIR and birth date, records the France Travail id; a duplicate id is acknowledged and not reprocessed', async () => {
    const nir = randomNir();
    const b = await person({ nir, birthDate: '1979-05-02' });
    const body = event('jobseeker.registered', { franceTravailId: 'FT7000001A', nir, birthDate: '1979-05-02', registeredOn: '2026-11-02' });
    // Signed with the older of the two secrets: both are accepted during a rotation.
    const first = await sendSigned(app, body, { secret: SECRET_OLD, id: 'msg_registered_1' });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ id: expect.any(String), webhookId: 'msg_registered_1', status: 'received', duplicate: false });
    const done = await settled(first.body.id);
    expect(done).toMatchObject({ status: 'processed', beneficiaryId: b.id, eventType: 'jobseeker.registered', attempts: 1, error: null });
    expect(done.data).toEqual({ franceTravailId: 'FT7000001A', birthDate: '1979-05-02', registeredOn: '2026-11-02', nirProvided: true });

    const again = await sendSigned(app, body, { secret: SECRET_NEW, id: 'msg_registered_1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: first.body.id, webhookId: 'msg_registered_1', status: 'processed', duplicate: true });

    const fetched = await http(app).get(`/api/v1/beneficiaries/${b.id}`).set(bearer(admin));
    expect(fetched.body.franceTravailId).toBe('FT7000001A');
    await new Promise((r) => setTimeout(r, 1500));
    const lines = (await timeline(b.id)).filter((l) => l.type === 'france_travail.registered');
    expect(lines).toHaveLength(1);
    expect(lines[0].data).toEqual({ registeredOn: '2026-11-02', source: 'france_travail' });
    // The NIR is never stored in clear in the inbox.
    const [stored] = await db.query(`SELECT payload::text AS payload FROM webhook_inbox WHERE id = $1`, [first.body.id]);
    expect(stored.payload).not.toContain(nir);
    expect(stored.payload).toContain('nirHash');
  });

  it('orientation.decided: PSO and ML become socio_professional with the mission locale, through the orientation rules', async () => {
    const b = await person({ franceTravailId: 'FT7000002B', rightsOpenedOn: plusDays(isoDay(), -10) });
    expect(b.status).toBe('to_orient');
    const decidedOn = plusDays(isoDay(), -2);
    const res = await sendSigned(app, event('orientation.decided', { franceTravailId: 'FT7000002B', path: 'PSO', organismeCode: 'ML', decidedOn }), { secret: SECRET_NEW });
    expect(res.status).toBe(202);
    expect(await settled(res.body.id)).toMatchObject({ status: 'processed', beneficiaryId: b.id });
    const fetched = (await http(app).get(`/api/v1/beneficiaries/${b.id}`).set(bearer(admin))).body;
    expect(fetched.status).toBe('oriented');
    expect(fetched.orientation).toEqual({ path: 'socio_professional', referentBody: 'mission_locale', decidedOn });
    expect(fetched.deadlines.contractDueOn).toBe(plusDays(decidedOn, 30));
    const history = await http(app).get(`/api/v1/beneficiaries/${b.id}/orientations`).set(bearer(admin));
    expect(history.body.data).toHaveLength(1);
    expect(history.body.data[0]).toMatchObject({ path: 'socio_professional', referentBody: 'mission_locale', decidedOn, decidedBy: null });
    const [outbox] = await db.query(`SELECT data FROM outbox_events WHERE type = 'beneficiary.oriented' AND resource_id = $1`, [b.id]);
    expect(outbox.data).toMatchObject({ path: 'socio_professional', referentBody: 'mission_locale', decidedOn });

    // A decision dated before the one in force is refused by the rule: failed at once, with the reason.
    const earlier = await sendSigned(app, event('orientation.decided', { franceTravailId: 'FT7000002B', path: 'PED', organismeCode: 'FT', decidedOn: plusDays(decidedOn, -5) }), { secret: SECRET_NEW });
    const failed = await settled(earlier.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(failed.error).toMatch(/^ORIENTATION_BEFORE_CURRENT/);
  });

  it('appointment.updated: each France Travail status lands in the timeline (matched by CAF number and birth date)', async () => {
    const cafNumber = randomCafNumber();
    const b = await person({ cafNumber, birthDate: '1990-01-20' });
    const statuses = ['PRIS', 'MODIFIE', 'EFFECTUE', 'ABSENT', 'ANNULE'];
    for (const status of statuses) {
      const res = await sendSigned(app, event('appointment.updated', { cafNumber, birthDate: '1990-01-20', appointmentId: 'RDV-42', status, scheduledAt: '2026-12-01T09:30:00Z' }), { secret: SECRET_NEW });
      expect(res.status).toBe(202);
      expect(await settled(res.body.id)).toMatchObject({ status: 'processed', beneficiaryId: b.id });
    }
    const lines = (await timeline(b.id)).filter((l) => l.type === 'appointment.updated').reverse();
    expect(lines.map((l) => l.data.status)).toEqual(statuses);
    expect(lines[0].data).toEqual({ appointmentId: 'RDV-42', status: 'PRIS', scheduledAt: '2026-12-01T09:30:00Z', source: 'france_travail' });
  });

  it('employment.started, training.started and jobseeker.deregistered land in the timeline', async () => {
    const b = await person({ franceTravailId: 'FT7000003C' });
    const sent = [
      event('employment.started', { franceTravailId: 'FT7000003C', startedOn: '2026-11-16', contractType: 'cdd', endsOn: '2027-05-15', romeCode: 'F1703', hoursPerWeek: 35, employerSiret: '73282932000074' }),
      event('training.started', { franceTravailId: 'FT7000003C', startedOn: '2026-11-23', formacode: '22454', hoursPerWeek: 30 }),
      event('jobseeker.deregistered', { franceTravailId: 'FT7000003C', deregisteredOn: '2026-11-24', reasonCode: 'REPRISE_EMPLOI' }),
    ];
    for (const body of sent) {
      const res = await sendSigned(app, body, { secret: SECRET_NEW });
      expect(await settled(res.body.id)).toMatchObject({ status: 'processed', beneficiaryId: b.id });
    }
    const byType = Object.fromEntries((await timeline(b.id)).map((l) => [l.type, l.data]));
    expect(byType['employment.started']).toEqual({
      startedOn: '2026-11-16', endsOn: '2027-05-15', contractType: 'cdd', romeCode: 'F1703', hoursPerWeek: 35, employerSiret: '73282932000074', source: 'france_travail',
      // Not a participant of the construction pathway: no employment recorded there.
      participantId: null, employmentId: null,
    });
    expect(byType['training.started']).toEqual({ startedOn: '2026-11-23', endsOn: null, formacode: '22454', hoursPerWeek: 30, source: 'france_travail' });
    expect(byType['france_travail.deregistered']).toEqual({ deregisteredOn: '2026-11-24', reasonCode: 'REPRISE_EMPLOI', source: 'france_travail' });
  });

  it('employment.started for a construction pathway participant records the employment, its step and follow-ups', async () => {
    const b = await person({ franceTravailId: 'FT7000008P' });
    const enrolled = await http(app)
      .post('/api/v1/construction-pathway/participants')
      .set(bearer(admin))
      .send({ beneficiaryId: b.id, targetTrades: ['F1703'], enrolledOn: isoDay(-40) });
    expect(enrolled.status).toBe(201);
    const startedOn = isoDay(-3);
    const endsOn = plusDays(startedOn, 240);
    const res = await sendSigned(
      app,
      event('employment.started', { franceTravailId: 'FT7000008P', startedOn, endsOn, contractType: 'cdd', romeCode: 'F1703', hoursPerWeek: 35, employerSiret: '73282932000074' }),
      { secret: SECRET_NEW },
    );
    expect(await settled(res.body.id)).toMatchObject({ status: 'processed', beneficiaryId: b.id });
    const jobs = await http(app).get(`/api/v1/construction-pathway/participants/${enrolled.body.id}/employments`).set(bearer(admin));
    expect(jobs.status).toBe(200);
    expect(jobs.body.data).toEqual([
      expect.objectContaining({ contractType: 'cdd', startsOn: startedOn, endsOn, weeklyHours: 35, romeCode: 'F1703', employerSiret: '73282932000074', employerName: null, lasting: true }),
    ]);
    const participant = await http(app).get(`/api/v1/construction-pathway/participants/${enrolled.body.id}`).set(bearer(admin));
    expect(participant.body.currentStage).toBe('employment');
    const line = (await timeline(b.id)).find((l) => l.type === 'employment.started');
    expect(line?.data).toMatchObject({ participantId: enrolled.body.id, employmentId: jobs.body.data[0].id });
  });

  it('a burst of concurrent events: each webhook-id stored once, a repeated id answered as a duplicate, a NUL or lone surrogate refused alone', async () => {
    const cafNumber = randomCafNumber();
    await person({ cafNumber, birthDate: '1991-03-04' });
    const body = (appointmentId: string) => event('appointment.updated', { cafNumber, birthDate: '1991-03-04', appointmentId, status: 'PRIS', scheduledAt: '2026-12-02T09:30:00Z' });
    const ids = Array.from({ length: 30 }, (_, i) => `msg_burst_${i}`);
    const [originals, repeats, nul, surrogate] = await Promise.all([
      Promise.all(ids.map((id, i) => sendSigned(app, body(`RDV-B${i}`), { secret: SECRET_NEW, id }))),
      Promise.all(ids.slice(0, 10).map((id, i) => sendSigned(app, body(`RDV-B${i}`), { secret: SECRET_NEW, id }))),
      sendSigned(app, body('RDV-\u0000'), { secret: SECRET_NEW, id: 'msg_burst_nul' }),
      sendSigned(app, body('RDV-\ud800'), { secret: SECRET_NEW, id: 'msg_burst_surrogate' }),
    ]);

    ids.forEach((id, i) => {
      const answers = i < 10 ? [originals[i], repeats[i]] : [originals[i]];
      expect(answers.map((a) => a.status).sort()).toEqual(i < 10 ? [200, 202] : [202]);
      for (const a of answers) expect(a.body).toMatchObject({ id: originals[i].body.id, webhookId: id });
    });
    expectProblem(nul, 400, 'WEBHOOK_PAYLOAD_INVALID');
    expectProblem(surrogate, 400, 'WEBHOOK_PAYLOAD_INVALID');
    const stored = (await db.query(`SELECT webhook_id, status FROM webhook_inbox WHERE webhook_id LIKE 'msg_burst_%' ORDER BY webhook_id`)) as { webhook_id: string; status: string }[];
    expect(stored).toHaveLength(32);
    expect(stored.filter((r) => r.status === 'rejected').map((r) => r.webhook_id).sort()).toEqual(['msg_burst_nul', 'msg_burst_surrogate']);
  });

  it('entries arriving in the same turn of the event loop are stored by one statement; an entry the database refuses fails alone', async () => {
    const writer = app.get(InboxWriter);
    const entry = (webhookId: string, status: InboxStatus) => ({ source: 'france_travail', webhookId, sentAt: Date.now() / 1000, eventType: 'appointment.updated', status, payload: {}, bodyEncrypted: null, error: null });
    const inserts = jest.spyOn(app.get(Sql), 'rows');
    const statements = () => inserts.mock.calls.filter(([text]) => String(text).startsWith('INSERT INTO webhook_inbox')).length;
    try {
      const ids = await Promise.all(['a', 'b', 'c', 'a'].map((n) => writer.insert(entry(`msg_batch_${n}`, InboxStatus.Processed))));
      expect(statements()).toBe(1);
      // The second `msg_batch_a` of the batch is a duplicate of the first.
      expect(ids).toEqual([expect.any(String), expect.any(String), expect.any(String), null]);

      // One statement for both, which the bad status makes fail; then each alone.
      const [good, bad] = await Promise.allSettled([writer.insert(entry('msg_batch_good', InboxStatus.Processed)), writer.insert(entry('msg_batch_bad', 'no_such_status' as InboxStatus))]);
      expect(statements()).toBe(1 + 3);
      expect(good).toEqual({ status: 'fulfilled', value: expect.any(String) });
      expect(bad.status).toBe('rejected');
    } finally {
      inserts.mockRestore();
    }
    const stored = (await db.query(`SELECT webhook_id FROM webhook_inbox WHERE webhook_id LIKE 'msg_batch_%' ORDER BY webhook_id`)) as { webhook_id: string }[];
    expect(stored.map((r) => r.webhook_id)).toEqual(['msg_batch_a', 'msg_batch_b', 'msg_batch_c', 'msg_batch_good']);
  });

  it('a malformed body with a valid signature is answered 400 and stored as rejected; sent again, it is still 400', async () => {
    const notJson = await sendSigned(app, '{"type": "appointment.updated", ', { secret: SECRET_NEW, id: 'msg_not_json' });
    expectProblem(notJson, 400, 'WEBHOOK_PAYLOAD_INVALID');
    const badStatus = await sendSigned(
      app,
      event('appointment.updated', { franceTravailId: 'FT7000009Z', appointmentId: 'RDV-1', status: 'PERDU', scheduledAt: '2026-12-01T09:30:00Z' }),
      { secret: SECRET_NEW, id: 'msg_bad_status' },
    );
    expectProblem(badStatus, 400, 'WEBHOOK_PAYLOAD_INVALID');
    expect(badStatus.body.errors).toEqual([{ field: 'data.status', message: expect.stringContaining('status must be one of') }]);
    const noPerson = await sendSigned(app, event('training.started', { startedOn: '2026-11-23' }), { secret: SECRET_NEW, id: 'msg_no_person' });
    expectProblem(noPerson, 400, 'WEBHOOK_PAYLOAD_INVALID');
    const unknownType = await sendSigned(app, event('jobseeker.moved', { franceTravailId: 'FT7000009Z' }), { secret: SECRET_NEW, id: 'msg_unknown_type' });
    expectProblem(unknownType, 400, 'WEBHOOK_PAYLOAD_INVALID');
    expect(unknownType.body.errors[0].field).toBe('type');

    const list = await http(app).get('/api/v1/webhooks/inbox?status=rejected&limit=100').set(bearer(admin));
    expect(list.status).toBe(200);
    const ids = list.body.data.map((e: { webhookId: string }) => e.webhookId);
    expect(ids).toEqual(expect.arrayContaining(['msg_not_json', 'msg_bad_status', 'msg_no_person', 'msg_unknown_type']));
    const rejected = list.body.data.find((e: { webhookId: string }) => e.webhookId === 'msg_not_json');
    expect(rejected).toMatchObject({ status: 'rejected', eventType: null, data: null, error: expect.stringContaining('not valid JSON') });
    const [row] = await db.query(`SELECT body_encrypted FROM webhook_inbox WHERE webhook_id = 'msg_not_json'`);
    expect(row.body_encrypted).toMatch(/^v1\./);

    expectProblem(await sendSigned(app, '{"type": "appointment.updated", ', { secret: SECRET_NEW, id: 'msg_not_json' }), 400, 'WEBHOOK_PAYLOAD_INVALID');
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM webhook_inbox WHERE webhook_id = 'msg_not_json'`);
    expect(count).toBe(1);

    // An empty JSON body; a body sent as text is checked and stored all the same; a form body cannot be checked.
    expectProblem(await sendSigned(app, '', { secret: SECRET_NEW, id: 'msg_empty' }), 400, 'WEBHOOK_PAYLOAD_INVALID');
    const at = new Date();
    const raw = JSON.stringify(event('training.started', { franceTravailId: 'FT7000009Z', startedOn: '2026-11-23' }));
    const { Webhook } = await import('standardwebhooks');
    const asText = await http(app)
      .post('/api/v1/webhooks/france-travail')
      .set({
        'content-type': 'text/plain',
        'webhook-id': 'msg_text',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRET_NEW).sign('msg_text', at, raw),
      })
      .send(raw);
    expect(asText.status).toBe(202);
    const form = await http(app)
      .post('/api/v1/webhooks/france-travail')
      .set({ 'content-type': 'application/x-www-form-urlencoded', 'webhook-id': 'msg_form', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': 'v1,AAAA' })
      .send('type=training.started');
    expectProblem(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unknown person waits in the reconciliation queue, and is processed when reprocessed after the fix', async () => {
    const body = event('jobseeker.deregistered', { franceTravailId: 'FT7000004D', deregisteredOn: '2026-11-25' });
    const res = await sendSigned(app, body, { secret: SECRET_NEW, id: 'msg_unmatched_1' });
    expect(res.status).toBe(202);
    const unmatched = await settled(res.body.id);
    expect(unmatched).toMatchObject({ status: 'unmatched', beneficiaryId: null, error: 'no beneficiary matches (France Travail id)' });

    const queue = await http(app).get('/api/v1/webhooks/inbox?status=unmatched&limit=100').set(bearer(admin));
    expect(queue.body.data.map((e: { id: string }) => e.id)).toContain(res.body.id);
    expect(queue.body.data.every((e: { status: string }) => e.status === 'unmatched')).toBe(true);

    // Processed entries cannot be reprocessed; unknown ids are 404.
    const processed = (await http(app).get('/api/v1/webhooks/inbox?status=processed&limit=1').set(bearer(admin))).body.data[0];
    expectProblem(await http(app).post(`/api/v1/webhooks/inbox/${processed.id}/reprocess`).set(bearer(admin)), 409, 'INBOX_ENTRY_NOT_REPROCESSABLE');
    expectProblem(await http(app).post('/api/v1/webhooks/inbox/00000000-0000-4000-8000-000000000000/reprocess').set(bearer(admin)), 404, 'INBOX_ENTRY_NOT_FOUND');

    const b = await person();
    const patched = await http(app).patch(`/api/v1/beneficiaries/${b.id}`).set(bearer(admin)).send({ franceTravailId: 'FT7000004D' });
    expect(patched.status).toBe(200);
    const again = await http(app).post(`/api/v1/webhooks/inbox/${res.body.id}/reprocess`).set(bearer(admin));
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: res.body.id, status: 'received', attempts: 0 });
    expect(await settled(res.body.id)).toMatchObject({ status: 'processed', beneficiaryId: b.id, error: null });
    expect((await timeline(b.id)).map((l) => l.type)).toContain('france_travail.deregistered');
  });

  it('a processing failure is retried, then the entry is failed with the error; never dropped', async () => {
    const b = await person({ franceTravailId: 'FT7000005E' });
    await db.query(`CREATE OR REPLACE FUNCTION wh_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.beneficiary_id = '${b.id}' THEN RAISE EXCEPTION 'timeline unavailable for the test'; END IF; RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER wh_test_refuse BEFORE INSERT ON timeline_events FOR EACH ROW EXECUTE FUNCTION wh_test_refuse()`);
    try {
      const res = await sendSigned(app, event('training.started', { franceTravailId: 'FT7000005E', startedOn: '2026-11-23' }), { secret: SECRET_NEW });
      expect(res.status).toBe(202);
      const failed = await waitFor(async () => {
        const e = await entry(res.body.id);
        return e.status === 'failed' ? e : undefined;
      }, 20_000, 'the failed entry');
      // One retry configured for the tests (WEBHOOK_INBOX_RETRY_SCHEDULE=1s, test/setup/env.ts): two attempts.
      expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: 'timeline unavailable for the test', beneficiaryId: null });
      const failedList = await http(app).get('/api/v1/webhooks/inbox?status=failed&limit=100').set(bearer(admin));
      expect(failedList.body.data.map((e: { id: string }) => e.id)).toContain(res.body.id);
      await db.query(`DROP TRIGGER wh_test_refuse ON timeline_events`);
      expect((await http(app).post(`/api/v1/webhooks/inbox/${res.body.id}/reprocess`).set(bearer(admin))).status).toBe(202);
      expect(await settled(res.body.id)).toMatchObject({ status: 'processed', beneficiaryId: b.id, attempts: 1 });
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS wh_test_refuse ON timeline_events`);
      await db.query(`DROP FUNCTION IF EXISTS wh_test_refuse()`);
    }
  });

  it('the inbox is for admins only: 401 without a token, 403 for staff and machine clients', async () => {
    expectProblem(await http(app).get('/api/v1/webhooks/inbox'), 401, 'UNAUTHORIZED');
    expect((await http(app).get('/api/v1/webhooks/inbox').set(bearer(advisor))).status).toBe(403);
    const client = await machineClientToken(app, admin, ['webhooks:manage']);
    expect((await http(app).get('/api/v1/webhooks/inbox').set(bearer(client))).status).toBe(403);
    expectProblem(await http(app).get('/api/v1/webhooks/inbox?status=lost').set(bearer(admin)), 400, 'VALIDATION_FAILED');
  });

  it('the daily purge deletes processed and rejected events past WEBHOOK_RETENTION_DAYS (90), keeping failed and unmatched ones', async () => {
    const unmatched = await sendSigned(app, event('jobseeker.deregistered', { franceTravailId: 'FT7000006F', deregisteredOn: '2026-11-25' }), { secret: SECRET_NEW });
    expect(await settled(unmatched.body.id)).toMatchObject({ status: 'unmatched' });
    // The entries settled now (other test files may add or process theirs meanwhile: only these are aged and counted).
    const mine = ((await db.query(`SELECT id FROM webhook_inbox WHERE status IN ('processed', 'rejected', 'failed', 'unmatched')`)) as { id: string }[]).map((r) => r.id);
    const byStatus = async () => {
      const rows = (await db.query(`SELECT id, status FROM webhook_inbox WHERE id = ANY($1)`, [mine])) as { id: string; status: string }[];
      const of = (status: string) => rows.filter((r) => r.status === status).map((r) => r.id).sort();
      return { processed: of('processed'), rejected: of('rejected'), failed: of('failed'), unmatched: of('unmatched') };
    };
    const before = await byStatus();
    expect(before.processed.length).toBeGreaterThan(0);
    expect(before.rejected.length).toBeGreaterThan(0);
    expect(before.failed.length).toBeGreaterThan(0);
    expect(before.unmatched).toContain(unmatched.body.id);
    // 89 days old: kept; then 91 days old: deleted, except failed and unmatched entries.
    await db.query(`UPDATE webhook_inbox SET received_at = now() - interval '89 days' WHERE id = ANY($1)`, [mine]);
    expect(await app.get(FranceTravailProcessor).purge()).toBe(0);
    expect(await byStatus()).toEqual(before);
    await db.query(`UPDATE webhook_inbox SET received_at = now() - interval '91 days' WHERE id = ANY($1)`, [mine]);
    expect(await app.get(FranceTravailProcessor).purge()).toBeGreaterThanOrEqual(before.processed.length + before.rejected.length);
    const after = await byStatus();
    expect(after).toEqual({ processed: [], rejected: [], failed: before.failed, unmatched: before.unmatched });
  });
});
