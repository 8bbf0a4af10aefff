import { ApiProperty } from '@nestjs/swagger';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ALL_SCOPES } from '../../access/scopes';

export class ApiClientDto {
  /** @example "fge-cdmx-sicap" */
  clientId!: string;
  /** Code of the agency the client belongs to. */
  agency!: string;
  name!: string;
  @ApiProperty({ enum: ALL_SCOPES, isArray: true })
  scopes!: string[];
  createdAt!: string;
  @ApiProperty({ type: String, nullable: true })
  revokedAt!: string | null;
  @ApiProperty({ type: String, nullable: true })
  lastUsedAt!: string | null;
}

/** Returned once, at creation and rotation: the secret is not stored in clear and cannot be shown again. */
export class ApiClientCredentialsDto extends ApiClientDto {
  clientSecret!: string;
  /** After a rotation, until when the previous secret still works. */
  @ApiProperty({ type: String, nullable: true })
  previousSecretExpiresAt!: string | null;
}

export class CreateApiClientDto {
  /** Agency code. @example "fge-cdmx" */
  @IsString()
  agency!: string;
  /** Human name of the integration. @example "SICAP integration" */
  @IsString()
  @Length(2, 200)
  name!: string;
  @ApiProperty({ enum: ALL_SCOPES, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(ALL_SCOPES, { each: true, context: { allowed: ALL_SCOPES } })
  scopes!: string[];
}

export class RotateApiClientDto {
  /** Seconds the previous secret keeps working (0 = revoke it now). Default 86400. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 86400)
  graceSeconds?: number;
}
