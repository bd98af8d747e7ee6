/** Builds `lambda/eni-pool-lambda.zip` from `@eni-pool/lambda-adapter`'s sources. */
export function bundleLambda(): Promise<void>;
