// A checkout mix through the gateway, with the seed's three outcomes:
//   ~70% success          product 1 ×1    → 201 CONFIRMEE
//   ~15% stock refusal    product 2 ×999  → 409 ANNULEE (more than the centre holds)
//   ~15% payment refusal  product 4 ×10   → 402 ANNULEE (750.00 over the 500.00 limit; stock released)
// Refusals are expected answers here, so only an unexpected status counts as
// a failure (the unexpected_status rate), and latency is checked per outcome.
// The checkouts are the seed's guest checkout: no token. Only the setup's
// reception of goods is staff work: it signs in once (a demo account of the
// README, STAFF_USER / STAFF_PASSWORD) and sends that bearer token.
//
//   docker compose --profile k6 run --rm k6 run /scripts/saga.js
//   k6 run -e BASE_URL=http://localhost:8080 -e RATE=40 -e DURATION=1m k6/saga.js
import http from 'k6/http';
import { check } from 'k6';
import { Rate } from 'k6/metrics';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';
// Where the setup receives goods; the gateway by default, stock itself (:8007) if preferred.
const STOCK_URL = __ENV.STOCK_URL || BASE_URL;
const RATE = Number(__ENV.RATE || 20); // sagas per second (docs/performance.md: the fleet saturates near 48/s today)
const DURATION = __ENV.DURATION || '1m';
const STAFF_USER = __ENV.STAFF_USER || 'logistique';
const STAFF_PASSWORD = __ENV.STAFF_PASSWORD || 'multimagasins';

const unexpected = new Rate('unexpected_status');

export const options = {
  scenarios: {
    checkout: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(10, RATE),
      maxVUs: Math.max(50, RATE * 4),
    },
  },
  thresholds: {
    unexpected_status: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{outcome:confirmee}': ['p(95)<300', 'p(99)<1000'],
    'http_req_duration{outcome:stock}': ['p(95)<300'],
    'http_req_duration{outcome:paiement}': ['p(95)<300'],
  },
};

const mix = [
  { outcome: 'confirmee', share: 0.70, status: 201, produits: [{ produit_id: 1, quantite: 1 }] },
  { outcome: 'stock', share: 0.15, status: 409, produits: [{ produit_id: 2, quantite: 999 }] },
  { outcome: 'paiement', share: 0.15, status: 402, produits: [{ produit_id: 4, quantite: 10 }] },
];

// parseSeconds reads a k6 duration such as "90s", "1m30s" or "2h".
function parseSeconds(d) {
  let total = 0;
  for (const m of d.matchAll(/(\d+)(h|m|s)/g)) {
    total += Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2]];
  }
  return total || 60;
}

// token signs a staff account in with the OAuth2 password grant (a form body,
// as RFC 6749 has it) and returns its access token, valid 15 minutes.
function token(username, password) {
  const res = http.post(`${BASE_URL}/auth/jeton`, { grant_type: 'password', username, password },
    { tags: { name: 'POST /auth/jeton' } });
  if (!check(res, { 'setup: POST /auth/jeton 200': (r) => r.status === 200 })) {
    throw new Error(`POST /auth/jeton as ${username} answered ${res.status}: ${res.body}`);
  }
  return res.json('access_token');
}

// setup receives enough of product 1 at the centre for every success of the
// run (with a margin), so the confirmed share does not turn into stock
// refusals halfway. Products 2 and 4 are left alone: 999 × product 2 must stay
// more than the centre holds.
export function setup() {
  const quantite = Math.ceil(RATE * parseSeconds(DURATION) * 0.7 * 1.5) + 100;
  const res = http.post(`${STOCK_URL}/logistique/receptions`,
    JSON.stringify({ produit_id: 1, quantite, reference: `k6 saga ${Date.now()}` }),
    { headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token(STAFF_USER, STAFF_PASSWORD)}` } });
  if (!check(res, { 'setup: reception 201': (r) => r.status === 201 })) {
    throw new Error(`POST /logistique/receptions answered ${res.status}: ${res.body}`);
  }
}

function pick() {
  let x = Math.random();
  for (const m of mix) {
    if (x < m.share) return m;
    x -= m.share;
  }
  return mix[0];
}

export default function () {
  const m = pick();
  const res = http.post(`${BASE_URL}/saga/commande/`, JSON.stringify({ produits: m.produits }), {
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'POST /saga/commande/', outcome: m.outcome },
    // 402 and 409 are the business answers this mix asks for, not failures.
    responseCallback: http.expectedStatuses(m.status),
  });
  const ok = check(res, {
    [`${m.outcome}: status ${m.status}`]: (r) => r.status === m.status,
    [`${m.outcome}: saga finished`]: (r) => r.status === m.status && r.json('termine') === true,
  });
  unexpected.add(res.status !== m.status, { outcome: m.outcome });
  if (!ok && __ENV.VERBOSE) {
    console.warn(`${m.outcome}: ${res.status} ${res.body}`);
  }
}
