import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Accounts, agencies, providers, API clients, refresh tokens, rate limits, the
 * append-only audit log, and the ROME codes of the construction pathway
 * (docs/reference-data/rome-construction.csv).
 */
export class IdentityAndAccess1795314283743 implements MigrationInterface {
    name = 'IdentityAndAccess1795314283743'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "agencies" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "code" text NOT NULL,
                "name" text NOT NULL,
                "address" text,
                "email" text,
                "phone" text,
                "active" boolean NOT NULL DEFAULT true,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "version" integer NOT NULL DEFAULT '1',
                CONSTRAINT "pk_agencies" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_agencies_code" ON "agencies" ("code")
        `);
        await queryRunner.query(`
            CREATE TABLE "providers" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" text NOT NULL,
                "siret" character(14) NOT NULL,
                "commune_code" character(5) NOT NULL,
                "email" text,
                "active" boolean NOT NULL DEFAULT true,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_providers" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_providers_siret" ON "providers" ("siret")
        `);
        await queryRunner.query(`
            CREATE TABLE "users" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "email" text NOT NULL,
                "password_hash" text NOT NULL,
                "role" text NOT NULL,
                "first_name" text NOT NULL,
                "last_name" text NOT NULL,
                "agency_id" uuid,
                "provider_id" uuid,
                "caseload_capacity" integer NOT NULL DEFAULT '60',
                "active" boolean NOT NULL DEFAULT true,
                "last_login_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_users_caseload_capacity" CHECK ("caseload_capacity" >= 0),
                CONSTRAINT "ck_users_provider" CHECK (
                    ("role" = 'provider') = ("provider_id" IS NOT NULL)
                ),
                CONSTRAINT "ck_users_agency" CHECK (
                    ("role" IN ('agency_manager', 'advisor')) = ("agency_id" IS NOT NULL)
                ),
                CONSTRAINT "ck_users_role" CHECK (
                    "role" IN (
                        'admin',
                        'agency_manager',
                        'advisor',
                        'provider',
                        'analyst'
                    )
                ),
                CONSTRAINT "pk_users" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_users_agency_role" ON "users" ("agency_id", "role", "last_name", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "rome_codes" (
                "code" character(5) NOT NULL,
                "label" text NOT NULL,
                CONSTRAINT "pk_rome_codes" PRIMARY KEY ("code")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "refresh_tokens" (
                "id" uuid NOT NULL,
                "user_id" uuid NOT NULL,
                "family_id" uuid NOT NULL,
                "token_hash" character(64) NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "rotated_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_refresh_tokens" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_refresh_tokens_user" ON "refresh_tokens" ("user_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_refresh_tokens_family" ON "refresh_tokens" ("family_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "rate_limits" (
                "key" text NOT NULL,
                "hits" integer NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "blocked_until" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_rate_limits" PRIMARY KEY ("key")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "audit_events" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "actor_type" text NOT NULL,
                "actor_id" uuid,
                "actor_role" text,
                "action" text NOT NULL,
                "resource_type" text NOT NULL,
                "resource_id" text,
                "request_id" text,
                "ip" inet,
                "details" jsonb NOT NULL DEFAULT '{}',
                CONSTRAINT "ck_audit_events_actor_type" CHECK (
                    "actor_type" IN ('user', 'client', 'system', 'anonymous')
                ),
                CONSTRAINT "pk_audit_events" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_audit_events_resource" ON "audit_events" (
                "resource_type",
                "resource_id",
                "occurred_at",
                "id"
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_audit_events_actor" ON "audit_events" ("actor_id", "occurred_at", "id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_audit_events_time" ON "audit_events" ("occurred_at", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "api_clients" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "client_id" text NOT NULL,
                "name" text NOT NULL,
                "secret_hash" text NOT NULL,
                "scopes" text array NOT NULL DEFAULT '{}',
                "active" boolean NOT NULL DEFAULT true,
                "last_used_at" TIMESTAMP WITH TIME ZONE,
                "secret_rotated_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_api_clients" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_api_clients_client_id" ON "api_clients" ("client_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "agency_communes" (
                "commune_code" character(5) NOT NULL,
                "agency_id" uuid NOT NULL,
                CONSTRAINT "pk_agency_communes" PRIMARY KEY ("commune_code")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_agency_communes_agency" ON "agency_communes" ("agency_id")
        `);
        await queryRunner.query(`
            ALTER TABLE "providers"
            ADD CONSTRAINT "fk_providers_commune" FOREIGN KEY ("commune_code") REFERENCES "communes"("insee_code") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "users"
            ADD CONSTRAINT "fk_users_agency" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "users"
            ADD CONSTRAINT "fk_users_provider" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "refresh_tokens"
            ADD CONSTRAINT "fk_refresh_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "agency_communes"
            ADD CONSTRAINT "fk_agency_communes_commune" FOREIGN KEY ("commune_code") REFERENCES "communes"("insee_code") ON DELETE NO ACTION ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "agency_communes"
            ADD CONSTRAINT "fk_agency_communes_agency" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        // The audit log is append-only: only the retention purge (which sets
        // parcours.audit_purge in its own transaction) may delete rows.
        await queryRunner.query(`
            CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND current_setting('parcours.audit_purge', true) = 'on' THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
            END
            $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER "tr_audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
            FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"()
        `);
        await queryRunner.query(`
            CREATE TRIGGER "tr_audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
            FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"()
        `);
        await queryRunner.query(`
            INSERT INTO "rome_codes" ("code", "label") VALUES
                ('F1104', 'Dessin BTP et paysage'),
                ('F1106', 'Ingénierie et études du BTP'),
                ('F1108', 'Métré de la construction'),
                ('F1201', 'Conduite de travaux du BTP et de travaux paysagers'),
                ('F1202', 'Direction de chantier du BTP'),
                ('F1204', 'Qualité Sécurité Environnement et protection santé du BTP'),
                ('F1301', 'Conduite de grue'),
                ('F1302', 'Conduite d''engins de terrassement et de carrière'),
                ('F1501', 'Montage de structures et de charpentes bois'),
                ('F1502', 'Montage de structures métalliques'),
                ('F1503', 'Réalisation - installation d''ossatures bois'),
                ('F1601', 'Application et décoration en plâtre, stuc et staff'),
                ('F1602', 'Électricité bâtiment'),
                ('F1603', 'Installation d''équipements sanitaires et thermiques'),
                ('F1604', 'Montage d''agencements'),
                ('F1606', 'Peinture en bâtiment'),
                ('F1607', 'Pose de fermetures menuisées'),
                ('F1608', 'Pose de revêtements rigides'),
                ('F1609', 'Pose de revêtements souples'),
                ('F1610', 'Pose et restauration de couvertures'),
                ('F1611', 'Réalisation et restauration de façades'),
                ('F1613', 'Travaux d''étanchéité et d''isolation'),
                ('F1701', 'Construction en béton'),
                ('F1702', 'Construction de routes et voies'),
                ('F1703', 'Maçonnerie'),
                ('F1704', 'Préparation du gros oeuvre et des travaux publics'),
                ('F1705', 'Pose de canalisations'),
                ('F1706', 'Préfabrication en béton industriel')
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "tr_audit_events_no_truncate" ON "audit_events"`);
        await queryRunner.query(`DROP TRIGGER "tr_audit_events_append_only" ON "audit_events"`);
        await queryRunner.query(`DROP FUNCTION "audit_events_append_only"()`);
        await queryRunner.query(`
            ALTER TABLE "agency_communes" DROP CONSTRAINT "fk_agency_communes_agency"
        `);
        await queryRunner.query(`
            ALTER TABLE "agency_communes" DROP CONSTRAINT "fk_agency_communes_commune"
        `);
        await queryRunner.query(`
            ALTER TABLE "refresh_tokens" DROP CONSTRAINT "fk_refresh_tokens_user"
        `);
        await queryRunner.query(`
            ALTER TABLE "users" DROP CONSTRAINT "fk_users_provider"
        `);
        await queryRunner.query(`
            ALTER TABLE "users" DROP CONSTRAINT "fk_users_agency"
        `);
        await queryRunner.query(`
            ALTER TABLE "providers" DROP CONSTRAINT "fk_providers_commune"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_agency_communes_agency"
        `);
        await queryRunner.query(`
            DROP TABLE "agency_communes"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_api_clients_client_id"
        `);
        await queryRunner.query(`
            DROP TABLE "api_clients"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_audit_events_time"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_audit_events_actor"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_audit_events_resource"
        `);
        await queryRunner.query(`
            DROP TABLE "audit_events"
        `);
        await queryRunner.query(`
            DROP TABLE "rate_limits"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_refresh_tokens_family"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_refresh_tokens_user"
        `);
        await queryRunner.query(`
            DROP TABLE "refresh_tokens"
        `);
        await queryRunner.query(`
            DROP TABLE "rome_codes"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_users_agency_role"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_users_email"
        `);
        await queryRunner.query(`
            DROP TABLE "users"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_providers_siret"
        `);
        await queryRunner.query(`
            DROP TABLE "providers"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_agencies_code"
        `);
        await queryRunner.query(`
            DROP TABLE "agencies"
        `);
    }

}
