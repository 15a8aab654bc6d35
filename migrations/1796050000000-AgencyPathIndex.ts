import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The list of an agency filtered by orientation path, in name order, from one index (it was
 * the agency's index with the path as a filter). Oriented cases only: people still to orient,
 * every imported one among them, have no path and cost no entry.
 */
export class AgencyPathIndex1796050000000 implements MigrationInterface {
    name = 'AgencyPathIndex1796050000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "ix_beneficiaries_agency_path_sort" ON "beneficiaries" ("agency_id", "orientation_path", "sort_key", "id") WHERE "orientation_path" IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."ix_beneficiaries_agency_path_sort"`);
    }
}
