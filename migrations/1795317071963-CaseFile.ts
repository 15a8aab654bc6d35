import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The beneficiary case file: beneficiaries, orientations and reorientation
 * requests, assignments, contrats d'engagement, the timeline, and the outbox of
 * domain events. Name search runs on `search_text` (names normalised by the
 * application: no accents, no punctuation, upper case) with a pg_trgm index
 * (a trusted extension: the database owner may create it).
 */
export class CaseFile1795317071963 implements MigrationInterface {
    name = 'CaseFile1795317071963'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
        await queryRunner.query(`
            CREATE TABLE "beneficiaries" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "caf_number" character(7) NOT NULL,
                "nir_encrypted" text,
                "nir_hash" character(64),
                "france_travail_id" text,
                "first_name" text NOT NULL,
                "last_name" text NOT NULL,
                "birth_name" text,
                "birth_date" date NOT NULL,
                "sex" character(1) NOT NULL,
                "commune_code" character(5) NOT NULL,
                "address" text,
                "no_fixed_address" boolean NOT NULL DEFAULT false,
                "phone" text,
                "email" text,
                "household_role" character(3),
                "rights_state" character(1),
                "subject_to_rights_and_duties" boolean NOT NULL DEFAULT true,
                "rights_opened_on" date,
                "status" text NOT NULL DEFAULT 'to_orient',
                "agency_id" uuid,
                "advisor_id" uuid,
                "orientation_path" text,
                "referent_body" text,
                "oriented_on" date,
                "contract_signed_on" date,
                "exit_reason" text,
                "exited_on" date,
                "orientation_due_on" date,
                "contract_due_on" date,
                "review_due_on" date,
                "next_due_on" date,
                "sort_key" text NOT NULL,
                "search_text" text NOT NULL,
                "contract_ended_on" date,
                "last_contact_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "anonymised_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "version" integer NOT NULL DEFAULT '1',
                CONSTRAINT "ck_beneficiaries_exit" CHECK (
                    ("status" = 'exited') = (
                        "exit_reason" IS NOT NULL
                        AND "exited_on" IS NOT NULL
                    )
                ),
                CONSTRAINT "ck_beneficiaries_referent_body" CHECK (
                    "referent_body" IN (
                        'departement',
                        'delegate',
                        'france_travail',
                        'mission_locale',
                        'cap_emploi'
                    )
                ),
                CONSTRAINT "ck_beneficiaries_orientation_path" CHECK (
                    "orientation_path" IN ('professional', 'socio_professional', 'social')
                ),
                CONSTRAINT "ck_beneficiaries_rights_state" CHECK (
                    "rights_state" IN ('0', '1', '2', '3', '4', '5', '6', 'Z')
                ),
                CONSTRAINT "ck_beneficiaries_household_role" CHECK ("household_role" IN ('DEM', 'CJT')),
                CONSTRAINT "ck_beneficiaries_status" CHECK (
                    "status" IN ('to_orient', 'oriented', 'in_pathway', 'exited')
                ),
                CONSTRAINT "ck_beneficiaries_sex" CHECK ("sex" IN ('F', 'M')),
                CONSTRAINT "ck_beneficiaries_caf_number" CHECK ("caf_number" ~ '^[0-9]{7}$'),
                CONSTRAINT "pk_beneficiaries" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_beneficiaries_caf_birth" ON "beneficiaries" ("caf_number", "birth_date")
            WHERE "anonymised_at" IS NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_retention" ON "beneficiaries" ("last_contact_at")
            WHERE "anonymised_at" IS NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_beneficiaries_nir_hash" ON "beneficiaries" ("nir_hash")
            WHERE "nir_hash" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_france_travail_id" ON "beneficiaries" ("france_travail_id")
            WHERE "france_travail_id" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_commune_sort" ON "beneficiaries" ("commune_code", "sort_key", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_advisor_due" ON "beneficiaries" ("advisor_id", "next_due_on")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_agency_due" ON "beneficiaries" ("agency_id", "next_due_on")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_advisor_sort" ON "beneficiaries" ("advisor_id", "sort_key", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_agency_status_sort" ON "beneficiaries" ("agency_id", "status", "sort_key", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_agency_sort" ON "beneficiaries" ("agency_id", "sort_key", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_sort" ON "beneficiaries" ("sort_key", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "timeline_events" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "type" text NOT NULL,
                "summary" text NOT NULL,
                "data" jsonb NOT NULL DEFAULT '{}',
                "actor_id" uuid,
                "sensitive" boolean NOT NULL DEFAULT false,
                CONSTRAINT "pk_timeline_events" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_timeline_events_beneficiary" ON "timeline_events" ("beneficiary_id", "occurred_at", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "outbox_events" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "type" text NOT NULL,
                "resource_type" text NOT NULL,
                "resource_id" uuid NOT NULL,
                "data" jsonb NOT NULL DEFAULT '{}',
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "published_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_outbox_events" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_outbox_events_unpublished" ON "outbox_events" ("occurred_at", "id")
            WHERE "published_at" IS NULL
        `);
        await queryRunner.query(`
            CREATE TABLE "orientations" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "path" text NOT NULL,
                "referent_body" text NOT NULL,
                "decided_on" date NOT NULL,
                "reason" text,
                "ended_on" date,
                "decided_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_orientations_referent_body" CHECK (
                    "referent_body" IN (
                        'departement',
                        'delegate',
                        'france_travail',
                        'mission_locale',
                        'cap_emploi'
                    )
                ),
                CONSTRAINT "ck_orientations_path" CHECK (
                    "path" IN ('professional', 'socio_professional', 'social')
                ),
                CONSTRAINT "pk_orientations" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_orientations_beneficiary" ON "orientations" ("beneficiary_id", "decided_on")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_orientations_current" ON "orientations" ("beneficiary_id")
            WHERE "ended_on" IS NULL
        `);
        await queryRunner.query(`
            CREATE TABLE "reorientation_requests" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "from_orientation_id" uuid,
                "requested_path" text NOT NULL,
                "requested_referent_body" text NOT NULL,
                "reason" text NOT NULL,
                "status" text NOT NULL DEFAULT 'pending',
                "decision_reason" text,
                "requested_by" uuid,
                "decided_by" uuid,
                "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "decided_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "ck_reorientation_requests_decision" CHECK (("status" = 'pending') = ("decided_at" IS NULL)),
                CONSTRAINT "ck_reorientation_requests_referent_body" CHECK (
                    "requested_referent_body" IN (
                        'departement',
                        'delegate',
                        'france_travail',
                        'mission_locale',
                        'cap_emploi'
                    )
                ),
                CONSTRAINT "ck_reorientation_requests_path" CHECK (
                    "requested_path" IN ('professional', 'socio_professional', 'social')
                ),
                CONSTRAINT "ck_reorientation_requests_status" CHECK ("status" IN ('pending', 'accepted', 'denied')),
                CONSTRAINT "pk_reorientation_requests" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_reorientation_requests_beneficiary" ON "reorientation_requests" ("beneficiary_id", "requested_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_reorientation_requests_pending" ON "reorientation_requests" ("beneficiary_id")
            WHERE "status" = 'pending'
        `);
        await queryRunner.query(`
            CREATE TABLE "contracts" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "status" text NOT NULL DEFAULT 'draft',
                "weekly_activity_hours" integer NOT NULL DEFAULT '15',
                "hours_justification" text,
                "action_plan" text NOT NULL DEFAULT '',
                "starts_on" date NOT NULL,
                "ends_on" date,
                "signed_on" date,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "version" integer NOT NULL DEFAULT '1',
                CONSTRAINT "ck_contracts_dates" CHECK (
                    "ends_on" IS NULL
                    OR "ends_on" >= "starts_on"
                ),
                CONSTRAINT "ck_contracts_signed" CHECK (("status" = 'draft') = ("signed_on" IS NULL)),
                CONSTRAINT "ck_contracts_justification" CHECK (
                    "weekly_activity_hours" >= 15
                    OR "hours_justification" IS NOT NULL
                ),
                CONSTRAINT "ck_contracts_hours" CHECK (
                    "weekly_activity_hours" BETWEEN 0 AND 60
                ),
                CONSTRAINT "ck_contracts_status" CHECK ("status" IN ('draft', 'signed', 'ended')),
                CONSTRAINT "pk_contracts" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_contracts_beneficiary" ON "contracts" ("beneficiary_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_contracts_open" ON "contracts" ("beneficiary_id")
            WHERE "status" <> 'ended'
        `);
        await queryRunner.query(`
            CREATE TABLE "beneficiary_assignments" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "beneficiary_id" uuid NOT NULL,
                "advisor_id" uuid NOT NULL,
                "assigned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "ended_at" TIMESTAMP WITH TIME ZONE,
                "assigned_by" uuid,
                CONSTRAINT "pk_beneficiary_assignments" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_beneficiary_assignments_current" ON "beneficiary_assignments" ("beneficiary_id")
            WHERE "ended_at" IS NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiary_assignments_beneficiary" ON "beneficiary_assignments" ("beneficiary_id", "assigned_at")
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiaries"
            ADD CONSTRAINT "fk_beneficiaries_commune" FOREIGN KEY ("commune_code") REFERENCES "communes"("insee_code") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiaries"
            ADD CONSTRAINT "fk_beneficiaries_agency" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiaries"
            ADD CONSTRAINT "fk_beneficiaries_advisor" FOREIGN KEY ("advisor_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "timeline_events"
            ADD CONSTRAINT "fk_timeline_events_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "orientations"
            ADD CONSTRAINT "fk_orientations_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "orientations"
            ADD CONSTRAINT "fk_orientations_decided_by" FOREIGN KEY ("decided_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "reorientation_requests"
            ADD CONSTRAINT "fk_reorientation_requests_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "reorientation_requests"
            ADD CONSTRAINT "fk_reorientation_requests_from" FOREIGN KEY ("from_orientation_id") REFERENCES "orientations"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "reorientation_requests"
            ADD CONSTRAINT "fk_reorientation_requests_requested_by" FOREIGN KEY ("requested_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "reorientation_requests"
            ADD CONSTRAINT "fk_reorientation_requests_decided_by" FOREIGN KEY ("decided_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "contracts"
            ADD CONSTRAINT "fk_contracts_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiary_assignments"
            ADD CONSTRAINT "fk_beneficiary_assignments_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiary_assignments"
            ADD CONSTRAINT "fk_beneficiary_assignments_advisor" FOREIGN KEY ("advisor_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_beneficiaries_search" ON "beneficiaries"
            USING gin ("search_text" gin_trgm_ops)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."ix_beneficiaries_search"`);
        await queryRunner.query(`
            ALTER TABLE "beneficiary_assignments" DROP CONSTRAINT "fk_beneficiary_assignments_advisor"
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiary_assignments" DROP CONSTRAINT "fk_beneficiary_assignments_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "contracts" DROP CONSTRAINT "fk_contracts_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "reorientation_requests" DROP CONSTRAINT "fk_reorientation_requests_decided_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "reorientation_requests" DROP CONSTRAINT "fk_reorientation_requests_requested_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "reorientation_requests" DROP CONSTRAINT "fk_reorientation_requests_from"
        `);
        await queryRunner.query(`
            ALTER TABLE "reorientation_requests" DROP CONSTRAINT "fk_reorientation_requests_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "orientations" DROP CONSTRAINT "fk_orientations_decided_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "orientations" DROP CONSTRAINT "fk_orientations_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "timeline_events" DROP CONSTRAINT "fk_timeline_events_beneficiary"
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiaries" DROP CONSTRAINT "fk_beneficiaries_advisor"
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiaries" DROP CONSTRAINT "fk_beneficiaries_agency"
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiaries" DROP CONSTRAINT "fk_beneficiaries_commune"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiary_assignments_beneficiary"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_beneficiary_assignments_current"
        `);
        await queryRunner.query(`
            DROP TABLE "beneficiary_assignments"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_contracts_open"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_contracts_beneficiary"
        `);
        await queryRunner.query(`
            DROP TABLE "contracts"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_reorientation_requests_pending"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_reorientation_requests_beneficiary"
        `);
        await queryRunner.query(`
            DROP TABLE "reorientation_requests"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_orientations_current"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_orientations_beneficiary"
        `);
        await queryRunner.query(`
            DROP TABLE "orientations"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_outbox_events_unpublished"
        `);
        await queryRunner.query(`
            DROP TABLE "outbox_events"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_timeline_events_beneficiary"
        `);
        await queryRunner.query(`
            DROP TABLE "timeline_events"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiaries_sort"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiaries_agency_sort"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiaries_agency_status_sort"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiaries_advisor_sort"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiaries_agency_due"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiaries_advisor_due"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiaries_commune_sort"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiaries_france_travail_id"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_beneficiaries_nir_hash"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_beneficiaries_caf_birth"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_beneficiaries_retention"
        `);
        await queryRunner.query(`
            DROP TABLE "beneficiaries"
        `);
    }

}
