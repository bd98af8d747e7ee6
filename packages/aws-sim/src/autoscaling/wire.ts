import { randomUUID } from 'node:crypto';
import type { SimResponse } from '../contracts';
import { el, type XmlNode } from '../wire/xml';
import type { AutoScalingApiError } from './errors';

/** The awsQuery XML namespace of the Auto Scaling API (2011-01-01). */
export const AUTOSCALING_XMLNS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

const XML_HEADERS = { 'content-type': 'text/xml' } as const;

/** `<XResponse><XResult>…</XResult><ResponseMetadata>…</ResponseMetadata></XResponse>`, HTTP 200. */
export function queryResponse(
  action: string,
  result: readonly XmlNode[],
  requestId = randomUUID(),
): SimResponse {
  const body =
    `<${action}Response xmlns="${AUTOSCALING_XMLNS}">` +
    `${el(`${action}Result`, result).xml}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${action}Response>`;
  return { status: 200, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function queryError(error: AutoScalingApiError, requestId = randomUUID()): SimResponse {
  const body =
    `<ErrorResponse xmlns="${AUTOSCALING_XMLNS}">` +
    `<Error>${el('Type', error.type).xml}${el('Code', error.code).xml}${el('Message', error.message).xml}</Error>` +
    `<RequestId>${requestId}</RequestId>` +
    `</ErrorResponse>`;
  return { status: error.status, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}
