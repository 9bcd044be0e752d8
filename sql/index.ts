export * from './ddl';
export * from './dialect';
export * from './tables';
export * from './warehouse';
export * from './warehouse-errors';
