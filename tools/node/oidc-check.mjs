// Checks a running tools/node/oidc-provider.mjs end to end, the way Kuvert's e-ID tests use it:
// discovery, dynamic registration, the login and consent forms over plain HTTP, the code
// exchange with PKCE, and the Swedish claims in the RS256 id_token.
//
// Usage: node oidc-check.mjs ISSUER [PERSONNUMMER]    (exits non-zero with the reason on any failure)
import { createHash, randomBytes } from 'node:crypto';

const PERSON = process.argv[3] ?? '197001011234';
const SCOPE = 'openid profile https://id.oidc.se/scope/naturalPersonNumber';
const CLAIM = 'https://id.oidc.se/claim/personalIdentityNumber';
const issuer = process.argv[2];
const redirectUri = 'http://127.0.0.1:9/callback';
const jar = new Map();

function fail(why) {
  throw new Error(`oidc-check: ${why}`);
}

// A cookie jar that ignores paths: enough for one provider on one host.
async function request(url, options = {}) {
  const headers = { ...options.headers };
  if (jar.size) {
    headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  const response = await fetch(new URL(url, issuer), { ...options, headers, redirect: 'manual' });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(';');
    const at = pair.indexOf('=');
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return response;
}

async function expectRedirect(response, step) {
  const location = response.headers.get('location');
  if (response.status !== 303 || !location) {
    fail(`${step}: expected 303 with Location, got ${response.status}: ${await response.text()}`);
  }
  return new URL(location, issuer);
}

function form(fields) {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

const discovery = await (await request('/.well-known/openid-configuration')).json();
if (discovery.issuer !== issuer) fail(`discovery names issuer ${discovery.issuer}`);
if (!discovery.code_challenge_methods_supported?.includes('S256')) fail('no S256 PKCE');

const registration = await request(discovery.registration_endpoint, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    redirect_uris: [redirectUri], response_types: ['code'], grant_types: ['authorization_code'],
  }),
});
if (registration.status !== 201) fail(`registration: ${registration.status} ${await registration.text()}`);
const client = await registration.json();

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const authorize = new URL(discovery.authorization_endpoint);
for (const [key, value] of Object.entries({
  response_type: 'code', client_id: client.client_id, redirect_uri: redirectUri, scope: SCOPE,
  state: 'check-state', nonce: 'check-nonce', code_challenge: challenge,
  code_challenge_method: 'S256',
})) authorize.searchParams.set(key, value);

const noPkce = new URL(authorize);
noPkce.searchParams.delete('code_challenge');
noPkce.searchParams.delete('code_challenge_method');
const refused = await expectRedirect(await request(noPkce), 'authorize without PKCE');
if (refused.searchParams.get('error') !== 'invalid_request') fail(`PKCE not required: ${refused}`);

const login = await expectRedirect(await request(authorize), 'authorize');
const loginPage = await (await request(login)).text();
if (!loginPage.includes('name="login"')) fail('login form has no field "login"');
const resumeLogin = await expectRedirect(
  await request(login, form({ prompt: 'login', login: PERSON, password: 'any' })), 'login');
const consent = await expectRedirect(await request(resumeLogin), 'resume after login');
const resumeConsent = await expectRedirect(
  await request(consent, form({ prompt: 'consent' })), 'consent');
const callback = await expectRedirect(await request(resumeConsent), 'resume after consent');
const code = callback.searchParams.get('code');
if (!callback.href.startsWith(redirectUri) || !code) fail(`callback without code: ${callback}`);

const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
const token = await request(discovery.token_endpoint, {
  ...form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
});
const tokens = await token.json();
if (!tokens.id_token) fail(`token: ${JSON.stringify(tokens)}`);
const [header, payload] = tokens.id_token.split('.').slice(0, 2)
  .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
if (header.alg !== 'RS256') fail(`id_token alg ${header.alg}`);
if (payload[CLAIM] !== PERSON || payload.sub !== PERSON || !payload.given_name) {
  fail(`id_token claims ${JSON.stringify(payload)}`);
}
process.stdout.write(`oidc-check: ok, ${PERSON} logged in, id_token RS256 with ${CLAIM}\n`);
