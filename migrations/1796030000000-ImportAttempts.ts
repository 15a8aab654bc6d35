import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * How many times an import was started. An import left `running` by a process that
 * died is queued again, up to a limit: a file that kills its process each time fails
 * instead of taking the instances down one after the other.
 */
export class ImportAttempts1796030000000 implements MigrationInterface {
    name = 'ImportAttempts1796030000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "beneficiary_imports" ADD "attempts" integer NOT NULL DEFAULT 0`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "beneficiary_imports" DROP COLUMN "attempts"`);
    }
}
