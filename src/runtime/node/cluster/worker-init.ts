/**
 * @module
 * What the primary tells a worker process it has just forked: which slot it fills, the forwarding
 * secret (never in the environment or on a command line, where other processes could read it), and
 * the ports to join with the primary's internal ports to forward to.
 */
export interface WorkerInit {
  kind: 'init'
  /** 1…N−1; the primary is process 0. Kept by a restarted worker, so metrics series stay put. */
  index: number
  secret: string
  api: { port: number; internalPort: number } | null
  functions: { port: number; internalPort: number } | null
}
