// The diary evaluates an entry's actions several times on one node (the proposer builds and checks its entry,
// its own member answers it, then the certificate is verified before it is applied): three passes of the same
// actions over the same states. `apply` is deterministic and pure (the ReplicatedMachine contract) and the
// diary never mutates a state, so the result of apply(state, action) can be reused for the same state object
// and the same action content. States are keys of a WeakMap: a chain of states lives only as long as the
// head it grew from.
import { hashOf } from '../../../core/codec/hash'
import type { Applied, ReplicatedMachine } from '../../../core/diary/machine'

/** Actions remembered per state (a state gets a few candidate entries' first actions at most). */
const PER_STATE = 64

export function memoMachine<S, A> (machine: ReplicatedMachine<S, A>): ReplicatedMachine<S, A> {
  const memo = new WeakMap<object, Map<string, Promise<Applied<S>>>>()
  const memoised: ReplicatedMachine<S, A> = {
    async apply (state, action) {
      if (typeof state !== 'object' || state === null) return await machine.apply(state, action)
      let byAction = memo.get(state)
      if (byAction === undefined) { byAction = new Map(); memo.set(state, byAction) }
      const key = hashOf(action)
      let result = byAction.get(key)
      if (result === undefined) {
        result = machine.apply(state, action)
        // A throw (malformed action) is not remembered: the next caller sees the same throw afresh.
        result.catch(() => { byAction.delete(key) })
        if (byAction.size >= PER_STATE) byAction.delete(byAction.keys().next().value!)
        byAction.set(key, result)
      }
      return await result
    },
    members: state => machine.members(state)
  }
  if (machine.quorum !== undefined) memoised.quorum = machine.quorum.bind(machine)
  if (machine.digest !== undefined) memoised.digest = machine.digest.bind(machine)
  return memoised
}
