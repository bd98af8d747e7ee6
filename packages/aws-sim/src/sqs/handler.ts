import { randomUUID } from 'node:crypto';
import type { SimResponse } from '../contracts';
import { SqsApiError } from './errors';
import type { MessageAttributeValue } from './md5';
import { type ReceivedMessage, SQS_OPERATIONS, type SqsModel, type SqsOperation } from './model';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
] as const;

type Json = Record<string, unknown>;

/** A request body that is not the JSON the operation expects (SQS answers `SerializationException`). */
class SerializationError extends Error {}

/**
 * Serves one SQS AWS JSON 1.0 request (`x-amz-target: AmazonSQS.<Operation>`) against `model`. Errors are
 * answered as AWS does for this query-compatible protocol: a JSON body with `__type` and `message`, plus
 * the `x-amzn-query-error: <code>;<Sender|Receiver>` header the SDK maps back to the modelled error name.
 * Asynchronous because ReceiveMessage long-polls.
 *
 * @example
 * ```ts
 * const response = await handleSqsJson(model, 'AmazonSQS.GetQueueUrl', '{"QueueName":"events"}');
 * ```
 */
export async function handleSqsJson(model: SqsModel, target: string, body: string): Promise<SimResponse> {
  const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
  if (!isOperation(operation)) {
    return errorResponse(
      400,
      'com.amazon.coral.service#UnknownOperationException',
      `The action or operation requested is invalid: ${target}`,
      'InvalidAction;Sender',
    );
  }
  let input: Json;
  try {
    const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SerializationError('The request body must be a JSON object.');
    }
    input = parsed as Json;
  } catch (error) {
    return serializationFailure(error);
  }
  try {
    const injected = model.takeInjectedFailure(operation);
    if (injected) throw injected;
    return ok(await operations[operation](model, input));
  } catch (error) {
    if (error instanceof SqsApiError) {
      return errorResponse(error.status, `com.amazonaws.sqs#${error.code}`, error.message, error.queryError);
    }
    if (error instanceof SerializationError) return serializationFailure(error);
    throw error;
  }
}

function isOperation(name: string): name is SqsOperation {
  return (SQS_OPERATIONS as readonly string[]).includes(name);
}

