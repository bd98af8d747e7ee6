import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';

/** The batch response naming each failed message once, in the order of the records. */
export function batchItemFailures(
  records: readonly SQSRecord[],
  failures: Iterable<string>,
): SQSBatchResponse['batchItemFailures'] {
  const failed = new Set(failures);
  return records
    .map((record) => record?.messageId)
    .filter(
      (messageId, index, all): messageId is string =>
        failed.has(messageId) && all.indexOf(messageId) === index,
    )
    .map((itemIdentifier) => ({ itemIdentifier }));
}
