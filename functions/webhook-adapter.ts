import { checkUrlLength, json, methodNotAllowed, type HttpRequest, type HttpResponse } from '../http/http';
import { NOT_FOUND, sendHttpResponse, toHttpRequest, type ErrorReporting, type FunctionsRequest, type FunctionsResponse } from './http-adapter';

/** A Functions request with the raw body firebase-functions keeps (`req.rawBody`): what a webhook signature is computed over. */
export interface WebhookFunctionsRequest extends FunctionsRequest {
  readonly rawBody?: Buffer;
}

/**
 * The body of an `onRequest` function that takes a signed POST (the PagerDuty webhook,
 * `pack421_pagerduty_webhook`): the raw body is handed to the handler as text, unparsed, because
 * the signature covers the exact bytes; the handler bounds its size and verifies it before reading
 * anything. Other methods get 405; a handler that throws is logged and answered 503 without detail
 * (PagerDuty then retries).
 */
export function servePost(
  handle: (request: HttpRequest) => Promise<HttpResponse | undefined>,
  errors: ErrorReporting,
): (request: WebhookFunctionsRequest, response: FunctionsResponse) => Promise<void> {
  return async (req, res) => {
    const request = toHttpRequest(req);
    let answer = checkUrlLength(req.originalUrl ?? request.path) ?? (request.method === 'POST' ? undefined : methodNotAllowed(['POST']));
    if (!answer) {
      try {
        answer = (await handle({ ...request, body: req.rawBody?.toString('utf8') ?? '' })) ?? NOT_FOUND;
      } catch (error) {
        errors.log('request failed', { path: request.path, error: errors.describeError(error) });
        answer = json(503, { error: 'unavailable' });
      }
    }
    sendHttpResponse(res, answer);
  };
}
