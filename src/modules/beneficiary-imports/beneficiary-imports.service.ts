import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { PoolClient, QueryConfig } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { FieldEncryption } from '../../common/crypto/field-encryption';
import { beneficiariesConfig } from '../../config/configuration';
import { AuditService } from '../audit/audit.service';
import { JobsService } from '../jobs/jobs.service';
import { fileEmpty, importNotFound, importNotRetryable } from './beneficiary-imports.errors';
import { BeneficiaryImportDto, ImportAcceptedDto } from './dto/beneficiary-import.dto';
import { BeneficiaryImport, ImportError } from './entities/beneficiary-import.entity';
import { loadRows } from './import-loader';
import { cafXmlRecords, csvRecords, FileFormatError } from './import-parsers';
import { RowValidator } from './import-rows';

export const IMPORT_JOB = 'beneficiary-import';
export const IMPORT_RECOVERY_JOB = 'beneficiary-import.recover';
/** First key of the imports' advisory locks (two-key form); the second is hashtext(import id). */
const IMPORT_LOCK_CLASS = 726_017_495;
const MAX_REPORTED_ERRORS = 1000;
/** How long a received file waits in memory for this instance's worker before only the database has it. */
const RECEIVED_FILE_TTL_MS = 60_000;
/** Runs of one import before one left by a dead process is failed instead of queued again. */
export const MAX_IMPORT_ATTEMPTS = 3;

/**
 * Beneficiary files: stored on upload, processed by a pg-boss worker on any
 * instance. Validation per row with the API's rules; loading set-based in one
 * transaction (see import-loader.ts), so a failure or a crash leaves nothing half done.
 */
