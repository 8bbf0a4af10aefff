import { AgencyEntity, AgencyVersionEntity } from './agencies/agency.entity';
import { ApiClientEntity } from './clients/api-client.entity';
import { SigningKeyEntity } from './tokens/signing-key.entity';

export const AUTH_ENTITIES = [AgencyEntity, AgencyVersionEntity, ApiClientEntity, SigningKeyEntity];
