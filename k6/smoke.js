// One of each public call through the gateway, with one user, once: the
// quickest way to see the gateway, identite, every service and the saga
// answer. Staff calls carry the token of a demo account of the README
// (STAFF_USER / STAFF_PASSWORD), taken once in setup(); the shop's calls
// carry the token of a customer the run signs up; the seed's checkouts and
// the catalogue need none, and a staff call without a token must get 401.
//
//   docker compose --profile k6 run --rm k6 run /scripts/smoke.js
//   k6 run -e BASE_URL=http://localhost:8080 k6/smoke.js
import http from 'k6/http';
import { check, group } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';
const STAFF_USER = __ENV.STAFF_USER || 'maison-mere';
const STAFF_PASSWORD = __ENV.STAFF_PASSWORD || 'multimagasins';

export const options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    checks: ['rate==1'],
  },
};

// token signs in with the OAuth2 password grant (a form body, as RFC 6749
// has it) and returns the access token, valid 15 minutes.
function token(username, password) {
  const res = http.post(`${BASE_URL}/auth/jeton`, { grant_type: 'password', username, password },
    { tags: { name: 'POST /auth/jeton' } });
  if (!check(res, { [`POST /auth/jeton as ${username} → 200`]: (r) => r.status === 200 })) {
    throw new Error(`POST /auth/jeton as ${username} answered ${res.status}: ${res.body}`);
  }
  return res.json('access_token');
}

export function setup() {
  return { staff: token(STAFF_USER, STAFF_PASSWORD) };
}

// call sends one request as the holder of bearer ('' for none) and checks its status.
function call(method, path, body, status, bearer) {
  const headers = { 'Content-Type': 'application/json' };
  if (bearer) {
    headers.Authorization = `Bearer ${bearer}`;
  }
  const params = { headers, tags: { name: `${method} ${path.replace(/\/[0-9a-f-]{8,}|\/\d+/g, '/{id}')}` },
    responseCallback: http.expectedStatuses(status) };
  const res = http.request(method, `${BASE_URL}${path}`, body === null ? null : JSON.stringify(body), params);
  check(res, { [`${method} ${path} → ${status}`]: (r) => r.status === status });
  return res;
}

export default function (data) {
  const staff = data.staff;
  group('clients', () => {
    call('GET', '/clients', null, 200, staff);
    call('GET', '/clients', null, 401, '');
    const c = call('POST', '/clients', { nom: 'Client essai', email: `k6-smoke-${Date.now()}@exemple.ca` }, 201, staff);
    const id = c.json('id');
    call('GET', `/clients/${id}`, null, 200, staff);
  });
  group('catalogue', () => {
    call('GET', '/produits', null, 200, '');
    call('GET', '/produits/1', null, 200, '');
    call('GET', '/magasins', null, 200, '');
    call('GET', '/magasins/1/stock', null, 200, '');
    call('GET', '/logistique/stock', null, 200, staff);
  });
  let client;
  let shopper;
  group('identite: sign up, sign in', () => {
    const email = `k6-smoke-compte-${Date.now()}@exemple.ca`;
    const password = 'un long mot de passe';
    const account = call('POST', '/auth/inscription', { nom: 'Client essai', email, mot_de_passe: password }, 201, '');
    client = account.json('client_id');
    shopper = token(email, password);
    call('GET', '/auth/moi', null, 200, shopper);
  });
  group('panier and commande', () => {
    call('POST', '/panier', { client_id: client, produit_id: 1, quantite: 1 }, 201, shopper);
    call('GET', `/panier/${client}`, null, 200, shopper);
    const checkout = call('POST', '/commande', { client_id: client }, 201, shopper);
    const commande = checkout.json('commande_id');
    call('GET', `/commande/${commande}`, null, 200, shopper);
  });
  group('saga: the seed three outcomes, as a guest', () => {
    call('POST', '/saga/commande/', { produits: [{ produit_id: 1, quantite: 1 }, { produit_id: 2, quantite: 1 }] }, 201, '');
    call('POST', '/saga/commande/', { produits: [{ produit_id: 2, quantite: 999 }] }, 409, '');
    call('POST', '/saga/commande/', { produits: [{ produit_id: 4, quantite: 10 }] }, 402, '');
  });
}
