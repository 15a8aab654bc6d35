import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The suspension procedures of a case (domain.md §3): opened on a failure to meet the
 * obligations, decided (a suspension of part of the allowance, or no sanction), possibly lifted.
 * One open procedure per person; the terms of a decision hold together in the database.
 */
export class SuspensionProcedures1796066912304 implements MigrationInterface {
    name = 'SuspensionProcedures1796066912304'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "suspension_procedures" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "ground" text NOT NULL,
                "facts" text NOT NULL,
                "opened_on" date NOT NULL,
                "opened_by" uuid,
                "status" text NOT NULL DEFAULT 'open',
                "outcome" text,
                "decided_on" date,
                "decision_reason" text,
                "decided_by" uuid,
                "rate_percent" smallint,
                "months" smallint,
                "multi_person_household" boolean,
                "starts_on" date,
                "ends_on" date,
                "lifted_on" date,
                "lift_reason" text,
                "lifted_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_suspension_procedures_lifted" CHECK (
                    ("status" = 'lifted') = ("lifted_on" IS NOT NULL)
                    AND (
                        "lifted_on" IS NULL
                        OR (
                            "outcome" = 'suspension'
                            AND "lifted_on" >= "decided_on"
                            AND "lifted_on" <= "ends_on"
                        )
                    )
                ),
                CONSTRAINT "ck_suspension_procedures_terms" CHECK (
                    num_nonnulls(
                        "rate_percent",
                        "months",
                        "multi_person_household",
                        "starts_on",
                        "ends_on"
                    ) = CASE
                        WHEN "outcome" = 'suspension' THEN 5
                        ELSE 0
                    END
                    AND (
                        "rate_percent" IS NULL
                        OR "rate_percent" BETWEEN 1 AND 100
                    )
                    AND (
                        "months" IS NULL
                        OR "months" >= 1
                    )
                    AND (
                        "starts_on" IS NULL
                        OR (
                            "starts_on" >= "decided_on"
                            AND "ends_on" >= "starts_on"
                        )
                    )
                ),
                CONSTRAINT "ck_suspension_procedures_decision" CHECK (
                    (
                        "status" = 'open'
                        AND "outcome" IS NULL
                        AND "decided_on" IS NULL
                        AND "decision_reason" IS NULL
                    )
                    OR (
                        "status" <> 'open'
                        AND "outcome" IN ('suspension', 'no_sanction')
                        AND "decided_on" >= "opened_on"
                        AND "decision_reason" IS NOT NULL
                    )
                ),
                CONSTRAINT "ck_suspension_procedures_status" CHECK ("status" IN ('open', 'decided', 'lifted')),
                CONSTRAINT "ck_suspension_procedures_ground" CHECK (
                    "ground" IN (
                        'contract_refused',
                        'obligations_not_met',
                        'appointment_missed',
                        'other'
                    )
                ),
                CONSTRAINT "pk_suspension_procedures" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_suspension_procedures_beneficiary" ON "suspension_procedures" ("beneficiary_id", "opened_on", "id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_suspension_procedures_open" ON "suspension_procedures" ("beneficiary_id")
            WHERE "status" = 'open'
        `);
        await queryRunner.query(`
            ALTER TABLE "suspension_procedures"
            ADD CONSTRAINT "fk_suspension_procedures_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "suspension_procedures"
            ADD CONSTRAINT "fk_suspension_procedures_opened_by" FOREIGN KEY ("opened_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "suspension_procedures"
            ADD CONSTRAINT "fk_suspension_procedures_decided_by" FOREIGN KEY ("decided_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "suspension_procedures"
            ADD CONSTRAINT "fk_suspension_procedures_lifted_by" FOREIGN KEY ("lifted_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "suspension_procedures" DROP CONSTRAINT "fk_suspension_procedures_lifted_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "suspension_procedures" DROP CONSTRAINT "fk_suspension_procedures_decided_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "suspension_procedures" DROP CONSTRAINT "fk_suspension_procedures_opened_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "suspension_procedures" DROP CONSTRAINT "fk_suspension_procedures_beneficiary"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_suspension_procedures_open"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_suspension_procedures_beneficiary"
        `);
        await queryRunner.query(`
            DROP TABLE "suspension_procedures"
        `);
    }

}
