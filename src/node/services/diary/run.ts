// One proposer run: a batch of our actions (own mode) or someone's pending entry (drive mode) taken to a
// decision. It feeds the sans-IO proposer one event at a time and hands its commands to the replica.
import type { ProposerCommand, ProposerContext, ProposerEvent, ProposerState, ProposerStep } from '../../../core/diary/proposer'
import { proposerStep } from '../../../core/diary/proposer'
import { ChipsError, isChipsError } from '../../../core/errors'

export type RunTerminal<A> = Extract<ProposerCommand<A>, { type: 'certified' | 'absorbed' | 'released' | 'superseded' | 'failed' }>

/** What a run needs from its replica: execute one non-terminal command, and hear the end. */
export interface RunHost<A> {
  execute (run: ProposerRun<unknown, A>, command: ProposerCommand<A>): void | Promise<void>
  finished (run: ProposerRun<unknown, A>, end: RunTerminal<A>): void
}

const TERMINALS = new Set(['certified', 'absorbed', 'released', 'superseded', 'failed'])

export class ProposerRun<S, A> {
  #state: ProposerState<S, A>
  #chain: Promise<void> = Promise.resolve()
  #done = false
  /** Outbox numbers of our actions in this run (own mode). */
  readonly items: number[]

  constructor (
    private readonly ctx: ProposerContext<S, A>,
    private readonly host: RunHost<A>,
    first: ProposerStep<S, A>,
    items: number[]
  ) {
    this.#state = first.state
    this.items = items
    this.#enqueue(async () => { await this.#run(first.commands) })
  }

  get state (): ProposerState<S, A> { return this.#state }
  get done (): boolean { return this.#done }

  /** Feeds one event (serialised with the others; ignored once the run ended). */
  feed (event: ProposerEvent<S, A>): void {
    this.#enqueue(async () => {
      if (this.#done) return
      const step = await proposerStep(this.ctx, this.#state, event)
      this.#state = step.state
      await this.#run(step.commands)
    })
  }

  /** Ends the run from outside (service stopped). */
  abandon (): void { this.#done = true }

  #enqueue (fn: () => Promise<void>): void {
    this.#chain = this.#chain.then(fn).catch((err: unknown) => {
      this.#done = true
      this.host.finished(this as ProposerRun<unknown, A>, { type: 'failed', error: asChips(err) })
    })
  }

  async #run (commands: Array<ProposerCommand<A>>): Promise<void> {
    for (const c of commands) {
      if (this.#done) return
      if (TERMINALS.has(c.type)) {
        this.#done = true
        this.host.finished(this as ProposerRun<unknown, A>, c as RunTerminal<A>)
        return
      }
      await this.host.execute(this as ProposerRun<unknown, A>, c)
    }
  }
}

function asChips (err: unknown): ChipsError {
  return isChipsError(err) ? err : new ChipsError('INTERNAL', err instanceof Error ? err.message : String(err))
}
