// A Keycloak look-alike for SkillVL's tests: the real oidc-provider (npm) with Keycloak-shaped JWT access
// tokens, a login form that checks passwords from a users file, and consent granted for the one client.
// Started by SkillVL.TestUtilities.Oidc.OidcProviderServer; listens on 127.0.0.1 only.
//
//   node server.mjs --keys jwks.json --users users.json [--port 0] [--access-ttl 300]
//                   [--client-id skillvl-web] [--redirect-uri http://127.0.0.1:8080/oidc/callback]
//                   [--audience skillvl] [--exit-on-stdin-close]
//
// Every option may also come from the environment as OIDC_<NAME> (OIDC_PORT, OIDC_KEYS, OIDC_ACCESS_TTL, ...).
// When listening it prints one JSON line on stdout: {"issuer":"http://127.0.0.1:PORT","port":PORT}; everything
// else (oidc-provider's notices, errors) goes to stderr. Key rotation = restart with a new keys file: the first
// key signs, all keys are published at the discovery document's jwks_uri.

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

// oidc-provider prints notices with console.info; stdout carries only the ready line.
console.info = console.error;
console.log = console.error;

const optionNames = ['port', 'keys', 'users', 'access-ttl', 'client-id', 'redirect-uri', 'audience'];
const { values: args } = parseArgs({
  options: {
    ...Object.fromEntries(optionNames.map((name) => [name, { type: 'string' }])),
    // The test fixture holds our stdin open: if the test process dies, the pipe closes and we go too.
    'exit-on-stdin-close': { type: 'boolean' },
  },
  strict: true,
});
const option = (name, fallback) =>
  args[name] ?? process.env[`OIDC_${name.toUpperCase().replaceAll('-', '_')}`] ?? fallback;

const port = Number.parseInt(option('port', '0'), 10);
const keysFile = option('keys');
const usersFile = option('users');
const accessTtl = Number.parseInt(option('access-ttl', '300'), 10);
const clientId = option('client-id', 'skillvl-web');
const redirectUri = option('redirect-uri', 'http://127.0.0.1:8080/oidc/callback');
const audience = option('audience', 'skillvl');

if (!keysFile || !usersFile || !Number.isInteger(port) || !(accessTtl > 0)) {
  console.error('usage: server.mjs --keys JWKS_FILE --users USERS_FILE [--port N] [--access-ttl SECONDS] '
    + '[--client-id ID] [--redirect-uri URI] [--audience AUD]');
  process.exit(2);
}

// RS256 and use=sig on every key: oidc-provider ranks candidate keys by these, and with all of them equal
// its (stable) ranking keeps the file's order, so the id_token is signed by the first key as well.
const jwks = JSON.parse(readFileSync(keysFile, 'utf8'));
if (!Array.isArray(jwks.keys) || jwks.keys.length === 0 || jwks.keys.some((k) => k.kty !== 'RSA' || !k.d || !k.kid)) {
  console.error(`${keysFile}: expected {"keys":[...]} of private RSA JWKs, each with a kid`);
  process.exit(2);
}
jwks.keys = jwks.keys.map((key) => ({ ...key, alg: 'RS256', use: 'sig' }));
const signingKid = jwks.keys[0].kid;

// [{ username, password, realmRoles: [], clientRoles: { clientId: [] }, groups: [], sub? }]
const users = new Map(JSON.parse(readFileSync(usersFile, 'utf8')).map((user) => [user.username, user]));

