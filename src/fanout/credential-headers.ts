/**
 * Request headers whose value is a credential, by lower-case name: `GET /headers` shows them as
 * present, never their value. A page that can read that answer (a same-origin script) must not
 * learn an HttpOnly cookie or a token this way, and the answer is what gets pasted into a ticket
 * when an ingress is being checked. Named, not guessed from the name: a header that merely
 * mentions a token (`x-token-count`) is still shown.
 */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  // HTTP authentication itself (RFC 9110 §11.6).
  'authorization',
  'proxy-authorization',
  // Cookies carry sessions. A client has no reason to send Set-Cookie, but one echoed from a
  // response by a proxy or a script is a session all the same.
  'cookie',
  'set-cookie',
  // The same credentials as a gateway in front hands them on: the caller's Authorization kept
  // beside the one it put in its place (X-Forwarded-Authorization), or the access token an OIDC
  // proxy (oauth2-proxy) or load balancer (AWS ALB) obtained for the user.
  'x-forwarded-authorization',
  'x-forwarded-access-token',
  'x-amzn-oidc-accesstoken',
  // Tokens by convention outside Authorization: API keys (API gateways), OpenStack's token, and
  // the session token that goes with an AWS SigV4 signature.
  'x-api-key',
  'x-auth-token',
  'x-amz-security-token',
  // Anti-forgery tokens (Rails' and Angular's names, Django's): a secret bound to the session,
  // which an answer pasted elsewhere would hand to whoever reads it.
  'x-csrf-token',
  'x-xsrf-token',
  'x-csrftoken',
]);
