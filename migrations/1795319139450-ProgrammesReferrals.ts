import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Programmes of the providers with their capacity in places, and referrals of
 * beneficiaries to them. `places_held` lives on the programme row and only
 * moves through conditional UPDATEs; the CHECK keeps it between 0 and the
 * capacity. One open referral per person and programme (partial unique index
 * over submitted, waitlisted, accepted, in_progress).
 */
export class ProgrammesReferrals1795319139450 implements MigrationInterface {
    name = 'ProgrammesReferrals1795319139450'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "programmes" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "code" text NOT NULL,
                "name" text NOT NULL,
                "provider_id" uuid NOT NULL,
                "type" text NOT NULL,
                "description" text,
                "capacity" integer NOT NULL,
                "places_held" integer NOT NULL DEFAULT '0',
                "starts_on" date NOT NULL,
                "ends_on" date,
                "commune_code" character(5) NOT NULL,
                "eligible_paths" text array NOT NULL,
                "weekly_hours" integer,
                "active" boolean NOT NULL DEFAULT true,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "version" integer NOT NULL DEFAULT '1',
                CONSTRAINT "ck_programmes_eligible_paths" CHECK (
                    cardinality("eligible_paths") >= 1
                    AND "eligible_paths" <@ ARRAY ['professional', 'socio_professional', 'social']::text []
                ),
                CONSTRAINT "ck_programmes_weekly_hours" CHECK (
                    "weekly_hours" BETWEEN 0 AND 60
                ),
                CONSTRAINT "ck_programmes_dates" CHECK (
                    "ends_on" IS NULL
                    OR "ends_on" >= "starts_on"
                ),
                CONSTRAINT "ck_programmes_places_held" CHECK (
                    "places_held" >= 0
                    AND "places_held" <= "capacity"
                ),
                CONSTRAINT "ck_programmes_capacity" CHECK ("capacity" >= 0),
                CONSTRAINT "ck_programmes_type" CHECK (
                    "type" IN (
                        'remobilisation',
                        'project_building',
                        'training',
                        'french_language',
                        'digital_inclusion',
                        'direct_employment',
                        'business_creation',
                        'barrier_removal'
                    )
                ),
                CONSTRAINT "pk_programmes" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_programmes_code" ON "programmes" ("code")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_programmes_commune_code" ON "programmes" ("commune_code", "code", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_programmes_provider_code" ON "programmes" ("provider_id", "code", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "referrals" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "programme_id" uuid NOT NULL,
                "status" text NOT NULL,
                "note" text,
                "created_by" uuid,
                "submitted_at" TIMESTAMP WITH TIME ZONE,
                "accepted_at" TIMESTAMP WITH TIME ZONE,
                "accepted_by" uuid,
                "started_at" TIMESTAMP WITH TIME ZONE,
                "started_by" uuid,
                "closed_at" TIMESTAMP WITH TIME ZONE,
                "closed_by" uuid,
                "close_reason" text,
                "reminded_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_referrals_closed" CHECK (
                    (
                        "status" IN (
                            'completed',
                            'abandoned',
                            'declined',
                            'cancelled',
                            'expired'
                        )
                    ) = ("closed_at" IS NOT NULL)
                ),
                CONSTRAINT "ck_referrals_decline_reason" CHECK (
                    "status" <> 'declined'
                    OR "close_reason" IS NOT NULL
                ),
                CONSTRAINT "ck_referrals_status" CHECK (
                    "status" IN (
                        'submitted',
                        'waitlisted',
                        'accepted',
                        'in_progress',
                        'completed',
                        'abandoned',
                        'declined',
                        'cancelled',
                        'expired'
                    )
                ),
                CONSTRAINT "pk_referrals" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_referrals_pending" ON "referrals" ("status", "submitted_at")
            WHERE "status" IN ('submitted', 'waitlisted')
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_referrals_created" ON "referrals" ("created_at", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_referrals_beneficiary" ON "referrals" ("beneficiary_id", "created_at", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_referrals_programme_status" ON "referrals" ("programme_id", "status", "created_at", "id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_referrals_open" ON "referrals" ("beneficiary_id", "programme_id")
            WHERE "status" IN (
                    'submitted',
                    'waitlisted',
                    'accepted',
                    'in_progress'
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "programmes"
            ADD CONSTRAINT "fk_programmes_provider" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "programmes"
            ADD CONSTRAINT "fk_programmes_commune" FOREIGN KEY ("commune_code") REFERENCES "communes"("insee_code") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "referrals"
            ADD CONSTRAINT "fk_referrals_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "referrals"
            ADD CONSTRAINT "fk_referrals_programme" FOREIGN KEY ("programme_id") REFERENCES "programmes"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "referrals" DROP CONSTRAINT "fk_referrals_programme"
        `);
        await queryRunner.query(`
            ALTER TABLE "referrals" DROP CONSTRAINT "fk_referrals_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "programmes" DROP CONSTRAINT "fk_programmes_commune"
        `);
        await queryRunner.query(`
            ALTER TABLE "programmes" DROP CONSTRAINT "fk_programmes_provider"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_referrals_open"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_referrals_programme_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_referrals_beneficiary"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_referrals_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_referrals_pending"
        `);
        await queryRunner.query(`
            DROP TABLE "referrals"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_programmes_provider_code"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_programmes_commune_code"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_programmes_code"
        `);
        await queryRunner.query(`
            DROP TABLE "programmes"
        `);
    }

}
