export { BenchmarksModule } from './benchmarks.module';
export { PROFILE } from './profile.token';
export { resolveProfile, listKnownModels, listKnownGpus } from './resolve-profile';
export type { ResolvedProfile } from './resolve-profile';
export { CatalogError, UnknownModelError, UnknownGpuError, InsufficientMemoryError } from './catalog-errors';
export * from './profile.types';
