// A small OpenID Connect identity provider for the course server, built on the OpenID-certified
// `oidc-provider` library (npm). It is the provider the SSO tests log in through, and a site with no
// identity provider of its own can run it for real (deploy/sso/README.md).
//
//   node deploy/sso/idp.mjs STATE_DIR
//
// STATE_DIR is made by `python -m deploy.sso.idp_admin init` and holds:
//   idp.json        issuer, listen address, the hub's client (id, secret, redirect URI), cookie keys
//   directory.json  the users: scrypt password hash, display name, e-mail, groups; read again at
//                   every login and token, so an admin's change (python -m deploy.sso.idp_admin) holds
//                   from the user's next login without a restart
//   jwks.json       the signing key (made at first start, 0600)
//
// Claims: `sub` and `preferred_username` are the user's name in the directory; scope `groups` gives
// `groups` (a flat list of group names, like Keycloak's group-membership mapper with "full path" off).
// The login page is the provider's own (/interaction/<uid>); consent is implied for the hub's client.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const stateDir = process.argv[2];
if (!stateDir) {
  console.error('usage: node idp.mjs STATE_DIR   (made by python -m deploy.sso.idp_admin init)');
  process.exit(2);
}
const settings = JSON.parse(readFileSync(join(stateDir, 'idp.json'), 'utf8'));
const directoryFile = join(stateDir, 'directory.json');
const SCOPES = ['openid', 'profile', 'email', 'groups'];

function directory() {
  return JSON.parse(readFileSync(directoryFile, 'utf8'));
}

// Same format as deploy/sso/idp_admin.py: scrypt$N$r$p$salt-hex$hash-hex
function passwordMatches(stored, password) {
  const parts = String(stored || '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, 'hex');
  const actual = scryptSync(password, Buffer.from(salt, 'hex'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(expected, actual);
}

const DUMMY_HASH = `scrypt$16384$8$1$${randomBytes(16).toString('hex')}$${randomBytes(32).toString('hex')}`;

async function signingKeys() {
  const file = join(stateDir, 'jwks.json');
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), use: 'sig', alg: 'RS256', kid: randomBytes(8).toString('hex') };
    writeFileSync(file, JSON.stringify({ keys: [jwk] }), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return JSON.parse(readFileSync(file, 'utf8'));
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function loginPage(uid, { error = '', username = '' } = {}) {
  const realm = escapeHtml(settings.display_name || 'Company sign-in');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - ${realm}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;margin:.3rem 0;font-size:1rem}input,button{padding:.5rem}
.error{color:#a00;border:1px solid #a00;padding:.5rem}</style></head>
<body><main><h1 id="realm-name">${realm}</h1>
${error ? `<p class="error" id="login-error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<label for="username">User name</label><input id="username" name="username" value="${escapeHtml(username)}" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button id="kc-login" type="submit">Sign in</button></form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16 * 1024) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

// The login form's answer redirects on to the hub (another origin): CSP's form-action covers redirects.
const formTargets = ["'self'", ...new Set(settings.client.redirect_uris.map((uri) => new URL(uri).origin))].join(' ');

function send(res, status, html) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formTargets}`,
  });
  res.end(html);
}

const provider = new Provider(settings.issuer, {
  clients: [{
    client_id: settings.client.client_id,
    client_secret: settings.client.client_secret,
    redirect_uris: settings.client.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: await signingKeys(),
  cookies: { keys: settings.cookie_keys },
  scopes: SCOPES,
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 900, Session: 8 * 3600, Grant: 8 * 3600 },
  async findAccount(ctx, id) {
    const users = directory().users || {};
    if (!Object.hasOwn(users, id) || users[id].disabled) return undefined;  // removed: signed out at once
    return {
      accountId: id,
      async claims() {
        // Read again: group changes hold from the next token on.
        const latest = directory().users || {};
        const now = Object.hasOwn(latest, id) ? latest[id] : {};
        return { sub: id, preferred_username: id, name: now.name || id, email: now.email, groups: now.groups || [] };
      },
    };
  },
  // The hub is this provider's own (first-party) client: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
    if (!grant) {
      grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    }
    grant.addOIDCScope(SCOPES.join(' '));
    await grant.save();
    return grant;
  },
});

const handler = provider.callback();
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(new URL(req.url, settings.issuer).pathname);
  if (!match) {
    handler(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== match[1]) {
      send(res, 400, '<p>This sign-in link is out of date. Go back to the course and sign in again.</p>');
      return;
    }
    if (req.method === 'GET' && !match[2]) {
      send(res, 200, loginPage(details.uid));
      return;
    }
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      const username = (form.get('username') || '').trim();
      const users = directory().users || {};
      const user = Object.hasOwn(users, username) ? users[username] : undefined;
      // An unknown name costs the same scrypt as a known one: the answer's timing tells nothing.
      const matches = passwordMatches(user ? user.password : DUMMY_HASH, form.get('password') || '');
      if (!user || user.disabled || !matches) {
        send(res, 200, loginPage(details.uid, { error: 'Invalid user name or password.', username }));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: username } }, { mergeWithLastSubmission: false });
      return;
    }
    send(res, 405, '<p>Method not allowed</p>');
  } catch (error) {
    console.error(`interaction: ${error}`);
    send(res, 400, '<p>This sign-in link is out of date or was already used. Go back to the course and sign in again.</p>');
  }
});

server.listen(settings.port, settings.host, () => {
  console.log(`identity provider ${settings.issuer} listening on ${settings.host}:${settings.port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
