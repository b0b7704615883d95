/** DI token of the served configuration's `PerformanceProfile`. */
export const PROFILE = Symbol('PROFILE');
