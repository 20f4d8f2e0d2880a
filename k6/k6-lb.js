// The seed's load-balancing run, against real endpoints through the gateway:
// client list, catalogue, a cart line added, the cart read back. The two
// panier replicas behind KrakenD share the load (see the "Requests per
// instance" panel of the Services dashboard).
//
// Every call carries a token, taken in setup() and never during the run: the
// client list a staff token (a demo account of the README, STAFF_USER /
// STAFF_PASSWORD), each cart its own customer's, since a cart is only its
// client's. Tokens live 15 minutes, so a DURATION longer than 14m is refused.
//
//   docker compose --profile k6 run --rm k6 run /scripts/k6-lb.js
//   k6 run -e BASE_URL=http://localhost:8080 -e VUS=50 -e DURATION=1m k6/k6-lb.js
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';
// Each customer costs setup two password hashes (sign-up, sign-in).
const CLIENTS = Number(__ENV.CLIENTS || 100);
const PRODUITS = 14; // the seed's catalogue, every one stocked at the centre
const STAFF_USER = __ENV.STAFF_USER || 'maison-mere';
const STAFF_PASSWORD = __ENV.STAFF_PASSWORD || 'multimagasins';
const DURATION = __ENV.DURATION || '30s';

export const options = {
  vus: Number(__ENV.VUS || 20),
  duration: DURATION,
  setupTimeout: '3m',
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<300'],
    checks: ['rate>0.99'],
  },
};

// parseSeconds reads a k6 duration such as "90s", "1m30s" or "2h".
function parseSeconds(d) {
  let total = 0;
  for (const m of d.matchAll(/(\d+)(h|m|s)/g)) {
    total += Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2]];
  }
  return total || 30;
}

// post sends a form or JSON body, and waits and sends again while the
// gateway answers 503: sign-in and sign-up are limited to 50/s there.
function post(url, body, params) {
  for (let i = 0; ; i++) {
    const res = http.post(url, body, params);
    if (res.status !== 503 || i === 5) {
      return res;
    }
    sleep(0.2 * (i + 1));
  }
}

// token signs in with the OAuth2 password grant (a form body, as RFC 6749
// has it) and returns the access token.
function token(username, password) {
  const res = post(`${BASE_URL}/auth/jeton`, { grant_type: 'password', username, password },
    { tags: { name: 'POST /auth/jeton' } });
  if (!check(res, { 'setup: POST /auth/jeton 200': (r) => r.status === 200 })) {
    throw new Error(`POST /auth/jeton as ${username} answered ${res.status}: ${res.body}`);
  }
  return res.json('access_token');
}

// setup signs up the customers whose carts the run fills, each with its own
// token. A cart line only grows (POST /panier increments it, up to the
// centre's stock), so the lines are spread over many customers and every
// product to stay far below that stock.
export function setup() {
  if (parseSeconds(DURATION) > 14 * 60) {
    throw new Error(`DURATION ${DURATION}: the setup's tokens live 15 minutes; run 14m at most`);
  }
  const run = `${Date.now()}`;
  const password = 'un long mot de passe de charge';
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const email = `k6-lb-${run}-${i}@exemple.ca`;
    const res = post(`${BASE_URL}/auth/inscription`,
      JSON.stringify({ nom: `Client charge ${i}`, email, mot_de_passe: password }),
      { headers: { 'Content-Type': 'application/json' }, tags: { name: 'POST /auth/inscription' } });
    if (!check(res, { 'setup: POST /auth/inscription 201': (r) => r.status === 201 })) {
      throw new Error(`POST /auth/inscription answered ${res.status}: ${res.body}`);
    }
    clients.push({ id: res.json('client_id'), token: token(email, password) });
  }
  return { staff: token(STAFF_USER, STAFF_PASSWORD), clients };
}

export default function (data) {
  const client = data.clients[(__VU * 7 + __ITER) % data.clients.length];
  const produit = 1 + ((__VU * 31 + __ITER) % PRODUITS);
  const staff = { Authorization: `Bearer ${data.staff}` };
  const self = { Authorization: `Bearer ${client.token}`, 'Content-Type': 'application/json' };

  const clients = http.get(`${BASE_URL}/clients?limit=20`, { headers: staff, tags: { name: 'GET /clients' } });
  check(clients, { 'GET /clients 200': (r) => r.status === 200 });

  const produits = http.get(`${BASE_URL}/produits?limit=50`, { tags: { name: 'GET /produits' } });
  check(produits, { 'GET /produits 200': (r) => r.status === 200 });

  const ajout = http.post(`${BASE_URL}/panier`,
    JSON.stringify({ client_id: client.id, produit_id: produit, quantite: 1 }),
    { headers: self, tags: { name: 'POST /panier' } });
  // 201 for a new line, 200 for one more of a line already there.
  check(ajout, { 'POST /panier 201 or 200': (r) => r.status === 201 || r.status === 200 });

  const panier = http.get(`${BASE_URL}/panier/${client.id}`, { headers: self, tags: { name: 'GET /panier/{id}' } });
  check(panier, {
    'GET /panier/{id} 200': (r) => r.status === 200,
    'GET /panier/{id} has the line': (r) => r.status === 200 && (r.json('lignes') || []).some((l) => l.produit_id === produit),
  });
}