@Injectable()
export class BeneficiaryImportsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BeneficiaryImportsService.name);
  private readonly crypto: FieldEncryption;
  /**
   * Files received here and not yet taken by a worker: this instance's own worker, which usually
   * takes the job at once, loads the file from here instead of reading it back from the database.
   * One file at a time, for a minute at most.
   */
  private readonly received = new Map<string, Buffer>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    @Inject(beneficiariesConfig.KEY) private readonly config: ConfigType<typeof beneficiariesConfig>,
  ) {
    this.crypto = new FieldEncryption(config.nirEncryptionKey, config.nirHashKey);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.work<{ importId: string }>(IMPORT_JOB, ({ importId }) => this.process(importId));
    // An import left `running` by a process that died is taken up again: at start, and every
    // minute on one instance (for when the dead process is not the one that restarts).
    await this.jobs.schedule(IMPORT_RECOVERY_JOB, '* * * * *', async () => {
      await this.recoverAbandoned();
    });
    if (this.jobs.enabled) {
      await this.recoverAbandoned().catch((err: unknown) => this.logger.error({ err }, 'could not look for abandoned beneficiary imports'));
    }
  }

  /**
   * Queues again every import whose status is `running` while no worker holds its lock: the
   * process that ran it died (its session, and so its lock and its uncommitted load, went with
   * it). Returns the ids queued again.
   */
  async recoverAbandoned(): Promise<string[]> {
    const running = (await this.dataSource.query(`SELECT id FROM beneficiary_imports WHERE status = 'running'`)) as { id: string }[];
    const recovered: string[] = [];
    for (const { id } of running) {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      try {
        if (!(await tryLockImport(runner, id))) continue;
        try {
          const [rows] = (await runner.query(
            `UPDATE beneficiary_imports
                SET status = CASE WHEN attempts >= $2 THEN 'failed' ELSE 'queued' END,
                    failure = CASE WHEN attempts >= $2 THEN $3 END,
                    finished_at = CASE WHEN attempts >= $2 THEN now() END,
                    started_at = CASE WHEN attempts >= $2 THEN started_at END
              WHERE id = $1 AND status = 'running'
              RETURNING status, attempts`,
            [id, MAX_IMPORT_ATTEMPTS, `the process running the import stopped ${MAX_IMPORT_ATTEMPTS} times (killed or out of memory?); see the server log`],
          )) as [{ status: string; attempts: number }[], number];
          if (rows[0]?.status === 'queued') recovered.push(id);
          else if (rows[0]) this.logger.error({ importId: id, attempts: rows[0].attempts }, 'beneficiary import abandoned by a stopped worker too many times: failed');
        } finally {
          await unlockImport(runner, id);
        }
      } finally {
        await runner.release();
      }
    }
    for (const id of recovered) {
      this.logger.warn({ importId: id }, 'beneficiary import abandoned by a stopped worker: queued again');
      await this.jobs.send(IMPORT_JOB, { importId: id });
    }
    return recovered;
  }

  async submit(actor: Actor, filename: string, content: Buffer): Promise<ImportAcceptedDto> {
    if (content.length === 0) throw fileEmpty();
    const format = content.subarray(0, 200).toString('utf8').replace(/^\uFEFF/, '').trimStart().startsWith('<') ? 'caf_xml' : 'csv';
    const created = await this.dataSource.transaction(async (manager) => {
      const row = await manager.save(manager.create(BeneficiaryImport, { format, filename, content, createdBy: actor.principal.id }));
      await this.audit.record(actor, { action: 'beneficiary_import.submit', resourceType: 'beneficiary_import', resourceId: row.id, details: { format, bytes: content.length } }, manager);
      return row;
    });
    this.keepReceived(created.id, content);
    await this.jobs.send(IMPORT_JOB, { importId: created.id });
    return { id: created.id, status: 'queued' };
  }

  private keepReceived(id: string, content: Buffer): void {
    if (this.received.size > 0) return;
    this.received.set(id, content);
    setTimeout(() => this.takeReceived(id), RECEIVED_FILE_TTL_MS).unref();
  }

  private takeReceived(id: string): Buffer | undefined {
    const content = this.received.get(id);
    this.received.delete(id);
    return content;
  }

  async get(principal: Principal, id: string): Promise<BeneficiaryImportDto> {
    const row = await this.dataSource.getRepository(BeneficiaryImport).findOne({ where: { id } });
    if (!row || (principal.role !== Role.Admin && row.createdBy !== principal.id)) throw importNotFound();
    return toImportDto(row);
  }

  /** Runs a failed import again (its file is kept until the import completes). */
  async retry(actor: Actor, id: string): Promise<ImportAcceptedDto> {
    const result = await this.dataSource.getRepository(BeneficiaryImport).update({ id, status: 'failed' }, { status: 'queued', failure: null, attempts: 0 });
    if (!result.affected) {
      await this.get(actor.principal, id);
      throw importNotRetryable();
    }
    await this.jobs.send(IMPORT_JOB, { importId: id });
    return { id, status: 'queued' };
  }

  /**
   * The job: parse, validate, load. Safe to run again after a crash: nothing was committed.
   * The whole run holds a session lock on the import: a second job for it (pg-boss expiring a
   * long run, a recovery) does nothing meanwhile, and when the process dies the lock goes with
   * its connection, which is how `recoverAbandoned` tells a dead run from a live one.
   */
  async process(importId: string): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      if (!(await tryLockImport(runner, importId))) {
        const [current] = (await runner.query(`SELECT status FROM beneficiary_imports WHERE id = $1`, [importId])) as { status: string }[];
        if (!current || current.status !== 'queued') return;
        // Queued yet locked: another worker is just taking it, or two ids share a lock key. Later.
        throw new Error(`beneficiary import ${importId} is locked by another worker`);
      }
      try {
        await this.processLocked(importId, runner, client);
      } finally {
        // A broken connection lost the lock with its session (and pg's pool drops such a connection).
        await unlockImport(runner, importId).catch((err: unknown) => this.logger.warn({ err, importId }, 'could not release the import lock'));
      }
    } finally {
      await runner.release();
    }
  }

  private async processLocked(importId: string, runner: QueryRunner, client: PoolClient): Promise<void> {
    const row = await runner.manager.getRepository(BeneficiaryImport).findOne({ where: { id: importId } });
    const received = this.takeReceived(importId);
    if (!row || row.status === 'completed') return;
    const content = received ?? (await readFile(client, importId));
    if (!content) return;
    const startedAt = new Date();
    await runner.query(`UPDATE beneficiary_imports SET status = 'running', started_at = $2, attempts = attempts + 1 WHERE id = $1`, [importId, startedAt]);
    try {
      // Read, validated and sent to the database one record at a time (a CSV's header is checked first).
      const records = row.format === 'caf_xml' ? cafXmlRecords(content) : csvRecords(content);
      const validator = new RowValidator();
      let result;
      // The load has no statement timeout (below), so no client-side limit either on this connection
      // (node-postgres reads it at each query); put back before the connection goes back to the pool.
      const params = (client as unknown as { connectionParameters: { query_timeout?: number } }).connectionParameters;
      const queryTimeout = params.query_timeout;
      params.query_timeout = undefined;
      try {
        await runner.startTransaction();
        await client.query(`SET LOCAL statement_timeout = 0`);
        result = await loadRows(client, validator.validRows(records), this.crypto, {
          importId,
          orientationDays: this.config.deadlines.orientationDays,
          batchRows: this.config.importBatchRows,
        });
        const allErrors: ImportError[] = [...validator.errors, ...result.rejected].sort((a, b) => a.line - b.line);
        const rejectedLines = new Set(allErrors.map((e) => e.line)).size;
        await runner.manager.update(BeneficiaryImport, { id: importId }, {
          status: 'completed',
          content: null,
          totals: { rows: validator.records, created: result.created, updated: result.updated, unchanged: result.unchanged, rejected: rejectedLines },
          errors: allErrors.slice(0, MAX_REPORTED_ERRORS),
          finishedAt: new Date(),
        });
        await this.audit.recordAnonymous(null, {
          action: 'beneficiary_import.complete',
          resourceType: 'beneficiary_import',
          resourceId: importId,
          details: { rows: validator.records, created: result.created, updated: result.updated, rejected: rejectedLines },
        }, runner.manager);
        await runner.commitTransaction();
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      } finally {
        params.query_timeout = queryTimeout;
      }
    } catch (error) {
      const failure = error instanceof FileFormatError ? error.message : 'the file could not be loaded; see the server log with this import id';
      if (!(error instanceof FileFormatError)) this.logger.error({ err: error, importId }, 'beneficiary import failed');
      // On the pool (this run's connection may be what failed), and only if this run is still the one on record.
      await this.dataSource
        .getRepository(BeneficiaryImport)
        .update({ id: importId, status: 'running', startedAt }, { status: 'failed', failure, finishedAt: new Date() });
    }
  }
}

