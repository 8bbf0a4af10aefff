export * from './problem.dto';
export * from './problem.exception';
export * from './problem.filter';
export * from './validation';
export * from './logger';
export * from './pagination.dto';
