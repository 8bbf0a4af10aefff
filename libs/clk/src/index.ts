export * from './clk';
export * from './lsh';
export * from './clk-validation';
export * from './encode-csv';
