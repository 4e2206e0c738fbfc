/**
 * The provider conformance suite against the ECS provider, its AWS side answered by an in-memory cluster
 * and Secrets Manager (test/harness/aws-fakes.ts, through aws-sdk-client-mock) and its calls going over
 * real HTTP to a server standing where the ALB would be, which plays each service's tasks with a
 * watchdog stand-in. Every case runs. Not proven here: image pulls, Fargate placement, real rollouts
 * and awslogs (ECS has no emulator); ecs.test.ts asserts the exact command sequences.
 */
import { afterAll } from 'vitest'
import { createEcsProvider } from '../../providers/ecs/index.ts'
import { createNodeHttpClient } from '../../src/runtime/node/http-client.ts'
import { runProviderSuite } from '../conformance/provider.suite.ts'
import { type FakeEcs, fakeEcs } from '../harness/aws-fakes.ts'

const image = 'ghcr.io/example/fixture:1'
const http = createNodeHttpClient()
let fake: FakeEcs | undefined

afterAll(async () => {
  await fake?.close()
  http.close()
})

runProviderSuite('ecs (in-memory cluster, real HTTP to the tasks)', {
  create: async () => {
    fake = await fakeEcs()
    return createEcsProvider({
      clients: fake.clients,
      http,
      region: 'eu-west-1',
      cluster: 'functions',
      subnets: ['subnet-0a1b2c'],
      securityGroups: ['sg-0a1b2c'],
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      invokeUrl: fake.invokeUrl,
      readyCacheMs: 200,
      logPollMs: 20,
    })
  },
  deployable: {
    env: { image, envProcess: 'env' },
    echo: { image, envProcess: 'cat' },
    redirect: { image, envProcess: 'redirect' },
    secret: (name) => ({ image, envProcess: `secret:${name}` }),
  },
})
