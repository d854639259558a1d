// The lift API is reachable from the curated core index (what the node services and the UI import).
import { describe, expect, it } from 'vitest'
import * as core from '../../../../src/core/index'

const API = [
  'refereeStep', 'refereeRequestLift', 'verifyLiftRecord', 'signLiftRecord', 'checkLiftRecord', 'recordHash', 'signLiftPromise', 'verifyLiftPromise',
  'promisesComplete', 'promisedLegs', 'findFraud', 'decisionOutcome', 'verifiedDecisions', 'bestPlans', 'comparePlans', 'bottleneck', 'pickCircular',
  'pickLinear', 'linearOptions', 'chooseLinear', 'recordLegs', 'planKeys', 'hasLoop', 'parseLiftWire', 'decodeLiftJson', 'signedSchema',
  'RouteQuerySchema', 'RouteAnswerSchema', 'RoutePlanSchema', 'LiftRecordBodySchema', 'LiftRecordSchema', 'LiftPromiseBodySchema', 'LiftPromiseSchema',
  'LiftDecisionSchema', 'LiftMessageSchema', 'RefereeRequestSchema', 'RefereeAnswerSchema', 'FraudProofSchema', 'NoRouteError', 'LiftExpiredError',
  'LiftTooLongError', 'RefereeNotNamedError', 'RecordMismatchError', 'FeeTooHighError', 'RefereesRefusedError', 'EvenRefereesError',
  'InvalidLiftRecordError', 'InvalidRefusalError', 'edgeLading', 'legUnits', 'clutchFee', 'routeFee', 'linkNonce', 'targetToken', 'liftChitId',
  'sessionSecret', 'refereeSecret', 'LIFT_RECORD_TYPE', 'LIFT_PROMISE_TYPE', 'MAX_HOPS', 'MAX_PLANS', 'MAX_DECISIONS', 'MAX_LIFT_MESSAGE_BYTES'
]

describe('core index: lifts', () => {
  it('exports the whole lift API', () => {
    expect(API.filter(n => !(n in core))).toEqual([])
  })

  it('lift errors carry their stable codes', () => {
    expect(new core.NoRouteError().code).toBe('NO_ROUTE')
    expect(new core.FeeTooHighError(3, 2).code).toBe('FEE_TOO_HIGH')
    expect(new core.LiftExpiredError('x').code).toBe('LIFT_EXPIRED')
    expect(new core.RefereesRefusedError().code).toBe('REFEREES_REFUSED')
    expect(new core.RefereeNotNamedError('x', 'k').code).toBe('REFEREE_NOT_NAMED')
    expect(new core.RecordMismatchError('m').code).toBe('RECORD_MISMATCH')
    expect(new core.EvenRefereesError(2).code).toBe('EVEN_REFEREES')
    expect(new core.InvalidLiftRecordError('m').code).toBe('INVALID_LIFT_RECORD')
    expect(new core.InvalidRefusalError('m').code).toBe('INVALID_REFUSAL')
    expect(new core.LiftTooLongError('x', 2, 1).code).toBe('LIFT_TOO_LONG')
    expect(core.isChipsError(new core.NoRouteError())).toBe(true)
  })
})
