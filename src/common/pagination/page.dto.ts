import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { MAX_PAGE_SIZE } from './pagination';

export class PageInfoDto {
  @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next page, or null on the last page.' })
  nextCursor!: string | null;

  @ApiProperty()
  hasNextPage!: boolean;
}

/** Documents a `{ data: [Model], page: { nextCursor, hasNextPage } }` response. */
export function ApiPageResponse<TModel extends Type<unknown>>(model: TModel | TModel[], description?: string) {
  const models = Array.isArray(model) ? model : [model];
  const items = models.length === 1 ? { $ref: getSchemaPath(models[0]) } : { oneOf: models.map((m) => ({ $ref: getSchemaPath(m) })) };
  return applyDecorators(
    ApiExtraModels(PageInfoDto, ...models),
    ApiOkResponse({
      description: description ?? `A page of ${models.map((m) => m.name.replace(/Dto$/, '')).join(' or ')}`,
      schema: {
        type: 'object',
        required: ['data', 'page'],
        properties: {
          // `?limit=` is at most MAX_PAGE_SIZE (validated), so is a page.
          data: { type: 'array', maxItems: MAX_PAGE_SIZE, items },
          page: { $ref: getSchemaPath(PageInfoDto) },
        },
      },
    }),
  );
}
