import { MigrationInterface, QueryRunner } from 'typeorm';

/** Uploaded beneficiary files (CSV or CAF XML), their status, totals and rejected lines. */
export class BeneficiaryImports1795317634611 implements MigrationInterface {
  name = 'BeneficiaryImports1795317634611';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "beneficiary_imports" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "status" text NOT NULL DEFAULT 'queued',
        "format" text NOT NULL,
        "filename" text NOT NULL,
        "content" bytea,
        "totals" jsonb NOT NULL DEFAULT '{"rows": 0, "created": 0, "updated": 0, "rejected": 0, "unchanged": 0}',
        "errors" jsonb NOT NULL DEFAULT '[]',
        "failure" text,
        "created_by" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "started_at" TIMESTAMP WITH TIME ZONE,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "ck_beneficiary_imports_format" CHECK ("format" IN ('csv', 'caf_xml')),
        CONSTRAINT "ck_beneficiary_imports_status" CHECK ("status" IN ('queued', 'running', 'completed', 'failed')),
        CONSTRAINT "pk_beneficiary_imports" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "ix_beneficiary_imports_created" ON "beneficiary_imports" ("created_at", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_beneficiary_imports_created"`);
    await queryRunner.query(`DROP TABLE "beneficiary_imports"`);
  }
}