const operations: Record<SqsOperation, (model: SqsModel, input: Json) => Json | Promise<Json>> = {
  CreateQueue(model, input) {
    const name = requiredString(input, 'QueueName');
    const { url } = model.createQueue(name, stringMap(input, 'Attributes'), stringMap(input, 'tags'));
    return { QueueUrl: url };
  },
  DeleteQueue(model, input) {
    model.deleteQueue(requiredString(input, 'QueueUrl'));
    return {};
  },
  GetQueueUrl(model, input) {
    const name = requiredString(input, 'QueueName');
    return { QueueUrl: model.getQueueUrl(name, optionalString(input, 'QueueOwnerAWSAccountId')) };
  },
  GetQueueAttributes(model, input) {
    const queueUrl = requiredString(input, 'QueueUrl');
    const names = stringList(input, 'AttributeNames') ?? [];
    // Without attribute names SQS answers none (the model reads "none" as "all").
    if (names.length === 0) {
      model.queue(queueUrl);
      return {};
    }
    return { Attributes: model.getQueueAttributes(queueUrl, names) };
  },
  SetQueueAttributes(model, input) {
    model.setQueueAttributes(requiredString(input, 'QueueUrl'), stringMap(input, 'Attributes'));
    return {};
  },
  ListQueues(model, input) {
    const { urls, nextToken } = model.listQueues({
      prefix: optionalString(input, 'QueueNamePrefix'),
      maxResults: optionalInteger(input, 'MaxResults'),
      nextToken: optionalString(input, 'NextToken'),
    });
    return {
      ...(urls.length > 0 ? { QueueUrls: urls } : {}),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
  SendMessage(model, input) {
    return sendMessage(model, requiredString(input, 'QueueUrl'), input);
  },
  SendMessageBatch(model, input) {
    const queueUrl = requiredString(input, 'QueueUrl');
    const entries = batchEntries(input);
    const limit = model.settingsOf(queueUrl).maximumMessageSize;
    const total = entries.reduce((sum, entry) => {
      const body = entry.MessageBody;
      return sum + (typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : 0);
    }, 0);
    if (total > limit) {
      throw new SqsApiError(
        'BatchRequestTooLong',
        `Batch requested message too long. The combined size of all messages must not exceed ${limit} bytes.`,
      );
    }
    return perEntry(entries, (entry) => sendMessage(model, queueUrl, entry));
  },
  async ReceiveMessage(model, input) {
    const messages = await model.receiveMessages(requiredString(input, 'QueueUrl'), {
      maxNumberOfMessages: optionalInteger(input, 'MaxNumberOfMessages'),
      visibilityTimeout: optionalInteger(input, 'VisibilityTimeout'),
      waitTimeSeconds: optionalInteger(input, 'WaitTimeSeconds'),
    });
    if (messages.length === 0) return {};
    const systemNames = new Set([
      ...(stringList(input, 'AttributeNames') ?? []),
      ...(stringList(input, 'MessageSystemAttributeNames') ?? []),
    ]);
    const attributeNames = stringList(input, 'MessageAttributeNames') ?? [];
    return {
      Messages: messages.map((message) => receivedMessage(model, message, systemNames, attributeNames)),
    };
  },
  DeleteMessage(model, input) {
    model.deleteMessage(requiredString(input, 'QueueUrl'), requiredString(input, 'ReceiptHandle'));
    return {};
  },
  DeleteMessageBatch(model, input) {
    const queueUrl = requiredString(input, 'QueueUrl');
    model.queue(queueUrl);
    return perEntry(batchEntries(input), (entry) => {
      model.deleteMessage(queueUrl, requiredString(entry, 'ReceiptHandle'));
      return {};
    });
  },
  ChangeMessageVisibility(model, input) {
    model.changeMessageVisibility(
      requiredString(input, 'QueueUrl'),
      requiredString(input, 'ReceiptHandle'),
      requiredInteger(input, 'VisibilityTimeout'),
    );
    return {};
  },
  ChangeMessageVisibilityBatch(model, input) {
    const queueUrl = requiredString(input, 'QueueUrl');
    model.queue(queueUrl);
    return perEntry(batchEntries(input), (entry) => {
      model.changeMessageVisibility(
        queueUrl,
        requiredString(entry, 'ReceiptHandle'),
        requiredInteger(entry, 'VisibilityTimeout'),
      );
      return {};
    });
  },
  PurgeQueue(model, input) {
    model.purgeQueue(requiredString(input, 'QueueUrl'));
    return {};
  },
};

/** Sends one message (a SendMessage request or one SendMessageBatch entry) and answers its ids and digests. */
function sendMessage(model: SqsModel, queueUrl: string, message: Json): Json {
  const sent = model.sendMessage(queueUrl, {
    body: requiredString(message, 'MessageBody'),
    delaySeconds: optionalInteger(message, 'DelaySeconds'),
    messageAttributes: messageAttributes(message),
  });
  return {
    MessageId: sent.messageId,
    MD5OfMessageBody: sent.md5OfMessageBody,
    ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
  };
}

function receivedMessage(
  model: SqsModel,
  message: ReceivedMessage,
  systemNames: ReadonlySet<string>,
  attributeNames: readonly string[],
): Json {
  const system: Record<(typeof SYSTEM_ATTRIBUTES)[number], string> = {
    SenderId: model.identity.account,
    SentTimestamp: String(message.sentTimestamp),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
  };
  const all = systemNames.has('All');
  const attributes: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) {
    if (all || systemNames.has(name)) attributes[name] = system[name];
  }
  const selected: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    if (attributeNames.some((pattern) => attributeMatches(pattern, name))) selected[name] = value;
  }
  const hasSelected = Object.keys(selected).length > 0;
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    // SQS reports the digest of all the message's attributes, whichever were asked for.
    ...(hasSelected && message.md5OfMessageAttributes
      ? { MD5OfMessageAttributes: message.md5OfMessageAttributes, MessageAttributes: selected }
      : {}),
  };
}

