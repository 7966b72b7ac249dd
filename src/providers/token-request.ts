import {redact} from './classify-error.ts';
import {originBoundFetch} from './origin-bound-fetch.ts';
import {ProviderError} from './provider-error.ts';
import type {IssuedToken} from './token-source.ts';

export interface TokenRequest {
  providerId: string;
  url: string;
  form: Record<string, string>;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Who the credentials are, in words for hints ("the client id in $X and secret in $Y"). */
  credentials: string;
  /** Secret values sent in the request, hidden from any message. */
  secrets: string[];
}

/** What each RFC 6749 §5.2 error code (and the Entra AADSTS codes seen most) means for the user. */
function oauthAdvice(code: string, description: string, req: TokenRequest): {errorClass: 'auth' | 'bad-request'; hint: string} {
  const aadsts = /AADSTS(\d+)/.exec(description)?.[1];
  if (aadsts === '7000215' || aadsts === '7000222') return {errorClass: 'auth', hint: `the client secret is wrong or expired (AADSTS${aadsts}): create a new secret for the app registration and put it where ${req.credentials} says`};
  if (aadsts === '700016') return {errorClass: 'auth', hint: 'no application with this client id in that tenant (AADSTS700016): check the client id and auth.tenantId ($AZURE_TENANT_ID)'};
  if (aadsts === '90002' || aadsts === '900023') return {errorClass: 'auth', hint: `the tenant is unknown (AADSTS${aadsts}): check auth.tenantId ($AZURE_TENANT_ID) is the directory (tenant) id`};
  if (aadsts === '70011' || aadsts === '1002012') return {errorClass: 'auth', hint: `the scope is not valid (AADSTS${aadsts}): a client credentials scope is a resource followed by /.default, e.g. https://cognitiveservices.azure.com/.default`};
  switch (code) {
    case 'invalid_client':
      return {errorClass: 'auth', hint: `the token endpoint did not accept ${req.credentials}: check both values are current (secrets expire), belong to this token endpoint, and that auth.clientAuth (basic or body) is how it expects them`};
    case 'invalid_scope':
      return {errorClass: 'auth', hint: `the requested scope "${req.form.scope ?? ''}" is not one this client may have: fix auth.scope (or ask the gateway's owners to grant it)`};
    case 'unauthorized_client':
      return {errorClass: 'auth', hint: `the client is known but not allowed the ${req.form.grant_type} grant: enable it for this client at the identity provider`};
    case 'invalid_grant':
      return {errorClass: 'auth', hint: 'the grant was refused: for a service account, its key may be deleted or disabled, or this machine\'s clock is off by minutes; for a refresh token, log in again (gcloud auth application-default login)'};
    case 'unsupported_grant_type':
      return {errorClass: 'bad-request', hint: `this token endpoint does not offer the ${req.form.grant_type} grant: check the token URL is the OAuth2 token endpoint`};
    default:
      return {errorClass: 'bad-request', hint: `the token endpoint refused the request: check the token URL, auth.scope and auth.audience (some gateways require an audience)`};
  }
}

/** POSTs a form to a token endpoint and reads {access_token, expires_in}; every failure is a classified ProviderError. */
export async function requestToken(req: TokenRequest): Promise<IssuedToken> {
  const fetchOnce = originBoundFetch(`${req.providerId} token endpoint`);
  const where = `the token endpoint ${req.url}`;
  const hide = (text: string) => redact(text, req.secrets);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetchOnce(req.url, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...req.headers},
      body: new URLSearchParams(req.form).toString(),
      signal: controller.signal,
    });
    text = await response.text();
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    const code = (error as {cause?: {code?: string}; code?: string}).cause?.code ?? (error as {code?: string}).code;
    const timedOut = controller.signal.aborted;
    throw new ProviderError(timedOut ? 'timeout' : 'network', `cannot get a token for ${req.providerId}: ${where} ${timedOut ? `did not answer within ${req.timeoutMs} ms` : `is unreachable${code ? ` (${code})` : ''}`}`, {
      hint: `check the token URL's host and port, DNS, VPN, and HTTPS_PROXY/NO_PROXY; the API itself is not tried without a token`,
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // handled below: a non-JSON reply is a wrong URL or a proxy page
  }
  if (!response.ok) {
    const code = typeof body.error === 'string' ? body.error : '';
    const description = typeof body.error_description === 'string' ? body.error_description : '';
    const said = hide(code ? `${code}${description ? `: ${description.split('\n')[0]}` : ''}` : text.slice(0, 200));
    if (response.status === 404) {
      throw new ProviderError('not-found', `${where} answered 404 (${said})`, {status: 404, hint: 'the token URL\'s path is wrong: use the OAuth2 token endpoint the identity provider documents (often …/oauth2/token or …/oauth2/v2.0/token)'});
    }
    if (response.status >= 500 || response.status === 429) {
      throw new ProviderError(response.status === 429 ? 'rate-limit' : 'server', `${where} failed (HTTP ${response.status}: ${said})`, {status: response.status, hint: 'the identity provider had a problem; it is retried'});
    }
    const advice = oauthAdvice(code, description, req);
    throw new ProviderError(advice.errorClass, `${where} refused to issue a token (HTTP ${response.status}: ${said})`, {status: response.status, hint: advice.hint, retryable: false});
  }
  const token = body.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new ProviderError('bad-response', `${where} answered ${response.status} without an access_token`, {hint: 'check the token URL points at an OAuth2 token endpoint (not a login page)', retryable: false});
  }
  const expiresIn = Number(body.expires_in);
  return {token, expiresAtMs: Number.isFinite(expiresIn) && expiresIn >= 0 ? Date.now() + expiresIn * 1000 : null};
}
