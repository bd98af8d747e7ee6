/**
 * An error shaped as the AWS SDK throws it: `name` is the AWS error code, `$fault` and
 * `$metadata.httpStatusCode` follow the status. eni-pool classifies errors by these fields alone.
 *
 * @example
 * ```ts
 * ec2.failNext('AttachNetworkInterface', awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
 * ```
 */
export function awsError(code: string, message = code, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), {
    name: code,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}