function toImportDto(row: BeneficiaryImport): BeneficiaryImportDto {
  return {
    id: row.id,
    status: row.status,
    format: row.format,
    filename: row.filename,
    totals: row.totals,
    errors: row.errors,
    failure: row.failure,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** The stored file of an import (null once it completed), in binary form. */
async function readFile(client: PoolClient, importId: string): Promise<Buffer | null> {
  // As text, bytea comes as a hexadecimal string twice its size, held in memory beside the file.
  // (`binary` is a query option of node-postgres that its typings leave out; its bytes come as they are.)
  const query = {
    text: `SELECT content FROM beneficiary_imports WHERE id = $1`,
    values: [importId],
    binary: true,
    types: { getTypeParser: () => (bytes: Buffer) => bytes },
  } as unknown as QueryConfig;
  const [file] = (await client.query<{ content: Buffer | null }>(query)).rows;
  return file?.content ?? null;
}

/** A session-level advisory lock on one import, on the runner's connection; false when another session holds it. */
async function tryLockImport(runner: QueryRunner, importId: string): Promise<boolean> {
  const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`, [IMPORT_LOCK_CLASS, importId])) as { locked: boolean }[];
  return locked;
}

async function unlockImport(runner: QueryRunner, importId: string): Promise<void> {
  await runner.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [IMPORT_LOCK_CLASS, importId]);
}
