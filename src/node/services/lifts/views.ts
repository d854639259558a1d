// Plain-data views of a lift for the UI (api.ts LiftView): what it does to each of my tallies.
import { liftChitId } from '../../../core/lift/ids'
import type { LiftEffectView, LiftView } from '../../api'
import type { LiftLocal } from './records'

export async function liftView (lift: LiftLocal, partnerName?: (tally: string) => Promise<string | undefined>): Promise<LiftView> {
  const status = lift.status
  const effectStatus = status === 'good' ? 'good' : status === 'void' || status === 'failed' ? 'void' : 'pending'
  const effects: LiftEffectView[] = await Promise.all([...lift.legs].sort((a, b) => a.leg - b.leg || Number(b.giver) - Number(a.giver)).map(async l => {
    const partner = partnerName !== undefined ? await partnerName(l.tally).catch(() => undefined) : undefined
    return {
      tally: l.tally,
      ...(partner !== undefined ? { partner } : {}),
      units: l.giver ? -l.units : l.units,
      status: effectStatus,
      chit: liftChitId(lift.id, l.leg)
    }
  }))
  return {
    id: lift.id,
    kind: lift.kind,
    role: lift.role,
    status,
    units: lift.units,
    fee: lift.fee,
    legs: lift.routeLegs,
    effects,
    ...(lift.to !== undefined ? { to: lift.to } : {}),
    createdAt: lift.createdAt,
    expires: lift.expires,
    ...(lift.decidedAt !== undefined ? { decidedAt: lift.decidedAt } : {}),
    ...(lift.error !== undefined ? { error: { ...lift.error } } : {}),
    ...(lift.fraud !== undefined && lift.fraud.length > 0 ? { fraud: true as const } : {})
  }
}
