export * from './normalise';
export * from './phonetic';
export * from './similarity';
export * from './profile';
export * from './compare';
export * from './model';
export * from './blocking';
export * from './cluster';
