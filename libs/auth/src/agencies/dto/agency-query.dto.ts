import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '@app/http';
import { AGENCY_KINDS } from './agency.dto';

export class AgencyListQueryDto extends PageQueryDto {
  @ApiProperty({ enum: AGENCY_KINDS, required: false })
  @IsOptional()
  @IsIn(AGENCY_KINDS, { context: { allowed: AGENCY_KINDS } })
  kind?: string;

  /** INEGI state code or FED. */
  @IsOptional()
  @Matches(/^(0[1-9]|[12][0-9]|3[0-2]|FED)$/)
  jurisdiction?: string;

  /** true or false. */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}
