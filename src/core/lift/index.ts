// The lift core (docs/lifts.md, docs/protocol.md §Lifts): wire types and schemas, lading and fees, per-session
// ids, records, promises, the referee's rules, decisions and fraud proofs, and route plans.
export * from './types'
export * from './errors'
export * from './schema'
export { edgeLading } from './lading'
export { clutchFee, legUnits, routeFee } from './fees'
export { linkNonce, targetToken, liftChitId, sessionSecret, refereeSecret } from './ids'
export { recordHash, checkLiftRecord, signLiftRecord, verifyLiftRecord, type VerifyRecordOptions } from './record'
export { signLiftPromise, verifyLiftPromise, promisedLegs, promisesComplete } from './promise'
export { type RefereeEntry, type RefereeStep, refereeStep, refereeRequestLift } from './referee'
export { verifiedDecisions, findFraud, decisionOutcome } from './fraud'
export {
  type CircularPick, type LinearPick, planKeys, hasLoop, bottleneck, comparePlans, bestPlans, pickCircular, linearOptions,
  pickLinear, chooseLinear, recordLegs
} from './plan'
