import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FIELD_CIPHER, FieldCipher } from './field-cipher';
import { loadFieldCipher } from './key-material';

@Global()
@Module({
  providers: [
    {
      provide: FIELD_CIPHER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): FieldCipher =>
        loadFieldCipher({ fieldKeys: config.fieldKeys, blindIndexKey: config.blindIndexKey, keysDir: config.keysDir, production: config.nodeEnv === 'production' }),
    },
  ],
  exports: [FIELD_CIPHER],
})
export class CryptoModule {}
