import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Barriers ("freins") of a case, its action plan (focuses → targets → actions)
 * and its journal of dated notes. Every row belongs to a beneficiary and goes
 * with them (ON DELETE CASCADE); themes, severities, action statuses and note
 * categories are CHECK constraints mirroring the TypeScript enums.
 */
export class BarriersActionPlanJournal1795317854993 implements MigrationInterface {
    name = 'BarriersActionPlanJournal1795317854993'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "journal_notes" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "author_id" uuid NOT NULL,
                "category" text NOT NULL,
                "body" text NOT NULL,
                "confidential" boolean NOT NULL DEFAULT false,
                "occurred_on" date NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_journal_notes_body" CHECK (
                    char_length("body") BETWEEN 1 AND 10000
                ),
                CONSTRAINT "ck_journal_notes_category" CHECK (
                    "category" IN (
                        'interview',
                        'phone_call',
                        'home_visit',
                        'partner_exchange',
                        'administrative',
                        'other'
                    )
                ),
                CONSTRAINT "pk_journal_notes" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_journal_notes_author" ON "journal_notes" ("author_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_journal_notes_beneficiary" ON "journal_notes" (
                "beneficiary_id",
                "occurred_on",
                "created_at",
                "id"
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "barriers" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "theme" text NOT NULL,
                "severity" text NOT NULL,
                "note" text,
                "identified_on" date NOT NULL,
                "resolved_on" date,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_barriers_dates" CHECK (
                    "resolved_on" IS NULL
                    OR "resolved_on" >= "identified_on"
                ),
                CONSTRAINT "ck_barriers_severity" CHECK ("severity" IN ('low', 'medium', 'high')),
                CONSTRAINT "ck_barriers_theme" CHECK (
                    "theme" IN (
                        'mobility',
                        'childcare_family',
                        'health',
                        'language',
                        'housing',
                        'financial',
                        'administrative',
                        'digital',
                        'legal'
                    )
                ),
                CONSTRAINT "pk_barriers" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_barriers_beneficiary" ON "barriers" ("beneficiary_id", "identified_on", "id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_barriers_open_theme" ON "barriers" ("beneficiary_id", "theme")
            WHERE "resolved_on" IS NULL
        `);
        await queryRunner.query(`
            CREATE TABLE "action_plan_focuses" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "theme" text NOT NULL,
                "title" text,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_action_plan_focuses_theme" CHECK (
                    "theme" IN (
                        'mobility',
                        'childcare_family',
                        'health',
                        'language',
                        'housing',
                        'financial',
                        'administrative',
                        'digital',
                        'legal'
                    )
                ),
                CONSTRAINT "pk_action_plan_focuses" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_action_plan_focuses_beneficiary" ON "action_plan_focuses" ("beneficiary_id", "created_at", "id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_action_plan_focuses_theme" ON "action_plan_focuses" ("beneficiary_id", "theme")
        `);
        await queryRunner.query(`
            CREATE TABLE "action_plan_targets" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "focus_id" uuid NOT NULL,
                "title" text NOT NULL,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_action_plan_targets" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_action_plan_targets_focus" ON "action_plan_targets" ("focus_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_action_plan_targets_beneficiary" ON "action_plan_targets" ("beneficiary_id", "created_at", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "action_plan_actions" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "target_id" uuid NOT NULL,
                "title" text NOT NULL,
                "status" text NOT NULL DEFAULT 'planned',
                "due_on" date,
                "programme_id" uuid,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_action_plan_actions_status" CHECK (
                    "status" IN (
                        'planned',
                        'in_progress',
                        'on_hold',
                        'done',
                        'abandoned',
                        'cancelled'
                    )
                ),
                CONSTRAINT "pk_action_plan_actions" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_action_plan_actions_target" ON "action_plan_actions" ("target_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_action_plan_actions_beneficiary" ON "action_plan_actions" ("beneficiary_id", "created_at", "id")
        `);
        await queryRunner.query(`
            ALTER TABLE "journal_notes"
            ADD CONSTRAINT "fk_journal_notes_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "journal_notes"
            ADD CONSTRAINT "fk_journal_notes_author" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "barriers"
            ADD CONSTRAINT "fk_barriers_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "barriers"
            ADD CONSTRAINT "fk_barriers_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_focuses"
            ADD CONSTRAINT "fk_action_plan_focuses_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_focuses"
            ADD CONSTRAINT "fk_action_plan_focuses_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_targets"
            ADD CONSTRAINT "fk_action_plan_targets_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_targets"
            ADD CONSTRAINT "fk_action_plan_targets_focus" FOREIGN KEY ("focus_id") REFERENCES "action_plan_focuses"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_targets"
            ADD CONSTRAINT "fk_action_plan_targets_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_actions"
            ADD CONSTRAINT "fk_action_plan_actions_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_actions"
            ADD CONSTRAINT "fk_action_plan_actions_target" FOREIGN KEY ("target_id") REFERENCES "action_plan_targets"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_actions"
            ADD CONSTRAINT "fk_action_plan_actions_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "action_plan_actions" DROP CONSTRAINT "fk_action_plan_actions_created_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_actions" DROP CONSTRAINT "fk_action_plan_actions_target"
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_actions" DROP CONSTRAINT "fk_action_plan_actions_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_targets" DROP CONSTRAINT "fk_action_plan_targets_created_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_targets" DROP CONSTRAINT "fk_action_plan_targets_focus"
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_targets" DROP CONSTRAINT "fk_action_plan_targets_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_focuses" DROP CONSTRAINT "fk_action_plan_focuses_created_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "action_plan_focuses" DROP CONSTRAINT "fk_action_plan_focuses_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "barriers" DROP CONSTRAINT "fk_barriers_created_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "barriers" DROP CONSTRAINT "fk_barriers_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "journal_notes" DROP CONSTRAINT "fk_journal_notes_author"
        `);
        await queryRunner.query(`
            ALTER TABLE "journal_notes" DROP CONSTRAINT "fk_journal_notes_beneficiary"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_action_plan_actions_beneficiary"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_action_plan_actions_target"
        `);
        await queryRunner.query(`
            DROP TABLE "action_plan_actions"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_action_plan_targets_beneficiary"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_action_plan_targets_focus"
        `);
        await queryRunner.query(`
            DROP TABLE "action_plan_targets"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_action_plan_focuses_theme"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_action_plan_focuses_beneficiary"
        `);
        await queryRunner.query(`
            DROP TABLE "action_plan_focuses"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_barriers_open_theme"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_barriers_beneficiary"
        `);
        await queryRunner.query(`
            DROP TABLE "barriers"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_journal_notes_beneficiary"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_journal_notes_author"
        `);
        await queryRunner.query(`
            DROP TABLE "journal_notes"
        `);
    }

}
