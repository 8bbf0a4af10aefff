export * from './catalog-registry';