function attributeMatches(pattern: string, name: string): boolean {
  if (pattern === 'All' || pattern === '.*') return true;
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/** Validates the batch as a whole (count, ids), as SQS does before looking at any entry. */
function batchEntries(input: Json): Json[] {
  const raw = input.Entries;
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
    throw new SqsApiError('EmptyBatchRequest', 'There should be at least one entry in the batch request.');
  }
  if (!Array.isArray(raw) || raw.some((entry) => typeof entry !== 'object' || entry === null)) {
    throw new SerializationError('Entries must be a list of objects.');
  }
  const entries = raw as Json[];
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsApiError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw new SqsApiError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) throw new SqsApiError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries;
}

/** Runs `action` per entry; an entry's error lands in `Failed` and never fails the whole call. */
function perEntry(entries: readonly Json[], action: (entry: Json) => Json): Json {
  const successful: Json[] = [];
  const failed: Json[] = [];
  for (const entry of entries) {
    const id = entry.Id as string;
    try {
      successful.push({ Id: id, ...action(entry) });
    } catch (error) {
      if (error instanceof SqsApiError) {
        failed.push({ Id: id, SenderFault: error.status < 500, Code: error.code, Message: error.message });
      } else if (error instanceof SerializationError) {
        failed.push({ Id: id, SenderFault: true, Code: 'InvalidParameterValue', Message: error.message });
      } else {
        throw error;
      }
    }
  }
  return { Successful: successful, Failed: failed };
}

function messageAttributes(input: Json): Record<string, MessageAttributeValue> | undefined {
  const raw = input.MessageAttributes;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SerializationError('MessageAttributes must be a map.');
  }
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(raw as Json)) {
    if (typeof value !== 'object' || value === null)
      throw new SerializationError(`MessageAttributes.${name} must be a structure.`);
    const { DataType, StringValue, BinaryValue } = value as Json;
    if (typeof DataType !== 'string') {
      throw new SqsApiError(
        'InvalidParameterValue',
        `The message attribute '${name}' must contain a DataType.`,
      );
    }
    out[name] = {
      DataType,
      ...(typeof StringValue === 'string' ? { StringValue } : {}),
      ...(typeof BinaryValue === 'string' ? { BinaryValue } : {}),
    };
  }
  return out;
}

function requiredString(input: Json, name: string): string {
  const value = input[name];
  if (value === undefined || value === null) {
    throw new SqsApiError('MissingParameter', `The request must contain the parameter ${name}.`);
  }
  if (typeof value !== 'string') throw new SerializationError(`${name} must be a string.`);
  return value;
}

function optionalString(input: Json, name: string): string | undefined {
  return input[name] === undefined || input[name] === null ? undefined : requiredString(input, name);
}

function requiredInteger(input: Json, name: string): number {
  const value = input[name];
  if (value === undefined || value === null) {
    throw new SqsApiError('MissingParameter', `The request must contain the parameter ${name}.`);
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new SerializationError(`${name} must be an integer.`);
  }
  return value;
}

function optionalInteger(input: Json, name: string): number | undefined {
  return input[name] === undefined || input[name] === null ? undefined : requiredInteger(input, name);
}

function stringList(input: Json, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new SerializationError(`${name} must be a list of strings.`);
  }
  return value as string[];
}

function stringMap(input: Json, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw new SerializationError(`${name} must be a map of strings.`);
  }
  return value as Record<string, string>;
}

function ok(payload: Json): SimResponse {
  return {
    status: 200,
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(payload),
  };
}

function errorResponse(status: number, type: string, message: string, queryError?: string): SimResponse {
  return {
    status,
    headers: {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-requestid': randomUUID(),
      ...(queryError ? { 'x-amzn-query-error': queryError } : {}),
    },
    body: JSON.stringify({ __type: type, message }),
  };
}

function serializationFailure(error: unknown): SimResponse {
  const detail = error instanceof Error ? error.message : String(error);
  return errorResponse(400, 'com.amazon.coral.service#SerializationException', detail);
}
