import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';

export class ListCommunesQueryDto extends PaginationQueryDto {
  /** Only communes of this EPT. @example "T6" */
  @IsOptional()
  @IsString()
  @Matches(/^T\d{1,2}$/, { message: 'eptCode must look like T6' })
  @MaxLength(3)
  eptCode?: string;

  /** Only active (true) or merged (false) communes. */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}
