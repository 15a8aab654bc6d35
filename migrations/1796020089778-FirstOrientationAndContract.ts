import { MigrationInterface, QueryRunner } from "typeorm";

export class FirstOrientationAndContract1796020089778 implements MigrationInterface {
    name = 'FirstOrientationAndContract1796020089778'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "beneficiaries"
            ADD "first_oriented_on" date
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiaries"
            ADD "first_contract_signed_on" date
        `);
        // Written by hand: the first dates are kept by triggers on the history tables,
        // so that every path (services, imports, integrations, retention) keeps them.
        await queryRunner.query(`
            UPDATE "beneficiaries" b SET "first_oriented_on" = o.day
              FROM (SELECT "beneficiary_id", min("decided_on") AS day FROM "orientations" GROUP BY 1) o
             WHERE o."beneficiary_id" = b."id"
        `);
        await queryRunner.query(`
            UPDATE "beneficiaries" b SET "first_contract_signed_on" = c.day
              FROM (SELECT "beneficiary_id", min("signed_on") AS day FROM "contracts" WHERE "signed_on" IS NOT NULL GROUP BY 1) c
             WHERE c."beneficiary_id" = b."id"
        `);
        await queryRunner.query(`
            CREATE FUNCTION "beneficiaries_first_oriented_on"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE "beneficiaries" SET "first_oriented_on" = NEW."decided_on"
                 WHERE "id" = NEW."beneficiary_id" AND ("first_oriented_on" IS NULL OR "first_oriented_on" > NEW."decided_on");
                RETURN NULL;
            END $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER "tr_orientations_first" AFTER INSERT OR UPDATE OF "decided_on" ON "orientations"
            FOR EACH ROW EXECUTE FUNCTION "beneficiaries_first_oriented_on"()
        `);
        await queryRunner.query(`
            CREATE FUNCTION "beneficiaries_first_contract_signed_on"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE "beneficiaries" SET "first_contract_signed_on" = NEW."signed_on"
                 WHERE "id" = NEW."beneficiary_id" AND NEW."signed_on" IS NOT NULL
                   AND ("first_contract_signed_on" IS NULL OR "first_contract_signed_on" > NEW."signed_on");
                RETURN NULL;
            END $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER "tr_contracts_first_signed" AFTER INSERT OR UPDATE OF "signed_on" ON "contracts"
            FOR EACH ROW EXECUTE FUNCTION "beneficiaries_first_contract_signed_on"()
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "tr_contracts_first_signed" ON "contracts"`);
        await queryRunner.query(`DROP FUNCTION "beneficiaries_first_contract_signed_on"()`);
        await queryRunner.query(`DROP TRIGGER "tr_orientations_first" ON "orientations"`);
        await queryRunner.query(`DROP FUNCTION "beneficiaries_first_oriented_on"()`);
        await queryRunner.query(`
            ALTER TABLE "beneficiaries" DROP COLUMN "first_contract_signed_on"
        `);
        await queryRunner.query(`
            ALTER TABLE "beneficiaries" DROP COLUMN "first_oriented_on"
        `);
    }

}
