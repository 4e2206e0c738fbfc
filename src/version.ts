/**
 * @module
 * The gateway's release. Kept in step with package.json by test/version.test.ts; the commit sha comes from
 * the runtime (EDGEFAAS_BUILD_SHA, or git on Node).
 */
export const RELEASE = '0.1.0'
