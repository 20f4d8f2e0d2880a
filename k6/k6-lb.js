// The seed's load-balancing run, against real endpoints through the gateway:
// client list, catalogue, a cart line added, the cart read back. The two
// panier replicas behind KrakenD share the load (see the "Requests per
// instance" panel of the Services dashboard).
//
//   docker compose --profile k6 run --rm k6 run /scripts/k6-lb.js
//   k6 run -e BASE_URL=http://localhost:8080 -e VUS=50 -e DURATION=1m k6/k6-lb.js
import http from 'k6/http';
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';
const CLIENTS = Number(__ENV.CLIENTS || 200);
const PRODUITS = 14; // the seed's catalogue, every one stocked at the centre

export const options = {
  vus: Number(__ENV.VUS || 20),
  duration: __ENV.DURATION || '30s',
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<300'],
    checks: ['rate>0.99'],
  },
};

const json = { headers: { 'Content-Type': 'application/json' } };

// setup makes the clients whose carts the run fills. A cart line only grows
// (POST /panier increments it, up to the centre's stock), so the lines are
// spread over many clients and every product to stay far below that stock.
export function setup() {
  const run = `${Date.now()}`;
  const ids = [];
  for (let i = 0; i < CLIENTS; i++) {
    const res = http.post(`${BASE_URL}/clients`,
      JSON.stringify({ nom: `Client charge ${i}`, email: `k6-lb-${run}-${i}@exemple.ca` }), json);
    if (!check(res, { 'setup: POST /clients 201': (r) => r.status === 201 })) {
      throw new Error(`POST /clients answered ${res.status}: ${res.body}`);
    }
    ids.push(res.json('id'));
  }
  return { ids };
}

export default function (data) {
  const client = data.ids[(__VU * 7 + __ITER) % data.ids.length];
  const produit = 1 + ((__VU * 31 + __ITER) % PRODUITS);

  const clients = http.get(`${BASE_URL}/clients?limit=20`, { tags: { name: 'GET /clients' } });
  check(clients, { 'GET /clients 200': (r) => r.status === 200 });

  const produits = http.get(`${BASE_URL}/produits?limit=50`, { tags: { name: 'GET /produits' } });
  check(produits, { 'GET /produits 200': (r) => r.status === 200 });

  const ajout = http.post(`${BASE_URL}/panier`,
    JSON.stringify({ client_id: client, produit_id: produit, quantite: 1 }),
    Object.assign({ tags: { name: 'POST /panier' } }, json));
  // 201 for a new line, 200 for one more of a line already there.
  check(ajout, { 'POST /panier 201 or 200': (r) => r.status === 201 || r.status === 200 });

  const panier = http.get(`${BASE_URL}/panier/${client}`, { tags: { name: 'GET /panier/{id}' } });
  check(panier, {
    'GET /panier/{id} 200': (r) => r.status === 200,
    'GET /panier/{id} has the line': (r) => r.status === 200 && (r.json('lignes') || []).some((l) => l.produit_id === produit),
  });
}
