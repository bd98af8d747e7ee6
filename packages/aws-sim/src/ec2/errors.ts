/** Base class of every error the simulator throws in-process (setup mistakes, bad options). */
export class AwsSimError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * An EC2 API error as AWS answers it: `code` becomes `<Code>` (and the SDK's `err.name`), `status` the
 * HTTP status (4xx for client errors, 5xx for server errors such as `RequestLimitExceeded`).
 */
export class Ec2ApiError extends AwsSimError {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** EC2's answer naming one or several IDs of one kind that do not exist. */
function idsNotFound(code: string, kind: string, ids: readonly string[]): Ec2ApiError {
  return new Ec2ApiError(
    code,
    ids.length === 1
      ? `The ${kind} ID '${ids[0]}' does not exist`
      : `The ${kind} IDs '${ids.join(', ')}' do not exist`,
  );
}

/** EC2's answer to an ID that does not have its kind's prefix. */
function malformedId(code: string, id: string, prefix: string): Ec2ApiError {
  return new Ec2ApiError(code, `Invalid id: "${id}" (expecting "${prefix}...")`);
}

export const ec2Errors = {
  missingParameter: (name: string) =>
    new Ec2ApiError('MissingParameter', `The request must contain the parameter ${name}`),
  invalidParameterValue: (message: string) => new Ec2ApiError('InvalidParameterValue', message),
  invalidParameterCombination: (message: string) => new Ec2ApiError('InvalidParameterCombination', message),
  instanceNotFound: (ids: readonly string[]) => idsNotFound('InvalidInstanceID.NotFound', 'instance', ids),
  instanceMalformed: (id: string) => malformedId('InvalidInstanceID.Malformed', id, 'i-'),
  interfaceNotFound: (ids: readonly string[]) =>
    idsNotFound('InvalidNetworkInterfaceID.NotFound', 'networkInterface', ids),
  interfaceMalformed: (id: string) => malformedId('InvalidNetworkInterfaceId.Malformed', id, 'eni-'),
  attachmentNotFound: (id: string) =>
    new Ec2ApiError('InvalidAttachmentID.NotFound', `The interface attachment '${id}' does not exist.`),
  attachmentMalformed: (id: string) =>
    new Ec2ApiError(
      'InvalidNetworkInterfaceAttachmentId.Malformed',
      `Invalid id: "${id}" (expecting "eni-attach-..."); use the attachment ID rather than the network interface ID`,
    ),
  subnetNotFound: (id: string) => idsNotFound('InvalidSubnetID.NotFound', 'subnet', [id]),
  subnetMalformed: (id: string) => malformedId('InvalidSubnetID.Malformed', id, 'subnet-'),
  interfaceInUse: (id: string) =>
    new Ec2ApiError('InvalidNetworkInterface.InUse', `Interface: [${id}] in use.`),
  incorrectInstanceState: (id: string, state: string) =>
    new Ec2ApiError(
      'IncorrectInstanceState',
      `The instance '${id}' is not in a valid state for this operation (current state: '${state}').`,
    ),
  incorrectState: (message: string) => new Ec2ApiError('IncorrectState', message),
  operationNotPermitted: (message: string) => new Ec2ApiError('OperationNotPermitted', message),
  attachmentLimit: (count: number, type: string) =>
    new Ec2ApiError('AttachmentLimitExceeded', `Interface count ${count} exceeds the limit for ${type}`),
  requestLimitExceeded: () => new Ec2ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503),
  invalidAction: (action: string) =>
    new Ec2ApiError('InvalidAction', `The action ${action} is not valid for this web service.`),
  insufficientAddresses: (subnetId: string) =>
    new Ec2ApiError(
      'InsufficientFreeAddressesInSubnet',
      `The specified subnet ${subnetId} does not have enough free addresses to satisfy the request.`,
    ),
};
