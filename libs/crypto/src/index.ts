export * from './field-cipher';
export * from './key-material';
export * from './crypto.module';
export * from './password';
export * from './key-rotation.service';
