// A worker thread's entry: worker threads do not inherit tsx's loader from `tsx tests/bench/run.ts`, so
// each registers it, then loads the TypeScript module named in workerData.entry.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
