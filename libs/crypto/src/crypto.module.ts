import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FIELD_CIPHER, FieldCipher } from './field-cipher';
import { loadFieldCipher } from './key-material';
import { KeyRotationService } from './key-rotation.service';

@Global()
@Module({
  providers: [
    {
      provide: FIELD_CIPHER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): FieldCipher =>
        loadFieldCipher({ fieldKeys: config.fieldKeys, blindIndexKey: config.blindIndexKey, keysDir: config.keysDir, production: config.nodeEnv === 'production' }),
    },
    KeyRotationService,
  ],
  exports: [FIELD_CIPHER, KeyRotationService],
})
export class CryptoModule {}
