/**
 * @module
 * A throwaway 3-node (or N-node) NATS JetStream cluster on loopback, for chaos tests: each node has its
 * own client port, cluster port and store directory, with routes to every other node. `leaderOf(stream)`
 * names the node that leads a stream's replicas; `kill(name)` SIGKILLs a node (a crash) and `restart(name)`
 * starts it again on the same ports and store, so it rejoins and catches up.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { freePort } from './free-port.ts'
import { pollUntil } from './poll.ts'

export interface NatsNode {
  name: string
  port: number
  url: string
  running: boolean
}

export interface NatsCluster {
  nodes: NatsNode[]
  /** Every node's URL, comma-separated: what EDGEFAAS_QUEUE_URL takes. */
  url: string
  /** The name of the node leading `stream`'s replicas (null while none is elected). */
  leaderOf(stream: string): Promise<string | null>
  /** SIGKILL (a crash); resolves once the process is gone. */
  kill(name: string): Promise<void>
  /** Starts a killed node again with its ports and store. */
  restart(name: string): Promise<void>
  stop(): Promise<void>
}

function findBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin']
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server')
    if (existsSync(candidate)) return candidate
  }
  throw new Error('nats-server is not installed (not on PATH nor in /usr/sbin).')
}

interface NodeState extends NatsNode {
  clusterPort: number
  dir: string
  child: ChildProcess | null
  log: string
}

async function killChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGKILL')
  await exited
}

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const bin = findBinary()
  const root = await mkdtemp(join(tmpdir(), 'edgefaas-nats-cluster-'))
  const nodes: NodeState[] = []
  for (let i = 1; i <= size; i++) {
    const port = await freePort()
    const clusterPort = await freePort()
    nodes.push({
      name: `n${i}`,
      port,
      clusterPort,
      url: `nats://127.0.0.1:${port}`,
      running: false,
      dir: join(root, `n${i}`),
      child: null,
      log: '',
    })
  }

  function launch(node: NodeState): void {
    const routes = nodes
      .filter((n) => n !== node)
      .map((n) => `nats://127.0.0.1:${n.clusterPort}`)
      .join(',')
    const args = [
      '-js',
      '-sd',
      node.dir,
      '-a',
      '127.0.0.1',
      '-p',
      String(node.port),
      '--server_name',
      node.name,
      '--cluster_name',
      'edgefaas-test',
      '--cluster',
      `nats://127.0.0.1:${node.clusterPort}`,
      '--routes',
      routes,
    ]
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    node.log = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      node.log = (node.log + chunk.toString()).slice(-8000)
    })
    child.once('exit', () => {
      if (node.child === child) node.running = false
    })
    node.child = child
    node.running = true
  }

  const byName = (name: string) => {
    const node = nodes.find((n) => n.name === name)
    if (!node) throw new Error(`no NATS node ${name}`)
    return node
  }

  /** Waits until the cluster has a JetStream meta leader (the account info answers through any node). */
  async function waitForJetStream(): Promise<void> {
    const urls = nodes.filter((n) => n.running).map((n) => n.url)
    const nc = await connect({ servers: urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 })
    try {
      // jetstreamManager() itself asks for the account info, which fails until a meta leader exists.
      await pollUntil(
        'the NATS cluster to elect a JetStream leader',
        async () =>
          await jetstreamManager(nc, { timeout: 2000 }).then(
            () => true,
            () => false,
          ),
        60_000,
        200,
      )
    } finally {
      await nc.close()
    }
  }

  try {
    for (const node of nodes) launch(node)
    await pollUntil(
      'every NATS node to be ready',
      async () => nodes.every((n) => n.log.includes('Server is ready')),
      30_000,
      50,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${nodes.map((n) => `${n.name}: ${n.log}`).join('\n')}`)
    })
    await waitForJetStream()
  } catch (error) {
    for (const node of nodes) await killChild(node.child)
    await rm(root, { recursive: true, force: true })
    throw error
  }

  let stopped = false
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    async leaderOf(stream) {
      const urls = nodes.filter((n) => n.running).map((n) => n.url)
      const nc = await connect({ servers: urls, maxReconnectAttempts: 3, reconnectTimeWait: 100 })
      try {
        const jsm = await jetstreamManager(nc, { timeout: 3000 })
        const info = await jsm.streams.info(stream)
        return info.cluster?.leader ?? null
      } catch {
        return null
      } finally {
        await nc.close()
      }
    },
    async kill(name) {
      const node = byName(name)
      await killChild(node.child)
      node.running = false
    },
    async restart(name) {
      const node = byName(name)
      await killChild(node.child)
      node.log = ''
      launch(node)
      await pollUntil(
        `NATS node ${name} to be ready`,
        async () => node.log.includes('Server is ready'),
        30_000,
        50,
      )
    },
    async stop() {
      if (stopped) return
      stopped = true
      for (const node of nodes) await killChild(node.child)
      await rm(root, { recursive: true, force: true })
    },
  }
}