// Keycloak's subjects are UUIDs; derive a stable one from the username unless the file gives one.
function subjectOf(user) {
  if (user.sub) return user.sub;
  const hex = createHash('sha256').update(`skillvl-test:${user.username}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
const usersBySub = new Map([...users.values()].map((user) => [subjectOf(user), user]));

// The claims Keycloak puts in an access token for a user (realm roles, client roles, group full paths).
function keycloakClaims(user) {
  return {
    preferred_username: user.username,
    realm_access: { roles: [...(user.realmRoles ?? [])] },
    resource_access: Object.fromEntries(
      Object.entries(user.clientRoles ?? {}).map(([client, roles]) => [client, { roles: [...roles] }]),
    ),
    groups: [...(user.groups ?? [])],
  };
}

// Clients send no `resource` parameter (they don't with Keycloak either): every grant gets this one, and its
// access tokens are JWTs with aud = the audience. The URN is only the key oidc-provider files it under.
const resource = 'urn:skillvl:test-resource';
const resourceScope = 'openid profile';

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const boundPort = server.address().port;
const issuer = `http://127.0.0.1:${boundPort}`;

const provider = new Provider(issuer, {
  jwks,
  clients: [{
    client_id: clientId,
    token_endpoint_auth_method: 'none', // public client, so oidc-provider requires PKCE (S256 only in 9.x)
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  // Random per process: a restart (key rotation) ends every session, as a fresh Keycloak would not, but no
  // test needs a session to survive one.
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  ttl: { AccessToken: accessTtl, IdToken: accessTtl, Interaction: 600, Grant: 3600, Session: 3600 },
  // Keycloak puts the profile claims in the id_token even when an access token is issued too.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'preferred_username', 'realm_access', 'resource_access', 'groups'],
    profile: ['name'],
  },
  features: {
    devInteractions: { enabled: false }, // it accepts any password; the form below checks them
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => resource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, indicator) => {
        if (indicator !== resource) throw new Provider.errors.InvalidTarget();
        return {
          scope: resourceScope,
          audience,
          accessTokenTTL: accessTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256', kid: signingKid } },
        };
      },
    },
  },
  async findAccount(_ctx, sub) {
    const user = usersBySub.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, name: user.username, ...keycloakClaims(user) };
      },
    };
  },
  // Consent is granted for the client without asking (Keycloak's "Consent required: off").
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (!ctx.oidc.session.accountId) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
    grant.addResourceScope(resource, resourceScope);
    await grant.save();
    return grant;
  },
  formats: {
    customizers: {
      // Shape the access token like Keycloak's: header typ JWT (not RFC 9068's at+jwt), azp instead of
      // client_id, typ Bearer, and the user's roles and groups.
      async jwt(_ctx, token, jwt) {
        jwt.header = { typ: 'JWT' };
        const user = token.accountId ? usersBySub.get(token.accountId) : undefined;
        const { client_id: azp, ...payload } = jwt.payload;
        jwt.payload = { ...payload, typ: 'Bearer', azp, ...(user ? keycloakClaims(user) : {}) };
      },
    },
  },
});
provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error:', error));

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  // Stable ids: OidcProviderServer reads #login-error and posts to the form's action.
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign in to skillvl</title></head>
<body>
<h1>Sign in</h1>
${error ? `<p id="login-error">${escapeHtml(error)}</p>` : ''}
<form id="login" method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label>Username <input name="username" autocomplete="username" autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
</body></html>`;
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

// GET /interaction/:uid shows the form; POST /interaction/:uid/login checks the password.
async function interaction(req, res) {
  const path = new URL(req.url, issuer).pathname;
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    // loadExistingGrant grants consent, so only the login prompt can come here.
    send(res, 500, `unexpected prompt ${escapeHtml(details.prompt.name)}`);
    return;
  }

  if (req.method === 'GET' && path === `/interaction/${details.uid}`) {
    send(res, 200, loginPage(details.uid));
    return;
  }

  if (req.method === 'POST' && path === `/interaction/${details.uid}/login`) {
    const form = await readForm(req);
    const user = users.get(form.get('username') ?? '');
    if (!user || user.password !== form.get('password')) {
      // Keycloak answers a failed login with the form again (200) and a message.
      console.error(`login failed for ${JSON.stringify(form.get('username'))}`);
      send(res, 200, loginPage(details.uid, 'Invalid username or password.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: subjectOf(user) } }, { mergeWithLastSubmission: false });
    return;
  }

  send(res, 404, 'not found');
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      console.error('interaction failed:', error);
      if (!res.headersSent) send(res, 400, escapeHtml(error.message));
      else res.end();
    });
    return;
  }
  callback(req, res);
});

function shutdown(signal) {
  console.error(`${signal}: closing`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
if (args['exit-on-stdin-close']) {
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.resume();
}

process.stdout.write(`${JSON.stringify({ issuer, port: boundPort })}\n`);
