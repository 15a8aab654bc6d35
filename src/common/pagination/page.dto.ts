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
export function ApiPageResponse<TModel extends Type<unknown>>(model: TModel, description?: string) {
  return applyDecorators(
    ApiExtraModels(PageInfoDto, model),
    ApiOkResponse({
      description: description ?? `A page of ${model.name.replace(/Dto$/, '')}`,
      schema: {
        type: 'object',
        required: ['data', 'page'],
        properties: {
          // `?limit=` is at most MAX_PAGE_SIZE (validated), so is a page.
          data: { type: 'array', maxItems: MAX_PAGE_SIZE, items: { $ref: getSchemaPath(model) } },
          page: { $ref: getSchemaPath(PageInfoDto) },
        },
      },
    }),
  );
}
