import { MigrationInterface, QueryRunner } from "typeorm";

export class ReportSnapshots1795334154201 implements MigrationInterface {
    name = 'ReportSnapshots1795334154201'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "report_snapshots" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "month" character(7) NOT NULL,
                "kind" text NOT NULL,
                "subject_id" uuid NOT NULL,
                "provider_id" uuid,
                "label" text NOT NULL,
                "figures" jsonb NOT NULL,
                "taken_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_report_snapshots_month" CHECK ("month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
                CONSTRAINT "ck_report_snapshots_kind" CHECK ("kind" IN ('agency', 'programme')),
                CONSTRAINT "pk_report_snapshots" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_report_snapshots" ON "report_snapshots" ("month", "kind", "subject_id")
        `);
        // Written by hand: a frozen figure is never changed.
        await queryRunner.query(`
            CREATE FUNCTION "report_snapshots_frozen"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'report_snapshots are frozen (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
            END $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER "tr_report_snapshots_frozen" BEFORE UPDATE ON "report_snapshots"
            FOR EACH ROW EXECUTE FUNCTION "report_snapshots_frozen"()
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "tr_report_snapshots_frozen" ON "report_snapshots"`);
        await queryRunner.query(`DROP FUNCTION "report_snapshots_frozen"()`);
        await queryRunner.query(`
            DROP INDEX "public"."uq_report_snapshots"
        `);
        await queryRunner.query(`
            DROP TABLE "report_snapshots"
        `);
    }

}
