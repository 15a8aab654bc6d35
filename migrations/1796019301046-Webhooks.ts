import { MigrationInterface, QueryRunner } from "typeorm";

export class Webhooks1796019301046 implements MigrationInterface {
    name = 'Webhooks1796019301046'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "webhook_endpoints" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "url" text NOT NULL,
                "event_types" text array NOT NULL,
                "description" text,
                "enabled" boolean NOT NULL DEFAULT true,
                "disabled_reason" text,
                "secret_encrypted" text NOT NULL,
                "previous_secret_encrypted" text,
                "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_webhook_endpoints_url" CHECK ("url" ~ '^https?://'),
                CONSTRAINT "pk_webhook_endpoints" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "webhook_inbox" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "source" text NOT NULL DEFAULT 'france_travail',
                "webhook_id" text NOT NULL,
                "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "event_type" text,
                "status" text NOT NULL,
                "payload" jsonb,
                "body_encrypted" text,
                "error" text,
                "attempts" integer NOT NULL DEFAULT '0',
                "next_attempt_at" TIMESTAMP WITH TIME ZONE DEFAULT now(),
                "beneficiary_id" uuid,
                "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "processed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "ck_webhook_inbox_source" CHECK ("source" IN ('france_travail')),
                CONSTRAINT "ck_webhook_inbox_status" CHECK (
                    "status" IN (
                        'received',
                        'processed',
                        'unmatched',
                        'rejected',
                        'failed'
                    )
                ),
                CONSTRAINT "pk_webhook_inbox" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_webhook_inbox_due" ON "webhook_inbox" ("next_attempt_at")
            WHERE "status" = 'received'
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_webhook_inbox_status" ON "webhook_inbox" ("status", "received_at", "id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_webhook_inbox_message" ON "webhook_inbox" ("source", "webhook_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "webhook_deliveries" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "endpoint_id" uuid NOT NULL,
                "event_id" uuid,
                "message_id" text NOT NULL,
                "event_type" text NOT NULL,
                "payload" jsonb NOT NULL,
                "status" text NOT NULL DEFAULT 'pending',
                "attempts" integer NOT NULL DEFAULT '0',
                "round_start" integer NOT NULL DEFAULT '0',
                "next_attempt_at" TIMESTAMP WITH TIME ZONE DEFAULT now(),
                "last_attempt_at" TIMESTAMP WITH TIME ZONE,
                "last_response_code" integer,
                "last_error" text,
                "delivered_at" TIMESTAMP WITH TIME ZONE,
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "ck_webhook_deliveries_status" CHECK (
                    "status" IN ('pending', 'sending', 'delivered', 'failed')
                ),
                CONSTRAINT "pk_webhook_deliveries" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at")
            WHERE "status" IN ('pending', 'sending')
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_webhook_deliveries_endpoint" ON "webhook_deliveries" ("endpoint_id", "created_at", "id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_webhook_deliveries_event" ON "webhook_deliveries" ("endpoint_id", "event_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "webhook_delivery_attempts" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "delivery_id" uuid NOT NULL,
                "attempt" integer NOT NULL,
                "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "response_code" integer,
                "error" text,
                "duration_ms" integer NOT NULL,
                CONSTRAINT "pk_webhook_delivery_attempts" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_webhook_delivery_attempts_delivery" ON "webhook_delivery_attempts" ("delivery_id", "attempt")
        `);
        await queryRunner.query(`
            ALTER TABLE "webhook_inbox"
            ADD CONSTRAINT "fk_webhook_inbox_beneficiary" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "webhook_deliveries"
            ADD CONSTRAINT "fk_webhook_deliveries_endpoint" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "webhook_delivery_attempts"
            ADD CONSTRAINT "fk_webhook_delivery_attempts_delivery" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "webhook_delivery_attempts" DROP CONSTRAINT "fk_webhook_delivery_attempts_delivery"
        `);
        await queryRunner.query(`
            ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_endpoint"
        `);
        await queryRunner.query(`
            ALTER TABLE "webhook_inbox" DROP CONSTRAINT "fk_webhook_inbox_beneficiary"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_delivery_attempts_delivery"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_delivery_attempts"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_webhook_deliveries_event"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_deliveries_endpoint"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_deliveries_due"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_deliveries"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_webhook_inbox_message"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_inbox_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_inbox_due"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_inbox"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_endpoints"
        `);
    }

}
