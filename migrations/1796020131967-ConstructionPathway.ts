import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The construction pathway "Bâtissons nos emplois": participants (one per
 * beneficiary) and their target trades (foreign key to rome_codes), dated steps
 * (one per referral at most), employments and their 1/3/6-month follow-ups,
 * operations with social-clause lots, and monthly clause hours (one row per
 * operation, participant and month). The partial index on
 * without_solution_since serves the alert queue and its daily job.
 */
export class ConstructionPathway1796020131967 implements MigrationInterface {
    name = 'ConstructionPathway1796020131967'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "clause_operations" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" text NOT NULL,
                "contracting_authority" text NOT NULL,
                "commune_code" character(5) NOT NULL,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_clause_operations" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_clause_operations_name" ON "clause_operations" ("name", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "pathway_participants" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "enrolled_on" date NOT NULL,
                "sourcing_channel" text NOT NULL DEFAULT 'agency',
                "advisor_id" uuid,
                "current_stage" text,
                "without_solution_since" date,
                "without_solution_notified_for" date,
                "exited_on" date,
                "exit_reason" text,
                "created_by" uuid,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_pathway_participants_exit_date" CHECK (
                    "exited_on" IS NULL
                    OR "exited_on" >= "enrolled_on"
                ),
                CONSTRAINT "ck_pathway_participants_exit" CHECK (("exited_on" IS NULL) = ("exit_reason" IS NULL)),
                CONSTRAINT "ck_pathway_participants_exit_reason" CHECK (
                    "exit_reason" IN (
                        'employment',
                        'training',
                        'end_of_rights',
                        'moved_out',
                        'withdrawn',
                        'other'
                    )
                ),
                CONSTRAINT "ck_pathway_participants_current_stage" CHECK (
                    "current_stage" IN (
                        'information_session',
                        'trade_discovery',
                        'site_immersion',
                        'pre_qualification',
                        'qualifying_training',
                        'employment',
                        'employment_follow_up',
                        'social_support'
                    )
                ),
                CONSTRAINT "ck_pathway_participants_sourcing_channel" CHECK (
                    "sourcing_channel" IN (
                        'agency',
                        'france_travail',
                        'employer',
                        'self',
                        'partner'
                    )
                ),
                CONSTRAINT "pk_pathway_participants" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_participants_without_solution" ON "pathway_participants" ("without_solution_since", "id")
            WHERE "exited_on" IS NULL
                AND "without_solution_since" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_participants_advisor" ON "pathway_participants" ("advisor_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_participants_stage" ON "pathway_participants" ("current_stage", "enrolled_on", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_participants_enrolled" ON "pathway_participants" ("enrolled_on", "id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_pathway_participants_beneficiary" ON "pathway_participants" ("beneficiary_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "pathway_steps" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "participant_id" uuid NOT NULL,
                "type" text NOT NULL,
                "status" text NOT NULL,
                "starts_on" date NOT NULL,
                "ends_on" date,
                "programme_id" uuid,
                "referral_id" uuid,
                "operation_id" uuid,
                "note" text,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_pathway_steps_dates" CHECK (
                    "ends_on" IS NULL
                    OR "ends_on" >= "starts_on"
                ),
                CONSTRAINT "ck_pathway_steps_status" CHECK (
                    "status" IN ('planned', 'in_progress', 'done', 'abandoned')
                ),
                CONSTRAINT "ck_pathway_steps_type" CHECK (
                    "type" IN (
                        'information_session',
                        'trade_discovery',
                        'site_immersion',
                        'pre_qualification',
                        'qualifying_training',
                        'employment',
                        'employment_follow_up',
                        'social_support'
                    )
                ),
                CONSTRAINT "pk_pathway_steps" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_steps_operation" ON "pathway_steps" ("operation_id")
            WHERE "operation_id" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_pathway_steps_referral" ON "pathway_steps" ("referral_id")
            WHERE "referral_id" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_steps_open" ON "pathway_steps" ("participant_id")
            WHERE "status" IN ('planned', 'in_progress')
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_steps_participant" ON "pathway_steps" (
                "participant_id",
                "starts_on",
                "created_at",
                "id"
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "pathway_participant_trades" (
                "participant_id" uuid NOT NULL,
                "rome_code" character(5) NOT NULL,
                CONSTRAINT "pk_pathway_participant_trades" PRIMARY KEY ("participant_id", "rome_code")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_participant_trades_rome" ON "pathway_participant_trades" ("rome_code")
        `);
        await queryRunner.query(`
            CREATE TABLE "clause_lots" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "operation_id" uuid NOT NULL,
                "label" text NOT NULL,
                "amount" bigint,
                "labour_share_percent" numeric(5, 2),
                "insertion_rate_percent" numeric(5, 2),
                "hourly_cost" numeric(8, 2),
                "required_hours" integer NOT NULL,
                "hours_entered" boolean NOT NULL DEFAULT false,
                "company_name" text NOT NULL,
                "company_siret" character(14) NOT NULL,
                "fulfilment_mode" text NOT NULL DEFAULT 'direct_hire',
                CONSTRAINT "ck_clause_lots_siret" CHECK ("company_siret" ~ '^[0-9]{14}$'),
                CONSTRAINT "ck_clause_lots_fulfilment_mode" CHECK (
                    "fulfilment_mode" IN (
                        'direct_hire',
                        'provision',
                        'subcontracting_siae'
                    )
                ),
                CONSTRAINT "ck_clause_lots_inputs" CHECK (
                    "hours_entered"
                    OR (
                        "amount" IS NOT NULL
                        AND "labour_share_percent" IS NOT NULL
                        AND "insertion_rate_percent" IS NOT NULL
                        AND "hourly_cost" IS NOT NULL
                    )
                ),
                CONSTRAINT "ck_clause_lots_required_hours" CHECK ("required_hours" >= 0),
                CONSTRAINT "ck_clause_lots_hourly_cost" CHECK ("hourly_cost" > 0),
                CONSTRAINT "ck_clause_lots_insertion_rate" CHECK (
                    "insertion_rate_percent" > 0
                    AND "insertion_rate_percent" <= 100
                ),
                CONSTRAINT "ck_clause_lots_labour_share" CHECK (
                    "labour_share_percent" > 0
                    AND "labour_share_percent" <= 100
                ),
                CONSTRAINT "ck_clause_lots_amount" CHECK ("amount" >= 0),
                CONSTRAINT "pk_clause_lots" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_clause_lots_operation" ON "clause_lots" ("operation_id", "label", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "pathway_employments" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "participant_id" uuid NOT NULL,
                "step_id" uuid,
                "employer_name" text,
                "employer_siret" character(14),
                "contract_type" text NOT NULL,
                "starts_on" date NOT NULL,
                "ends_on" date,
                "weekly_hours" numeric(4, 1),
                "rome_code" character(5),
                "operation_id" uuid,
                "lasting" boolean NOT NULL,
                "source" text NOT NULL DEFAULT 'staff',
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_pathway_employments_siret" CHECK ("employer_siret" ~ '^[0-9]{14}$'),
                CONSTRAINT "ck_pathway_employments_source" CHECK ("source" IN ('staff', 'integration')),
                CONSTRAINT "ck_pathway_employments_weekly_hours" CHECK (
                    "weekly_hours" > 0
                    AND "weekly_hours" <= 48
                ),
                CONSTRAINT "ck_pathway_employments_dates" CHECK (
                    "ends_on" IS NULL
                    OR "ends_on" >= "starts_on"
                ),
                CONSTRAINT "ck_pathway_employments_contract_type" CHECK (
                    "contract_type" IN (
                        'cdi',
                        'cdd',
                        'interim',
                        'apprenticeship',
                        'professionalisation',
                        'iae',
                        'business_creation'
                    )
                ),
                CONSTRAINT "pk_pathway_employments" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_pathway_employments_step" ON "pathway_employments" ("step_id")
            WHERE "step_id" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_employments_current" ON "pathway_employments" ("starts_on", "ends_on", "participant_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_employments_participant" ON "pathway_employments" ("participant_id", "starts_on", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "pathway_follow_ups" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "employment_id" uuid NOT NULL,
                "month" smallint NOT NULL,
                "due_on" date NOT NULL,
                "contacted_on" date,
                "outcome" text,
                "note" text,
                "recorded_by" uuid,
                CONSTRAINT "ck_pathway_follow_ups_contact" CHECK (("contacted_on" IS NULL) = ("outcome" IS NULL)),
                CONSTRAINT "ck_pathway_follow_ups_outcome" CHECK ("outcome" IN ('still_employed', 'not_employed')),
                CONSTRAINT "ck_pathway_follow_ups_month" CHECK ("month" IN (1, 3, 6)),
                CONSTRAINT "pk_pathway_follow_ups" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_pathway_follow_ups_due" ON "pathway_follow_ups" ("due_on")
            WHERE "contacted_on" IS NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_pathway_follow_ups_employment_month" ON "pathway_follow_ups" ("employment_id", "month")
        `);
        await queryRunner.query(`
            CREATE TABLE "clause_hours" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "operation_id" uuid NOT NULL,
                "participant_id" uuid NOT NULL,
                "month" date NOT NULL,
                "hours" numeric(5, 2) NOT NULL,
                "recorded_by" uuid,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_clause_hours_month" CHECK (
                    EXTRACT(
                        DAY
                        FROM "month"
                    ) = 1
                ),
                CONSTRAINT "ck_clause_hours_hours" CHECK (
                    "hours" >= 0
                    AND "hours" <= 744
                ),
                CONSTRAINT "pk_clause_hours" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_clause_hours_month" ON "clause_hours" ("month")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_clause_hours_participant_month" ON "clause_hours" ("participant_id", "month")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_clause_hours_operation_participant_month" ON "clause_hours" ("operation_id", "participant_id", "month")
        `);
        await queryRunner.query(`
            ALTER TABLE "clause_operations"
            ADD CONSTRAINT "fk_clause_operations_commune" FOREIGN KEY ("commune_code") REFERENCES "communes"("insee_code") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_participants"
            ADD CONSTRAINT "fk_pathway_participants_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_participants"
            ADD CONSTRAINT "fk_pathway_participants_advisor" FOREIGN KEY ("advisor_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_steps"
            ADD CONSTRAINT "fk_pathway_steps_participant" FOREIGN KEY ("participant_id") REFERENCES "pathway_participants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_steps"
            ADD CONSTRAINT "fk_pathway_steps_programme" FOREIGN KEY ("programme_id") REFERENCES "programmes"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_steps"
            ADD CONSTRAINT "fk_pathway_steps_referral" FOREIGN KEY ("referral_id") REFERENCES "referrals"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_steps"
            ADD CONSTRAINT "fk_pathway_steps_operation" FOREIGN KEY ("operation_id") REFERENCES "clause_operations"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_participant_trades"
            ADD CONSTRAINT "fk_pathway_participant_trades_participant" FOREIGN KEY ("participant_id") REFERENCES "pathway_participants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_participant_trades"
            ADD CONSTRAINT "fk_pathway_participant_trades_rome" FOREIGN KEY ("rome_code") REFERENCES "rome_codes"("code") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "clause_lots"
            ADD CONSTRAINT "fk_clause_lots_operation" FOREIGN KEY ("operation_id") REFERENCES "clause_operations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_employments"
            ADD CONSTRAINT "fk_pathway_employments_participant" FOREIGN KEY ("participant_id") REFERENCES "pathway_participants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_employments"
            ADD CONSTRAINT "fk_pathway_employments_step" FOREIGN KEY ("step_id") REFERENCES "pathway_steps"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_employments"
            ADD CONSTRAINT "fk_pathway_employments_rome" FOREIGN KEY ("rome_code") REFERENCES "rome_codes"("code") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_employments"
            ADD CONSTRAINT "fk_pathway_employments_operation" FOREIGN KEY ("operation_id") REFERENCES "clause_operations"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_follow_ups"
            ADD CONSTRAINT "fk_pathway_follow_ups_employment" FOREIGN KEY ("employment_id") REFERENCES "pathway_employments"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "clause_hours"
            ADD CONSTRAINT "fk_clause_hours_operation" FOREIGN KEY ("operation_id") REFERENCES "clause_operations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "clause_hours"
            ADD CONSTRAINT "fk_clause_hours_participant" FOREIGN KEY ("participant_id") REFERENCES "pathway_participants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "clause_hours" DROP CONSTRAINT "fk_clause_hours_participant"
        `);
        await queryRunner.query(`
            ALTER TABLE "clause_hours" DROP CONSTRAINT "fk_clause_hours_operation"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_follow_ups" DROP CONSTRAINT "fk_pathway_follow_ups_employment"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_employments" DROP CONSTRAINT "fk_pathway_employments_operation"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_employments" DROP CONSTRAINT "fk_pathway_employments_rome"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_employments" DROP CONSTRAINT "fk_pathway_employments_step"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_employments" DROP CONSTRAINT "fk_pathway_employments_participant"
        `);
        await queryRunner.query(`
            ALTER TABLE "clause_lots" DROP CONSTRAINT "fk_clause_lots_operation"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_participant_trades" DROP CONSTRAINT "fk_pathway_participant_trades_rome"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_participant_trades" DROP CONSTRAINT "fk_pathway_participant_trades_participant"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_steps" DROP CONSTRAINT "fk_pathway_steps_operation"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_steps" DROP CONSTRAINT "fk_pathway_steps_referral"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_steps" DROP CONSTRAINT "fk_pathway_steps_programme"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_steps" DROP CONSTRAINT "fk_pathway_steps_participant"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_participants" DROP CONSTRAINT "fk_pathway_participants_advisor"
        `);
        await queryRunner.query(`
            ALTER TABLE "pathway_participants" DROP CONSTRAINT "fk_pathway_participants_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "clause_operations" DROP CONSTRAINT "fk_clause_operations_commune"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_clause_hours_operation_participant_month"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_clause_hours_participant_month"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_clause_hours_month"
        `);
        await queryRunner.query(`
            DROP TABLE "clause_hours"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_pathway_follow_ups_employment_month"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_follow_ups_due"
        `);
        await queryRunner.query(`
            DROP TABLE "pathway_follow_ups"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_employments_participant"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_employments_current"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_pathway_employments_step"
        `);
        await queryRunner.query(`
            DROP TABLE "pathway_employments"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_clause_lots_operation"
        `);
        await queryRunner.query(`
            DROP TABLE "clause_lots"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_participant_trades_rome"
        `);
        await queryRunner.query(`
            DROP TABLE "pathway_participant_trades"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_steps_participant"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_steps_open"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_pathway_steps_referral"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_steps_operation"
        `);
        await queryRunner.query(`
            DROP TABLE "pathway_steps"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_pathway_participants_beneficiary"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_participants_enrolled"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_participants_stage"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_participants_advisor"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_pathway_participants_without_solution"
        `);
        await queryRunner.query(`
            DROP TABLE "pathway_participants"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_clause_operations_name"
        `);
        await queryRunner.query(`
            DROP TABLE "clause_operations"
        `);
    }

}
