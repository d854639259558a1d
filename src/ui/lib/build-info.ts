// The build id (git commit + build time, or MYCHIPS_BUILD_ID), set by vite.config.ts. Shown in the
// update prompt and in settings so the user can tell which code they run (DESIGN.md §6).
declare const __MYCHIPS_BUILD_ID__: string

export const BUILD_ID: string = typeof __MYCHIPS_BUILD_ID__ === 'string' ? __MYCHIPS_BUILD_ID__ : 'dev'
