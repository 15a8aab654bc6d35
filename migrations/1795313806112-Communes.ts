import { MigrationInterface, QueryRunner } from 'typeorm';

/** The communes of Seine-Saint-Denis and their EPT (docs/reference-data/communes-93.csv). */
export class Communes1795313806112 implements MigrationInterface {
  name = 'Communes1795313806112';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "communes" (
        "insee_code" character(5) NOT NULL,
        "name" text NOT NULL,
        "ept_code" text NOT NULL,
        "ept_name" text NOT NULL,
        "active" boolean NOT NULL DEFAULT true,
        CONSTRAINT "pk_communes" PRIMARY KEY ("insee_code")
      )`);
    await queryRunner.query(`
      INSERT INTO "communes" ("insee_code", "name", "ept_code", "ept_name", "active") VALUES
      ('93001', 'Aubervilliers', 'T6', 'Plaine Commune', true),
      ('93005', 'Aulnay-sous-Bois', 'T7', 'Paris Terres d''Envol', true),
      ('93006', 'Bagnolet', 'T8', 'Est Ensemble', true),
      ('93007', 'Le Blanc-Mesnil', 'T7', 'Paris Terres d''Envol', true),
      ('93008', 'Bobigny', 'T8', 'Est Ensemble', true),
      ('93010', 'Bondy', 'T8', 'Est Ensemble', true),
      ('93013', 'Le Bourget', 'T7', 'Paris Terres d''Envol', true),
      ('93014', 'Clichy-sous-Bois', 'T9', 'Grand Paris Grand Est', true),
      ('93015', 'Coubron', 'T9', 'Grand Paris Grand Est', true),
      ('93027', 'La Courneuve', 'T6', 'Plaine Commune', true),
      ('93029', 'Drancy', 'T7', 'Paris Terres d''Envol', true),
      ('93030', 'Dugny', 'T7', 'Paris Terres d''Envol', true),
      ('93031', 'Épinay-sur-Seine', 'T6', 'Plaine Commune', true),
      ('93032', 'Gagny', 'T9', 'Grand Paris Grand Est', true),
      ('93033', 'Gournay-sur-Marne', 'T9', 'Grand Paris Grand Est', true),
      ('93039', 'L''Île-Saint-Denis', 'T6', 'Plaine Commune', true),
      ('93045', 'Les Lilas', 'T8', 'Est Ensemble', true),
      ('93046', 'Livry-Gargan', 'T9', 'Grand Paris Grand Est', true),
      ('93047', 'Montfermeil', 'T9', 'Grand Paris Grand Est', true),
      ('93048', 'Montreuil', 'T8', 'Est Ensemble', true),
      ('93049', 'Neuilly-Plaisance', 'T9', 'Grand Paris Grand Est', true),
      ('93050', 'Neuilly-sur-Marne', 'T9', 'Grand Paris Grand Est', true),
      ('93051', 'Noisy-le-Grand', 'T9', 'Grand Paris Grand Est', true),
      ('93053', 'Noisy-le-Sec', 'T8', 'Est Ensemble', true),
      ('93055', 'Pantin', 'T8', 'Est Ensemble', true),
      ('93057', 'Les Pavillons-sous-Bois', 'T9', 'Grand Paris Grand Est', true),
      ('93059', 'Pierrefitte-sur-Seine', 'T6', 'Plaine Commune', false),
      ('93061', 'Le Pré-Saint-Gervais', 'T8', 'Est Ensemble', true),
      ('93062', 'Le Raincy', 'T9', 'Grand Paris Grand Est', true),
      ('93063', 'Romainville', 'T8', 'Est Ensemble', true),
      ('93064', 'Rosny-sous-Bois', 'T9', 'Grand Paris Grand Est', true),
      ('93066', 'Saint-Denis', 'T6', 'Plaine Commune', true),
      ('93070', 'Saint-Ouen-sur-Seine', 'T6', 'Plaine Commune', true),
      ('93071', 'Sevran', 'T7', 'Paris Terres d''Envol', true),
      ('93072', 'Stains', 'T6', 'Plaine Commune', true),
      ('93073', 'Tremblay-en-France', 'T7', 'Paris Terres d''Envol', true),
      ('93074', 'Vaujours', 'T9', 'Grand Paris Grand Est', true),
      ('93077', 'Villemomble', 'T9', 'Grand Paris Grand Est', true),
      ('93078', 'Villepinte', 'T7', 'Paris Terres d''Envol', true),
      ('93079', 'Villetaneuse', 'T6', 'Plaine Commune', true)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "communes"`);
  }
}
