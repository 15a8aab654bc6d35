import { getMetadataStorage } from 'class-validator';
import { AppModule } from '../../app.module';

describe('SyncValidationPipe', () => {
  it('is sound only while no constraint of the API is asynchronous (validateSync skips those)', () => {
    // Loading the application module loads every DTO and custom constraint.
    expect(AppModule).toBeDefined();
    const storage = getMetadataStorage() as unknown as { constraintMetadatas: Map<unknown, { async: boolean; name?: string }[]> };
    const constraints = [...storage.constraintMetadatas.values()].flat();
    expect(constraints.length).toBeGreaterThan(0);
    expect(constraints.filter((c) => c.async).map((c) => c.name)).toEqual([]);
  });
});
