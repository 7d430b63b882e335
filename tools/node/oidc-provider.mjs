// A real OpenID provider for Kuvert's e-ID tests: npm `oidc-provider` (OpenID Certified), set
// up like a Swedish e-ID provider (the "Swedish OpenID Connect Profile", id.oidc.se).
//
// Usage: node oidc-provider.mjs PORT_FILE
//   Listens on http://127.0.0.1:<free port>, writes the issuer URL to PORT_FILE once it accepts
//   connections, and logs one line per event to stderr. tools/services/start.sh runs it and
//   exports the issuer as KUVERT_TEST_OIDC_ISSUER.
//
// What it offers:
// - Discovery at {issuer}/.well-known/openid-configuration, id_tokens signed RS256 with a key
//   made at start (nothing is stored on disk, so every start is a new provider).
// - Dynamic client registration (POST {issuer}/reg, no initial access token), so each test
//   registers its own client with its own random-port redirect URI. Registered clients are
//   confidential (`client_secret_basic` unless the registration says otherwise).
// - Authorization code flow only, PKCE with S256 required for every client.
// - The login accepts exactly a 12-digit personnummer (YYYYMMDDNNNN, digits only); anything
//   else fails the login with error=access_denied at the redirect URI.
// - Claims, in the id_token as well as at userinfo (conformIdTokenClaims is off, as Swedish
//   e-ID providers put them in the id_token):
//     scope `https://id.oidc.se/scope/naturalPersonNumber`:
//         https://id.oidc.se/claim/personalIdentityNumber, name, given_name, family_name
//     scope `profile`: name, given_name, family_name
//     `sub` always (the personnummer). The names are made from the number:
//         given_name "Test", family_name "Person <last four digits>", name both joined.
//   The personnummer claim is NOT released under `openid` alone: ask for the Swedish scope.
//
// How a test drives a login over plain HTTP (no browser; keep a cookie jar, do NOT follow
// redirects automatically, resolve every Location against the issuer):
//  1. GET {issuer}/.well-known/openid-configuration.
//  2. POST {registration_endpoint} JSON {"redirect_uris":["http://127.0.0.1:PORT/callback"],
//     "response_types":["code"],"grant_types":["authorization_code"]} -> 201 with client_id
//     and client_secret.
//  3. GET {authorization_endpoint}?response_type=code&client_id=..&redirect_uri=..
//     &scope=openid%20profile%20https%3A%2F%2Fid.oidc.se%2Fscope%2FnaturalPersonNumber
//     &state=..&nonce=..&code_challenge=<S256>&code_challenge_method=S256
//     -> 303 Location: /interaction/{uid}; sets cookies `_interaction` (path /interaction/{uid})
//     and `_interaction_resume` (path /auth/{uid}).
//  4. (optional) GET /interaction/{uid} -> 200 HTML login form, fields `prompt` (hidden,
//     "login"), `login`, `password`.
//  5. POST /interaction/{uid} as application/x-www-form-urlencoded
//     `prompt=login&login=197001011234&password=any` -> 303 Location: {issuer}/auth/{uid}.
//  6. GET {issuer}/auth/{uid} -> 303 Location: /interaction/{uid2} (the consent step); sets
//     `_session` (path /) and new `_interaction` / `_interaction_resume` cookies for uid2.
//  7. POST /interaction/{uid2} form `prompt=consent` -> 303 Location: {issuer}/auth/{uid2}.
//  8. GET {issuer}/auth/{uid2} -> 303 Location: {redirect_uri}?code=..&state=..&iss=..
//  9. POST {token_endpoint} (HTTP Basic client_id:client_secret, form
//     grant_type=authorization_code&code=..&redirect_uri=..&code_verifier=..) -> id_token.
// A second login of the same person with the same client in the same cookie jar skips steps
// 4-7 (session and grant exist). tools/node/oidc-check.mjs does exactly this walk.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parse as parseForm } from 'node:querystring';

import Provider from 'oidc-provider';

const NATURAL_PERSON_NUMBER_SCOPE = 'https://id.oidc.se/scope/naturalPersonNumber';
const PERSONAL_IDENTITY_NUMBER_CLAIM = 'https://id.oidc.se/claim/personalIdentityNumber';
const PERSONNUMMER = /^[0-9]{12}$/;

const FORM_BYTES_MAX = 56 * 1024; // oidc-provider's own body limit
const portFile = process.argv[2];
if (!portFile) {
  process.stderr.write('usage: node oidc-provider.mjs PORT_FILE\n');
  process.exit(2);
}

// The login form takes any string; only a 12-digit personnummer names an account.
async function findAccount(_ctx, sub) {
  if (!PERSONNUMMER.test(sub)) {
    return undefined;
  }
  const familyName = `Person ${sub.slice(8)}`;
  return {
    accountId: sub,
    async claims() {
      return {
        sub,
        name: `Test ${familyName}`,
        given_name: 'Test',
        family_name: familyName,
        [PERSONAL_IDENTITY_NUMBER_CLAIM]: sub,
      };
    },
  };
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'kuvert-test' };
}

const configuration = {
  findAccount,
  jwks: { keys: [signingKey()] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'profile', NATURAL_PERSON_NUMBER_SCOPE],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    [NATURAL_PERSON_NUMBER_SCOPE]: [
      PERSONAL_IDENTITY_NUMBER_CLAIM, 'name', 'given_name', 'family_name',
    ],
  },
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  pkce: { required: () => true },
  clientDefaults: { id_token_signed_response_alg: 'RS256' },
  enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
    userinfo: { enabled: true },
  },
};

async function readForm(req) {
  const chunks = [];
  let received = 0;
  for await (const chunk of req) {
    received += chunk.length;
    if (received > FORM_BYTES_MAX) throw new Error('form too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// The dev login form accepts any string and would fail later with a server error; end the
// interaction here instead, so a bad login reaches the client as error=access_denied.
function rejectBadLogins(provider) {
  provider.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path.startsWith('/interaction/')
      && ctx.is('application/x-www-form-urlencoded')) {
      const body = await readForm(ctx.req);
      ctx.req.body = body;
      const fields = parseForm(body);
      if (fields.prompt === 'login' && !PERSONNUMMER.test(String(fields.login ?? ''))) {
        const to = await provider.interactionResult(ctx.req, ctx.res, {
          error: 'access_denied',
          error_description: 'the login must be a 12-digit personnummer',
        }, { mergeWithLastSubmission: false });
        ctx.redirect(to);
        ctx.status = 303;
        return;
      }
    }
    await next();
  });
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration);
  rejectBadLogins(provider);
  for (const event of ['server_error', 'authorization.error', 'grant.error',
    'registration_create.error', 'userinfo.error']) {
    provider.on(event, (_ctx, error) => {
      process.stderr.write(`oidc-provider: ${event}: ${error.message} ${error.error_description ?? ''}\n`);
    });
  }
  server.on('request', provider.callback());
  writeFileSync(portFile, `${issuer}\n`);
  process.stderr.write(`oidc-provider: listening, issuer ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
