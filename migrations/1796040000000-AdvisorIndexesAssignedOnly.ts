import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The two advisor indexes of `beneficiaries` hold assigned cases only. New people (an import
 * brings tens of thousands) arrive unassigned: they no longer cost an entry in each, and no
 * query looks up a NULL advisor through them (`advisor_id = $1` implies NOT NULL).
 * TypeORM does not compare an index's WHERE clause, hence a migration written by hand.
 */
export class AdvisorIndexesAssignedOnly1796040000000 implements MigrationInterface {
    name = 'AdvisorIndexesAssignedOnly1796040000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."ix_beneficiaries_advisor_sort"`);
        await queryRunner.query(`DROP INDEX "public"."ix_beneficiaries_advisor_due"`);
        await queryRunner.query(`CREATE INDEX "ix_beneficiaries_advisor_sort" ON "beneficiaries" ("advisor_id", "sort_key", "id") WHERE "advisor_id" IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "ix_beneficiaries_advisor_due" ON "beneficiaries" ("advisor_id", "next_due_on") WHERE "advisor_id" IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."ix_beneficiaries_advisor_due"`);
        await queryRunner.query(`DROP INDEX "public"."ix_beneficiaries_advisor_sort"`);
        await queryRunner.query(`CREATE INDEX "ix_beneficiaries_advisor_due" ON "beneficiaries" ("advisor_id", "next_due_on") `);
        await queryRunner.query(`CREATE INDEX "ix_beneficiaries_advisor_sort" ON "beneficiaries" ("advisor_id", "sort_key", "id") `);
    }
}
