// Prints the caller identity the AWS SDK for JavaScript v3 finds with its default credential chain
// (fromNodeProviderChain), as any Node.js program run by `aws-gitpod exec` would.
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));
console.log(JSON.stringify({ Arn: identity.Arn }));
