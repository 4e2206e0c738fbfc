/**
 * The provider conformance suite against the Lambda provider, its AWS side answered by an in-memory
 * Lambda account (test/harness/aws-fakes.ts: the control plane and Invoke through aws-sdk-client-mock,
 * the function body a watchdog stand-in behind the event mapping). Every case runs; what differs is
 * declared: at zero replicas Lambda still serves (on demand), so the scale case expects an answer there.
 * What this cannot prove, and other tests do: the real Invoke wire (lambda-invoke.test.ts, against
 * serverless-offline) and the exact command sequences (lambda.test.ts). Nothing here proves image pulls,
 * the Lambda Web Adapter or the secrets entrypoint inside a real Lambda.
 */
import { createLambdaProvider } from '../../providers/lambda/index.ts'
import { runProviderSuite } from '../conformance/provider.suite.ts'
import { fakeLambda } from '../harness/aws-fakes.ts'

const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/fixture:1'

runProviderSuite('lambda (in-memory AWS account)', {
  create: async () =>
    createLambdaProvider({
      clients: fakeLambda(),
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::123456789012:role/edgefaas-functions',
      logPollMs: 20,
    }),
  servesAtZero: true,
  deployable: {
    env: { image, envProcess: 'env' },
    echo: { image, envProcess: 'cat' },
    redirect: { image, envProcess: 'redirect' },
    secret: (name) => ({ image, envProcess: `secret:${name}` }),
  },
})
